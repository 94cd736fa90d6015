"""Words that have no place in a consumer complaint, per language, and the calls to action that sell them.

A complaint names what went wrong with a purchase; spam sells something (a casino, a loan app, a "recovery
hacker", a prize) and tells the reader what to do next (register, call, message on WhatsApp). Terms are
lower-case phrases, matched as whole words in spaced scripts and as substrings in Chinese. They were chosen from
what such spam sells in general (the issue's list: gambling, lottery, replica goods, escort, loans, crypto
recovery), not from the held-out corpus. A complaint about a gambling app or a loan names one or two of these
terms; only several of them, or one with other evidence, make a post spam.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

TOPICS: Mapping[str, tuple[str, ...]] = {
    "gambling": (
        "casino", "online casino", "betting site", "online betting", "sportsbook", "bookmaker", "jackpot",
        "slot game", "slot games", "free spins", "baccarat", "satta", "matka", "satta king", "kalyan", "jodi",
        "博彩", "赌场", "娱乐城", "彩金", "百家乐", "网赌", "赌博", "真人娱乐", "体育投注", "棋牌", "老虎机", "上分",
        "下分", "反水", "出款", "首存", "nhà cái", "cá cược", "cá độ", "nổ hũ", "tài xỉu", "game bài", "đổi thưởng",
        "xổ số", "lô đề", "soi cầu", "kèo", "सट्टा", "मटका", "जुआ", "कैसीनो",
    ),
    "prize": (
        "you have won", "you've won", "you have been selected", "winner", "prize", "cash prize", "bonus prize",
        "claim code", "lucky draw", "lottery", "guaranteed", "中奖", "抽奖", "trúng thưởng", "nhận thưởng",
        "लॉटरी", "इनाम",
    ),
    "loans": (
        "instant loan", "loan app", "quick loan", "instant approval", "apply loan online", "without documents",
        "minimal documentation", "no credit check", "贷款", "网贷", "借款", "vay tiền", "vay nhanh",
    ),
    "crypto recovery": (
        "recovery hacker", "hacker recovery", "hackers recovery", "crypto recovery", "bitcoin recovery",
        "recovery expert", "recovery service", "funds recovery", "hire a hacker", "recover lost", "recover my lost",
        "recover stolen", "lost crypto", "stolen crypto", "usdt",
    ),
    "adult": ("escort", "call girl", "call girls", "hookup", "sexy", "xxx", "约炮", "外围", "上门服务", "gái gọi"),
    "counterfeit": (
        "replica", "fake id", "fake passport", "代开发票", "开发票", "发票代开", "办证", "高仿", "假证", "hàng fake",
    ),
    "self-promotion": (
        "check out my", "subscribe to my", "my channel", "my new channel", "my youtube", "my video", "follow me",
        "visit my", "like and subscribe", "subscribe to me", "check my channel",
    ),
}

CALLS_TO_ACTION: tuple[str, ...] = (
    "call now", "call us", "click here", "click the link", "register now", "sign up", "join now", "join us",
    "order now", "act now", "don't miss", "limited time", "free entry", "to claim", "claim now", "claim your",
    "txt", "reply stop", "send stop", "reply yes", "visit our", "visit us", "contact them", "reach out to them",
    "reach them", "you can reach", "contact us on", "download the app", "official site", "official website",
    "24/7", "24x7", "24*7", "100%",
    "注册", "开户", "官网", "点击", "立即", "咨询", "优惠", "送金", "备用网址",
    "đăng ký", "truy cập", "tham gia ngay", "khuyến mãi", "ưu đãi", "nhận ngay", "link vào", "liên hệ",
    "क्लिक करें", "अभी", "संपर्क करें", "कॉल करें",
)

_CJK = re.compile("[\u3400-\u9fff]")


def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation, longest terms first; Latin-script terms only as whole words (not "slot" in "slots" or
    "prize" in "prized" ... but "prize" in "prizes" is fine: a plural needs no exception here)."""
    parts = []
    for term in sorted(set(terms), key=len, reverse=True):
        body = re.escape(term).replace(r"\ ", r"\s+")
        parts.append(body if _CJK.search(term) else rf"(?<!\w){body}(?!\w)")
    return re.compile("|".join(parts))


_TOPIC_PATTERNS = {category: _pattern(terms) for category, terms in TOPICS.items()}
_CALL_PATTERN = _pattern(CALLS_TO_ACTION)


def topic_terms(lowered: str) -> tuple[float, str]:
    """Distinct off-topic terms in the lower-cased text, and the category holding most of them with its terms."""
    found = {category: sorted({m.group() for m in pattern.finditer(lowered)}) for category, pattern in _TOPIC_PATTERNS.items()}
    total = sum(map(len, found.values()))
    if not total:
        return 0.0, ""
    category = max(found, key=lambda c: len(found[c]))
    return float(total), f"{category}: {', '.join(found[category][:4])}"


def calls_to_action(lowered: str) -> tuple[float, str]:
    terms = sorted({" ".join(m.group().split()) for m in _CALL_PATTERN.finditer(lowered)})
    return float(len(terms)), ", ".join(terms[:4])
