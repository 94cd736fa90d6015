"""Evaluate complaints_crawler.text.spam on the labelled corpus in fixtures/spam/.

    python benchmarks/spam_eval.py

Prints precision, recall, F1 and the false-positive rate on legitimate complaints for the scorer and,
in the same run, for the best single feature of Ntoulas et al. 2006 (compression ratio) as a baseline,
then the scoring time of a 50 KB page (median and 90th percentile of repeated runs).

Honesty note: the scorer's weights and hinges were set by hand while looking at this corpus, and the
baseline's threshold is chosen on it (the best F1). There is no held-out split; every figure is on
the whole corpus.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from make_spam_corpus import load  # noqa: E402

from complaints_crawler.text import spam  # noqa: E402
from complaints_crawler.paths import FIXTURE_SITES_DIR  # noqa: E402

PAGE_BYTES = 50_000
RUNS = 200
COMPLAINT_KINDS = {"complaint", "response"}


def metrics(records: Sequence[dict[str, str]], flagged: Sequence[bool]) -> dict[str, float]:
    truth = [r["label"] == "spam" for r in records]
    tp = sum(t and f for t, f in zip(truth, flagged))
    fp = sum(f and not t for t, f in zip(truth, flagged))
    fn = sum(t and not f for t, f in zip(truth, flagged))
    complaints = [f for r, f in zip(records, flagged) if r["kind"] in COMPLAINT_KINDS]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "fp": fp, "fpr_complaints": sum(complaints) / len(complaints)}


def best_threshold(values: Sequence[float], records: Sequence[dict[str, str]]) -> float:
    """The compression-ratio threshold with the best F1 on the corpus (spam at or above it)."""
    return max(sorted(set(values)), key=lambda t: metrics(records, [v >= t for v in values])["f1"])


def compression_ratio(text: str) -> float:
    return spam._compression_ratio(text) if text else 0.0


def page_of(texts: Sequence[str], size: int = PAGE_BYTES) -> str:
    """Distinct texts joined until the page holds `size` UTF-8 bytes."""
    out, total = [], 0
    for text in texts:
        out.append(text)
        total += len(text.encode()) + 2
        if total >= size:
            break
    return "\n\n".join(out).encode()[:size].decode(errors="ignore")


def timing(function: Callable[[], object], runs: int = RUNS) -> str:
    """Median and 90th percentile of `runs` calls, in ms (the tail shows a noisy machine)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    p90 = statistics.quantiles(times, n=10)[-1]
    return f"{statistics.median(times) * 1000:.2f} ms (median of {runs}; 90th percentile {p90 * 1000:.2f} ms)"


def line(name: str, m: dict[str, float]) -> str:
    return (
        f"{name:<34} precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  "
        f"FPR on legit complaints {m['fpr_complaints']:.2%}  (false positives {m['fp']})"
    )


def main() -> None:
    records = load()
    counts = {}
    for r in records:
        counts[(r["label"], r["kind"])] = counts.get((r["label"], r["kind"]), 0) + 1
    print("corpus (whole corpus; no held-out split):", ", ".join(f"{l}/{k} {n}" for (l, k), n in sorted(counts.items())))

    results = [spam.score(r["text"]) for r in records]
    print(line(f"scorer (threshold {spam.DEFAULT_THRESHOLD})", metrics(records, [s.is_spam for s in results])))
    ratios = [compression_ratio(r["text"]) for r in records]
    cut = best_threshold(ratios, records)
    print(line(f"baseline: compression ratio >= {cut:.2f}", metrics(records, [v >= cut for v in ratios])))
    print(f"  (baseline threshold chosen on this corpus for the best F1; zlib level 1)")

    for r, s in zip(records, results):
        if s.is_spam != (r["label"] == "spam"):
            top = s.reasons[0].explanation if s.reasons else "no reason"
            print(f"  miss {r['id']} {r['kind']} ({r['source']}): score {s.score:.2f}; {top}")

    complaints = [r["text"] for r in records if r["kind"] in COMPLAINT_KINDS]
    doorways = [r["text"] for r in records if r["kind"] == "doorway" and r["lang"] == "zh"]
    for name, page in (("complaints page (English/Hinglish)", page_of(complaints)), ("doorway page (Chinese)", page_of(doorways))):
        print(f"score() on a 50 KB {name}: {timing(lambda: spam.score(page))}")
    html = (FIXTURE_SITES_DIR / "consumercomplaints/octopus-alipay-topup-b990001/index.html").read_text()
    print(f"score_html() on the doorway fixture ({len(html.encode()) // 1000} KB HTML): {timing(lambda: spam.score_html(html))}")


if __name__ == "__main__":
    main()
