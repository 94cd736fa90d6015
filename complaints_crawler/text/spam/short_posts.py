"""Short-post evidence, for posts of 20-200 tokens where the page repetition rules cannot work: contact numbers
that are pasted again and again or sit beside call-to-action wording, messenger handles, links, phrases repeated
back to back and keyword chains ("SATTA MATKA | KALYAN MATKA | MATKA RESULT")."""

from __future__ import annotations

import re
from collections import Counter

from complaints_crawler.text.spam.helpline import HELPLINE_CUES, PROMOTION_CUES
from complaints_crawler.text.spam.tokens import fold, is_unspaced, tokens

# Phone numbers as spammers write them: "+1-(844)-524-6699", "{09932+80+5363}", "+1>855>750>6267",
# "91/-7044-649-138", glued to the next word ("8617361391Amazon"). 8 to 15 digits.
LOOSE_PHONE = re.compile(r"(?<![\w*])[+({]?\d[\d \-().+/,>{}]{6,22}\d(?!\d)")
# Messenger and "call" wording also counts as a cue beside a number in a short post.
_MESSENGER_CUES = ("telegram", "wechat", "微信", "薇", "v信", "飞机", "qq", "zalo", "咨询", "电话", "liên hệ", "hotline")
_NUMBER_CUES = (*HELPLINE_CUES, *PROMOTION_CUES, *_MESSENGER_CUES, "call ", "wh@tsapp", "whatapp")
_PUSHY_CUES = (*PROMOTION_CUES, *_MESSENGER_CUES, "wh@tsapp", "whatapp")
_CUE_REACH = 60
_MAX_REPEATS = 3  # extra occurrences of one number that count

HANDLE = re.compile(
    r"(?:whats\s?app|wh@tsapp|whatapp|telegram|wechat|微信|薇|v信|飞机|qq|zalo|skype)\s*(?:number|id|no)?\s*[:：;@]*\s*[@+\w(]"
    r"|t\.me/\w|@\s?(?:gmail|gmx|aol|yahoo|hotmail|outlook|protonmail)\s?\.\s?c\s?o\s?m"
)
LINK = re.compile(
    r"https?://[^\s)\]]+|www\.[^\s)\]]+"
    r"|(?<![\w@.])[a-z0-9][\w-]{1,40}\s?\.\s?(?:com|net|org|info|biz|win|one|vn|xyz|top|club|love|io|me|in|co|tv|ly|cx|cc)(?!\w)"
    r"|\.\s?c\so\sm(?!\w)"
)
_MASKS = {"xxxx", "xx", "protected", "censored", "removed"}


def contact_numbers(lowered: str) -> tuple[float, str]:
    """Per phone number: 1 with helpline, messenger or "call" wording within _CUE_REACH characters, 1 more with
    promotion or messenger wording; and 1 for each repeat of a number already seen (at most _MAX_REPEATS)."""
    hits = 0
    seen: Counter[str] = Counter()
    first = ""
    for match in LOOSE_PHONE.finditer(lowered):
        digits = re.sub(r"\D", "", match.group())
        if not 8 <= len(digits) <= 15:
            continue
        seen[digits] += 1
        first = first or match.group().strip()
        around = fold(lowered[max(match.start() - _CUE_REACH, 0) : match.end() + _CUE_REACH])
        hits += any(cue in around for cue in _NUMBER_CUES) + any(cue in around for cue in _PUSHY_CUES)
    repeats = min(sum(count - 1 for count in seen.values()), _MAX_REPEATS)
    return float(hits + repeats), first


def contact_handles(lowered: str) -> tuple[float, str]:
    found = [" ".join(m.group().split()) for m in HANDLE.finditer(lowered)]
    return float(len(set(found))), found[0] if found else ""


def links(lowered: str) -> tuple[float, str]:
    """Distinct link targets: URLs, bare domains, domains spelled out with spaces."""
    found = sorted({re.sub(r"\s", "", m.group()).rstrip(".,") for m in LINK.finditer(lowered)})
    return float(len(found)), ", ".join(found[:3])


def repeated_phrases(lowered: str) -> tuple[float, str]:
    """Share of the tokens inside a phrase (3 words, or 6 Chinese characters) that occurs 3 times or more: a
    number or slogan pasted after every sentence. Masks ("XXXX", "[protected]") are left out first."""
    words = [t for t in tokens(lowered) if t not in _MASKS]
    n = 6 if is_unspaced(lowered, words) else 3
    if len(words) < 4 * n:  # "please help sir please help sir please help sir" is a plea, not a slogan
        return 0.0, ""
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    counts = Counter(grams)
    covered: set[int] = set()
    for i, gram in enumerate(grams):
        if counts[gram] >= 3:
            covered.update(range(i, i + n))
    if not covered:
        return 0.0, ""
    top = max(counts, key=counts.__getitem__)
    return len(covered) / len(words), ("" if n == 6 else " ").join(top)


def keyword_chain(text: str) -> tuple[float, str]:
    """Keywords strung together with pipes: the number of " | " separators."""
    pipes = text.count("|")
    return float(pipes), text[: text.find("|")].strip()[-40:] if pipes else ""
