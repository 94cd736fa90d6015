"""A learned model of long texts (pages, and posts of LONG_TEXT_WORDS words or more) in every language of the corpus:
logistic regression on TF-IDF weighted character n-grams (the n-gram model's n-grams, counted), trained on the dev
split of the real corpus (benchmarks/train_spam_model.py) and shipped as long_text_model.json. It reads the wording
of spam pages that name no lexicon term in their opening (loan and earning-app articles, escort and replica prose).

Its probability is one more piece of evidence, capped so that it never flags a text alone. Computing it costs about
as much as the rest of a page's check, so the scorer asks for it only where it could change the verdict."""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import lru_cache
from importlib.resources import files
from itertools import chain
from operator import mul
from typing import NamedTuple

from complaints_crawler.text.spam.ngram_model import DIGITS, word_ngrams

MODEL_FILE = "long_text_model.json"
# The model reads the opening of a text up to this many UTF-8 bytes: a Chinese or Hindi page (3 bytes a character)
# costs no more n-grams than an English one (on dev v9, out-of-fold figures as with 3,000 characters).
MODEL_BYTES = 3000
LONG_TEXT_WORDS = 80  # a text with this many tokens is long (the doorway evidence starts there too)


def gram_counts(text: str) -> Counter[str]:
    """Per character n-gram (words padded with spaces, digits folded to 0, of the first MODEL_BYTES): how many words
    of the text hold it."""
    head = text[:MODEL_BYTES]
    if not head.isascii():
        head = head.encode("utf-8", "surrogatepass")[:MODEL_BYTES].decode("utf-8", "ignore")
    return Counter(chain.from_iterable(map(word_ngrams, DIGITS.sub("0", head.lower()).split())))


def grams(text: str) -> list[str]:
    """The n-grams of `text`, each as often as it counts (the analyzer the model is trained with)."""
    return list(gram_counts(text).elements())


class _Model(NamedTuple):
    bias: float
    grams: frozenset[str]
    weighted: dict[str, float]  # per n-gram: its weight times its inverse document frequency (idf)
    squared: dict[str, float]  # its idf squared


@lru_cache(maxsize=1)
def _model() -> _Model:
    """The shipped model (package data, as the n-gram model's)."""
    data = json.loads((files(__package__) / MODEL_FILE).read_text(encoding="utf-8"))
    table = data["grams"].items()
    weighted = {g: idf * w for g, (idf, w) in table}
    return _Model(float(data["bias"]), frozenset(weighted), weighted, {g: idf * idf for g, (idf, _) in table})


def probability(text: str) -> float:
    """The model's spam probability of `text`: (1 + log count) * idf over the model's n-grams, scaled to unit length,
    as in training."""
    bias, grams, weighted, squared = _model()
    counts = gram_counts(text)
    matched = list(grams.intersection(counts))
    if not matched:
        return 1.0 / (1.0 + math.exp(-bias))
    # Summed with map over the matched n-grams, not a Python loop: a page has thousands.
    tf = [1.0 + log for log in map(math.log, map(counts.__getitem__, matched))]
    dot = sum(map(mul, tf, map(weighted.__getitem__, matched)))
    squares = sum(map(mul, map(mul, tf, tf), map(squared.__getitem__, matched)))
    return 1.0 / (1.0 + math.exp(-(bias + dot / math.sqrt(squares))))
