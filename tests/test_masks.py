"""Mask detection, residual PII and normalization (complaints_crawler.text.masks)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from complaints_crawler.text.masks import (
    ASTERISKS,
    CARD,
    CENSORED,
    EMAIL,
    MAX_MASKED_CHARS,
    PHONE,
    PROTECTED,
    REDACTED,
    REMOVED,
    SELF_CENSORED,
    XXXX,
    MaskSpan,
    find_masks,
    find_pii,
    normalize,
)

SEEDS = Path(__file__).parents[1].parent / "shared" / "seeds"


def seed_text(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} not available")
    return found[0].read_text(encoding="utf-8")


def spans(text: str) -> list[tuple[int, int, str, str]]:
    return [(s.start, s.end, s.token, s.kind) for s in find_masks(text)]


# --- masks: exact offsets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Dear *************************,", [(5, 30, "*" * 25, ASTERISKS)]),
        ("Dear ***** ******,", [(5, 10, "*****", ASTERISKS), (11, 17, "******", ASTERISKS)]),
        ("call (***) now", [(6, 9, "***", ASTERISKS)]),
        ("case number is **********.", [(15, 25, "*" * 10, ASTERISKS)]),
        ("request ***********) we see", [(8, 19, "*" * 11, ASTERISKS)]),
        ("on 9/**/23, zip 99705*****", [(5, 7, "**", ASTERISKS), (21, 26, "*****", ASTERISKS)]),
        ("*************************Business Response", [(0, 25, "*" * 25, ASTERISKS)]),
        ("I REMOVED orted it", [(2, 9, "REMOVED", REMOVED)]),
        ("I REMOVEDorted it", [(2, 9, "REMOVED", REMOVED)]),
        ("complaint no wxin[protected] sent", [(17, 28, "[protected]", PROTECTED)]),
        ("Ref [protected]/HL8RJQ", [(4, 15, "[protected]", PROTECTED)]),
        ("Email - [protected]@yahoo.com", [(8, 19, "[protected]", PROTECTED)]),
        ("and i[censored]r people", [(5, 15, "[censored]", CENSORED)]),
        ("[PROTECTED] too", [(0, 11, "[PROTECTED]", PROTECTED)]),
        ("on XX/XX/XXXX at XXXX XXXX", [(3, 13, "XX/XX/XXXX", XXXX), (17, 21, "XXXX", XXXX), (22, 26, "XXXX", XXXX)]),
        ("since XX/XX/2019, card XXXX1234", [(6, 11, "XX/XX", XXXX), (23, 27, "XXXX", XXXX)]),
    ],
)
def test_masks_are_found_at_exact_raw_offsets(text, expected):
    assert spans(text) == expected
    assert all(text[start:end] == token for start, end, token, _ in expected)


@pytest.mark.parametrize(
    "text",
    [
        "*This company may be headquartered in another country.",
        "Required fields are marked *",
        "prices* may vary",
        "this is *important* and **really** so, *a*",
        "2 * 3 = 6",
        "Size XXXL, Super Bowl XX, xxxx typed by hand",
        "THEY REMOVED MY CHANNELS WITHOUT ASKING ME",
        "",
    ],
)
def test_bullets_footnotes_emphasis_and_words_are_not_masks(text):
    assert find_masks(text) == []
    assert normalize(text).mask_count == 0


@pytest.mark.parametrize(
    "text, token, start",
    [("what the f*ck is this", "f*ck", 9), ("this is sh** service", "sh**", 8), ("a**hole agent", "a**hole", 0)],
)
def test_self_censored_swearing_is_recorded_kept_and_not_counted(text, token, start):
    assert spans(text) == [(start, start + len(token), token, SELF_CENSORED)]
    result = normalize(text)
    assert result.text_normalized == text
    assert result.mask_count == 0
    assert result.spans == (MaskSpan(start, start + len(token), token, SELF_CENSORED),)


def test_four_or_more_stars_glued_to_letters_are_a_site_mask():
    assert spans("wxin********** sent") == [(4, 14, "*" * 10, ASTERISKS)]


# --- normalization -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected, count",
    [
        ("Dear ***** ******,", "Dear [REDACTED],", 2),
        ("Dear [protected],", "Dear [REDACTED],", 1),
        ("Dear REMOVED REMOVED,", "Dear [REDACTED],", 2),
        ("Dear *****\n\t******,", "Dear [REDACTED],", 2),
        ("complaint no wxin[protected].", "complaint no wxin[REDACTED].", 1),
        ("[protected], [protected]", "[REDACTED], [REDACTED]", 2),
        ("I REMOVEDorted", "I [REDACTED]orted", 1),
        ("on 9/**/23", "on 9/[REDACTED]/23", 1),
        ("  a\t\tb\n\n c  ", "a b c", 0),
        ("***** *** **** ******  ** *** *********** done", "[REDACTED] done", 7),
        ("a\x00b ****", "a b [REDACTED]", 1),
    ],
)
def test_normalize(text, expected, count):
    result = normalize(text)
    assert result.text_normalized == expected
    assert result.mask_count == count
    assert REDACTED in expected or count == 0


def test_normalized_spans_hold_masks_and_pii_in_order():
    text = "Dear *****, call 9876543210 or mail john.doe@example.com, ref wxin[protected], sh** happens"
    result = normalize(text)
    assert [(s.kind, s.token) for s in result.spans] == [
        (ASTERISKS, "*****"),
        (PHONE, "9876543210"),
        (EMAIL, "john.doe@example.com"),
        (PROTECTED, "[protected]"),
        (SELF_CENSORED, "sh**"),
    ]
    assert result.text_normalized == (
        "Dear [REDACTED], call [REDACTED] or mail [REDACTED], ref wxin[REDACTED], sh** happens"
    )
    assert result.mask_count == 4


def test_without_mask_pii_personal_data_is_left_alone():
    result = normalize("Dear *****, call 9876543210", mask_pii=False)
    assert result.text_normalized == "Dear [REDACTED], call 9876543210"
    assert [s.kind for s in result.spans] == [ASTERISKS]
    assert result.mask_count == 1


# --- residual personal data ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, token, kind",
    [
        ("call me on 9876543210 please", "9876543210", PHONE),
        ("call me on +91 98765 43210 please", "+91 98765 43210", PHONE),
        ("My Contact No:9876543210", "9876543210", PHONE),
        ("phone (555) 123-4567.", "(555) 123-4567", PHONE),
        ("phone 555-123-4567, evenings", "555-123-4567", PHONE),
        ("toll free 1-800-555-1234", "1-800-555-1234", PHONE),
        ("+1 555 123 4567", "+1 555 123 4567", PHONE),
        ("card 4111 1111 1111 1111 was charged", "4111 1111 1111 1111", CARD),
        ("card 4111-1111-1111-1111", "4111-1111-1111-1111", CARD),
        ("amex 378282246310005", "378282246310005", CARD),
        ("write to john.doe@example.com.", "john.doe@example.com", EMAIL),
        ("JOHN_DOE+bbb@mail.example.co.uk", "JOHN_DOE+bbb@mail.example.co.uk", EMAIL),
    ],
)
def test_pii_is_found(text, token, kind):
    start = text.index(token)
    assert find_pii(text) == [MaskSpan(start, start + len(token), token, kind)]


@pytest.mark.parametrize(
    "text",
    [
        "Microsoft Ads accounts (G1200057VV and G120001GNS)",
        "Address: Magarpatta city, Pune, 411028",
        "zip 99705-5135 and 997805-5135 is not within the tax jurisdiction",
        "on 08/25/2023, 2023-10-06 and 27 August 2023 at 10:30 AM",
        "refund of $1,234,567.89 and Rs.12999/- and 315000 rupees",
        "Complaint: 20520372",
        "Your new case number is 7030030877.",
        "My order id is 1234567890, IMEI: 490154203237518",
        "card 4111 1111 1111 1112 was charged",
        "serial 1234567890123456789",
        "Gmail - SIR16113418 and WXIN1234567890",
        "Email - [protected]@yahoo.com and mi. [protected]@axisbank",
        "8-10 times for 4-5 days, 1 2 3 4 5 6 7 8 9 10",
    ],
)
def test_not_pii(text):
    assert find_pii(text) == []


# --- seeds: ground truth -----------------------------------------------------------------------------

# Independent counts: maximal runs of 2+ stars (a lone star is a bullet or footnote in these seeds).
_STAR_RUN = re.compile(r"(?<!\*)\*{2,}(?!\*)")
_LONE_STAR = re.compile(r"(?<!\*)\*(?!\*)")


@pytest.mark.parametrize(
    "prefix, asterisks, lone_stars",
    [("000", 97, 0), ("001", 372, 1)],  # 001's lone star: "*This company may be headquartered…"
)
def test_bbb_seed_mask_counts(prefix, asterisks, lone_stars):
    text = seed_text(prefix)
    kinds = Counter(span.kind for span in find_masks(text))
    assert len(_STAR_RUN.findall(text)) == asterisks
    assert len(_LONE_STAR.findall(text)) == lone_stars
    assert text.count("REMOVED") == 0  # neither seed uses the 2025 word mask
    assert kinds == Counter({ASTERISKS: asterisks})
    assert normalize(text).mask_count == asterisks


def test_consumercomplaints_seed_mask_counts():
    text = seed_text("003")
    assert text.count("[protected]") == 28
    assert text.count("[censored]") == 1
    assert Counter(span.kind for span in find_masks(text)) == Counter({PROTECTED: 28, CENSORED: 1})
    result = normalize(text)
    assert result.mask_count == 29
    assert "[protected]" not in result.text_normalized
    assert "woin[REDACTED]." in result.text_normalized
    assert "WXIN[REDACTED]." in result.text_normalized


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_seeds_hold_no_residual_pii_and_spans_point_at_their_tokens(prefix):
    text = seed_text(prefix)
    assert find_pii(text) == []
    for span in normalize(text).spans:
        assert text[span.start : span.end] == span.token


def test_spam_seed_has_no_masks():
    assert find_masks(seed_text("002")) == []  # its one star: "Required fields are marked *"


# --- long runs of digits: found in linear time, the same numbers as before -----------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9" * 5000, []),
        ("Call " + "9" * 5000 + " 98765 43210", [(5006, 5017, "98765 43210", PHONE)]),
        (
            "98765 43210 " + "1" * 300 + " 4111 1111 1111 1111",
            [(0, 11, "98765 43210", PHONE), (313, 332, "4111 1111 1111 1111", CARD)],
        ),
        ("(022) 2345 6789" + "5" * 100, []),  # the head of a longer number
        ("5" * 100 + " +91 98765 43210.", [(101, 116, "+91 98765 43210", PHONE)]),
        ("$" + "1" * 90 + " 98765.43210", [(92, 103, "98765.43210", PHONE)]),
    ],
)
def test_numbers_beside_long_digit_runs(text, expected):
    assert [(s.start, s.end, s.token, s.kind) for s in find_pii(text)] == expected


def test_white_space_of_a_long_text_folds_as_in_a_short_one():
    text = ("Dear Sir,\n\n  refund\tme\u2003now. " * 80_000)[:2_500_000]  # over one folding chunk
    assert normalize(text).text_normalized == " ".join(text.split())


def test_masks_of_a_huge_text_are_looked_for_in_its_first_200_000_characters():
    text = "Dear *****, refund me now. " * 40_000  # 1,080,000 characters
    result = normalize(text)
    head = text[: text.rfind(" ", 0, MAX_MASKED_CHARS)]
    assert result.mask_count == head.count("*****") == 7407
    assert result.text_normalized == " ".join(head.replace("*****", REDACTED).split() + text[len(head) :].split())
    assert result.spans[-1].end < MAX_MASKED_CHARS
