"""Seeded mutants of the fixture pages, shared by tests/test_fuzz.py and benchmarks/fuzz.py.

`mutants(count, seed)` yields the same `count` mutants for the same seed on every machine: each takes one
seed (a fixture page, search API answer, sitemap or complaint text) and applies one mutator, sometimes two.
Mutators imitate what arrives in the wild: cut-off bodies, deleted and duplicated elements, odd Unicode,
deep nesting, huge text nodes and attributes, wrong encodings, broken embedded JSON, broken markup, absurd
numbers and links, and mangled thread labels.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from complaints_crawler.paths import FIXTURE_SITES_DIR

BBB_ORIGIN = "https://www.bbb.org"
ORIGINS = {
    "consumercomplaints": "https://www.consumercomplaints.in",
    "complaintsboard": "https://www.complaintsboard.com",
}
HTML_KINDS = ("bbb", "consumercomplaints", "complaintsboard")
HUGE = 10 * 1024 * 1024 + 4096  # just over libxml2's 10 MB limit for one text node or attribute


@dataclass(frozen=True)
class Seed:
    kind: str  # "bbb" | "consumercomplaints" | "complaintsboard" (pages), "search", "sitemap", "text"
    url: str
    text: str
    name: str


@dataclass(frozen=True)
class Mutant:
    number: int
    seed: Seed
    mutators: tuple[str, ...]
    text: str

    @property
    def label(self) -> str:
        return f"#{self.number} {'+'.join(self.mutators)} of {self.seed.name}"


# --- seeds -------------------------------------------------------------------------------------------------


def _url(kind: str, relative: Path) -> str:
    """The live URL a fixture file answers (query files `index@page=2.html` become `?page=2`)."""
    folder, name = relative.parent.as_posix(), relative.name
    query = name.split("@", 1)[1].rsplit(".", 1)[0] if "@" in name else ""
    path = "/" + folder if folder != "." else ""
    origin = BBB_ORIGIN if kind == "bbb" else ORIGINS[kind]
    return f"{origin}{path}{'?' + query if query else ''}"


@cache
def seeds() -> tuple[Seed, ...]:
    found: list[Seed] = []
    for kind in HTML_KINDS:
        for path in sorted((FIXTURE_SITES_DIR / kind).rglob("*")):
            relative = path.relative_to(FIXTURE_SITES_DIR / kind)
            name = f"{kind}/{relative.as_posix()}"
            if path.suffix == ".html":
                found.append(Seed(kind, _url(kind, relative), path.read_text(encoding="utf-8"), name))
            elif path.suffix == ".json":
                found.append(Seed("search", BBB_ORIGIN, path.read_text(encoding="utf-8"), name))
            elif path.name == "sitemap.xml":
                found.append(Seed("sitemap", ORIGINS[kind] + "/sitemap.xml", path.read_text(encoding="utf-8"), name))
    texts = _complaint_texts([seed for seed in found if seed.kind in HTML_KINDS])
    return (*found, *(Seed("text", "", text, f"text/{i}") for i, text in enumerate(texts)))


def _complaint_texts(pages: list[Seed]) -> list[str]:
    """Complaint and response texts of two fixture pages (what masks and prepare() see)."""
    from complaints_crawler.parsers import page_parser

    texts: list[str] = []
    for seed in pages:
        if "/page/75/" in seed.name or seed.name.endswith("microsoft-corporation-1296-7011/complaints/index.html"):
            for complaint in page_parser(seed.kind)(seed.url, seed.text).complaints:
                texts += [complaint.text, *(r.text for r in complaint.responses)]
    return texts


# --- helpers -----------------------------------------------------------------------------------------------

_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)\b[^>]*>")
# Start tags of the cards every parser looks for: deleting or duplicating a whole card is the interesting case.
_CARD_TAG = re.compile(
    r"""<(?:li|div)\b[^>]*(?:bpr-complaint-grid|\bid=["']?c\d+["'\s>]|class=["']complaint["' ]|<li id=)[^>]*>"""
)


def _tags(text: str) -> list[re.Match[str]]:
    return list(_TAG.finditer(text))


def _position(rng: random.Random, text: str) -> int:
    """A random tag boundary (where markup can be inserted), or any offset in text without tags."""
    tags = _tags(text)
    if not tags:
        return rng.randrange(len(text) + 1)
    match = rng.choice(tags)
    return match.end() if rng.random() < 0.5 else match.start()


def _element_span(rng: random.Random, text: str) -> tuple[int, int] | None:
    """Start and end of a random element (a card half the time), found by counting its tag name."""
    cards = list(_CARD_TAG.finditer(text)) if rng.random() < 0.5 else []
    starts = cards or [m for m in _tags(text) if not m.group(1) and not m.group(0).endswith("/>")]
    if not starts:
        return None
    start = rng.choice(starts)
    name = re.match(r"<(\w[\w-]*)", start.group(0))
    assert name is not None
    pattern = re.compile(rf"<(/?){re.escape(name.group(1))}\b[^>]*>", re.I)
    depth = 0
    for match in pattern.finditer(text, start.start()):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return start.start(), match.end()
    return start.start(), start.end()


def _insert(rng: random.Random, text: str, piece: str) -> str:
    at = _position(rng, text)
    return text[:at] + piece + text[at:]


# --- mutators ----------------------------------------------------------------------------------------------

Mutator = Callable[[random.Random, str], str]


def truncate(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def delete_element(rng: random.Random, text: str) -> str:
    span = _element_span(rng, text)
    return text if span is None else text[: span[0]] + text[span[1] :]


def duplicate_element(rng: random.Random, text: str) -> str:
    span = _element_span(rng, text)
    if span is None:
        return text + text
    start, end = span
    return text[:end] + text[start:end] * rng.choice((1, 1, 2, 20)) + text[end:]


ODD_UNICODE = (
    "\x00",
    "\x00" * 64,
    "\ud800",
    "\udfff",
    "\ud83d",
    "\ufeff",
    "\u200b",
    "\u202e",
    "\u0301" * 40,
    "\U0001f4a9",
    "\u2028",
    "\u2029",
    "\u0085",
    "\x0b\x0c",
    "\r",
    "\r\n",
    "\x01\x02",
    "\x7f",
    "\uffff",
    "\ufffe",
    "\ufffd",
    "\uff1cdiv\uff1e",
    "İ",
    "ß",
    "ﬁ",
    "\u00a0" * 30,
    "\u3000",
    "١٢٣٤٥٦٧٨٩٠١٢",
    "１２３４５６７８９０１２",
    "\U000e0041",
    "\u0300",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\u200d\u200c",
    "Z\u0351\u0352\u0357\u0358" * 20,
    "&#0;",
    "&#xD800;",
    "&#1114112;",
    "&nbsp;" * 10,
    "&bogus;",
    "&amp",
    "\\u0000",
    "\u180e",
    "\u061c",
)


def odd_unicode(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 25)):
        at = rng.randrange(len(chars) + 1)
        chars[at:at] = [rng.choice(ODD_UNICODE)]
    if rng.random() < 0.1:  # every character of the page replaced by an odd one
        return "".join(rng.choice(ODD_UNICODE) for _ in range(min(len(text), 2000)))
    return "".join(chars)


def deep_nesting(rng: random.Random, text: str) -> str:
    depth = rng.choice((255, 256, 257, 300, 1000, 2047, 2100, 5000, 20000))
    tag = rng.choice(("div", "div", "span", "b", "li", "ul", "table", "p"))
    closed = rng.random() < 0.5
    piece = f"<{tag}>" * depth + "deep" + (f"</{tag}>" * depth if closed else "")
    return _insert(rng, text, piece)


def huge_node(rng: random.Random, text: str) -> str:
    filler = rng.choice(("x", "Refund my money. ", "9", "*", "REMOVED ", "a@b.co ", "é", " ", "<"))
    body = (filler * (HUGE // len(filler) + 1))[:HUGE]
    if filler == "<":
        body = body.replace("<", "&lt;")
    piece = f"<p>{body}</p>" if rng.random() < 0.5 else f'<span title="{body.replace(chr(34), "")}">x</span>'
    # Inside a card when there is one, where the text becomes a complaint's text.
    cards = list(re.finditer(r"(?:bpr-complaint-body|complaint-box__more-txt|complaint-main__text)[^>]*>", text))
    if cards:
        at = rng.choice(cards).end()
        return text[:at] + piece + text[at:]
    return _insert(rng, text, piece)


def wrong_encoding(rng: random.Random, text: str) -> str:
    how = rng.choice(("utf-16-le", "utf-16-be", "utf-32-le", "utf-8>cp1252", "shift_jis", "meta", "utf-16-half"))
    if how == "utf-8>cp1252":
        return text.encode("utf-8", "surrogatepass").decode("cp1252", "replace")
    if how == "shift_jis":
        return text.encode("shift_jis", "replace").decode("latin-1")
    if how == "meta":
        return _insert(rng, text, f'<meta charset="{rng.choice(("utf-16", "utf-32", "ebcdic", "x-bogus"))}">')
    if how == "utf-16-half":  # a UTF-16 tail glued to a readable head
        cut = rng.randrange(len(text) + 1)
        return text[:cut] + text[cut:].encode("utf-16-le", "surrogatepass").decode("latin-1")
    return text.encode(how, "surrogatepass").decode("latin-1")


WRONG_TYPES = (
    '"oops"',
    "5",
    "-1",
    "null",
    "[]",
    "{}",
    "true",
    "1e999",
    '"<em>x</em>"',
    '"http://[::1"',
    '"\\ud800"',
    "[1,2]",
    '{"primary":5}',
)
_STATE = re.compile(r"__PRELOADED_STATE__\s*=\s*")


def broken_json(rng: random.Random, text: str) -> str:
    """A JSON answer, or the JSON state embedded in a BBB page, broken in one place."""
    match = _STATE.search(text)
    start = match.end() if match else 0
    end = text.find(";</script>", start) if match else len(text)
    end = end if end > start else len(text)
    body = text[start:end]
    how = rng.choice(("cut", "big number", "deep", "wrong type", "wrong type", "no closing", "nan", "garbage"))
    if how == "cut":
        body = body[: rng.randrange(len(body) + 1)]
    elif how == "big number":
        body = _replace_value(rng, body, "9" * rng.choice((400, 4301, 5000)))
    elif how == "deep":
        depth = rng.choice((500, 1000, 5000, 100_000))
        nested = "[" * depth + "]" * depth if rng.random() < 0.5 else '{"a":' * depth + "1" + "}" * depth
        body = _replace_value(rng, body, nested)
    elif how == "wrong type":
        body = _replace_value(rng, body, rng.choice(WRONG_TYPES))
    elif how == "no closing":
        body = body.rstrip().rstrip("}")
    elif how == "nan":
        body = _replace_value(rng, body, rng.choice(("NaN", "Infinity", "-Infinity")))
    else:
        body = json.dumps(
            rng.choice(
                (
                    [],
                    "text",
                    5,
                    None,
                    {"results": "oops"},
                    {"results": [5]},
                    {"results": None},
                    {"results": [{"reportUrl": 5}]},
                    {"businessProfile": []},
                )
            )
        )
    return text[:start] + body + text[end:]


_JSON_VALUE = re.compile(r'(?<=":)\s*(?:"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null|\[|\{)')


def _replace_value(rng: random.Random, body: str, value: str) -> str:
    """`body` with one value after a key replaced (a container only loses its opening bracket's place)."""
    values = list(_JSON_VALUE.finditer(body))
    if not values:
        return value
    match = rng.choice(values)
    old = match.group().strip()
    if old in ("[", "{"):
        end = _container_end(body, match.end() - 1)
        return body[: match.start()] + value + body[end:]
    return body[: match.start()] + value + body[match.end() :]


def _container_end(body: str, start: int) -> int:
    try:
        _, end = json.JSONDecoder().raw_decode(body, start)
    except (ValueError, RecursionError):  # an earlier mutation broke it: replace the bracket alone
        return start + 1
    return end


BROKEN_MARKUP = (
    "<!--",
    "<script>",
    "<textarea>",
    "<title>",
    "<plaintext>",
    "<xmp>",
    "<style>",
    "<![CDATA[",
    "</",
    "<",
    "<!",
    "</li></ul></div></body></html>",
    "<html><body>",
    "<table><tr><td>",
    "<svg>",
    "<template>",
    "<noscript>",
    "<select>",
    "<iframe>",
    '<a href="',
    "<li id=",
    '<div id="c',
    '"',
    ">",
    "&",
    "<?",
    "<br/>" * 500,
    "<frameset>",
    "<math>",
    "<object>",
    "<div hidden>",
)


def broken_markup(rng: random.Random, text: str) -> str:
    if rng.random() < 0.2:  # an XML declaration the page cannot keep
        return (
            rng.choice(
                (
                    '<?xml version="1.0"',
                    '<?xml version="1.0" encoding="utf-8"',
                    '<?xml version="1.0"?>',
                    '<?xml version="1.0" encoding="latin-1"?>\n',
                    " \n<?xml ",
                )
            )
            + text
        )
    return _insert(rng, text, rng.choice(BROKEN_MARKUP))


_NUMBER = re.compile(r"\d+")


def numbers(rng: random.Random, text: str) -> str:
    found = list(_NUMBER.finditer(text))
    if not found:
        return text
    out = text
    for match in sorted(rng.sample(found, min(len(found), rng.randint(1, 5))), key=lambda m: -m.start()):
        new = rng.choice(("9" * 5000, "9" * 30, "-1", "0", "00000000000000000000", "1e999", "4111111111111111", "٣"))
        out = out[: match.start()] + new + out[match.end() :]
    return out


ODD_LINKS = (
    "http://[bad",
    "http://[::1",
    "javascript:alert(1)",
    "//",
    "",
    "http://x:99999/",
    "http://a b/-b1",
    "\x00",
    "/-b",
    "/x-b" + "9" * 5000,
    "/x-c" + "9" * 5000,
    "mailto:a@b",
    "http://%zz",
    "../../../",
    "/" + "a" * 100_000 + "-b1",
    "/profile-1",
    "/ajio-b115930/page/99999999999999999999",
    "#create-comment-",
    "http://[::1]:/x-c1",
)


def links(rng: random.Random, text: str) -> str:
    found = list(re.finditer(r'(?:href|data-url)="([^"]*)"|<loc>([^<]*)</loc>', text))
    if not found:
        return text
    out = text
    for match in sorted(rng.sample(found, min(len(found), rng.randint(1, 8))), key=lambda m: -m.start()):
        group = 1 if match.group(1) is not None else 2
        out = out[: match.start(group)] + rng.choice(ODD_LINKS) + out[match.end(group) :]
    return out


LABELS = (
    "Initial Complaint",
    "Business Response",
    "Customer Answer",
    "Date:",
    "Type:",
    "Status:",
    "Complaint:",
    "Updated by",
    "'s reply",
    "Complaint marked as",
    "Comments",
    "found this helpful",
    "photos",
    "Address:",
    "Complaints",
    "Resolved",
    "Unresolved",
    "More info",
    "Complaint statuses",
)


def labels(rng: random.Random, text: str) -> str:
    out = text
    for _ in range(rng.randint(1, 6)):
        label = rng.choice(LABELS)
        other = rng.choice((*LABELS, "", label * 3, label + "Date:", "\n", "Date: 13/45/2023", "Date: 02/30/0000"))
        spots = [m.start() for m in re.finditer(re.escape(label), out)]
        if spots:
            at = rng.choice(spots)
            out = out[:at] + other + out[at + len(label) :]
        else:
            out = _insert(rng, out, f"<p>{label}</p>")
    return out


def text_flood(rng: random.Random, text: str) -> str:
    """Complaint texts only: masks, PII and white space in bulk."""
    unit = rng.choice(
        (
            "*",
            "** ",
            "*****",
            "REMOVED",
            "REMOVEDREMOVED ",
            "[protected]",
            "[censored]",
            "XXXX ",
            "XX/XX/XXXX ",
            "9",
            "98765 43210 ",
            "+91 ",
            "4111 1111 1111 1111 ",
            "a@b.co ",
            "f*ck ",
            "*a* ",
            "**bold** ",
            "\u200b",
            " ",
            "\n",
            "İ",
            "\x00",
            "\ud800",
            "case number 9876543210 ",
        )
    )
    # 10 MB texts come from huge_node mutants of pages; a 10 MB flood of masks takes seconds (see prepare()).
    size = rng.choices((10, 1000, 100_000, 1_000_000), (30, 30, 10, 2))[0]
    at = rng.randrange(len(text) + 1)
    return text[:at] + unit * max(1, size // len(unit)) + text[at:]


# Mutators by the seeds they apply to, with weights: the huge ones are rare, as each costs ~100 ms or more.
HTML_MUTATORS: dict[str, tuple[Mutator, float]] = {
    "truncate": (truncate, 10),
    "delete_element": (delete_element, 12),
    "duplicate_element": (duplicate_element, 8),
    "odd_unicode": (odd_unicode, 10),
    "deep_nesting": (deep_nesting, 8),
    "huge_node": (huge_node, 0.4),
    "wrong_encoding": (wrong_encoding, 6),
    "broken_json": (broken_json, 6),
    "broken_markup": (broken_markup, 10),
    "numbers": (numbers, 5),
    "links": (links, 5),
    "labels": (labels, 8),
}
JSON_MUTATORS: dict[str, tuple[Mutator, float]] = {
    "truncate": (truncate, 5),
    "odd_unicode": (odd_unicode, 5),
    "broken_json": (broken_json, 20),
    "numbers": (numbers, 5),
    "wrong_encoding": (wrong_encoding, 3),
}
SITEMAP_MUTATORS: dict[str, tuple[Mutator, float]] = {
    "truncate": (truncate, 5),
    "odd_unicode": (odd_unicode, 5),
    "duplicate_element": (duplicate_element, 3),
    "delete_element": (delete_element, 3),
    "numbers": (numbers, 3),
    "wrong_encoding": (wrong_encoding, 3),
    "links": (links, 5),
}
TEXT_MUTATORS: dict[str, tuple[Mutator, float]] = {
    "truncate": (truncate, 3),
    "odd_unicode": (odd_unicode, 8),
    "numbers": (numbers, 4),
    "text_flood": (text_flood, 8),
}
MUTATORS_BY_KIND = {
    **dict.fromkeys(HTML_KINDS, HTML_MUTATORS),
    "search": JSON_MUTATORS,
    "sitemap": SITEMAP_MUTATORS,
    "text": TEXT_MUTATORS,
}
# How often each kind of seed is drawn: pages are what the parsers read most.
SEED_WEIGHTS = {"bbb": 8, "consumercomplaints": 8, "complaintsboard": 6, "search": 3, "sitemap": 1, "text": 4}


def mutants(count: int, seed: int = 0) -> Iterator[Mutant]:
    """`count` mutants, the same ones for the same `seed` everywhere."""
    rng = random.Random(seed)
    by_kind: dict[str, list[Seed]] = {}
    for item in seeds():
        by_kind.setdefault(item.kind, []).append(item)
    kinds = sorted(by_kind)
    weights = [SEED_WEIGHTS[kind] for kind in kinds]
    for number in range(count):
        origin = rng.choice(by_kind[rng.choices(kinds, weights)[0]])
        table = MUTATORS_BY_KIND[origin.kind]
        names = sorted(table)
        chosen = rng.choices(names, [table[name][1] for name in names], k=2 if rng.random() < 0.2 else 1)
        if "huge_node" in chosen or "text_flood" in chosen:
            chosen = chosen[:1]  # one huge thing per mutant is enough
        text = origin.text
        for name in chosen:
            text = table[name][0](rng, text)
        yield Mutant(number, origin, tuple(chosen), text)
