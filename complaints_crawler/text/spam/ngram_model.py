"""A small learned model: logistic regression on character n-grams, trained on the dev split of the real corpus
(benchmarks/train_spam_model.py) and shipped as the n-grams it weighs (ngram_model.json). It catches the wording
of spam that no single rule names ("check out my channel", "sub 4 sub"); its probability is one more piece of
evidence in the transparent sum, too light to flag a text alone."""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib.resources import files

# Read as package data: Scrapyd imports the project from a zipped egg, where the file is no path on disk.
MODEL_FILE = "ngram_model.json"
MODEL_CHARS = 1500  # the model reads the first this many characters of a text
MAX_TEXT_CHARS = MODEL_CHARS  # and only texts it reads whole: posts, not pages
SIZES = (3, 4)
DIGITS = re.compile(r"\d")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_a-z]")  # of a lower-case text
MIN_ASCII_SHARE = 0.9


def reads(lowered: str) -> bool:
    """Whether the model reads `lowered` (lower-case): texts whose letters are mostly ASCII, the languages it was
    trained on."""
    if lowered.isascii():
        return True
    head = lowered[:MODEL_CHARS]
    other = len(_NON_ASCII_LETTER.findall(head))
    ascii_letters = sum(map(str.isalpha, head)) - other
    return ascii_letters > 0 and other <= (1 - MIN_ASCII_SHARE) * (ascii_letters + other)


def ngrams(text: str) -> set[str]:
    """Character n-grams of each word padded with spaces (digits folded to 0), of the first MODEL_CHARS characters."""
    words = set(DIGITS.sub("0", text[:MODEL_CHARS].lower()).split())  # a repeated word adds no n-gram
    return set().union(*map(word_ngrams, words))


@lru_cache(maxsize=1 << 16)
def word_ngrams(word: str) -> frozenset[str]:
    # Posts share most of their words: each word's n-grams are cut once, not once a post.
    padded = f" {word} "
    return frozenset(padded[i : i + n] for n in SIZES for i in range(len(padded) - n + 1))


@lru_cache(maxsize=1)
def _model() -> tuple[float, dict[str, float]]:
    data = json.loads((files(__package__) / MODEL_FILE).read_text(encoding="utf-8"))
    return float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()}


def probability(text: str) -> float:
    """The model's spam probability of `text` (its n-gram presence vector scaled to unit length, as in training)."""
    grams = ngrams(text)
    if not grams:
        return 0.0
    bias, weights = _model()
    z = bias + sum(map(weights.__getitem__, grams.intersection(weights))) / math.sqrt(len(grams))
    return 1.0 / (1.0 + math.exp(-z))
