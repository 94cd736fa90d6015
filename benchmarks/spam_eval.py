"""Evaluate complaints_crawler.text.spam on the real corpus in fixtures/spam/real/ (dev and held-out splits).

    python benchmarks/spam_eval.py [--misses]

For each split: precision, recall, F1, the false-positive rate on legitimate texts, and the misses by kind and
language (--misses lists them). Each text is scored with the languages of the site it was published on (none
where the site has no language of its own), and as the crawler would score it: a page's text as a page (since round
11; earlier rounds scored every text as a post). The filter was tuned on dev only; the held-out figures count.
Then: the seeds' verdicts, the fixture-site pages the page check flags, the generated regression corpus (its
figures do not count), and the timing: median per short post, per 50 KB page, and the cost of language
identification.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from complaints_crawler.paths import FIXTURE_SITES_DIR  # noqa: E402
from complaints_crawler.text import spam  # noqa: E402
from complaints_crawler.text.spam import language  # noqa: E402

CORPUS = ROOT / "fixtures" / "spam" / "real" / "corpus.jsonl"
SEEDS = ROOT.parent / "shared" / "seeds"
PAGE_BYTES = 50_000
RUNS = 200
Record = dict[str, Any]


def load(path: Path = CORPUS) -> list[Record]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def verdict(record: Record) -> spam.SpamScore:
    """The verdict the crawler would give: a page's text scored as a page, a post as a post."""
    return spam.score(record["text"], expected_languages=record["site_languages"], page=record["kind"] == "page")


def metrics(records: Sequence[Record], flagged: Sequence[bool]) -> dict[str, float]:
    truth = [r["label"] == "spam" for r in records]
    tp = sum(t and f for t, f in zip(truth, flagged, strict=True))
    fp = sum(f and not t for t, f in zip(truth, flagged, strict=True))
    fn = sum(t and not f for t, f in zip(truth, flagged, strict=True))
    legit = len(truth) - sum(truth)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "fpr": fp / legit if legit else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "spam": sum(truth),
        "legit": legit,
    }


def report_split(name: str, records: Sequence[Record], show_misses: bool) -> None:
    results = [verdict(r) for r in records]
    m = metrics(records, [s.is_spam for s in results])
    print(
        f"{name:<8} spam {m['spam']:>3}  legit {m['legit']:>3}  precision {m['precision']:.3f}  "
        f"recall {m['recall']:.3f}  "
        f"F1 {m['f1']:.3f}  FPR {m['fpr']:.2%}  (false positives {m['fp']}, missed spam {m['fn']})"
    )
    missed = Counter(
        (r["kind"], r["language"])
        for r, s in zip(records, results, strict=True)
        if r["label"] == "spam" and not s.is_spam
    )
    total = Counter((r["kind"], r["language"]) for r in records if r["label"] == "spam")
    print(
        "         recall by kind/language: "
        + ", ".join(
            f"{kind}/{lang} {total[(kind, lang)] - missed[(kind, lang)]}/{total[(kind, lang)]}"
            for kind, lang in sorted(total)
        )
    )
    missed_topics = Counter(
        r["topic"] for r, s in zip(records, results, strict=True) if r["label"] == "spam" and not s.is_spam
    )
    topics = Counter(r["topic"] for r in records if r["label"] == "spam")
    print(
        "         recall by topic: "
        + ", ".join(f"{t} {topics[t] - missed_topics[t]}/{topics[t]}" for t in sorted(topics))
    )
    wrong = [(r, s) for r, s in zip(records, results, strict=True) if s.is_spam != (r["label"] == "spam")]
    for r, s in wrong if show_misses else []:
        what = "false positive" if s.is_spam else "missed"
        top = "; ".join(reason.explanation for reason in s.reasons[:2]) or "no reason"
        print(
            f"    {what} {r['id']} {r['kind']}/{r['language']} {r['source_domain']}: score {s.score:.2f}; {top}; "
            f"{' '.join(r['text'].split())[:90]!r}"
        )


def seeds() -> None:
    if not SEEDS.is_dir():
        print("seeds: ../shared/seeds absent, not checked")
        return
    expected = {"000": False, "001": False, "002": True, "003": False}
    for prefix, want in expected.items():
        page = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
        languages = ["en", "hi"] if prefix == "003" else (["en"] if prefix != "002" else None)
        result = spam.score(page, expected_languages=languages)
        status = "ok" if result.is_spam == want else "WRONG"
        print(f"seed {prefix}: {'spam' if result.is_spam else 'not spam'} (score {result.score:.2f}) {status}")


def fixture_pages() -> None:
    flagged = sorted(
        str(page.relative_to(FIXTURE_SITES_DIR))
        for page in FIXTURE_SITES_DIR.rglob("*.html")
        if spam.score_html(page.read_bytes(), {"Latin", "Devanagari"}, expected_languages=["en", "hi"]).is_spam
    )
    print(f"fixture-site pages flagged by the page check: {flagged}")


def generated_corpus() -> None:
    from make_spam_corpus import load as load_generated

    records = load_generated()
    flagged = [spam.score(r["text"]).is_spam for r in records]
    truth = [r["label"] == "spam" for r in records]
    tp = sum(t and f for t, f in zip(truth, flagged, strict=True))
    fp = sum(f and not t for t, f in zip(truth, flagged, strict=True))
    print(
        f"generated regression corpus (does not count): {tp}/{sum(truth)} spam caught, {fp} of "
        f"{len(truth) - sum(truth)} legitimate flagged"
    )


def page_of(texts: Sequence[str], size: int = PAGE_BYTES) -> str:
    """Distinct texts joined until the page holds `size` UTF-8 bytes."""
    out, total = [], 0
    for text in texts:
        out.append(text)
        total += len(text.encode()) + 2
        if total >= size:
            break
    return "\n\n".join(out).encode()[:size].decode(errors="ignore")


def median_ms(function: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """Median and 90th percentile of `runs` calls, in ms."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, statistics.quantiles(times, n=10)[-1] * 1000


def timing(records: Sequence[Record]) -> None:
    posts = [r for r in records if r["kind"] == "short_post"]
    verdict(posts[0])  # builds the language detector once, as the first post of a crawl does
    per_post = []
    for r in posts:
        start = time.perf_counter()
        for _ in range(5):
            verdict(r)
        per_post.append((time.perf_counter() - start) / 5)
    print(
        f"score() per short post ({len(posts)} posts, each the mean of 5 runs): "
        f"median {statistics.median(per_post) * 1000:.2f} ms, "
        f"90th percentile {statistics.quantiles(per_post, n=10)[-1] * 1000:.2f} ms"
    )
    accented = [r["text"] for r in posts if not r["text"].isascii() and r["language"] in {"vi", "en"}]
    detect = [median_ms(lambda t=t: language.latin_language(t, len(t)), 20)[0] for t in accented]  # type: ignore[misc]
    if detect:
        print(
            f"language identification (lingua) on the {len(detect)} posts that need it: "
            f"median {statistics.median(detect):.2f} ms"
        )
    legit = [r["text"] for r in records if r["label"] == "legit" and r["kind"] == "short_post"]
    doorway = (
        next(r["text"] for r in records if r["id"].startswith("spam") and r["source_url"] == "seed 002")
        if any(r["source_url"] == "seed 002" for r in records)
        else ""
    )
    for name, page in (
        ("complaints page (English/Hinglish)", page_of(legit)),
        ("doorway page (Chinese)", page_of([doorway] * 8)),
    ):
        if page:
            median, p90 = median_ms(lambda p=page: spam.score(p, expected_languages=["en", "hi"]))  # type: ignore[misc]
            print(f"score() on a 50 KB {name}: median {median:.2f} ms (90th percentile {p90:.2f} ms)")
    html = (FIXTURE_SITES_DIR / "consumercomplaints/octopus-alipay-topup-b990001/index.html").read_text()
    median, p90 = median_ms(lambda: spam.score_html(html))
    print(
        f"score_html() on the doorway fixture ({len(html.encode()) // 1000} KB HTML): "
        f"median {median:.2f} ms (90th percentile {p90:.2f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="list every false positive and missed spam")
    parser.add_argument(
        "--split",
        choices=("dev", "heldout"),
        action="append",
        help="evaluate this split only (repeatable; default both): tuning reads dev alone",
    )
    args = parser.parse_args()
    splits = args.split or ("dev", "heldout")
    # Only the splits asked for are read, counted, scored and timed: with --split dev no held-out text is scored.
    records = [r for r in load() if r["split"] in splits]
    counts = Counter((r["split"], r["label"], r["kind"], r["language"]) for r in records)
    print(
        "corpus: " + ", ".join(f"{s}/{label}/{kind}/{lang} {n}" for (s, label, kind, lang), n in sorted(counts.items()))
    )
    for split in splits:
        report_split(split, [r for r in records if r["split"] == split], args.misses)
    seeds()
    fixture_pages()
    generated_corpus()
    timing(records)


if __name__ == "__main__":
    main()
