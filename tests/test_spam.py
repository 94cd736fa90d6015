"""Behaviour of the SEO/helpline spam scorer (complaints_crawler.text.spam)."""

from __future__ import annotations

import importlib.util
import json
import random
from collections import Counter
from pathlib import Path

import pytest

from complaints_crawler.paths import FIXTURE_SITES_DIR
from complaints_crawler.text import spam
from complaints_crawler.text.spam import doorway, lexicons, ngrams
from complaints_crawler.text.spam import tokens as tok

ROOT = Path(__file__).parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
CORPUS = ROOT / "fixtures" / "spam"
DOORWAY_HTML = FIXTURE_SITES_DIR / "consumercomplaints/octopus-alipay-topup-b990001/index.html"
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


# Texts per seed: BBB complaints with every thread entry (000: 10 + 19 responses + 13 answers; 001: 10 + 8 + 11),
# seed 003's 20 complaints.
@pytest.mark.parametrize("prefix, expected", [("000", 42), ("001", 29), ("003", 20)])
def test_every_seed_complaint_is_not_spam(prefix, expected):
    texts = seed_complaints(prefix)
    assert len(texts) == expected  # the splitter found every text, and cut none in two
    flagged = [text[:80] for text in texts if spam.score(text, expected_scripts=INDIA).is_spam]
    assert flagged == []


def test_all_capitals_complaint_is_not_spam():
    capitals = [text for text in seed_complaints("001") if text.startswith("SPECTRUM WAS OFFERING")]
    assert capitals
    result = spam.score(capitals[0])
    assert not result.is_spam and result.score < 0.2


def test_hindi_and_hinglish_lines_are_not_spam():
    page = seed("003")
    lines = [
        line.strip()
        for line in page.split("\n")
        if "सर मेरे पास" in line or "Humara payment" in line or "delearship" in line
    ]
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


@pytest.mark.parametrize("lang, caught, pages", [("zh", 14, 14), ("en", 13, 14), ("hi", 10, 14)])
def test_generated_doorway_pages_are_spam(lang, caught, pages):
    """Every generated doorway page with keyword-injection evidence is caught. A page of fewer than 10 lines is judged
    without that evidence since round 15 (real legitimate pages of 6-9 lines name their topic on nearly every line):
    four Hindi pages of 7-8 lines hold nothing else. One English page of 14 lines has no injected keyword the check
    finds and, since the round-16 retraining, too little else (0.45)."""
    generated = [r for r in records("spam", "doorway") if r["lang"] == lang and r["source"].startswith("generated")]
    scores = [spam.score(r["text"]) for r in generated]
    assert all(score.is_spam for score in scores if score.reason("keyword_injection") is not None)
    assert (sum(score.is_spam for score in scores), len(scores)) == (caught, pages)


def test_doorway_reasons_name_the_keyword():
    pages = [r for r in records("spam", "doorway") if r["lang"] == "en" and r["source"].startswith("generated")]
    named = [(page, spam.score(page["text"]).reason("keyword_injection")) for page in pages]
    named = [(page, reason) for page, reason in named if reason is not None]
    assert len(named) == 9  # of 14: none of the three pages under 10 lines, nor a 10- and a 14-line one
    assert all(reason.explanation.split("'")[1] in page["text"].lower() for page, reason in named)


def test_helpline_posts_are_spam():
    posts = records("spam", "helpline")
    missed = [r["id"] for r in posts if not spam.score(r["text"]).is_spam]
    assert missed == []
    assert all(spam.score(r["text"]).reason("helpline_numbers") for r in posts)


def test_legitimate_texts_are_not_spam():
    flagged = [r["id"] for r in records("legit") if spam.score(r["text"]).is_spam]
    assert flagged == []


def test_a_business_phone_number_in_a_complaint_is_not_spam():
    text = (
        "I called their customer care number 1800 103 6286 twice and waited on hold for forty minutes. "
        "Please refund my Rs 4,999."
    )
    result = spam.score(text)
    assert not result.is_spam
    assert result.features["helpline_numbers"] == 1


# ---------------------------------------------------------------- script mismatch, ranges, determinism

HAN_PAGE = "\n".join(
    [
        "支付寶香港用戶可以在指定商戶使用二維碼付款,交易即時完成。",
        "不少電子錢包都推出了消費回贈,用戶只需綁定信用卡便可享有優惠。",
    ]
    * 3
)


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
    assert not spam.score(text, threshold=0.99999).is_spam


def test_deterministic():
    page = records("spam", "doorway")[5]["text"]
    assert spam.score(page) == spam.score(page)
    html = DOORWAY_HTML.read_text()
    assert spam.score_html(html) == spam.score_html(html)


def test_no_fixture_site_page_but_the_doorway_is_spam():
    """Pages with little text (an empty page, a board of two complaints) repeat the company name in every
    heading and button; that is a board, not keyword injection."""
    flagged = sorted(
        str(page.relative_to(FIXTURE_SITES_DIR))
        for page in FIXTURE_SITES_DIR.rglob("*.html")
        if spam.score_html(page.read_bytes(), {"Latin", "Devanagari"}).is_spam
    )
    assert flagged == ["consumercomplaints/octopus-alipay-topup-b990001/index.html"]


# ---------------------------------------------------------------- fast paths agree with plain counting


def _plain_gopher(tokens):
    """Gopher n-gram features counted the plain way, over n-gram tuples."""
    from collections import Counter

    lengths = [len(token) for token in tokens]
    total = sum(lengths) or 1
    out = {}
    for n in range(2, 11):
        grams = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        counts = Counter(grams)
        if n < 5:
            top = max(counts, key=counts.__getitem__)  # first seen of the most frequent
            start = grams.index(top)
            out[f"top_{n}gram"] = sum(lengths[start : start + n]) * counts[top] / total if counts[top] > 1 else 0.0
        else:
            covered = set()
            for i, gram in enumerate(grams):
                if counts[gram] > 1:
                    covered.update(range(i, i + n))
            out[f"dup_{n}gram"] = sum(lengths[i] for i in covered) / total
    return out


def test_ngram_features_equal_plain_counting():
    texts = [r["text"] for r in records("spam") + records("legit")]
    checked = 0
    for text in texts:
        tokens = spam.TOKEN.findall(doorway.sample(text.lower()))
        if len(tokens) < spam.MIN_REPETITION_TOKENS:
            continue
        grams = ngrams.NGrams(tokens)
        assert ngrams.gopher_ngrams(tokens, grams) == _plain_gopher(tokens)
        from collections import Counter

        for n in (2, 4):
            counted = Counter(zip(*(tokens[i:] for i in range(n)), strict=False))
            plain = [(g, c) for g, c in counted.most_common(6) if c > 1]
            assert ngrams.most_common(tokens, grams, n, 6) == plain
        checked += 1
    assert checked > 50


def test_left_neighbour_equals_forward_search():
    import random
    import re

    forward = re.compile(rf"({spam.TOKEN.pattern})[^\w\n]*\Z")
    rng = random.Random(5)
    alphabet = [*"ab1 2_\n.,-\t", "中", "ก", "é", "²", "५", "क", "ि", "Ⅷ"]
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50)))
        start = rng.randint(0, len(text))
        low = max(start - doorway._NEIGHBOUR_REACH, 0)
        expected = forward.search(text, low, start)
        got = doorway._LEFT_TOKEN_REVERSED.match(text[::-1], len(text) - start, len(text) - low)
        assert (got.group(1)[::-1] if got else "") == (expected.group(1) if expected else ""), (text, start)


def test_scripts_equal_regex_counts():
    import re
    from collections import Counter

    for r in (
        records("spam")[::3]
        + records("legit")[::7]
        + [{"text": HAN_PAGE + " Привет ภาษาไทย ひらがな カタカナ 한국어 বাংলা தமிழ் عربي Ḁé×"}]
    ):
        text = r["text"]
        expected = Counter({"Latin": sum(map(len, re.findall(r"[A-Za-z]+", text)))})
        for name, pattern in spam.SCRIPTS.items():
            expected[name] += sum(map(len, pattern.findall(text)))
        assert spam.scripts(text) == +expected


def test_listicle_pattern_equals_plain_alternation():
    import re

    tail = doorway._CJK_TAIL
    plain = re.compile(
        rf"\d+ ?[大個个款招種种間间部][^\n]{{0,12}}?{tail}|20\d\d[^\n]{{0,8}}?{tail}|小編|小编"
        r"|\d+ (?:best|top|must-have|amazing|proven|easy|ways|tips|reasons|things|tricks|secrets)\b[^\n]*?20\d\d"
        r"|20\d\d[^\n]*?\((?:updated|latest|expert|editor)"
        r"|(?:टॉप|बेस्ट|सबसे अच्छे)[^\n]*?20\d\d"
    )
    text = "\n".join(r["text"].lower() for r in records("spam") + records("legit"))
    assert [m.start() for m in doorway.LISTICLE.finditer(text)] == [m.start() for m in plain.finditer(text)]


def test_tokens_and_unspaced_count_equal_the_regexes():
    import random
    import re

    unspaced_run = re.compile(rf"[{tok._UNSPACED}]+")
    edges = [chr(p + d) for p in tok._UNSPACED_EDGES.tolist() for d in (-1, 0)]
    rng = random.Random(7)
    alphabet = [*"aZ09 _\n.,-\t", "中", "ก", "๓", "é", "²", "५", "क", "ि", "ー", "・", "\xa0", "😀", *edges]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert tok.tokens(text) == spam.TOKEN.findall(text), text
        assert tok.unspaced_chars(text) == sum(map(len, unspaced_run.findall(text))), text


def test_the_page_check_reads_the_charset_from_the_http_header():
    """A doorway page whose only charset is in Content-Type: scored as bytes, lxml would read it as Latin-1
    and the page would pass (0.08)."""
    from scrapy import Spider
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from complaints_crawler.middlewares.spam import PageSpamMiddleware

    body = DOORWAY_HTML.read_text(encoding="utf-8").replace('<meta charset="utf-8">', "").encode()
    assert b"charset" not in body
    crawler = get_crawler(Spider, {"SPAM_PAGE_THRESHOLD": 0.5})
    request = Request("http://127.0.0.1/octopus-alipay-topup-b990001")
    response = HtmlResponse(
        request.url, body=body, headers={"Content-Type": "text/html; charset=utf-8"}, request=request
    )
    with pytest.raises(IgnoreRequest, match=r"spam page http://127.0.0.1/octopus-alipay-topup-b990001 \(score 0.88\)"):
        PageSpamMiddleware.from_crawler(crawler).process_response(request, response)


def test_a_page_sampled_in_windows_is_never_read_twice():
    """Sample windows of a page with a very long line used to overlap: the overlap looked like repetition."""
    rng = random.Random(1)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) for _ in range(12_000)]
    page = " ".join(words[:9000]) + "\n" + "\n".join(" ".join(words[9000 + i * 30 : 9030 + i * 30]) for i in range(100))
    result = spam.score(page)
    assert not result.is_spam
    assert result.features["duplicate_line_chars"] == 0.0 and result.features["dup_5gram"] == 0.0


def test_every_lexicon_term_is_written_once():
    terms = Counter(term for category in lexicons.TOPICS.values() for term in category)
    terms.update(lexicons.CALLS_TO_ACTION)
    assert [term for term, n in terms.items() if n > 1] == []
