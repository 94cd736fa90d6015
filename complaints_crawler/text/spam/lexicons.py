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
from collections.abc import Iterable, Mapping, Sequence

from complaints_crawler.text.spam.tokens import tokens

TOPICS: Mapping[str, tuple[str, ...]] = {
    "gambling": (
        "casino",
        "online casino",
        "betting site",
        "online betting",
        "sportsbook",
        "bookmaker",
        "jackpot",
        "slot game",
        "slot games",
        "free spins",
        "baccarat",
        "satta",
        "matka",
        "satta king",
        "kalyan",
        "jodi",
        "博彩",
        "赌场",
        "娱乐城",
        "彩金",
        "百家乐",
        "网赌",
        "赌博",
        "真人娱乐",
        "体育投注",
        "棋牌",
        "老虎机",
        "上分",
        "下分",
        "反水",
        "出款",
        "首存",
        "nhà cái",
        "cá cược",
        "cá độ",
        "nổ hũ",
        "tài xỉu",
        "game bài",
        "đổi thưởng",
        "xổ số",
        "lô đề",
        "soi cầu",
        "kèo",
        "सट्टा",
        "मटका",
        "जुआ",
        "कैसीनो",
        "satta king",
        "dpboss",
        "teen patti",
        "andar bahar",
        "aviator",
        "rummy",
        "real money",
        "betting app",
        "sports betting",
        "casino app",
        "sicbo",
        "bắn cá",
        "đá gà",
        "cược",
        "nạp rút",
        "百家乐",
        "娱乐城",
        "彩票",
        "下注",
        "博彩",
        "真人荷官",
        "सट्टा किंग",
        "जुआ खेल",
    ),
    "helpline bait": (
        "live person",
        "live agent",
        "live representative",
        "speak to a live",
        "talk to a live",
        "customer care number",
        "customer service number",
        "customer support number",
        "helpline number",
        "toll free number",
        "contact numbers",
        "support number",
        "phone number customer service",
        "no wait time",
        "quick connect",
        "कस्टमर केयर नंबर",
        "हेल्पलाइन नंबर",
    ),
    "prize": (
        "you have won",
        "you've won",
        "you have been selected",
        "winner",
        "prize",
        "cash prize",
        "bonus prize",
        "claim code",
        "lucky draw",
        "lottery",
        "guaranteed",
        "中奖",
        "抽奖",
        "trúng thưởng",
        "nhận thưởng",
        "लॉटरी",
        "इनाम",
    ),
    "loans": (
        "instant loan",
        "loan app",
        "quick loan",
        "instant approval",
        "apply loan online",
        "without documents",
        "minimal documentation",
        "no credit check",
        "贷款",
        "网贷",
        "借款",
        "vay tiền",
        "vay nhanh",
        "loan approval",
        "instant cash",
        "cash loan",
        "quick disbursal",
        "personal loan app",
        "khoản vay",
        "giải ngân",
        "hạn mức",
        "lãi suất từ",
        "hỗ trợ tài chính",
        "loan app customer care",
        "लोन ऐप",
        "इंस्टेंट लोन",
    ),
    "crypto recovery": (
        "recovery hacker",
        "hacker recovery",
        "hackers recovery",
        "crypto recovery",
        "bitcoin recovery",
        "recovery expert",
        "recovery service",
        "funds recovery",
        "hire a hacker",
        "recover lost",
        "recover my lost",
        "recover stolen",
        "lost crypto",
        "stolen crypto",
        "usdt",
        "recovery specialist",
        "asset recovery",
        "recover scammed",
        "scammed crypto",
        "出黑",
        "藏分",
        "网赌被黑",
        "不给出款",
        "被黑",
    ),
    "adult": (
        "escort",
        "escorts",
        "escort service",
        "call girl",
        "call girls",
        "hookup",
        "sexy",
        "xxx",
        "hot girls",
        "body rubs",
        "full night",
        "约炮",
        "外围",
        "上门服务",
        "gái gọi",
        "कॉल गर्ल",
    ),
    "counterfeit": (
        "replica",
        "fake id",
        "fake passport",
        "代开发票",
        "开发票",
        "发票代开",
        "办证",
        "高仿",
        "假证",
        "hàng fake",
        "replica watches",
        "réplica",
        "replicas",
        "relojes falsos",
        "kopi",
        "fake watches",
        "first copy",
        "aaa quality",
    ),
    "self-promotion": (
        "check out my",
        "subscribe to my",
        "my channel",
        "my new channel",
        "my youtube",
        "my video",
        "follow me",
        "visit my",
        "like and subscribe",
        "subscribe to me",
        "check my channel",
    ),
}

CALLS_TO_ACTION: tuple[str, ...] = (
    "dial",
    "call now",
    "whatsapp now",
    "book now",
    "download the apk",
    "download now",
    "claim your bonus",
    "sign up free",
    "visit my website",
    "visit web",
    "just contact me",
    "qc",
    "soạn",
    "inbox",
    "ib",
    "ib mình",
    "mã giảm giá",
    "miễn phí",
    "liên hệ ngay",
    "lh",
    "सम्पर्क करें",
    "अभी कॉल करें",
    "call now",
    "call us",
    "click here",
    "click the link",
    "register now",
    "sign up",
    "join now",
    "join us",
    "order now",
    "act now",
    "don't miss",
    "limited time",
    "free entry",
    "to claim",
    "claim now",
    "claim your",
    "txt",
    "reply stop",
    "send stop",
    "reply yes",
    "visit our",
    "visit us",
    "contact them",
    "reach out to them",
    "reach them",
    "you can reach",
    "contact us on",
    "download the app",
    "official site",
    "official website",
    "注册",
    "开户",
    "官网",
    "点击",
    "立即",
    "咨询",
    "优惠",
    "送金",
    "备用网址",
    "đăng ký",
    "truy cập",
    "tham gia ngay",
    "khuyến mãi",
    "ưu đãi",
    "nhận ngay",
    "link vào",
    "liên hệ",
    "क्लिक करें",
    "अभी",
    "संपर्क करें",
    "कॉल करें",
)

# Terms written with symbols, which the tokenizer drops.
_SYMBOL_CALLS = re.compile(r"24\s?[/x*]\s?7|100\s?%")
_MAX_TERM_TOKENS = 4


def _index(terms: Iterable[str]) -> dict[tuple[str, ...], str]:
    """Each term as its tuple of tokens (so matching is by whole words, whatever separates them)."""
    return {tuple(tokens(term)): " ".join(term.split()) for term in terms if tokens(term)}


_TOPIC_INDEX = {category: _index(terms) for category, terms in TOPICS.items()}
_CALL_INDEX = _index(CALLS_TO_ACTION)
# First tokens of the terms: most words of a text start none, and need no n-gram looked up.
_TOPIC_FIRSTS = {category: frozenset(key[0] for key in index) for category, index in _TOPIC_INDEX.items()}
_CALL_FIRSTS = frozenset(key[0] for key in _CALL_INDEX)


def _found(words: Sequence[str], index: Mapping[tuple[str, ...], str], firsts: frozenset[str]) -> set[str]:
    """The terms of `index` that occur in `words` (n-grams of 1 to _MAX_TERM_TOKENS tokens looked up where a term
    can start: at one of the `firsts`, the first tokens of its terms)."""
    found: set[str] = set()
    if firsts.isdisjoint(words):  # most texts hold none of a category's first tokens: one C-speed pass
        return found
    for i, word in enumerate(words):
        if word in firsts:
            for n in range(1, _MAX_TERM_TOKENS + 1):
                term = index.get(tuple(words[i : i + n]))
                if term is not None:
                    found.add(term)
    return found


def topic_terms(words: Sequence[str]) -> tuple[float, str]:
    """Distinct off-topic terms among the (lower-case) `words`, and the category holding most of them with its
    terms."""
    found = {c: sorted(_found(words, index, _TOPIC_FIRSTS[c])) for c, index in _TOPIC_INDEX.items()}
    total = sum(map(len, found.values()))
    if not total:
        return 0.0, ""
    category = max(found, key=lambda c: len(found[c]))
    return float(total), f"{category}: {', '.join(found[category][:4])}"


def calls_to_action(words: Sequence[str], lowered: str) -> tuple[float, str]:
    terms = sorted(_found(words, _CALL_INDEX, _CALL_FIRSTS) | {m.group() for m in _SYMBOL_CALLS.finditer(lowered)})
    return float(len(terms)), ", ".join(terms[:4])
