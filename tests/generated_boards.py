"""Generated consumercomplaints.in boards of any size, in the markup of the fixture site's board pages, for the
worker tests and benchmarks/workers.py.

A board `/<slug>-b<id>` has `pages` pages of 20 cards (page N > 1 at `/<board>/page/N`; the page after the last
answers 404, as the live site does). Every fifth card is cut on the board ("…", a "Read more" link and a
comment count): the spider reads it, with its 1 to 3 comments, from its permalink page, so the frontier carries
permalink requests with their board copy too.
Texts, authors and dates are drawn from a seeded generator: the same call writes the same bytes, no two
complaints are near-duplicates, and none reads as spam.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from pathlib import Path

CARDS_PER_PAGE = 20
CUT_EVERY = 5

_PRODUCTS = ["Redmi Note 9 Pro", "Mi TV 4A 43 inch", "front load washing machine", "air purifier", "Mi Notebook",
             "double door refrigerator", "instant water heater", "smart band", "wireless earphones", "microwave oven",
             "power bank", "robot vacuum cleaner", "induction cooktop", "mixer grinder", "split air conditioner",
             "electric scooter", "security camera", "wifi router", "ceiling fan", "electric kettle"]
_CITIES = ["Pune, Maharashtra", "Jaipur, Rajasthan", "Lucknow, Uttar Pradesh", "Kochi, Kerala",
           "Indore, Madhya Pradesh", "Nagpur, Maharashtra", "Patna, Bihar", "Surat, Gujarat", "Mysore, Karnataka",
           "Bhopal, Madhya Pradesh", "Guwahati, Assam", "Chandigarh, Punjab", "Vadodara, Gujarat",
           "Coimbatore, Tamil Nadu", "Ranchi, Jharkhand"]
_FIRST = ["rahul", "priya", "amit", "neha", "vikram", "sunita", "arjun", "kavya", "rohan", "meera", "sanjay", "pooja",
          "deepak", "anjali", "manoj", "ritu", "karan", "divya", "suresh", "lakshmi"]
_WORDS = ["sun", "river", "blue", "star", "tiger", "lotus", "green", "stone", "cloud", "eagle", "maple", "ocean"]
# Short fragments with many slots: whole sentences repeated over a page would read as a doorway page to the
# page-level spam check (duplicate 5-grams), as they would on the live site.
_WHEN = ["On {day}", "Last {weekday}", "In {month}", "Two weeks ago", "Around Diwali", "Early in {month}",
         "Just before my birthday", "During the year end sale", "Three months back", "On the first of {month}"]
_BOUGHT = ["I bought", "I ordered", "I purchased", "my {relative} bought", "we booked", "I paid for"]
_KIND = ["a new", "a brand new", "a refurbished", "a costly", "a white", "a black", "an expensive", "a basic"]
_WHERE = ["from the official website", "at the {town} store", "through the mobile app", "from a local dealer",
          "in the online sale", "from the exclusive outlet", "with an exchange offer", "on easy instalments"]
_AFTER = ["Within", "After", "Just after", "In less than", "Hardly", "Barely"]
_DURATION = ["{n} days", "{n} weeks", "one month", "a fortnight", "the first wash", "the first charge"]
_FAILED = ["stopped working", "started leaking water", "began overheating", "made a grinding noise",
           "showed error code E{code}", "would not switch on", "kept restarting", "cracked near the edge",
           "smelled of burnt plastic", "drained in an hour", "lost its network signal", "gave a mild shock"]
_WHO = ["I", "My {relative}", "We", "My neighbour and I", "Our family"]
_CONTACTED = ["called", "emailed", "wrote to", "visited", "messaged", "complained to", "went back to"]
_CHANNEL = ["customer care", "the service centre", "the store manager", "the support team", "the regional office",
            "the brand's grievance officer", "the dealer", "the installation team"]
_COUNT = ["{n} times", "several times", "twice", "again and again", "every other day", "for {n} days"]
_DETAIL = ["but nobody replied", "and got ticket number [protected]", "without any result",
           "and each time heard a new excuse", "and was asked to wait", "and was put on hold for ages",
           "but the ticket was closed without a visit", "and they promised a call back that never came"]
_THEY = ["The agent", "The technician", "The manager", "Their engineer", "The executive", "A supervisor",
         "The delivery boy", "Someone from the head office"]
_SAID = ["told me that", "claimed that", "insisted that", "promised that", "wrote that", "admitted that"]
_CLAIM = ["the part is out of stock", "the warranty does not cover the {part}", "a refund takes {n} more days",
          "the courier lost the parcel", "it is a software problem", "I must pay Rs {amount} for the repair",
          "the {part} was damaged by voltage", "a replacement needs approval from Mumbai",
          "the invoice has a wrong serial number", "nothing can be done after {n} days"]
_ASK = ["I want", "I demand", "I request", "Please arrange", "I expect", "Kindly give me"]
_REMEDY = ["a full refund of {amount}", "a working replacement", "a free repair under warranty",
           "a pickup and refund to my {payment}", "a written reply with a date", "compensation for the delay",
           "an engineer visit this week", "the exchange offer they promised"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_PARTS = ["display", "compressor", "motor", "battery", "remote control", "door seal", "charging port", "speaker",
          "touch panel", "heating element", "fan blade", "control board"]
_RELATIVES = ["father", "mother", "sister", "brother", "wife", "husband", "daughter", "son"]
_PAYMENTS = ["credit card", "debit card", "UPI", "net banking", "cash on delivery"]
_TOWNS = ["Andheri", "Koramangala", "Salt Lake", "Banjara Hills", "Vashi", "Hazratganj", "Aliganj", "Adyar", "Baner"]


@dataclass(frozen=True)
class Board:
    slug: str  # "<name>-b<id>": the spider's -a company
    pages: int
    complaints: int
    permalinks: int  # cards read from their permalink page

    @property
    def requests(self) -> int:
        """Page requests of a full sweep: every board page, the 404 after the last, every permalink."""
        return self.pages + 1 + self.permalinks


def write_board(root: Path, name: str, board_id: int, pages: int, *, seed: int = 0) -> Board:
    """Write the board under `root/consumercomplaints/` (a fixture-site overlay root)."""
    rng = random.Random(f"{name}-{board_id}-{seed}")
    slug = f"{name}-b{board_id}"
    site = root / "consumercomplaints"
    title = name.replace("-", " ").title()
    total = pages * CARDS_PER_PAGE
    authors: set[str] = set()
    permalinks = 0
    day = date(2019, 12, 20)
    for number in range(1, pages + 1):
        cards = []
        for index in range(CARDS_PER_PAGE):
            complaint_id = board_id * 10_000 + (number - 1) * CARDS_PER_PAGE + index
            cut = index % CUT_EVERY == CUT_EVERY - 1
            comments = rng.randrange(1, 4) if cut else 0
            card = _card(rng, slug, complaint_id, day, _author(rng, authors), comments)
            if cut:
                permalinks += 1
                _write(site / card.permalink.strip("/") / "index.html", _permalink_page(title, slug, card.html(False)))
            cards.append(card.html(cut))
            day -= timedelta(days=1)
        folder = site / slug if number == 1 else site / slug / "page" / str(number)
        _write(folder / "index.html", _board_page(title, slug, number, pages, total, cards))
    return Board(slug, pages, total, permalinks)


@dataclass(frozen=True)
class _Card:
    id: int
    permalink: str
    title: str
    author: str
    city: str
    filed: date
    sentences: list[str]
    comments: list[tuple[str, date, str]]  # (author, date, text); shown on the permalink page only

    def html(self, cut: bool) -> str:
        if cut:
            text = escape(" ".join(self.sentences)[:180].rsplit(" ", 1)[0]) + "…"
            more = f' <a class="complaint-box__more-link" href="{self.permalink}">Read more</a>'
        else:
            text, more = "<br><br>\n".join(escape(s) for s in self.sentences), ""
        thread = "".join(f"""
  <div class="thread-entry thread-entry_comment" id="comment{self.id}{n}">
   <div class="thread-entry__head"><div class="thread-entry__author">{escape(author)}</div>
    <div class="thread-entry__date">{when:%b} {when.day}, {when.year}</div></div>
   <div class="thread-entry__text">{escape(comment)}</div>
  </div>""" for n, (author, when, comment) in enumerate(self.comments) if not cut)
        if thread:
            thread = f'\n  <div class="complaint-box__thread">{thread}\n  </div>'
        if self.comments:
            count = (f'<a class="complaint-box__comments" href="{self.permalink}#comments">'
                     f"{len(self.comments)} Comments</a>")
        else:
            count = f'<a class="complaint-box__write" href="{self.permalink}#add-comment">Write a comment</a>'
        title = f'<a class="complaint-box__link" href="{self.permalink}" id="cmcc{self.id}">{escape(self.title)}</a>'

        return f"""<div class="complaint-box" id="c{self.id}">
 <div class="complaint-box__box">
  <div class="complaint-box__header">
   <div class="complaint-box__ins">
    <div class="author-box">
     <div class="author-box__avatar">{escape(self.author[0].upper())}</div>
     <div class="author-box__column">
      <div class="author-box__row-profile">
       <div class="author-box__user"><b class="author-box__user_bold">{escape(self.author)}</b></div>
       <div class="author-box__location">from {escape(self.city)}</div>
      </div>
      <div class="author-box__row-info">
       <div class="author-box__date">{self.filed:%b} {self.filed.day}, {self.filed.year}</div>
      </div>
     </div>
    </div>
    <div class="complaint-box__tools"><span>Report</span><span>Copy</span></div>
   </div>
   <h4 class="complaint-box__title">{title}</h4>
  </div>
  <div class="complaint-box__text" id="cctxt{self.id}">
   <div class="complaint-box__more-txt"><div>{text}</div></div>{more}
  </div>{thread}
  <div class="complaint-box__footer">
   <div class="complaint-box__helpful"><div>Helpful</div><div>Found this helpful?</div></div>
   {count}
   <span>Report</span> <span>Copy</span>
  </div>
 </div>
</div>"""


def _card(rng: random.Random, slug: str, complaint_id: int, filed: date, author: str, comments: int) -> _Card:
    product = rng.choice(_PRODUCTS)

    def pick(options: list[str]) -> str:
        return rng.choice(options).format(
            relative=rng.choice(_RELATIVES), town=rng.choice(_TOWNS), n=rng.randrange(2, 45),
            code=rng.randrange(10, 99), part=rng.choice(_PARTS), amount=f"{rng.randrange(499, 89_999):,}",
            payment=rng.choice(_PAYMENTS), month=rng.choice(_MONTHS), weekday=rng.choice(_WEEKDAYS),
            day=f"{(filed - timedelta(days=rng.randrange(3, 60))):%d %B %Y}")

    sentences = [f"{pick(_WHEN)} {pick(_BOUGHT)} {pick(_KIND)} {product} {pick(_WHERE)}.",
                 f"{pick(_AFTER)} {pick(_DURATION)}, the {rng.choice(_PARTS)} {pick(_FAILED)}."]
    for _ in range(rng.randrange(1, 4)):
        if rng.random() < 0.5:
            sentences.append(f"{pick(_WHO)} {pick(_CONTACTED)} {pick(_CHANNEL)} {pick(_COUNT)} {pick(_DETAIL)}.")
        else:
            sentences.append(f"{pick(_THEY)} {pick(_SAID)} {pick(_CLAIM)}.")
    sentences.append(f"{pick(_ASK)} {pick(_REMEDY)}.")
    title = f"{product} {rng.choice(['not working', 'refund pending', 'poor service', 'defective', 'not delivered'])}"
    permalink = f"/{slug.rsplit('-b', 1)[0]}-{title.lower().replace(' ', '-')}-c{complaint_id}"
    thread = [(f"{rng.choice(_FIRST)}.{rng.choice(_WORDS)}", filed + timedelta(days=n + 1),
               f"{pick(_WHO)} {pick(_CONTACTED)} {pick(_CHANNEL)} {pick(_COUNT)} {pick(_DETAIL)}.")
              for n in range(comments)]
    return _Card(complaint_id, permalink, title, author, rng.choice(_CITIES), filed, sentences, thread)


def _author(rng: random.Random, taken: set[str]) -> str:
    while True:
        author = f"{rng.choice(_FIRST)}_{rng.choice(_WORDS)}{rng.randrange(10, 1000)}"
        if author not in taken:
            taken.add(author)
            return author


def _board_page(title: str, slug: str, number: int, pages: int, total: int, cards: list[str]) -> str:
    links = "".join(f'<li><a href="/{slug}/page/{n}">{n}</a></li>' if n != number else f"<li><b>{n}</b></li>"
                    for n in range(max(1, number - 2), min(pages, number + 2) + 1))
    body = "\n".join(cards)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)} Complaints &amp; Reviews - Page {number}</title>
</head>
<body>
{_breadcrumbs(slug, title)}
<div class="bname-header">
 <h1 class="bname-header__title">{escape(title)} Complaints &amp; Reviews</h1>
 <ul class="bname-header__stats">
  <li>Complaints {total}</li>
  <li><div>Resolved</div><div>0</div></li>
  <li><div>Unresolved</div><div>{total}</div></li>
 </ul>
</div>
<div class="complaint-boxes">
 <h2 class="complaint-boxes__heading">{escape(title)} reviews &amp; complaints page {number}</h2>
{body}
<div class="pagelinks"><nav class="pg"><ul>{links}</ul></nav></div>
</div>
</body>
</html>
"""


def _permalink_page(title: str, slug: str, card: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)} complaint</title>
</head>
<body>
{_breadcrumbs(slug, title)}
<div class="complaint-page">
{card}
</div>
</body>
</html>
"""


def _breadcrumbs(slug: str, title: str) -> str:
    return (f'<div class="breadcrumbs"><a href="/">Home</a> › <a href="/bycategory/electronics">Electronics</a> › '
            f'<a href="/{slug}">{escape(title)}</a></div>')


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
