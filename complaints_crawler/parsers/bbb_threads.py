"""Read complaint threads from rendered text by their labels, not by markup.

Input is a list of text lines: one complaint card, or a whole flattened page holding many threads.
A thread is "Initial Complaint" (Date:, Type:, Status:, the complaint text) followed by entries, each
opened by an entry label ("Business Response", "Customer Answer", …) and its "Date:" line.

Flattened renderings glue a label to the text before it ("…controller?!?Business Response",
"Type:Product IssuesStatus:AnsweredMore info"); such labels are split off when a "Date:" follows, so
prose that merely ends with the words is left alone. Page chrome (the "Complaint statuses" definitions
popover, "More info", the profile footer) is dropped. Text is kept verbatim, masks included; only the
label lines themselves ("Date: …", "Complaint: N" heading an entry) are removed from entry texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from complaints_crawler.items import ResponseKind, Verdict

INITIAL_LABEL = "Initial Complaint"
# Entry labels and the kind they open; pass another mapping to read sites or layouts with more labels.
ENTRY_LABELS: Mapping[str, ResponseKind] = {
    "Business Response": ResponseKind.BUSINESS_RESPONSE,
    "Customer Answer": ResponseKind.CUSTOMER_ANSWER,
}

_BULLET = re.compile(r"^[•·‣◦▪–-]\s+")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_HEADER_FIELD = re.compile(r"^(Date|Type|Status):\s*(.*)$")
_TYPE_AND_STATUS = re.compile(r"^(?P<type>.*?)\s*Status:\s*(?P<status>.*)$")
_MORE_INFO = re.compile(r"\s*More info$")
_COMPLAINT_ID = re.compile(r"^Complaint:\s*(\S*)")
_STATUSES_HEADING = "Complaint statuses"
# The definitions block BBB renders inside every card ("- Resolved:" / "- The complainant verified…").
_STATUS_TERM = re.compile(r"^(?:Resolved|Unresolved|Answered|Unanswered|Unpursuable):")
_STATUS_DEFINITIONS = (
    "The complainant verified the issue",
    "The business responded to the dispute",
    "The business addressed the issues",
    "The business failed to respond",
    "BBB is unable to locate the business",
)
# Profile footer: everything from here on is page chrome, not the last entry's text.
_PAGE_END = re.compile(
    r"^(?:.+ is (?:NOT )?a BBB Accredited Business\.$|BBB Business Profiles (?:may not|are provided|generally))"
)
_REJECTED = re.compile(r"I am rejecting this response", re.I)
_ACCEPTED = re.compile(
    r"find that this resolution is satisfactory to me|I believe this complaint has been resolved to my satisfaction",
    re.I,
)


@dataclass(frozen=True)
class ThreadEntry:
    kind: ResponseKind
    posted_on: date | None
    text: str
    verdict: Verdict | None = None
    complaint_id: str | None = None  # from a "Complaint: N" line heading the entry (digits only)


@dataclass(frozen=True)
class Thread:
    filed_on: date | None
    complaint_type: str | None
    status: str | None
    text: str
    entries: tuple[ThreadEntry, ...] = ()

    @property
    def complaint_ids(self) -> list[str]:
        """Distinct complaint ids named by the entries, in order (a cross-check for the card id)."""
        return list(dict.fromkeys(e.complaint_id for e in self.entries if e.complaint_id))

    @property
    def complaint_id(self) -> str | None:
        ids = self.complaint_ids
        return ids[0] if ids else None


def parse_us_date(text: str) -> date | None:
    """The first MM/DD/YYYY date in `text`, or None."""
    match = _US_DATE.search(text)
    if not match:
        return None
    month, day, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- tokenizing: lines -> ("label", name) | ("line", text) --------------------------------------------


@dataclass(frozen=True)
class _Label:
    name: str


@lru_cache(maxsize=8)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(n) for n in sorted(labels, key=len, reverse=True))
    return re.compile(rf"^(?P<before>.*?)(?P<label>{names})(?P<after>(?:Date:.*)?)$")


def _next_text(lines: list[str], start: int) -> str:
    return next((line for line in lines[start:] if line), "")


def _tokens(lines: list[str], labels: list[str]) -> Iterator[str | _Label]:
    pattern = _label_pattern(tuple(labels))
    for i, line in enumerate(lines):
        # The substring test keeps the (slower) regex off the many lines holding no label.
        match = any(name in line for name in labels) and pattern.match(_BULLET.sub("", line))
        if not match:
            yield line
            continue
        before, label, after = match.group("before", "label", "after")
        # A label glued to text is only a label when its "Date:" follows.
        if (before or after) and not (after or _next_text(lines, i + 1).startswith("Date:")):
            yield line
            continue
        if before:
            yield before
        yield _Label(label)
        if after:
            yield after


# --- reading --------------------------------------------------------------------------------------------


@dataclass
class _EntryDraft:
    kind: ResponseKind
    posted_on: date | None = None
    complaint_id: str | None = None
    lines: list[str] = field(default_factory=list)

    def finish(self) -> ThreadEntry:
        text = _join(self.lines)
        verdict = _verdict(text) if self.kind is ResponseKind.CUSTOMER_ANSWER else None
        return ThreadEntry(self.kind, self.posted_on, text, verdict, self.complaint_id)


@dataclass
class _ThreadDraft:
    fields: dict[str, str] = field(default_factory=dict)
    pending: str | None = None  # a header label whose value is on the next line ("Status:" / "Resolved")
    in_header: bool = True
    in_statuses: bool = False
    lines: list[str] = field(default_factory=list)
    entries: list[_EntryDraft] = field(default_factory=list)

    def finish(self) -> Thread:
        return Thread(
            filed_on=parse_us_date(self.fields.get("Date", "")),
            complaint_type=self.fields.get("Type") or None,
            status=self.fields.get("Status") or None,
            text=_join(self.lines),
            entries=tuple(e.finish() for e in self.entries),
        )


def _verdict(text: str) -> Verdict | None:
    if _REJECTED.search(text):
        return Verdict.REJECTED
    if _ACCEPTED.search(text):
        return Verdict.ACCEPTED
    return None


def _join(lines: list[str]) -> str:
    """Lines as text: one blank line between paragraphs, none at either end."""
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _set_field(draft: _ThreadDraft, name: str, value: str) -> None:
    if name == "Type":
        both = _TYPE_AND_STATUS.match(value)
        if both:  # "Type:Product IssuesStatus:Answered"
            _set_field(draft, "Type", both.group("type"))
            _set_field(draft, "Status", both.group("status"))
            return
    value = _MORE_INFO.sub("", value).strip()
    draft.fields[name] = value
    draft.pending = None if value else name


def _is_status_chrome(line: str) -> bool:
    line = _BULLET.sub("", line)
    return bool(_STATUS_TERM.match(line)) or line.startswith(_STATUS_DEFINITIONS)


def _read_header_line(draft: _ThreadDraft, line: str) -> bool:
    """Consume one line of the complaint header; False when the complaint text starts here."""
    if not line or line == "More info":
        return True
    if line == _STATUSES_HEADING:
        draft.in_statuses = True
        return True
    if draft.in_statuses and _is_status_chrome(line):
        return True
    draft.in_statuses = False
    match = _HEADER_FIELD.match(line)
    if match:
        _set_field(draft, *match.groups())
        return True
    if draft.pending:
        _set_field(draft, draft.pending, line)
        return True
    return False


def _read_entry_line(entry: _EntryDraft, line: str) -> None:
    if not entry.lines:  # still in the entry's own header
        if not line:
            return
        if line.startswith("Date:") and entry.posted_on is None and parse_us_date(line):
            entry.posted_on = parse_us_date(line)
            return
        id_match = _COMPLAINT_ID.match(line)
        if id_match:
            entry.complaint_id = id_match.group(1) if id_match.group(1).isdigit() else entry.complaint_id
            return
    entry.lines.append(line)


def read_threads(
    lines: Iterable[str],
    entry_labels: Mapping[str, ResponseKind] = ENTRY_LABELS,
    implicit_start: bool = False,
) -> list[Thread]:
    """Every thread in `lines`, in order.

    Text before the first "Initial Complaint" is page preamble and ignored, unless `implicit_start` is
    set and no such label occurs at all: then the lines are one thread whose heading label is missing
    (a card whose markup renders the label as an icon).
    """
    clean = [line.strip() for line in lines]
    tokens = list(_tokens(clean, [INITIAL_LABEL, *entry_labels]))
    if implicit_start and not any(isinstance(t, _Label) and t.name == INITIAL_LABEL for t in tokens):
        tokens.insert(0, _Label(INITIAL_LABEL))

    threads: list[_ThreadDraft] = []
    current: _ThreadDraft | None = None
    for token in tokens:
        if isinstance(token, _Label):
            if token.name == INITIAL_LABEL:
                current = _ThreadDraft()
                threads.append(current)
            elif current is not None:
                current.in_header = False
                current.entries.append(_EntryDraft(entry_labels[token.name]))
            continue
        if current is None:
            continue
        if _PAGE_END.match(token):
            current = None  # footer: nothing more belongs to this thread
        elif current.entries:
            _read_entry_line(current.entries[-1], token)
        elif current.in_header and _read_header_line(current, token):
            continue
        else:
            current.in_header = False
            current.lines.append(token)
    return [t.finish() for t in threads]
