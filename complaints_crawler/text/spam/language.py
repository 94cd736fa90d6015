"""The language of a text against the languages its site is written in.

Most scripts name their language (Devanagari: Hindi, Han: Chinese, ...); language identification is only needed
for Latin letters with diacritics, where Vietnamese spam on an English board would otherwise pass. ASCII-only
Latin text is taken as English (Hinglish complaints are written that way, and identification would call them
Indonesian or Tagalog), unless common Vietnamese syllables make up a quarter of its words: Vietnamese typed without
diacritics, which read as English on a Vietnamese site and as nothing unusual on an English one. The detector
(lingua) is built once, on first use, for a few Latin-script languages.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from complaints_crawler.text.spam.tokens import scripts

SCRIPT_LANGUAGE = {
    "Devanagari": "hi",
    "Han": "zh",
    "Hiragana": "ja",
    "Katakana": "ja",
    "Hangul": "ko",
    "Bengali": "bn",
    "Tamil": "ta",
    "Arabic": "ar",
    "Cyrillic": "ru",
    "Thai": "th",
}
LATIN_LANGUAGES = (
    "ENGLISH",
    "VIETNAMESE",
    "SPANISH",
    "FRENCH",
    "GERMAN",
    "PORTUGUESE",
    "ITALIAN",
    "DUTCH",
    "POLISH",
    "TURKISH",
    "INDONESIAN",
    "ROMANIAN",
)
# Every byte but the ASCII letters, deleted to count those (UTF-8 multi-byte sequences hold no ASCII byte).
_NOT_ASCII_LETTER = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))
_WORD = re.compile(r"[a-z]+")
DETECT_CHARS = 1000  # identification reads the first this many characters: enough, and bounded
MIN_LATIN_LETTERS = 20  # fewer letters than this are not identified
MIN_DIACRITIC_SHARE = 0.02  # Latin text with fewer non-ASCII letters is English


def ascii_letters(text: str) -> int:
    """ASCII letters in `text` (as counting the matches of [A-Za-z], without building a list of them)."""
    return len(text.encode("utf-8", "surrogatepass").translate(None, _NOT_ASCII_LETTER))


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, name) for name in LATIN_LANGUAGES)).build()


# Vietnamese typed without diacritics is ASCII: common syllables of it that are no English words. Text where they
# are at least UNACCENTED_VI_SHARE of the words (English and Hinglish dev texts: at most 0.11) is Vietnamese.
_UNACCENTED_VI_WORDS = (
    "khong duoc nhung nhieu cua voi minh roi nguoi cung nay lam dung biet tren nhan giao mua tien nha dc sp da "
    "va ma gio xong len cac nhu hon qua khi den thay chua lai rat nen vay sao dau trong ngay hay bi vi ve ra "
    "vao nua luon muon cai chi em anh ban tot xau nhe cho duong them mot hai ba bao gia hang dep cam on"
)
_UNACCENTED_VI = frozenset(_UNACCENTED_VI_WORDS.split())
UNACCENTED_VI_SHARE = 0.25
MIN_UNACCENTED_WORDS = 8


def _unaccented_vietnamese(text: str) -> bool:
    words = _WORD.findall(text[:DETECT_CHARS].lower())
    return len(words) >= MIN_UNACCENTED_WORDS and sum(map(_UNACCENTED_VI.__contains__, words)) >= (
        UNACCENTED_VI_SHARE * len(words)
    )


def latin_language(text: str, latin_letters: int) -> str:
    """ISO 639-1 code of the Latin-script part of `text`, which has `latin_letters` Latin letters."""
    if latin_letters < MIN_LATIN_LETTERS:
        return "en"
    if text.isascii():
        return "vi" if _unaccented_vietnamese(text) else "en"
    accented = latin_letters - ascii_letters(text)
    if accented < MIN_DIACRITIC_SHARE * latin_letters:
        return "en"
    found = _detector().detect_language_of(text[:DETECT_CHARS])
    return str(found.iso_code_639_1.name).lower() if found is not None else "en"


def languages(text: str) -> dict[str, int]:
    """Letters per language."""
    out: dict[str, int] = {}
    for script, count in scripts(text).items():
        language = latin_language(text, count) if script == "Latin" else SCRIPT_LANGUAGE.get(script, script.lower())
        out[language] = out.get(language, 0) + count
    return out


def language_mismatch(text: str, expected: Collection[str]) -> tuple[float, str]:
    """Share of the letters in languages the site is not written in, and those languages."""
    letters = languages(text)
    total = sum(letters.values())
    if not total:
        return 0.0, ""
    unexpected = {language: n for language, n in letters.items() if language not in expected}
    return sum(unexpected.values()) / total, ", ".join(sorted(unexpected, key=lambda k: -unexpected[k]))
