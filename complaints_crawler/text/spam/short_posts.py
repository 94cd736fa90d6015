"""Short-post evidence, for posts of 20-200 tokens where the page repetition rules cannot work: contact numbers
that are pasted again and again or sit beside call-to-action wording, messenger handles, links, phrases repeated
back to back and keyword chains ("SATTA MATKA | KALYAN MATKA | MATKA RESULT")."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from complaints_crawler.text.spam.helpline import HELPLINE_CUES, PROMOTION_CUES
from complaints_crawler.text.spam.tokens import fold, is_unspaced, tokens

# Phone numbers as spammers write them: "+1-(844)-524-6699", "{09932+80+5363}", "+1>855>750>6267", "(859)→689→81^64",
# "+1║888║693║8316", glued to the next word ("8617361391Amazon"): 8 to 15 digits, each gap up to 4 symbols or spaces
# (read after `number_text` has turned look-alike digits into digits).
# A number glued to the word before it counts only after contact words ("wrong number9123--892--436").
LOOSE_PHONE = re.compile(
    # (the look-ahead first: the look-behinds are tried only where a number starts)
    r"(?=[+({]?\d)(?:(?<![\w*])|(?<=number)|(?<=contact)|(?<=call)|(?<=no))[+({]?\d(?:[^\w\n]{0,4}\d){7,14}(?!\d)"
)
# Order, account and transaction numbers are digit runs that complainants quote ("订单号：1442083355", "order id
# 40512345678", "UTR 412345678901"): a number right after such a label is no phone number. Not "complaint",
# "booking" or "ticket": helpline adverts label their own numbers so ("Delta booking number +1-8…").
_REFERENCE_LABEL = re.compile(
    r"(?:订单号|订单|单号|运单|工单|编号|order|reference|ref|transaction|txn|tracking|awb"
    r"|invoice|account|a/c|utr|pnr|imei|serial|policy|srn|crn)"
    r"[^\w\n]{0,2}(?:no|nos|number|id|#|num|为)?[^\w\n]{0,3}$"
)
_REFERENCE_REACH = 24
# Dates are digit runs too.
_DATE = re.compile(r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?!\d)")
# Letters written for digits inside a number ("8OO IOO I4IO", "7O788926OI", "1-8oo"): O/o and I/i/l next to digits.
_LOOKALIKE = re.compile(r"(?<=[\d\W])[OoIil](?=[\dOoIil]*\d)|(?<=\d)[OoIil]+(?![a-z])")
_LOOKALIKE_DIGIT = str.maketrans("OoIil", "00111")
# Cyrillic letters written for digits ("█1 З 5-电-ЗЗ45"): a run of them standing apart from other letters.
_CYRILLIC_LOOKALIKE = re.compile(r"(?<![^\W\d])[ЗзОоб]+(?![^\W\d])")
_CYRILLIC_DIGIT = str.maketrans("ЗзОоб", "33006")
# Messenger and "call" wording also counts as a cue beside a number in a short post.
_MESSENGER_CUES = (
    "telegram",
    "wechat",
    "微信",
    "薇",
    "v信",
    "飞机",
    "qq",
    "zalo",
    "咨询",
    "电话",
    "liên hệ",
    "hotline",
    "lh ",
    "lh:",
)
# Support wording beside a number in a post: a complainant names the support line he called once; an
# advertisement puts its own number there, usually more than once or with a call to action.
_SUPPORT_CUES = (
    "customer support",
    "customer service",
    "support team",
    "support number",
    "support phone",
    "helpdesk",
    "help desk",
    "phone number",
)
# Calls to reach someone else, as testimonials and adverts end ("you can reach them on WhatsApp").
_REACH_CUES = ("whats-app", "call or text", "text or call", "call/text", "contact them", "reach them", "get in touch")
_NUMBER_CUES = (
    *HELPLINE_CUES,
    *PROMOTION_CUES,
    *_MESSENGER_CUES,
    *_SUPPORT_CUES,
    *_REACH_CUES,
    "call ",
    "wh@tsapp",
    "whatapp",
)
_PUSHY_CUES = (*PROMOTION_CUES, *_MESSENGER_CUES, *_REACH_CUES, "wh@tsapp", "whatapp")
_CUE_REACH = 60
_MAX_REPEATS = 3  # extra occurrences of one number that count

HANDLE = re.compile(
    # A messenger's name, then an ID: any handle after "ID"/号 or a colon, else a number or an @handle, with at most
    # a word ("number", "chat", "now") and a few symbols between ("WhatsApp Number →✬ 70788…", "Whatsapp Now :- ☎ 96…").
    # "WhatsApp and other apps", "WhatsApp messages" name the app.
    r"(?:whats\s?app|wh@tsapp|whatapp|telegram|wechat|微信|薇|v信|飞机|qq|zalo|skype)"
    r"(?:\s*(?:id\b|号)\s*[:：;]*\s*[@+a-z0-9_(]"
    r"|(?:\s*(?:number|no\.?|chat|now|us|me|username|contact)\b)?"
    r"(?:\s*[:：;]+[^\w\n]{0,4}[@+a-z0-9_(]|[^\w\n]{0,6}?[@+0-9(]))"
    r"|(?<![\w#/.])[wv]x\s*号?\s*[:：]\s*[a-z0-9_]"
    r"|t\.me/\w|@\s?(?:gmail|gmx|aol|yahoo|hotmail|outlook|protonmail)\s?\.\s?c\s?o\s?m"
)
LINK = re.compile(
    r"https?://[^\s)\]]+|www\.[^\s)\]]+"
    r"|(?<![\w@.])[a-z0-9][\w-]{1,40}\.(?:com|net|org|info|biz|win|one|vn|xyz|top|club|love|io|me|in|co|tv|ly|cx|cc)(?!\w)"
    # spelled out with spaces ("site . com"): only the common endings, "account. In" is a sentence
    r"|(?<![\w@.])[a-z0-9][\w-]{1,40}\s\.\s?(?:com|net|org)(?!\w)"
    r"|\.\s?c\so\sm(?!\w)"
)
_MASKS = {"xxxx", "xx", "protected", "censored", "removed"}


def number_text(text: str) -> str:
    """`text` with styled digits folded (NFKC: "𝟷 𝟾𝟼𝟹" and "１２３" become digits) and letters written for digits
    inside numbers turned into digits, for finding phone numbers; the same length when `text` is plain ASCII."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = _CYRILLIC_LOOKALIKE.sub(lambda m: m.group().translate(_CYRILLIC_DIGIT), text)
    return _LOOKALIKE.sub(lambda m: m.group().translate(_LOOKALIKE_DIGIT), text)


def phone_numbers(lowered: str) -> list[re.Match[str]]:
    """The phone numbers of `lowered` (a `number_text`): 8 to 15 digits, dates and labelled order, account and
    transaction numbers left out."""
    return [
        m
        for m in LOOSE_PHONE.finditer(lowered)
        if not _DATE.search(m.group())
        and not _REFERENCE_LABEL.search(lowered, max(m.start() - _REFERENCE_REACH, 0), m.start())
    ]


def contact_numbers(lowered: str) -> tuple[float, str]:
    """Per phone number: 1 with helpline, messenger or "call" wording within _CUE_REACH characters, 1 more with
    promotion or messenger wording; and 1 for each repeat of a number already seen (at most _MAX_REPEATS).
    `lowered` is a `number_text`."""
    hits = 0
    seen: Counter[str] = Counter()
    first = ""
    for match in phone_numbers(lowered):
        # The last 10 digits: the same number with or without its trunk 0 or country code (as number_prominence)
        digits = re.sub(r"\D", "", match.group())[-10:]
        seen[digits] += 1
        first = first or match.group().strip()
        around = fold(lowered[max(match.start() - _CUE_REACH, 0) : match.end() + _CUE_REACH])
        hits += any(cue in around for cue in _NUMBER_CUES) + any(cue in around for cue in _PUSHY_CUES)
    repeats = min(sum(count - 1 for count in seen.values()), _MAX_REPEATS)
    return float(hits + repeats), first


def number_prominence(lowered: str) -> tuple[float, str]:
    """How often the most repeated phone number occurs: a helpline advertisement pastes its number into every
    sentence; a complainant quotes a number once or twice. `lowered` is a `number_text`."""
    seen = Counter(re.sub(r"\D", "", m.group())[-10:] for m in phone_numbers(lowered))
    if not seen:
        return 0.0, ""
    number, count = seen.most_common(1)[0]
    return float(count), number


# Decorations of advertisements: styled letters and digits (𝐇𝐀̀𝐍𝐆, 𝟷), trademark signs next to brand names,
# arrows, math operators, box drawing, stars and telephones (emoji, which complainants use too, are not counted).
_DECORATION = re.compile(
    "[\U0001d400-\U0001d7ff\u00ae\u2122\u2117\u00a9\u2190-\u21ff\u2200-\u22ff\u2500-\u257f\u2605\u2606"
    "\u260e\u260f\u27e6-\u27ef\u2b05-\u2b07\u3010\u3011\u2726-\u274b]"
)


def decoration(text: str) -> tuple[float, str]:
    """Decorative characters (see _DECORATION) in `text`, and the first few."""
    if text.isascii():
        return 0.0, ""
    found = _DECORATION.findall(text)
    return float(len(found)), "".join(found[:6])


def contact_handles(lowered: str) -> tuple[float, str]:
    found = [" ".join(m.group().split()) for m in HANDLE.finditer(lowered)]
    return float(len(set(found))), found[0] if found else ""


def links(lowered: str, matches: Sequence[str] | None = None) -> tuple[float, str]:
    """Distinct link targets: URLs, bare domains, domains spelled out with spaces. `matches` are the LINK matches
    of `lowered` when the caller has them."""
    matches = LINK.findall(lowered) if matches is None else matches
    found = sorted({re.sub(r"\s", "", m).rstrip(".,") for m in matches})
    return float(len(found)), ", ".join(found[:3])


def repeated_phrases(lowered: str, all_words: Sequence[str] | None = None) -> tuple[float, str]:
    """Share of the tokens inside a phrase (3 words, or 6 Chinese characters) that occurs 3 times or more: a
    number or slogan pasted after every sentence. Masks ("XXXX", "[protected]") are left out first. `all_words`
    are `tokens(lowered)` when the caller has them."""
    words = [t for t in (tokens(lowered) if all_words is None else all_words) if t not in _MASKS]
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


# Premium-rate SMS offers: "text PLAY to 85222", "150p/msg", "£1.50/wk", "win £1000". (Not "T&Cs", "18+", "opt
# out" or "$9.99/month": complaints quote those of the services they were billed for.)
_SMS_OFFER = re.compile(
    r"(?=[tsrw\d£$€])"  # where an offer can start: the scan skips other places at once
    r"(?:\b(?:text|txt|send|reply|sms)\s+(?:\W?\w+\W?\s+){0,2}to\s+\d{5,6}\b"
    r"|\d+\s?p\s?(?:/|per\s?)\s?(?:min|msg|minute|message|wk|week|txt|sms)"
    r"|\d+p\s?pm\b|[£$€]\s?\d+(?:\.\d\d)?\s?(?:/|per\s)\s?(?:min|msg|wk|week|txt)"
    r"|\bstop\s+to\s+\d{4,6}\b"
    r"|\b(?:win|won)\s+(?:a\s+|up\s+to\s+|over\s+)?[£$€]\s?\d)"
)


def sms_offer(lowered: str) -> tuple[float, str]:
    """Distinct marks of premium-rate SMS offers in `lowered`: short codes to text, prices per message or week, cash
    prizes."""
    found = sorted({" ".join(m.group().split()) for m in _SMS_OFFER.finditer(lowered)})
    return float(len(found)), ", ".join(found[:3])


def link_share(lowered: str, matches: Sequence[str] | None = None) -> tuple[float, str]:
    """Share of the post's non-space characters inside links: a post that is mostly a link advertises it; a
    complaint quotes a link beside its account of what happened. `matches` as for `links`."""
    matches = LINK.findall(lowered) if matches is None else matches
    if not matches:
        return 0.0, ""
    chars = len(lowered) - sum(map(lowered.count, " \n\t"))
    return sum(len(m) for m in matches) / chars, matches[0][:60]


# Vietnamese keyword chains of doorway pages, lines run together without spaces ("nhà cái uy tínbảng xếp hạng",
# "2023bảng"): a Vietnamese syllable ends after its vowels and final consonants, so a word with a letter only
# Vietnamese writes (ả, ư, đ: not the é or ã of Spanish, French or Portuguese) in which vowels follow consonants
# that follow vowels ("tínbảng", "hũđá") is two syllables glued; so is a digit glued to such a letter ("3bảng";
# not "100.000đ", a price).
_VI_VOWELS = "aeiouyàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_VI_ONLY = "ảạăằắẳẵặầấẩẫậẻẽẹềếểễệỉĩịỏọồốổỗộơờớởỡợủũụưừứửữựỳỷỹỵ"
_VI_CONSONANTS = "bcdđghklmnpqrstvx"
_GLUED_SYLLABLES = re.compile(
    rf"(?=[^\W\d_]*[{_VI_ONLY}đ])[{_VI_CONSONANTS}]*[{_VI_VOWELS}]+[{_VI_CONSONANTS}]+[{_VI_VOWELS}][^\W\d_]*"
)
_VI_LETTER = re.compile(f"[{_VI_ONLY}đ]")
_GLUED_DIGIT = re.compile(rf"\d[{_VI_CONSONANTS}]*[{_VI_ONLY}]|[{_VI_ONLY}][^\W\d_]*\d")


def glued_words(lowered: str, words: Sequence[str]) -> tuple[float, str]:
    """Share of the tokens (`words`, the tokens of `lowered`) that are Vietnamese syllables glued together or to
    digits, and the first few."""
    if lowered.isascii() or not words or not _VI_LETTER.search(lowered):  # no Vietnamese: one C-speed pass
        return 0.0, ""
    # (three letters at least: one-character tokens, every Chinese character, are never tried)
    found = [w for w in words if len(w) > 2 and not w.isascii() and _GLUED_SYLLABLES.fullmatch(w)]
    found += _GLUED_DIGIT.findall(lowered)
    return len(found) / len(words), ", ".join(found[:3])
