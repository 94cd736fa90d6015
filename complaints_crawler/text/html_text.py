"""Read a page into an lxml tree, and render an element as the text a browser shows.

Block elements and `<br>` become line breaks, inline elements stay inline (a mask blurred in a
`<span>` inside a word stays inside the word), comments (React's `<!-- -->`) vanish, `&nbsp;` is a
space, runs of spaces fold, and blank lines between paragraphs survive as one empty line.

Reading never raises: whatever arrives gives a tree, and `read_html` says when part of the page could not
be read (so a parser reports lost cards instead of a page that looks empty or short).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import html as lxml_html
from lxml.etree import ParserError, _Comment, _Element, _ProcessingInstruction

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "ul",
        "body",
        "html",
    }
)
PARAGRAPH_TAGS = frozenset({"p", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "input", "select", "textarea"})

# Line breaks requested by markup, resolved once the whole element is walked.
_BREAK = "\x00"  # a block boundary
_PARAGRAPH = "\x01"  # a paragraph boundary
_BR = "\x02"  # one <br>; two in a row make a paragraph break

_NUL_SHARE = 0.2  # UTF-16 of ASCII markup read as one byte a character is 50% NUL
_SURROGATE = re.compile("[\ud800-\udfff]")
_BOM = "\ufeff"
_LEADING_SPACE = " \t\r\n\f"
_DEPTH_ERROR = "Excessive depth in document"
_ENCODING_ERROR = "ERR_INVALID_ENCODING"


@dataclass(frozen=True)
class Document:
    root: _Element
    problem: str | None = None  # one line: why part of the page was not read (None: all of it was)


def _empty_root() -> _Element:
    return lxml_html.fromstring("<html></html>")


def read_html(html: str | bytes) -> Document:
    """The document's root, and what kept part of it from being read.

    A body with no markup at all (blank, or comments only) is an empty document, not a problem. lxml reads
    huge text nodes and nesting up to 2048 levels (`huge_tree`); deeper nesting ends its reading there.
    """
    wide = _wide_text(html) if isinstance(html, str) else None
    if isinstance(html, str):
        html = _readable(html)
    try:
        root, parser = _parse(html)
        if isinstance(html, str) and _ENCODING_ERROR in _fatal_errors(parser):
            # lxml stops at a lone surrogate (valid in a str, not in any encoding); rare, so looked for
            # only when lxml has stopped for it.
            root, parser = _parse(_SURROGATE.sub("\ufffd", html))
    except ParserError:  # lxml: "Document is empty"
        return Document(_empty_root(), wide)
    except Exception as error:  # lxml has more ways to refuse a text; none may cost the page silently
        why = " ".join(str(error).split())
        return Document(_empty_root(), f"lxml could not read the page: {type(error).__name__}: {why}")
    return Document(root, wide or _stopped(parser))


def mostly_nul(html: str) -> bool:
    """A page this much NUL is (partly) UTF-16 decoded with a one-byte charset: that markup is text to lxml."""
    return "\x00" in html and html.count("\x00") >= _NUL_SHARE * len(html)  # a few stray NULs are read as U+FFFD


def _wide_text(html: str) -> str | None:
    if not mostly_nul(html):
        return None
    nuls = html.count("\x00")
    return (
        f"page text is {round(100 * nuls / len(html))}% NUL characters (UTF-16 read with a one-byte "
        "charset?): that part of the page cannot be read"
    )


def _parse(html: str | bytes) -> tuple[_Element, lxml_html.HTMLParser]:
    parser = lxml_html.HTMLParser(huge_tree=True)  # one per call: its error log is this page's alone
    return lxml_html.fromstring(html, parser=parser), parser


def _readable(html: str) -> str:
    """`html` as lxml can take it: no leading byte-order mark, no XML declaration."""
    if html.startswith(_BOM):
        html = html.lstrip(_BOM)  # else lxml reads a whole page as a fragment and drops its <head>
    if html.lstrip(_LEADING_SPACE).startswith("<?xml"):
        # XHTML: the text is decoded already, and lxml refuses a str that declares an encoding. The
        # declaration ends at its first ">", as in a browser (a missing "?>" included).
        end = html.find(">")
        html = html[end + 1 :] if end >= 0 else ""
    return html


def _fatal_errors(parser: lxml_html.HTMLParser) -> list[str]:
    return [entry.type_name for entry in parser.error_log if entry.level_name == "FATAL"]


def _stopped(parser: lxml_html.HTMLParser) -> str | None:
    """Why lxml stopped before the end of the page (a fatal error in its log), or None."""
    for entry in parser.error_log:
        if entry.level_name != "FATAL":
            continue
        if entry.message.startswith(_DEPTH_ERROR):
            return "document nesting deeper than lxml reads (2048 levels): the page after that point was not read"
        return f"lxml stopped reading the page: {' '.join(entry.message.split())}"
    return None


def parse_html(html: str | bytes) -> _Element:
    """The document's root; an empty one for a body with no markup at all (blank, or comments only)."""
    return read_html(html).root


def element_text(element: _Element) -> str:
    """The visible text of `element`, lines separated by "\\n", paragraphs by a blank line."""
    parts: list[str] = []
    _walk(element, parts)
    return _finish("".join(parts))


def element_lines(element: _Element) -> list[str]:
    """The non-empty visible lines of `element`."""
    return [line for line in element_text(element).split("\n") if line.strip()]


_NOT_TEXT = (_Comment, _ProcessingInstruction)
_BOUNDARY = {**dict.fromkeys(BLOCK_TAGS, _BREAK), **dict.fromkeys(PARAGRAPH_TAGS, _PARAGRAPH)}


def _walk(root: _Element, parts: list[str]) -> None:
    # A loop with its own stack, not recursion: lxml keeps 2048 levels of nesting, Python's stack fewer.
    append = parts.append
    stack: list[tuple[_Element | None, str, Iterator[_Element]]] = []
    node: _Element | None = None
    boundary = ""
    children: Iterator[_Element] = iter((root,))
    while True:
        for child in children:
            if isinstance(child, _NOT_TEXT):
                pass
            else:
                tag = child.tag.lower() if isinstance(child.tag, str) else ""
                if tag == "br":
                    append(_BR)
                elif tag not in SKIPPED_TAGS and child.get("hidden") is None:
                    stack.append((node, boundary, children))
                    node, boundary, children = child, _BOUNDARY.get(tag, ""), iter(child)
                    append(boundary)
                    if child.text:
                        append(child.text if tag != "pre" else child.text.replace("\n", _BR))
                    break
            if child.tail and stack:  # the root's own tail is not its text
                append(child.tail)
        else:  # `node` is done
            if not stack:
                return
            append(boundary)
            tail = node.tail if node is not None else None
            node, boundary, children = stack.pop()
            if tail and stack:
                append(tail)


_SPACES = re.compile(r"[ \t\r\n\f\u00a0\u200b]+")
_MARKS = re.compile(r"[\x00\x01\x02]+")
_SPACE_RUN = re.compile("  +")


def _finish(raw: str) -> str:
    # Source newlines are layout, not text: fold them with other white space first.
    if "\u200b" in raw:  # a lone zero-width space vanishes; in a run of white space, the run is one space
        raw = _SPACES.sub(lambda m: " " if m.group() != "\u200b" else "", raw)
    else:  # the same folding without a Python call per run
        for space in "\n\t\r\f\u00a0":
            raw = raw.replace(space, " ")
        raw = _SPACE_RUN.sub(" ", raw)

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
