"""The label-based thread reader, on the seeds (flattened real BBB pages) and on small inputs."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from complaints_crawler.items import ResponseKind, Verdict
from complaints_crawler.parsers.bbb_threads import parse_us_date, read_threads

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
BR, CA = ResponseKind.BUSINESS_RESPONSE, ResponseKind.CUSTOMER_ANSWER


def _seed_threads(pattern: str):
    paths = sorted(SEEDS.glob(pattern))
    if not paths:
        pytest.skip(f"seed {pattern} not available")
    return read_threads(paths[0].read_text(encoding="utf-8").split("\n"))


@pytest.fixture(scope="module")
def microsoft():
    return _seed_threads("000_*.txt")


@pytest.fixture(scope="module")
def charter():
    return _seed_threads("001_*.txt")


def _entries(threads):
    return [e for t in threads for e in t.entries]


# --- seed 000: Microsoft, 2023, flattened with glued labels ---------------------------------------------


def test_microsoft_seed_complaints(microsoft):
    assert len(microsoft) == 10
    assert Counter(t.filed_on for t in microsoft) == {
        date(2023, 8, 25): 2,
        date(2023, 8, 24): 2,
        date(2023, 8, 23): 5,
        date(2023, 8, 22): 1,
    }
    assert Counter(t.complaint_type for t in microsoft) == {
        "Product Issues": 2,
        "Customer Service Issues": 1,
        "Service or Repair Issues": 4,
        "Sales and Advertising Issues": 2,
        "Billing Issues": 1,
    }
    assert {t.status for t in microsoft} == {"Answered"}


def test_microsoft_seed_entries_and_verdicts(microsoft):
    entries = _entries(microsoft)
    assert len(entries) == 32
    assert Counter(e.kind for e in entries) == {BR: 19, CA: 13}
    assert Counter(e.verdict for e in entries) == {None: 23, Verdict.REJECTED: 9}
    assert all(e.verdict is None for e in entries if e.kind is BR)


def test_microsoft_third_complaint_alternates(microsoft):
    third = microsoft[2]
    assert (third.filed_on, third.complaint_type, third.complaint_id) == (
        date(2023, 8, 24),
        "Product Issues",
        "20519515",
    )
    assert [e.kind for e in third.entries] == [BR, CA] * 5
    last = third.entries[-1]
    assert (last.kind, last.posted_on, last.verdict) == (CA, date(2023, 10, 17), Verdict.REJECTED)
    assert last.text.startswith("I am rejecting this response because: 997805-5135 is not within")


def test_microsoft_complaint_ids_from_answers(microsoft):
    assert [t.complaint_id for t in microsoft] == [
        "20520372",
        None,
        "20519515",
        "20517981",
        None,
        None,
        "20511852",
        "20511485",
        None,
        None,
    ]


def test_glued_labels_are_split_off_the_text(microsoft):
    first = microsoft[0]
    assert first.text.endswith("when I returned the first controller?!?")
    assert first.entries[0].text.endswith(
        "We will monitor your support case through resolution.\nSincerely,Microsoft Corporation"
    )
    assert first.entries[1].text == (
        "I am rejecting this response because:hello thank you, I look forward to hearing from the specialist. "
        "Please do not consider this case closed yet.\nSincerely,\n*************************"
    )


def test_label_lines_leave_entry_texts_but_dates_in_prose_stay(microsoft):
    answer = microsoft[0].entries[1]
    assert (answer.posted_on, answer.complaint_id) == (date(2023, 9, 1), "20520372")
    assert "Complaint: 20520372" not in answer.text and "Date:" not in answer.text
    session = microsoft[3].entries[2]  # "…scheduled for:\nDate: 7 September 2023 (Thursday)"
    assert session.posted_on == date(2023, 9, 6)
    assert "\nDate: 7 September 2023 (Thursday)\nTime: 10 AM 12 PM\n" in session.text


def test_page_chrome_is_dropped(microsoft):
    for thread in microsoft:
        assert "Complaint statuses" not in thread.text
        assert "The complainant verified" not in thread.text
        assert "More info" not in thread.text
    last = microsoft[-1].entries[-1]
    assert last.text.endswith(
        "We will monitor your support case through resolution.\nSincerely,\nMicrosoft Corporation"
    )


# --- seed 001: Charter Spectrum, 2025, indented with paragraphs -------------------------------------------


def test_charter_seed(charter):
    assert len(charter) == 10
    assert Counter(t.status for t in charter) == {"Resolved": 7, "Answered": 3}
    assert Counter(t.complaint_type for t in charter) == {"Order Issues": 1, "Delivery Issues": 1, "Billing Issues": 8}
    entries = _entries(charter)
    assert Counter(e.kind for e in entries) == {BR: 8, CA: 11}
    assert Counter(e.verdict for e in entries) == {None: 11, Verdict.ACCEPTED: 6, Verdict.REJECTED: 2}


def test_charter_status_on_its_own_line_and_masked_ids(charter):
    first = charter[0]
    assert (first.filed_on, first.complaint_type, first.status) == (date(2025, 4, 21), "Order Issues", "Resolved")
    assert first.entries[0].text == "I believe this complaint has been resolved to my satisfaction."
    # "Complaint: ********" is a label line with a masked id: dropped, and no id.
    rejected = charter[2].entries[1]
    assert (rejected.text, rejected.complaint_id) == (
        "I am rejecting this response\n\nSincerely,\n\n******* ********",
        None,
    )
    assert all(t.complaint_id is None for t in charter)


def test_charter_paragraphs_kept(charter):
    accepted = charter[1].entries[1]
    assert accepted.text == (
        "Better Business Bureau:\n\nI have reviewed the response made by the business in reference to complaint ID "
        "********, and find that this resolution is satisfactory to me.\n\nSincerely,\n\n** *****"
    )
    assert charter[-1].entries[-1].text.endswith("Sincerely,\n\n******* *******")


# --- small inputs -------------------------------------------------------------------------------------------


def test_one_card_lines():
    lines = [
        "Initial Complaint",
        "Date:",
        "03/02/2026",
        "Type:",
        "Billing Issues",
        "Status:Unresolved",
        "The bill doubled.",
        "",
        "Nobody answers.",
        "Business Response",
        "Date: 03/05/2026",
        "We refunded REMOVED.",
        "Customer Answer",
        "Date: 03/09/2026",
        "Complaint: 24000001",
        "Better Business Bureau:",
        "I have reviewed the response made by the business in reference to complaint ID 24000001, "
        "and find that this resolution is satisfactory to me.",
    ]
    (thread,) = read_threads(lines)
    assert (thread.filed_on, thread.complaint_type, thread.status) == (date(2026, 3, 2), "Billing Issues", "Unresolved")
    assert thread.text == "The bill doubled.\n\nNobody answers."
    assert [(e.kind, e.posted_on, e.verdict) for e in thread.entries] == [
        (BR, date(2026, 3, 5), None),
        (CA, date(2026, 3, 9), Verdict.ACCEPTED),
    ]
    assert thread.entries[0].text == "We refunded REMOVED."
    assert thread.complaint_ids == ["24000001"]


def test_label_words_in_prose_without_a_date_are_text():
    lines = ["Initial Complaint", "Date:01/02/2026", "I never got a Business Response", "from them."]
    (thread,) = read_threads(lines)
    assert thread.text == "I never got a Business Response\nfrom them."
    assert thread.entries == ()


def test_preamble_ignored_unless_implicit_start():
    lines = ["Date:01/02/2026", "Type:Billing IssuesStatus:AnsweredMore info", "Charged twice."]
    assert read_threads(lines) == []
    (thread,) = read_threads(lines, implicit_start=True)
    assert (thread.complaint_type, thread.status, thread.text) == ("Billing Issues", "Answered", "Charged twice.")


def test_other_entry_labels_can_be_added():
    labels = {"Business Response": BR, "Customer Answer": CA, "Business Update": ResponseKind.AUTHOR_UPDATE}
    lines = [
        "Initial Complaint",
        "Date:01/02/2026",
        "Late delivery.",
        "Business Update",
        "Date: 01/04/2026",
        "Shipped.",
    ]
    (thread,) = read_threads(lines, entry_labels=labels)
    assert [(e.kind, e.text) for e in thread.entries] == [(ResponseKind.AUTHOR_UPDATE, "Shipped.")]


def test_parse_us_date():
    assert parse_us_date("Date: 09/01/2023") == date(2023, 9, 1)
    assert parse_us_date("Date: 7 September 2023 (Thursday)") is None
    assert parse_us_date("13/45/2023") is None
