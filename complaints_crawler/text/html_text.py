"""Render an HTML element as the text a browser shows.

Block elements and `<br>` become line breaks, inline elements stay inline (a mask blurred in a
`<span>` inside a word stays inside the word), comments (React's `<!-- -->`) vanish, `&nbsp;` is a
space, runs of spaces fold, and blank lines between paragraphs survive as one empty line.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html
from lxml.etree import ParserError, _Comment, _Element, _ProcessingInstruction

BLOCK_TAGS = frozenset(
    """address article aside blockquote dd details dialog div dl dt fieldset figcaption figure footer
    form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody thead tfoot tr td th
    ul body html""".split()
)
PARAGRAPH_TAGS = frozenset({"p", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "input", "select", "textarea"})

# Line breaks requested by markup, resolved once the whole element is walked.
_BREAK = "\x00"  # a block boundary
_PARAGRAPH = "\x01"  # a paragraph boundary
_BR = "\x02"  # one <br>; two in a row make a paragraph break


def parse_html(html: str | bytes) -> _Element:
    """The document's root; an empty one for a body with no markup at all (blank, or comments only)."""
    if isinstance(html, str) and html.lstrip().startswith("<?xml"):
        # XHTML: the text is decoded already, and lxml refuses a str that declares an encoding.
        html = html[html.index("?>") + 2 :]
    try:
        return lxml_html.fromstring(html)
    except ParserError:  # lxml: "Document is empty"
        return lxml_html.fromstring("<html></html>")


def element_text(element: _Element) -> str:
    """The visible text of `element`, lines separated by "\\n", paragraphs by a blank line."""
    parts: list[str] = []
    _walk(element, parts)
    return _finish("".join(parts))


def element_lines(element: _Element) -> list[str]:
    """The non-empty visible lines of `element`."""
    return [line for line in element_text(element).split("\n") if line.strip()]


def _walk(node: _Element, parts: list[str]) -> None:
    if isinstance(node, (_Comment, _ProcessingInstruction)):
        return
    tag = node.tag.lower() if isinstance(node.tag, str) else ""
    if tag in SKIPPED_TAGS or node.get("hidden") is not None:
        return
    if tag == "br":
        parts.append(_BR)
        return
    boundary = _PARAGRAPH if tag in PARAGRAPH_TAGS else _BREAK if tag in BLOCK_TAGS else ""
    parts.append(boundary)
    if node.text:
        parts.append(node.text if tag != "pre" else node.text.replace("\n", _BR))
    for child in node:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    parts.append(boundary)


_SPACES = re.compile(r"[ \t\r\n\f\u00a0\u200b]+")
_MARKS = re.compile(r"[\x00\x01\x02]+")
_SPACE_RUN = re.compile("  +")


def _finish(raw: str) -> str:
    # Source newlines are layout, not text: fold them with other white space first.
    if "\u200b" in raw:  # a lone zero-width space vanishes; in a run of white space, the run is one space
        raw = _SPACES.sub(lambda m: " " if m.group() != "\u200b" else "", raw)
    else:  # the same folding without a Python call per run
        raw = _SPACE_RUN.sub(" ", raw.replace("\n", " ").replace("\t", " ").replace("\r", " ").replace("\f", " ").replace("\u00a0", " "))

    def _break(match: re.Match[str]) -> str:
        run = match.group()
        return "\n\n" if _PARAGRAPH in run or run.count(_BR) >= 2 else "\n"

    text = _MARKS.sub(_break, raw)
    lines = [line.strip() for line in text.split("\n")]
    # Collapse runs of blank lines into one; drop blank lines at both ends.
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
