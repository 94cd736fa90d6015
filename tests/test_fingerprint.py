"""Content hash, shingles, MinHash and LSH band buckets (complaints_crawler.text.fingerprint)."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
import sys
from datetime import date

import pytest
from constants import REPO, SEEDS

from complaints_crawler.archive.prepare import prepare
from complaints_crawler.items import BusinessRef, Complaint, Response, ResponseKind, Source, Verdict
from complaints_crawler.settings import NEAR_DUPLICATE_THRESHOLD as DUPLICATE_THRESHOLD
from complaints_crawler.text.fingerprint import (
    LSH_BANDS,
    LSH_ROWS,
    MAX_SHINGLED_CHARS,
    NUM_PERM,
    hash_thread,
    jaccard,
    lsh_buckets,
    minhash,
    normalized_thread_text,
    shingles,
)
from complaints_crawler.text.masks import normalize


def seed_text(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} not available")
    return found[0].read_text(encoding="utf-8")


# --- splitting the seeds into complaints (test scaffolding, not the real parsers) ---------------------

_BBB_CARD = re.compile(r"Initial Complaint\s*\n\s*Date:")
_BBB_TEXT = re.compile(
    r"BBB is unable to locate the business\.\s*\n(.*?)"
    r"(?=(?:Business Response|Customer Answer)\s*\n\s*Date:|BBB Business Profiles may not|\Z)",
    re.S,
)


def bbb_complaints(text: str) -> list[str]:
    """The initial complaint text of each card ("Initial Complaint" … up to the first response)."""
    return [m.group(1) for card in _BBB_CARD.split(text)[1:] if (m := _BBB_TEXT.search(card))]


_CC_HEAD = re.compile(
    r"^\s*\S\n\s*(?P<author>.+)\n(?:\s*from .+\n)?\s*(?P<date>[A-Z][a-z]{2} \d{1,2}, \d{4})\n"
    r"(?:\s*Resolved\n)?\s*Report\n\s*Copy\n",
    re.M,
)
_CC_FOOT = re.compile(r"\n\s*Helpful\n(?P<foot>(?:.*\n){1,3})")
_CC_COMMENTS = re.compile(r"^\s*(\d+) Comments?$", re.M)
_CC_CAPTION = re.compile(r" - Comment #\d+ - Image #\d+$")
_CC_MARKER = re.compile(
    r"^\s*(?:\+\d+ photos|[A-Z][a-z]{2} \d{1,2}, \d{4}|Complaint marked as Resolved|.+'s reply, .+)\s*$"
)
_CC_UPDATE = re.compile(r"^\s*Updated by (.+?)\s*$")
_CC_HEADER_LINE = re.compile(r"^\s*(?:Resolved|Address: .*|Website: .*)$")


def cc_entries(text: str) -> list[tuple[str, str, str, str]]:
    """(author, date, "complaint" | "update", text) of each consumercomplaints.in card.

    A card's body runs to "Helpful"; its last N lines are the N comments the footer announces (image
    captions aside); "+N photos", date, status and reply lines end a complaint or update.
    """
    entries = []
    for head in _CC_HEAD.finditer(text):
        foot = _CC_FOOT.search(text, head.end())
        comments = _CC_COMMENTS.search(foot["foot"])
        lines = [
            line.strip()
            for line in text[head.end() : foot.start()].split("\n")
            if line.strip() and not _CC_CAPTION.search(line) and not _CC_HEADER_LINE.match(line)
        ]
        lines = lines[: len(lines) - int(comments.group(1))] if comments else lines
        entries += _cc_segments(head["author"], head["date"], lines)
    return entries


def _cc_segments(author: str, day: str, lines: list[str]) -> list[tuple[str, str, str, str]]:
    segments, kind, current = [], "complaint", []
    for line in [*lines, "+0 photos"]:
        update = _CC_UPDATE.match(line)
        if update or _CC_MARKER.match(line):
            if current and kind:
                segments.append((author, day, kind, "\n".join(current)))
            kind, current = ("update" if update else None), []
        else:
            current.append(line)
    return segments


def all_seed_complaints() -> list[tuple[str, str]]:
    """(label, text) of every complaint in the BBB seeds and seed 003."""
    complaints = [(f"000#{i}", t) for i, t in enumerate(bbb_complaints(seed_text("000")))]
    complaints += [(f"001#{i}", t) for i, t in enumerate(bbb_complaints(seed_text("001")))]
    entries = enumerate(cc_entries(seed_text("003")))
    complaints += [(f"003 {a} {d} #{i}", t) for i, (a, d, kind, t) in entries if kind == "complaint"]
    return complaints


def fingerprint(text: str) -> tuple[set[str], set[tuple[int, int]]]:
    """Shingles and (band, bucket) pairs of `text`."""
    normalized = normalize(text).text_normalized
    return shingles(normalized), set(enumerate(lsh_buckets(minhash(normalized))))


def test_seed_splitting_finds_every_card():
    assert len(bbb_complaints(seed_text("000"))) == 10
    assert len(bbb_complaints(seed_text("001"))) == 10
    entries = cc_entries(seed_text("003"))
    assert sum(kind == "complaint" for _, _, kind, _ in entries) == 20
    assert [(a, kind) for a, _, kind, _ in entries if kind == "update"] == [
        ("PoojaTalwar", "update"),
        ("Prashanth Reddy G", "update"),
        ("soni_pks", "update"),
    ]


# --- near-duplicate ground truth in the seeds ---------------------------------------------------------


def soni_pks_entries() -> list[str]:
    entries = [t for a, d, _, t in cc_entries(seed_text("003")) if a == "soni_pks" and d == "Dec 1, 2019"]
    assert len(entries) == 3  # card 1; card 2 (resolved); card 2's "Updated by soni_pks"
    return entries


def test_soni_pks_update_restating_the_complaint_is_a_near_duplicate():
    _, complaint, update = soni_pks_entries()
    assert update.startswith("Till date not resolved")
    (a, keys_a), (b, keys_b) = fingerprint(complaint), fingerprint(update)
    assert jaccard(a, b) == pytest.approx(0.8395, abs=1e-4)  # the update re-types the complaint in capitals
    assert jaccard(a, b) >= DUPLICATE_THRESHOLD
    assert keys_a & keys_b


def test_soni_pks_two_cards_are_the_most_similar_complaints_but_below_the_threshold():
    """The two soni_pks cards of Dec 1, 2019 tell one story in two wordings: word 5-shingle Jaccard 0.32.

    Reposts reworded this much are out of reach of Jaccard >= 0.8 (even 1-shingles give 0.71); this test
    pins the measured value so a change of shingling shows up here.
    """
    first, second, _ = soni_pks_entries()
    assert jaccard(fingerprint(first)[0], fingerprint(second)[0]) == pytest.approx(0.3217, abs=1e-4)


def test_no_pair_of_seed_complaints_reaches_the_threshold_nor_collides():
    complaints = all_seed_complaints()
    assert len(complaints) == 40
    prints = [fingerprint(text) for _, text in complaints]
    similarities = []
    colliding = 0
    for (label_a, (a, keys_a)), (label_b, (b, keys_b)) in itertools.combinations(
        zip(complaints, prints, strict=True), 2
    ):
        similarities.append((jaccard(a, b), label_a[0], label_b[0]))
        colliding += bool(keys_a & keys_b)
    similarities.sort(reverse=True)
    assert similarities[0][0] < DUPLICATE_THRESHOLD
    assert "soni_pks" in similarities[0][1] and "soni_pks" in similarities[0][2]
    assert similarities[1][0] < 0.01  # every other pair shares next to nothing
    assert colliding == 0  # 780 unrelated pairs, no shared band bucket


def test_copy_with_protected_masks_rewritten_as_asterisks_is_found():
    complaints = all_seed_complaints()
    originals = [(label, text) for label, text in complaints if "[protected]" in text]
    assert len(originals) == 10
    index: dict[tuple[int, str], set[str]] = {}
    for label, text in complaints:
        for key in fingerprint(text)[1]:
            index.setdefault(key, set()).add(label)
    shingle_sets = {label: fingerprint(text)[0] for label, text in complaints}
    for label, text in originals:
        copy = text.replace("[protected]", "*" * 10)
        assert normalize(copy).text_normalized == normalize(text).text_normalized
        copy_shingles, copy_keys = fingerprint(copy)
        candidates = set().union(*(index.get(key, set()) for key in copy_keys))
        confirmed = {c for c in candidates if jaccard(copy_shingles, shingle_sets[c]) >= DUPLICATE_THRESHOLD}
        assert confirmed == {label}


# --- LSH behaviour on synthetic text ------------------------------------------------------------------

_VOCABULARY = [f"w{i}" for i in range(2000)]


def _variant(words: list[str], changes: int, rng: random.Random) -> list[str]:
    changed = list(words)
    for position in rng.sample(range(len(words)), changes):
        changed[position] = rng.choice(_VOCABULARY)
    return changed


def test_band_keys_collide_for_near_duplicates_and_not_for_unrelated_texts():
    rng = random.Random(20250421)
    near, unrelated = [], []
    for _ in range(100):
        base = rng.choices(_VOCABULARY, k=300)
        near.append((base, _variant(base, 4, rng)))  # ~4 changes in 300 words: Jaccard ~0.88
        unrelated.append((base, rng.choices(_VOCABULARY, k=300)))

    def collide_rate(pairs):
        hits = [fingerprint(" ".join(a))[1] & fingerprint(" ".join(b))[1] for a, b in pairs]
        return sum(map(bool, hits)) / len(pairs)

    similarities = [jaccard(shingles(" ".join(a)), shingles(" ".join(b))) for a, b in near]
    assert min(similarities) >= DUPLICATE_THRESHOLD
    assert collide_rate(near) >= 0.95
    assert collide_rate(unrelated) == 0.0


def test_minhash_estimates_the_shingle_jaccard():
    rng = random.Random(7)
    base = rng.choices(_VOCABULARY, k=400)
    for changes in (0, 10, 40, 120):
        a, b = " ".join(base), " ".join(_variant(base, changes, rng))
        exact = jaccard(shingles(a), shingles(b))
        assert minhash(a).jaccard(minhash(b)) == pytest.approx(exact, abs=0.12)


def collision_probability(similarity: float) -> float:
    """Chance that a pair of the given Jaccard similarity shares at least one band bucket."""
    return 1.0 - (1.0 - similarity**LSH_ROWS) ** LSH_BANDS


def test_lsh_parameters_suit_a_0_8_threshold():
    assert (LSH_BANDS, LSH_ROWS, NUM_PERM) == (16, 8, 128)
    assert LSH_BANDS * LSH_ROWS <= NUM_PERM
    assert collision_probability(0.8) > 0.94
    assert collision_probability(0.9) > 0.999
    assert collision_probability(0.5) < 0.07
    assert collision_probability(0.3) < 0.002


# --- MinHash and band buckets: determinism and shape ------------------------------------------------------

_PINNED_TEXT = "Xiaomi team are now cheating customers. I ordered [REDACTED] twice."


def test_band_keys_are_pinned_across_machines_and_releases():
    buckets = lsh_buckets(minhash(_PINNED_TEXT))
    # 0xb970405eb8b19ec7 and 0x037fc12ea727890f as signed 64-bit integers: the values archives hold.
    assert buckets[:2] == [0xB970405EB8B19EC7 - (1 << 64), 0x037FC12EA727890F]
    assert len(buckets) == LSH_BANDS
    assert all(-(1 << 63) <= bucket < 1 << 63 for bucket in buckets)


def test_minhash_is_the_same_in_another_process():
    script = (
        "from complaints_crawler.text.fingerprint import minhash, lsh_buckets;"
        f"print(lsh_buckets(minhash({_PINNED_TEXT!r})))"
    )
    env = {"PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == str(lsh_buckets(minhash(_PINNED_TEXT)))


def test_minhash_ignores_case_and_follows_the_shingles():
    shouted, quiet = (
        minhash("Order No [REDACTED] was never DELIVERED"),
        minhash("order no [redacted] was never delivered"),
    )
    assert shouted.jaccard(quiet) == 1.0
    assert list(minhash("").hashvalues) == list(minhash("   ").hashvalues)
    assert minhash("a b c", num_perm=64).hashvalues.shape == (64,)


def test_band_keys_need_enough_permutations():
    with pytest.raises(ValueError):
        lsh_buckets(minhash("a b c", num_perm=64), bands=16, rows=8)
    assert len(lsh_buckets(minhash("a b c", num_perm=64), bands=8, rows=8)) == 8


# --- shingles and Jaccard -----------------------------------------------------------------------------


def test_shingles():
    assert shingles("Dear [REDACTED], thank you for contacting") == {
        "dear [redacted], thank you for",
        "[redacted], thank you for contacting",
    }
    assert shingles("Dear [REDACTED],") == {"dear [redacted],"}  # fewer than k words: one shingle
    assert shingles("a b c", k=2) == {"a b", "b c"}
    assert shingles("") == set()


def test_jaccard():
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard({"a"}, {"a"}) == 1.0
    assert jaccard({"a"}, set()) == 0.0
    assert jaccard(set(), set()) == 0.0


# --- thread text and content hash -----------------------------------------------------------------------


def _complaint(**changes) -> Complaint:
    fields = dict(
        source=Source.BBB,
        external_id="20520372",
        business=BusinessRef(source=Source.BBB, external_id="1-2", name="Microsoft"),
        status="Answered",
        text="I ordered two controllers.\nOrder number **********.",
        responses=[
            Response(
                position=1,
                kind=ResponseKind.BUSINESS_RESPONSE,
                posted_on=date(2023, 9, 1),
                text="Dear *****  *****,\nThank you.",
            ),
            Response(
                position=2,
                kind=ResponseKind.CUSTOMER_ANSWER,
                posted_on=date(2023, 9, 1),
                text="I am rejecting this response.",
                verdict=Verdict.REJECTED,
            ),
        ],
    )
    fields.update(changes)
    return Complaint(**fields)


def content_hash(complaint: Complaint) -> str:
    return prepare(complaint).content_hash


def test_thread_text():
    prepared = prepare(_complaint())
    entries = [(e.kind, e.posted_on, e.verdict, e.text_normalized) for e in prepared.entries]
    assert normalized_thread_text(prepared.item.status, prepared.text_normalized, entries) == (
        "status: Answered\n"
        "text: I ordered two controllers. Order number [REDACTED].\n"
        "entry: business_response 2023-09-01 \n"
        "text: Dear [REDACTED], Thank you.\n"
        "entry: customer_answer 2023-09-01 rejected\n"
        "text: I am rejecting this response."
    )


def test_content_hash_ignores_volatile_fields_and_mask_spelling():
    base = content_hash(_complaint())
    assert re.fullmatch(r"[0-9a-f]{64}", base)
    assert content_hash(_complaint(helpful_count=7, comments_count=2, photos_count=1)) == base
    assert content_hash(_complaint(text="I ordered two controllers. Order number [protected].")) == base
    complaint = _complaint()
    complaint.scraped_at = complaint.scraped_at.replace(year=2030)
    assert content_hash(complaint) == base


def test_content_hash_changes_with_the_thread():
    base = _complaint()
    changed = [
        _complaint(status="Resolved"),
        _complaint(text="I ordered three controllers. Order number **********."),
        _complaint(responses=base.responses[:1]),
        _complaint(responses=[*base.responses, Response(position=3, kind=ResponseKind.REPLY, text="Refunded.")]),
        _complaint(responses=[base.responses[0], base.responses[1].model_copy(update={"verdict": Verdict.ACCEPTED})]),
        _complaint(responses=[base.responses[0].model_copy(update={"posted_on": date(2023, 9, 2)}), base.responses[1]]),
    ]
    hashes = {content_hash(c) for c in changed}
    assert len(hashes) == len(changed)
    assert content_hash(base) not in hashes


# --- huge texts: the near-duplicate fingerprint is bounded, the content hash is not ----------------------

_WORDS = ("refund", "my", "money", "the", "order", "never", "came", "and", "nobody", "answers", "calls")


def _long_text(words: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) + str(rng.randrange(1000)) for _ in range(words))


def test_only_the_beginning_of_a_huge_text_is_shingled():
    text = _long_text(60_000)  # ~350,000 characters
    assert len(text) > 3 * MAX_SHINGLED_CHARS
    head = text[: text.rfind(" ", 0, MAX_SHINGLED_CHARS + 1)]
    assert shingles(text) == shingles(head)
    assert list(minhash(text).hashvalues) == list(minhash(head).hashvalues)
    # Shorter texts are shingled whole: their buckets (stored in archives) are what they always were.
    short = text[: MAX_SHINGLED_CHARS - 10]
    assert shingles(short) != shingles(short[:-300])


def test_a_text_without_spaces_is_cut_anywhere():
    assert shingles("x" * (MAX_SHINGLED_CHARS + 5000)) == {"x" * MAX_SHINGLED_CHARS}


def test_huge_texts_differing_at_the_end_hash_differently_and_share_their_buckets():
    text = _long_text(60_000)
    one, two = _complaint(text=text + " first ending"), _complaint(text=text + " second ending")
    assert content_hash(one) != content_hash(two)
    assert prepare(one).lsh_buckets == prepare(two).lsh_buckets


def test_lone_surrogates_are_hashed_not_raised_on():
    # Valid in a Python str; items replace them, but the fingerprint functions take any str.
    assert re.fullmatch(r"[0-9a-f]{64}", hash_thread("I paid \ud800 twice"))
    assert hash_thread("I paid \ud800 twice") != hash_thread("I paid \ufffd twice")
    assert len(lsh_buckets(minhash("I paid \ud800 twice for it"))) == LSH_BANDS
    assert shingles("a \ud800 b") == {"a \ud800 b"}


def test_the_listing_content_hash_is_prepares_with_masks_on_and_off():
    from complaints_crawler.archive.prepare import content_hash, prepare

    complaint = _complaint(text="Call me on 98765 43210 or mail a.b@example.com about the refund.")
    for mask_pii in (True, False):
        assert content_hash(complaint, mask_pii=mask_pii) == prepare(complaint, mask_pii=mask_pii).content_hash
    assert content_hash(complaint, mask_pii=True) != content_hash(complaint, mask_pii=False)
