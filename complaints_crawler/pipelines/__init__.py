"""Item pipelines, one stage per module, in this order: validate → spam → masks → dedupe → archive."""
