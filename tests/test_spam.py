"""Behaviour of the SEO/helpline spam scorer (complaints_crawler.text.spam)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from complaints_crawler.text import spam

ROOT = Path(__file__).parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
CORPUS = ROOT / "fixtures" / "spam"
DOORWAY_HTML = ROOT / "fixtures/sites/consumercomplaints/octopus-alipay-topup-b990001/index.html"
INDIA = {"Latin", "Devanagari"}


def _corpus_script():
    spec = importlib.util.spec_from_file_location("make_spam_corpus", ROOT / "benchmarks" / "make_spam_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus_script = _corpus_script()


def seed(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip(f"seed {prefix} not available")
    return found[0].read_text()


def records(label: str, kind: str | None = None) -> list[dict[str, str]]:
    rows = [json.loads(line) for line in (CORPUS / f"{label}.jsonl").read_text().splitlines() if line]
    return [row for row in rows if kind is None or row["kind"] == kind]


def seed_complaints(prefix: str) -> list[str]:
    page = seed(prefix)
    if prefix == "003":
        return corpus_script.split_board(page)
    return [text for _, text in corpus_script.split_bbb(page)]


# ---------------------------------------------------------------- seeds


def test_seed_doorway_is_spam_with_the_injected_keyword_named():
    result = spam.score(seed("002"))
    assert result.is_spam
    injection = result.reason("keyword_injection")
    assert injection is not None and injection.contribution > 0
    assert "八達通增值alipay" in injection.explanation
    assert injection.value == result.features["keyword_injection"]


def test_seed_doorway_is_spam_as_html_fixture():
    result = spam.score_html(DOORWAY_HTML.read_text(), expected_scripts=INDIA)
    assert result.is_spam
    assert result.reason("keyword_injection") is not None
    assert result.reason("script_mismatch") is not None


@pytest.mark.parametrize("prefix", ["000", "001", "003"])
def test_seed_complaint_pages_are_not_spam(prefix):
    result = spam.score(seed(prefix), expected_scripts=INDIA if prefix == "003" else {"Latin"})
    assert not result.is_spam, result.reasons


@pytest.mark.parametrize("prefix, expected", [("000", 10), ("001", 10), ("003", 20)])
def test_every_seed_complaint_is_not_spam(prefix, expected):
    texts = seed_complaints(prefix)
    assert sum(1 for _ in texts) >= expected  # the splitter found every card
    flagged = [text[:80] for text in texts if spam.score(text, expected_scripts=INDIA).is_spam]
    assert flagged == []


def test_all_capitals_complaint_is_not_spam():
    capitals = [text for text in seed_complaints("001") if text.startswith("SPECTRUM WAS OFFERING")]
    assert capitals
    result = spam.score(capitals[0])
    assert not result.is_spam and result.score < 0.2


def test_hindi_and_hinglish_lines_are_not_spam():
    page = seed("003")
    lines = [line.strip() for line in page.split("\n") if "सर मेरे पास" in line or "Humara payment" in line or "delearship" in line]
    assert len(lines) >= 3
    for line in lines:
        assert not spam.score(line, expected_scripts=INDIA).is_spam


def test_short_complaints_are_never_flagged_by_repetition():
    for text in ["Please help sir please help sir please help sir", "very bad very bad very bad\nvery bad very bad"]:
        result = spam.score(text)
        assert not result.is_spam
        assert "gopher_ngram_repetition" not in result.features  # guarded by minimum length
        assert "keyword_injection" not in result.features


# ---------------------------------------------------------------- corpus


def test_corpus_sizes():
    assert len(records("legit")) >= 200
    assert len(records("spam", "helpline")) >= 20
    assert len(records("spam", "doorway")) >= 30


@pytest.mark.parametrize("lang", ["zh", "en", "hi"])
def test_generated_doorway_pages_are_spam(lang):
    pages = [r for r in records("spam", "doorway") if r["lang"] == lang and r["source"].startswith("generated")]
    assert pages
    caught = [spam.score(r["text"]).is_spam for r in pages]
    assert sum(caught) >= 0.9 * len(caught)


def test_doorway_reasons_name_the_keyword():
    page = next(r for r in records("spam", "doorway") if r["lang"] == "en" and r["source"].startswith("generated"))
    result = spam.score(page["text"])
    injection = result.reason("keyword_injection")
    assert injection is not None
    assert injection.explanation.split("'")[1] in page["text"].lower()


def test_helpline_posts_are_spam():
    posts = records("spam", "helpline")
    missed = [r["id"] for r in posts if not spam.score(r["text"]).is_spam]
    assert missed == []
    assert all(spam.score(r["text"]).reason("helpline_numbers") for r in posts)


def test_legitimate_texts_are_not_spam():
    flagged = [r["id"] for r in records("legit") if spam.score(r["text"]).is_spam]
    assert flagged == []


def test_a_business_phone_number_in_a_complaint_is_not_spam():
    text = "I called their customer care number 1800 103 6286 twice and waited on hold for forty minutes. Please refund my Rs 4,999."
    result = spam.score(text)
    assert not result.is_spam
    assert result.features["helpline_numbers"] == 1


# ---------------------------------------------------------------- script mismatch, ranges, determinism

HAN_PAGE = "\n".join(["支付寶香港用戶可以在指定商戶使用二維碼付款,交易即時完成。", "不少電子錢包都推出了消費回贈,用戶只需綁定信用卡便可享有優惠。"] * 3)


def test_script_mismatch_reason_only_with_expected_scripts():
    mismatched = spam.score(HAN_PAGE, expected_scripts=INDIA)
    reason = mismatched.reason("script_mismatch")
    assert reason is not None and reason.value > 0.9 and "Han" in reason.explanation
    assert not mismatched.is_spam  # never flagged on mismatch alone
    assert spam.score(HAN_PAGE).reason("script_mismatch") is None
    assert "script_mismatch" not in spam.score(HAN_PAGE).features


def test_scores_are_probabilities_and_reasons_are_sorted():
    for r in records("spam")[:20] + records("legit")[:40]:
        result = spam.score(r["text"])
        assert 0.0 <= result.score <= 1.0
        assert result.is_spam == (result.score >= spam.DEFAULT_THRESHOLD)
        contributions = [reason.contribution for reason in result.reasons]
        assert contributions == sorted(contributions, reverse=True)
        assert all(reason.name in result.features for reason in result.reasons)
    assert spam.score("").score < spam.DEFAULT_THRESHOLD


def test_threshold_parameter():
    text = records("spam", "helpline")[0]["text"]
    assert spam.score(text).is_spam
    assert not spam.score(text, threshold=0.9999).is_spam


def test_deterministic():
    page = records("spam", "doorway")[5]["text"]
    assert spam.score(page) == spam.score(page)
    html = DOORWAY_HTML.read_text()
    assert spam.score_html(html) == spam.score_html(html)


def test_no_fixture_site_page_but_the_doorway_is_spam():
    """Pages with little text (an empty page, a board of two complaints) repeat the company name in every
    heading and button; that is a board, not keyword injection."""
    sites = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
    flagged = sorted(
        str(page.relative_to(sites))
        for page in sites.rglob("*.html")
        if spam.score_html(page.read_bytes(), {"Latin", "Devanagari"}).is_spam
    )
    assert flagged == ["consumercomplaints/octopus-alipay-topup-b990001/index.html"]
