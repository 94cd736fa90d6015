"""Build the real spam corpus fixtures/spam/real/corpus.jsonl (see fixtures/spam/real/README.md).

    python benchmarks/build_real_spam_corpus.py

Inputs:
- fixtures/spam/real/collected.jsonl: texts gathered from public pages and public labelled datasets, each with its
  source URL, language, label, reason and licence;
- the seeds (../shared/seeds) and the real saved pages (../shared/real-pages) next to the repository, read here: the
  texts are extracted, the saved HTML is not copied. When that folder is absent, the records taken from it before
  are kept as they are in corpus.jsonl.

Every record lands in the split its source domain was given in fixtures/spam/real/splits.json. A domain seen for
the first time goes to held-out and is written there (a new collection round brings new domains, which nothing was
tuned on); a domain's split changes only when a round ends and its held-out set joins dev (README: "Rounds").
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from make_spam_corpus import split_bbb, split_board  # noqa: E402

from complaints_crawler.text.html_text import element_text, parse_html  # noqa: E402

REAL = ROOT / "fixtures" / "spam" / "real"
SHARED = ROOT.parent / "shared"
Record = dict[str, Any]

_DEVANAGARI = re.compile("[\u0900-\u097f]")
_LETTER = re.compile(r"[^\W\d_]")
PAGE_CHARS = 60_000  # a whole page's rendered text is kept up to this length


def record_id(record: Record) -> str:
    digest = hashlib.sha1(f"{record['source_url']}\n{record['text']}".encode()).hexdigest()[:10]
    return f"{record['label']}-{digest}"


def language_of(text: str) -> str:
    """hi when Devanagari holds over 30% of the letters, else en (the seeds and real pages are English or Hindi)."""
    letters = len(_LETTER.findall(text)) or 1
    return "hi" if len(_DEVANAGARI.findall(text)) / letters > 0.3 else "en"


def seed_records(folder: Path) -> Iterator[Record]:
    """Seeds 000 and 001 (bbb.org complaint pages), 003 (a consumercomplaints.in board page): every thread entry,
    and each page whole; seed 002 (an SEO doorway page) whole."""
    pages = {path.name[:3]: path.read_text(encoding="utf-8") for path in sorted(folder.glob("00[0-3]_*.txt"))}
    sites = {"000": ("bbb.org", ["en"]), "001": ("bbb.org", ["en"]), "003": ("consumercomplaints.in", ["en", "hi"])}
    for prefix, (domain, languages) in sites.items():
        if prefix not in pages:
            continue
        page = pages[prefix]
        entries = split_board(page) if prefix == "003" else [text for _, text in split_bbb(page)]
        for text in entries:
            yield {
                "label": "legit",
                "kind": "short_post",
                "language": language_of(text),
                "text": text,
                "source_url": f"seed {prefix}",
                "source_domain": domain,
                "site_languages": languages,
                "reason": "complaint or thread entry of a real complaint page (project seed)",
                "origin": "seed",
                "topic": "complaint",
            }
        yield {
            "label": "legit",
            "kind": "page",
            "language": "en",
            "text": page,
            "source_url": f"seed {prefix}",
            "source_domain": domain,
            "site_languages": languages,
            "reason": "a real complaint page whole, chrome included (project seed)",
            "origin": "seed",
            "topic": "page",
        }
    if "002" in pages:
        yield {
            "label": "spam",
            "kind": "page",
            "language": "zh",
            "text": pages["002"],
            "source_url": "seed 002",
            "source_domain": "seed-002-doorway",
            "site_languages": None,
            "reason": "SEO doorway: scraped sentences with one keyword injected, listicle headings (project seed)",
            "origin": "seed",
            "topic": "seo_doorway",
        }


def _preloaded_state(page: str) -> Any:
    start = page.index("window.__PRELOADED_STATE__ = ") + len("window.__PRELOADED_STATE__ = ")
    return json.JSONDecoder().raw_decode(page, start)[0]


def real_page_records(folder: Path) -> Iterator[Record]:
    """Complaint and review texts of the real saved pages, and each page's rendered text whole. The two AJIO
    snippets are left out: their texts were replaced with synthetic ones."""
    from lxml import html

    board = folder / "consumercomplaints" / "homepage-2018.html"
    if board.is_file():
        source = board.read_text(encoding="utf-8")
        tree = html.fromstring(source)
        for box in tree.xpath('//td[contains(@class, "compl-text")]'):
            complaint_id = box.get("id", "").removeprefix("cctxt")
            links = tree.xpath(f'//a[@id="cmcc{complaint_id}"]')
            url = "https://www.consumercomplaints.in" + (links[0].get("href") if links else "/")
            text = " ".join(box.text_content().split())
            yield {
                "label": "legit",
                "kind": "short_post",
                "language": language_of(text),
                "text": text,
                "source_url": url,
                "source_domain": "consumercomplaints.in",
                "site_languages": ["en", "hi"],
                "reason": "complaint excerpt on the consumercomplaints.in home page (2018)",
                "origin": "real-page",
                "topic": "complaint",
            }
        yield _page_record(source, "https://www.consumercomplaints.in/", "consumercomplaints.in", ["en", "hi"])
    affairs = folder / "consumeraffairs" / "company-page-2018.html"
    if affairs.is_file():
        source = affairs.read_text(encoding="utf-8")
        url = "https://www.consumeraffairs.com/travel/sell-my-timeshare-now.html"
        for body in html.fromstring(source).xpath('//div[contains(@class, "rvw-bd")]'):
            text = re.sub(r"^Original review: \w+ \d+, \d{4}", "", " ".join(body.text_content().split())).strip()
            if text:
                yield {
                    "label": "legit",
                    "kind": "short_post",
                    "language": "en",
                    "text": text,
                    "source_url": url,
                    "source_domain": "consumeraffairs.com",
                    "site_languages": ["en"],
                    "reason": "customer review or complaint on a ConsumerAffairs company page (2018)",
                    "origin": "real-page",
                    "topic": "complaint",
                }
        yield _page_record(source, url, "consumeraffairs.com", ["en"])
    for path in sorted((folder / "bbb").glob("*.html")):
        source = path.read_text(encoding="utf-8")
        profile = _preloaded_state(source).get("businessProfile") or {}
        url = "https://www.bbb.org" + ((profile.get("urls") or {}).get("profile") or f"/ (saved page {path.stem})")
        reviews = (profile.get("customerReviews") or {}).get("items") or []
        for review in reviews:
            yield {
                "label": "legit",
                "kind": "short_post",
                "language": "en",
                "text": review["text"].strip(),
                "source_url": f"{url}/customer-reviews#{review['id']}",
                "source_domain": "bbb.org",
                "site_languages": ["en"],
                "reason": "customer review on a bbb.org profile",
                "origin": "real-page",
                "topic": "complaint",
            }
        yield _page_record(source, url, "bbb.org", ["en"])


def _page_record(source: str, url: str, domain: str, languages: list[str]) -> Record:
    text = element_text(parse_html(source))[:PAGE_CHARS]
    return {
        "label": "legit",
        "kind": "page",
        "language": "en",
        "text": text,
        "source_url": url,
        "source_domain": domain,
        "site_languages": languages,
        "reason": "a real saved page, rendered as a browser shows it",
        "origin": "real-page",
        "topic": "page",
    }


def assign_splits(records: list[Record], splits: dict[str, str]) -> dict[str, str]:
    """A split for every source domain: the one splits.json gives it, held-out for a domain seen for the first time.
    New domains come with a new collection round, and nothing was tuned on them."""
    splits = dict(splits)
    for record in records:
        splits.setdefault(record["source_domain"], "heldout")
    return splits


def main() -> None:
    collected = [
        json.loads(line) for line in (REAL / "collected.jsonl").read_text(encoding="utf-8").splitlines() if line
    ]
    for record in collected:
        record.setdefault("origin", "collected")
    corpus_path = REAL / "corpus.jsonl"
    previous = (
        [json.loads(line) for line in corpus_path.read_text(encoding="utf-8").splitlines() if line]
        if corpus_path.exists()
        else []
    )
    if SHARED.is_dir():
        shared = [*seed_records(SHARED / "seeds"), *real_page_records(SHARED / "real-pages")]
    else:  # keep what was read from the shared folder before
        shared = [r for r in previous if r.get("origin") in {"seed", "real-page"}]
    records = collected + shared
    seen: set[str] = set()
    unique = []
    for record in records:
        record["id"] = record_id(record)
        if record["id"] not in seen:
            seen.add(record["id"])
            unique.append(record)
    splits_path = REAL / "splits.json"
    known = json.loads(splits_path.read_text()) if splits_path.exists() else {}
    splits = assign_splits(unique, known)
    splits_path.write_text(json.dumps(dict(sorted(splits.items())), indent=1) + "\n")
    fields = [
        "id",
        "split",
        "label",
        "kind",
        "topic",
        "language",
        "site_languages",
        "source_domain",
        "source_url",
        "reason",
        "licence",
        "origin",
        "collected",
        "text",
    ]
    for record in unique:
        record["split"] = splits[record["source_domain"]]
        record.setdefault("licence", "quoted from a real public page (see README)")
        record.setdefault("collected", "v1")
    unique.sort(key=lambda r: (r["split"], r["label"], r["source_domain"], r["id"]))
    with corpus_path.open("w", encoding="utf-8") as out:
        for record in unique:
            out.write(json.dumps({k: record.get(k) for k in fields}, ensure_ascii=False) + "\n")
    counts = Counter((r["split"], r["label"], r["kind"], r["language"], r["topic"]) for r in unique)
    for key, count in sorted(counts.items()):
        print(*key, count)


if __name__ == "__main__":
    main()
