"""Token n-gram counts, and the Gopher repetition rules (Rae et al. 2021) that read them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Gopher (Rae et al. 2021, table A1) limits, used to scale the repetition features.
GOPHER_TOP_NGRAM = {2: 0.20, 3: 0.18, 4: 0.16}
GOPHER_DUP_NGRAM = {5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10}


def gopher_limit(name: str) -> float:
    n = int(name.split("_")[1][0:-4])
    return GOPHER_TOP_NGRAM[n] if name.startswith("top_") else GOPHER_DUP_NGRAM[n]


GRAM_MAX = max(GOPHER_DUP_NGRAM)


class NGrams:
    """The token n-grams of a text for every n up to GRAM_MAX, from one sort: the start positions ordered
    by the tokens that follow them (a suffix array cut at GRAM_MAX tokens), so the occurrences of any
    n-gram are neighbours, and for each neighbour pair the number of leading tokens they share. numpy
    does in a few passes what Counter over n-gram tuples did in a Python-level pass per n."""

    def __init__(self, tokens: Sequence[str]) -> None:
        size = self.size = len(tokens)
        # One code > 0 per distinct token (tokens told apart by hash, as n-gram tuples were before). Plain
        # array operations throughout: numpy's Python-level helpers (unique, insert, diff, ...) cost more
        # than the arithmetic at these sizes.
        hashes = np.fromiter(map(hash, tokens), np.int64, size)
        by_hash = hashes.argsort()
        ordered_hashes = hashes[by_hash]
        # Code 0 past the end: an n-gram that runs off the text equals no other.
        codes = np.zeros(size + GRAM_MAX - 1, np.int64)
        codes[by_hash[0]] = 1
        codes[by_hash[1:]] = (ordered_hashes[1:] != ordered_hashes[:-1]).cumsum() + 1
        # Row i: the codes of tokens i .. i + GRAM_MAX - 1 (a read-only view).
        rows = np.ndarray((size, GRAM_MAX), np.int64, codes, 0, codes.strides * 2)
        # Sort keys: as many codes packed into an int64 as fit, the first code in the highest bits.
        bits = size.bit_length()
        width = 63 // bits
        keys = []
        for first in range(0, GRAM_MAX, width):
            count = min(width, GRAM_MAX - first)
            keys.append(rows[:, first : first + count] @ (1 << np.arange(count - 1, -1, -1, dtype=np.int64) * bits))
        # Sorted by the last key, then stably by each earlier one (what np.lexsort does, in less time). Equal
        # keys throughout are equal rows, so the first sort need not be stable.
        order = keys[-1].argsort()
        for key in keys[-2::-1]:
            order = order[key[order].argsort(kind="stable")]
        self.order = order
        ordered = rows[order]
        # Leading codes shared with the previous row: the first column that differs, past a column that always does.
        differ = np.ones((size - 1, GRAM_MAX + 1), bool)
        np.not_equal(ordered[1:], ordered[:-1], out=differ[:, :GRAM_MAX])
        self.shared = differ.argmax(axis=1)

    def groups(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Occurrences and first start position of each distinct n-gram (those running off the end, once each)."""
        starts = np.empty(self.size, bool)
        starts[0] = True
        np.less(self.shared, n, out=starts[1:])
        bounds = np.flatnonzero(np.append(starts, True))
        return bounds[1:] - bounds[:-1], np.minimum.reduceat(self.order, bounds[:-1])

    def most_frequent(self, ns: Sequence[int]) -> list[tuple[int, int]]:
        """For each n of `ns`, (occurrences, first start) of its most frequent n-gram; of equally frequent
        ones, the one that occurs first."""
        size = self.size
        column = np.array(ns)[:, None]
        starts = np.ones((len(ns), size), bool)  # group starts, in sorted order, one row per n
        np.less(self.shared, column, out=starts[:, 1:])
        group = starts.cumsum(axis=1) + np.arange(-1, len(ns) * size - 1, size)[:, None]
        counts = np.bincount(group.reshape(-1), minlength=len(ns) * size)[group]
        top = counts.max(axis=1)
        firsts = np.where(counts == top[:, None], self.order, size).min(axis=1)
        return list(zip(top.tolist(), firsts.tolist(), strict=True))

    def covered(self, ns: Sequence[int], weights: np.ndarray) -> list[int]:
        """For each n of `ns`, the sum of `weights` (one per token) over the tokens inside n-grams that occur
        more than once."""
        size = self.size
        shared = np.zeros(size + 1, np.int64)
        shared[1:size] = self.shared
        longest = np.empty(size, np.int64)  # per start position, the most leading tokens it shares with another
        longest[self.order] = np.maximum(shared[:-1], shared[1:])
        column = np.array(ns)[:, None]
        # Token j is covered when a duplicated n-gram starts in j - n + 1 .. j: a difference of running counts.
        running = np.zeros((len(ns), size + GRAM_MAX), np.int64)
        np.cumsum(longest >= column, axis=1, out=running[:, GRAM_MAX:])
        before = np.empty((len(ns), size), np.int64)  # the running count n tokens back, copied row by row
        for row, n in enumerate(ns):
            before[row] = running[row, GRAM_MAX - n : GRAM_MAX - n + size]
        return ((running[:, GRAM_MAX:] > before) @ weights).tolist()


def gopher_ngrams(tokens: Sequence[str], grams: NGrams, lengths: Sequence[int] | None = None) -> dict[str, float]:
    """Gopher's n-gram repetition: character share of the top 2/3/4-gram and of duplicated 5..10-grams
    (`lengths`: the tokens' lengths, when the caller has them)."""
    if lengths is None:
        lengths = list(map(len, tokens))
    total = sum(lengths) or 1
    out: dict[str, float] = {}
    for n, (count, start) in zip(GOPHER_TOP_NGRAM, grams.most_frequent(list(GOPHER_TOP_NGRAM)), strict=True):
        out[f"top_{n}gram"] = sum(lengths[start : start + n]) * count / total if count > 1 else 0.0
    for n, chars in zip(
        GOPHER_DUP_NGRAM,
        grams.covered(list(GOPHER_DUP_NGRAM), np.fromiter(lengths, np.int64, len(lengths))),
        strict=True,
    ):
        out[f"dup_{n}gram"] = chars / total
    return out


def most_common(tokens: Sequence[str], grams: NGrams, n: int, top: int) -> list[tuple[tuple[str, ...], int]]:
    """The `top` most frequent repeated n-grams and their counts, most frequent first, equally frequent
    ones in order of first occurrence (as Counter(n-grams).most_common(top), n-grams seen once left out)."""
    counts, firsts = grams.groups(n)
    repeated = np.flatnonzero(counts > 1)
    chosen = repeated[np.lexsort((firsts[repeated], -counts[repeated]))[:top]]
    return [
        (tuple(tokens[first : first + n]), count)
        for first, count in zip(firsts[chosen].tolist(), counts[chosen].tolist(), strict=True)
    ]
