"""Fingerprints of complaints: an exact content hash of the thread and MinHash/LSH for near-duplicates.

- The content hash (`hash_thread` of `normalized_thread_text`) covers what a reader sees change in a thread
  (normalized text, status, each entry's kind, date, verdict and normalized text), all of it however long;
  volatile fields (scraped_at, counters) are left out, so an unchanged thread hashes the same on every run
  and a new response or status change shows.
- Near-duplicates (cross-posts, reposts, another site's copy) are pairs whose word 5-shingle sets have a
  Jaccard similarity >= 0.8. Shingles are lower-cased (an author re-typing "MI LED TV" for "mi led tv" is
  the same text) and built on `text_normalized`, so a copy whose masks another site wrote differently is
  identical. Candidates come from LSH band buckets stored in the archive; each candidate pair is confirmed
  by the exact Jaccard of its shingle sets.
- Shingles (for MinHash and for the exact Jaccard) come from the first `MAX_SHINGLED_CHARS` characters of
  a text only, cut at a space: ~17,000 words, 50 times the longest complaint of the fixture pages (1,990
  characters), so real texts are whole, while a 10 MB text costs ~25 ms and a few MB instead of 8 s and
  1.8 GB. Two texts that share that much of a beginning are near-duplicates whatever follows.

MinHash values must be equal on every process and machine, because their band buckets are stored: the
permutations come from datasketch's seeded generator (scheme `affine32`, pinned), the shingle hashes from
crc32 of the words combined per window (Python's `hash` is salted per process). Hashing each word once
and combining windows in numpy, then one `update_batch`, costs ~0.1 ms for a 1.5 KB text: 5x less than
`update_batch` of sha1-hashed shingle strings, 18x less than `update` per shingle. Changing any of this
changes every stored bucket: bump `_KEY_PERSON` with it.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import numpy as np
from datasketch import MinHash

SHINGLE_K = 5
NUM_PERM = 128
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
# 16 bands x 8 rows use all 128 permutations; a pair collides in some band with probability
# 1 - (1 - s^8)^16: 0.95 at s = 0.8, 1.0 at 0.9, 0.24 at 0.6, 0.06 at 0.5, 0.001 at 0.3.
# datasketch's _optimal_param(0.8, 128) with equal weights picks 9 x 13, which finds only 40% of pairs at
# exactly 0.8; since every candidate is confirmed by exact Jaccard, a false positive costs one set
# comparison while a false negative is a duplicate kept, so recall is bought with extra candidates.
LSH_BANDS = 16
LSH_ROWS = 8

_WINDOW_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier combining the word hashes of a window
_KEY_PERSON = b"cc-lsh-v1"  # namespace of the band buckets: bump when shingling, hashing or seed change
_KEY_BYTES = 8
MAX_SHINGLED_CHARS = 100_000
_BATCH = 4096  # shingle hashes per MinHash update: datasketch holds batch x NUM_PERM values at once


# --- exact content hash -----------------------------------------------------------------------------


def normalized_thread_text(
    status: str | None, text_normalized: str, entries: Iterable[tuple[str, date | None, str | None, str]]
) -> str:
    """What the content hash covers, one line per field: status, text and each entry's kind, date, verdict and
    text, all normalized; entries are (kind, posted_on, verdict, text_normalized)."""
    lines = [f"status: {status or ''}", f"text: {text_normalized}"]
    for kind, posted_on, verdict, entry_text in entries:
        lines.append(f"entry: {kind} {posted_on.isoformat() if posted_on else ''} {verdict or ''}")
        lines.append(f"text: {entry_text}")
    return "\n".join(lines)  # normalized text holds no newline, so lines cannot run into each other


def hash_thread(thread: str) -> str:
    # surrogatepass: a lone surrogate (valid in a str, so in an item) must not make hashing raise.
    return hashlib.sha256(thread.encode("utf-8", "surrogatepass")).hexdigest()


# --- shingles and Jaccard ---------------------------------------------------------------------------


def shingles(text_normalized: str, k: int = SHINGLE_K) -> set[str]:
    """Word k-shingles (lower-cased); a text of fewer than k words is one shingle; an empty text none."""
    words = _shingled(text_normalized).lower().split()
    width = min(k, len(words))
    return {" ".join(words[i : i + width]) for i in range(len(words) - width + 1)} if words else set()


def jaccard(a: set, b: set) -> float:
    """|a ∩ b| / |a ∪ b|; 0.0 when both are empty (nothing to call a duplicate)."""
    common = len(a & b)
    union = len(a) + len(b) - common
    return common / union if union else 0.0


# --- MinHash and LSH band buckets ----------------------------------------------------------------------


@lru_cache(maxsize=8)
def _empty_minhash(num_perm: int) -> MinHash:
    # Built once per size: drawing the permutations costs more than hashing a complaint.
    # hashfunc=int: update_batch receives shingle hashes already computed by _shingle_hashes.
    return MinHash(num_perm=num_perm, seed=MINHASH_SEED, hashfunc=int, scheme=MINHASH_SCHEME)


def _shingled(text: str) -> str:
    """The beginning of `text` that shingles are built from: all of it up to MAX_SHINGLED_CHARS, else
    the words that fit (a text without a space that long is cut anywhere)."""
    if len(text) <= MAX_SHINGLED_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_SHINGLED_CHARS + 1)
    return text[: cut if cut > 0 else MAX_SHINGLED_CHARS]


def _shingle_hashes(text_normalized: str, k: int) -> np.ndarray:
    """One 32-bit hash per word k-shingle (same shingles as `shingles`), computed from word crc32s."""
    # The words of `shingles`, as bytes: normalize() leaves only single ASCII spaces between words, where
    # str.split and bytes.split agree.
    words = _shingled(text_normalized).lower().encode("utf-8", "surrogatepass").split()
    if not words:
        return np.empty(0, dtype=np.uint32)
    word_hashes = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    width = min(k, len(words))
    count = len(words) - width + 1
    combined = word_hashes[:count].copy()
    for offset in range(1, width):
        combined = combined * _WINDOW_MIX + word_hashes[offset : offset + count]
    return ((combined >> np.uint64(32)) ^ combined).astype(np.uint32)


def minhash(text_normalized: str, num_perm: int = NUM_PERM) -> MinHash:
    """The seeded MinHash of the text's word 5-shingles, equal on every process and machine."""
    result = _empty_minhash(num_perm).copy()
    hashes = _shingle_hashes(text_normalized, SHINGLE_K)
    for start in range(0, hashes.size, _BATCH):  # min over batches: the same values as one update
        result.update_batch(hashes[start : start + _BATCH].tolist())
    return result


def lsh_buckets(minhash: MinHash, bands: int = LSH_BANDS, rows: int = LSH_ROWS) -> list[int]:
    """The bucket of each band (list index = band): a signed 64-bit hash of the band's MinHash values, as
    stored in `lsh_buckets.bucket`. Equal buckets in a band make a candidate pair."""
    if bands * rows > len(minhash.hashvalues):
        raise ValueError(f"{bands} bands x {rows} rows need more than {len(minhash.hashvalues)} permutations")
    # Fixed width and byte order, so a bucket is the same on every machine.
    values = np.asarray(minhash.hashvalues, dtype="<u8").tobytes()
    size = rows * 8
    return [_bucket(values[band * size : (band + 1) * size]) for band in range(bands)]


def _bucket(values: bytes) -> int:
    digest = hashlib.blake2b(values, digest_size=_KEY_BYTES, person=_KEY_PERSON).digest()
    return int.from_bytes(digest, "big", signed=True)
