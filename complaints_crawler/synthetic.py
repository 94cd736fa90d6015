"""Generated boards in the live sites' markup, for tests and benchmarks that need more than the fixture pages:
a consumercomplaints.in board (20 cards a page, some cut with a permalink page holding the whole thread) or a
BBB profile (10 complaint cards a page, each a whole thread), of any size, dated relative to a given day.

A board is data (`SyntheticBoard`) that tests change between crawls (new complaints at the top, a status
change, a new comment) and write as a fixture-site folder that `fixture_site.serve_sites(root=…)` serves.
Texts are distinct per complaint (no two are near-duplicates), seeded, so every run writes the same pages.
"""

from __future__ import annotations

import html
import json
import random
import shutil
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from complaints_crawler.paths import FIXTURE_SITES_DIR

# Everyday complaint words (the archive-test factories write with them too).
COMPLAINT_WORDS = [
    "refund",
    "order",
    "delivery",
    "phone",
    "screen",
    "battery",
    "replaced",
    "engineer",
    "visit",
    "warranty",
    "invoice",
    "charged",
    "twice",
    "customer",
    "care",
    "promised",
    "callback",
    "never",
    "happened",
    "store",
    "manager",
    "rude",
    "service",
    "centre",
    "cancelled",
    "account",
]
_WORDS = [
    *COMPLAINT_WORDS,
    "replacement",
    "technician",
    "appointment",
    "payment",
    "deducted",
    "bank",
    "statement",
    "courier",
    "parcel",
    "damaged",
    "box",
    "seal",
    "missing",
    "charger",
    "update",
    "software",
    "stopped",
    "working",
    "display",
    "flicker",
    "speaker",
    "network",
    "signal",
    "sim",
    "card",
    "slot",
    "camera",
    "focus",
]
_SYLLABLES = ("ka", "lo", "mi", "su", "te", "ra", "no", "vi", "de", "po")
_NAMES = ("Aarav", "Diya", "Kabir", "Meera", "Rohan", "Sara", "Vikram", "Anaya", "Ishaan", "Zoya")
_CITIES = ("Pune, Maharashtra", "Delhi, Delhi", "Chennai, Tamil Nadu", "Kolkata, West Bengal", "Jaipur, Rajasthan")


@dataclass(frozen=True)
class Entry:
    """One thread entry: a forum comment, or a BBB business response / customer answer."""

    kind: str  # "comment" | "business_response" | "customer_answer"
    author: str
    posted_on: date
    text: str


@dataclass(frozen=True)
class SyntheticComplaint:
    id: int
    filed_on: date
    title: str
    text: str
    author: str
    location: str
    status: str | None  # forum: "Resolved" or None; BBB: Answered, Resolved, Unresolved …
    entries: tuple[Entry, ...] = ()
    cut: bool = False  # forum: the board shows the text cut, the permalink the whole of it

    @property
    def slug(self) -> str:
        return "-".join(self.title.lower().split())


@dataclass
class SyntheticBoard:
    site: str  # "consumercomplaints" or "bbb"
    name: str
    board_id: int
    complaints: list[SyntheticComplaint]  # newest first, as the sites list them
    per_page: int
    seed: int = 1
    next_id: int = field(default=0)

    # -- URLs --------------------------------------------------------------------------------------------

    @property
    def slug(self) -> str:
        return "-".join(self.name.lower().split())

    @property
    def board_path(self) -> str:
        """The listing's path: a forum board, or a BBB profile."""
        if self.site == "bbb":
            return f"/us/ka/testville/profile/consumer-goods/{self.slug}-{self.board_id // 10000:04d}-{self.board_id}"
        return f"/{self.slug}-b{self.board_id}"

    @property
    def company(self) -> str:
        """The `-a company=` that names this board."""
        return f"https://www.bbb.org{self.board_path}" if self.site == "bbb" else self.board_path.strip("/")

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.complaints) // self.per_page))

    def page_of(self, complaint_id: int) -> int:
        index = next(i for i, c in enumerate(self.complaints) if c.id == complaint_id)
        return index // self.per_page + 1

    def permalink_path(self, c: SyntheticComplaint) -> str:
        return f"/{self.slug}-{c.slug}-c{c.id}"

    # -- changes between crawls ----------------------------------------------------------------------------

    def add_new(self, count: int, filed_on: date) -> list[int]:
        """`count` new complaints at the top of the board; their ids."""
        fresh = [_complaint(self.site, self.next_id + i, filed_on, self.seed) for i in range(count)]
        self.next_id += count
        self.complaints[:0] = list(reversed(fresh))
        return [c.id for c in fresh]

    def change(self, complaint_id: int, **changes: Any) -> SyntheticComplaint:
        index = next(i for i, c in enumerate(self.complaints) if c.id == complaint_id)
        self.complaints[index] = replace(self.complaints[index], **changes)
        return self.complaints[index]

    def add_comment(self, complaint_id: int, posted_on: date, text: str = "Any update on this? Still waiting.") -> None:
        c = next(c for c in self.complaints if c.id == complaint_id)
        kind = "comment" if self.site != "bbb" else "business_response"
        self.change(complaint_id, entries=(*c.entries, Entry(kind, "Helpful Neighbour", posted_on, text)))

    # -- writing -----------------------------------------------------------------------------------------

    def write(self, root: Path) -> Path:
        """Write the board as a fixture-site folder `root/<site>/` (robots.txt included); `root` is returned."""
        folder = root / self.site
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        shutil.copy(FIXTURE_SITES_DIR / self.site / "robots.txt", folder / "robots.txt")
        for number in range(1, self.pages + 1):
            page = self.complaints[(number - 1) * self.per_page : number * self.per_page]
            if self.site == "bbb":
                target = folder / self.board_path.strip("/") / "complaints"
                name = "index.html" if number == 1 else f"index@page={number}.html"
                _write(target / name, _bbb_page(self, page))
            else:
                target = folder / self.board_path.strip("/") / ("" if number == 1 else f"page/{number}")
                _write(target / "index.html", _forum_board_page(self, page, number))
                for c in page:
                    if c.cut or c.entries:
                        _write(folder / self.permalink_path(c).strip("/") / "index.html", _forum_permalink(self, c))
        return root


def generate_board(
    site: str,
    count: int,
    newest: date,
    *,
    name: str = "Acme Widgets",
    board_id: int = 990123,
    days_per_complaint: float = 1.0,
    seed: int = 1,
) -> SyntheticBoard:
    """A board of `count` complaints, the newest filed on `newest`, one every `days_per_complaint` days before."""
    per_page = 10 if site == "bbb" else 20
    complaints = [
        _complaint(site, 1_000_000 + i, newest - timedelta(days=int(i * days_per_complaint)), seed, index=i)
        for i in range(count)
    ]
    return SyntheticBoard(site, name, board_id, complaints, per_page, seed, next_id=2_000_000)


def _complaint(site: str, number: int, filed_on: date, seed: int, index: int | None = None) -> SyntheticComplaint:
    rng = random.Random(seed * 7_919 + number)
    words = [
        rng.choice(_WORDS)
        if rng.random() < 0.6
        else rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES)
        for _ in range(rng.randint(60, 140))
    ]
    text = f"Complaint {number}: " + " ".join(words) + "."
    title = " ".join(words[:5])
    position = index if index is not None else number
    author = f"{rng.choice(_NAMES)} {rng.choice(_NAMES)[0]}."
    if site == "bbb":
        status = ("Answered", "Resolved", "Unresolved")[position % 3]
        entries = (
            Entry(
                "business_response",
                "",
                filed_on + timedelta(days=3),
                f"Dear customer, about {number}: " + " ".join(reversed(words[:25])) + ".",
            ),
        )
        return SyntheticComplaint(number, filed_on, title, text, author, "", status, entries)
    cut = position % 5 in (0, 2)  # 8 of every 20 cards are cut on the board
    # Comments in words of their own: copies of the complaint's words would read as a page repeating itself.
    comments = tuple(
        Entry(
            "comment",
            rng.choice(_NAMES),
            filed_on + timedelta(days=1 + k),
            f"Comment {k + 1} on {number}: " + " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 20))) + ".",
        )
        for k in range(position % 3 if cut else 0)
    )
    return SyntheticComplaint(number, filed_on, title, text, author, rng.choice(_CITIES), None, comments, cut)


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _forum_date(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _forum_card(board: SyntheticBoard, c: SyntheticComplaint, *, whole: bool) -> str:
    link = board.permalink_path(c)
    shown = c.text if whole or not c.cut else c.text[:300].rsplit(" ", 1)[0] + "..."
    resolved = '<div class="complaint-box__resolved">Resolved</div>' if c.status == "Resolved" else ""
    thread = ""
    if whole and c.entries:
        thread = (
            '<div class="complaint-box__thread">'
            + "".join(
                f'<div class="thread-entry thread-entry_comment"><div class="thread-entry__head"><div class="thread-entry__author">'
                f'{_e(e.author)}</div><div class="thread-entry__date">{_forum_date(e.posted_on)}</div></div>'
                f'<div class="thread-entry__text">{_e(e.text)}</div></div>'
                for e in c.entries
            )
            + "</div>"
        )
    comments = (
        f'<a class="complaint-box__comments" href="{link}#comments">{len(c.entries)} Comments</a>' if c.entries else ""
    )
    return f"""<div class="complaint-box" id="c{c.id}">
 <div class="complaint-box__box">
  <div class="complaint-box__header"><div class="complaint-box__ins"><div class="author-box"><div class="author-box__column">
   <div class="author-box__row-profile"><div class="author-box__user"><b class="author-box__user_bold">{_e(c.author)}</b></div>
   <div class="author-box__location">from {_e(c.location)}</div></div>
   <div class="author-box__row-info"><div class="author-box__date">{_forum_date(c.filed_on)}</div></div>
  </div></div></div>
  <h4 class="complaint-box__title"><a class="complaint-box__link" href="{link}" id="cmcc{c.id}">{_e(c.title)}</a></h4></div>
  {resolved}
  <div class="complaint-box__text" id="cctxt{c.id}"><div class="complaint-box__more-txt"><div>{_e(shown)}</div></div></div>
  {thread}
  <div class="complaint-box__footer">{comments}
   <span>Report</span> <span>Copy</span></div>
 </div>
</div>
"""


def _forum_header(board: SyntheticBoard) -> str:
    resolved = sum(c.status == "Resolved" for c in board.complaints)
    return f"""<div class="breadcrumbs"><a href="/">Home</a> › <a href="{board.board_path}">{_e(board.name)}</a></div>
<div class="bname-header"><h1 class="bname-header__title">{_e(board.name)} Complaints &amp; Reviews</h1>
<ul class="bname-header__stats"><li>Complaints {len(board.complaints)}</li><li><div>Resolved</div><div>{resolved}</div></li>
<li><div>Unresolved</div><div>{len(board.complaints) - resolved}</div></li></ul></div>
"""


def _forum_board_page(board: SyntheticBoard, page: list[SyntheticComplaint], number: int) -> str:
    cards = "".join(_forum_card(board, c, whole=False) for c in page)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(board.name)} Complaints &amp; Reviews</title></head>
<body>
{_forum_header(board)}<div class="complaint-boxes"><h2 class="complaint-boxes__heading">{_e(board.name)} reviews &amp; complaints page {number}</h2>
{cards}</div>
</body>
</html>
"""


def _forum_permalink(board: SyntheticBoard, c: SyntheticComplaint) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(board.name)} — {_e(c.title)}</title></head>
<body>
<div class="breadcrumbs"><a href="/">Home</a> › <a href="{board.board_path}">{_e(board.name)}</a></div>
<div class="complaint-page">
{_forum_card(board, c, whole=True)}</div>
</body>
</html>
"""


def _us(day: date) -> str:
    return f"{day:%m/%d/%Y}"


def _bbb_card(c: SyntheticComplaint) -> str:
    entries = "".join(
        f'<div class="bpr-complaint-response stack"><h4 class="bds-h5">'
        f"{'Business Response' if e.kind == 'business_response' else 'Customer Answer'}</h4>"
        f'<p class="bds-body"><strong>Date:</strong>&nbsp;{_us(e.posted_on)}</p>'
        f'<div class="bpr-complaint-response-text"><p>{_e(e.text)}</p></div></div>'
        for e in c.entries
    )
    return (
        f'<li class="card bpr-complaint-grid" id="{c.id}"><div class="bpr-complaint-header stack">'
        f'<h3 class="bds-h5 bpr-complaint-title">Initial Complaint</h3><p class="bds-body bpr-complaint-date">'
        f'<strong>Date:</strong><span>{_us(c.filed_on)}</span></p></div><div class="bpr-complaint-type cluster">'
        f'<p class="bds-body"><strong>Type:</strong><span>Product Issues</span></p><p class="bds-body '
        f'bpr-complaint-status"><strong>Status:</strong><span>{_e(c.status or "Answered")}</span></p></div>'
        f'<div class="bpr-complaint-body stack"><div class="bpr-complaint-text"><p>{_e(c.text)}</p></div>'
        f"{entries}</div></li>\n"
    )


def _bbb_page(board: SyntheticBoard, page: list[SyntheticComplaint]) -> str:
    bbb_id, business_id = board.board_path.rsplit("-", 2)[1:]
    state = {
        "businessProfile": {
            "bbbId": bbb_id,
            "businessId": business_id,
            "names": {"primary": board.name},
            "urls": {"profile": board.board_path},
            "categories": {"primaryCategoryName": "Consumer Goods"},
            "accreditationInformation": {"isAccredited": False},
            "rating": {"bbbRating": "B"},
            "reviewsComplaintsSummary": {"complaintsTotal": len(board.complaints)},
        }
    }
    cards = "".join(_bbb_card(c) for c in page)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(board.name)} | Complaints | Better Business Bureau® Profile</title></head>
<body>
<script>window.__PRELOADED_STATE__ = {json.dumps(state)};</script>
<h1 id="businessName">{_e(board.name)}</h1>
<ul class="list-reset stack bpr-complaints-list">
{cards}</ul>
</body>
</html>
"""
