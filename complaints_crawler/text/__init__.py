"""Site-independent text work: rendering HTML as text, thread labels, masks, spam features, fingerprints."""
