"""Helpline spam: phone numbers beside "customer care" wording, and numbers pasted again and again."""

from __future__ import annotations

import re

from complaints_crawler.text.spam.tokens import fold

# The look-behind follows the first character so the scan can skip ahead to candidate characters.
PHONE = re.compile(r"[+(\d](?<![\w*].)[\d \-().]{6,16}\d(?![\w*])")
# Lower-case, with runs of white space folded to one space. Complainants name a helpline too ...
HELPLINE_CUES = (
    "customer care",
    "customer support number",
    "customer service number",
    "helpline",
    "help line",
    "toll free",
    "toll-free",
    "tollfree",
    "contact number",
    "contact no",
    "refund number",
    "हेल्पलाइन",
    "कस्टमर केयर",
    "टोल फ्री",
)
# ... but they do not advertise it: a number next to one of these counts twice.
PROMOTION_CUES = (
    "call now",
    "call us",
    "call @",
    "call kare",
    "call karo",
    "dial ",
    "contact now",
    "whatsapp",
    "whats app",
    "24x7",
    "24*7",
    "24/7",
    "official",
    "कॉल करें",
    "संपर्क करें",
)
_CUE_REACH = 60  # characters either side of a number that may hold its cue


def helpline_numbers(text: str) -> float:
    """Phone numbers (8+ digits) with helpline wording within _CUE_REACH characters, a number with
    call-to-action wording counting twice. `text` is lower-case. (No test for cues in the whole text
    first: the folded text around a number is part of the folded text, so a page without cues has no hits,
    and looking for the numbers costs less than folding the page and looking for every cue.)"""
    hits = 0
    for match in PHONE.finditer(text):
        if sum(map(str.isdigit, match.group())) >= 8:
            around = fold(text[max(match.start() - _CUE_REACH, 0) : match.end() + _CUE_REACH])
            hits += any(cue in around for cue in _ALL_CUES) + any(cue in around for cue in PROMOTION_CUES)
    return float(hits)


_ALL_CUES = HELPLINE_CUES + PROMOTION_CUES
