"""Words that have no place in a consumer complaint, per language, and the calls to action that sell them.

A complaint names what went wrong with a purchase; spam sells something (a casino, a loan app, a "recovery
hacker", a prize) and tells the reader what to do next (register, call, message on WhatsApp). Terms are
lower-case phrases, matched as whole words in spaced scripts and as substrings in Chinese. They were chosen from
what such spam sells in general (the issue's list: gambling, lottery, replica goods, escort, loans, crypto
recovery), not from the held-out corpus. A complaint about a gambling app or a loan names one or two of these
terms, a news page about satta matka several; the terms make a post spam only with other evidence (the share of its
words they fill, a call to action, a number, a handle).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

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
        "彩票",
        "下注",
        "真人荷官",
        "荷官",
        "投注",
        "注单",
        "注单异常",
        "竞彩",
        "सट्टा किंग",
        "जुआ खेल",
        # Vietnamese typed without diacritics (phrases only: "keo" or "cuoc" alone are ordinary words)
        "nha cai",
        "ca cuoc",
        "ca do",
        "no hu",
        "tai xiu",
        "game bai",
        "doi thuong",
        "xo so",
        "lo de",
        "soi cau",
        "ban ca",
        "da ga",
        "nap rut",
        # Chinese gambling sites and their payment channels
        "时时彩",
        "六合彩",
        "北京赛车",
        "电子游艺",
        "洗码",
        "返水",
        "首充",
        "注册送",
        "跑分",
        "支付通道",
        "四方支付",
        "第四方支付",
        "码商",
        "代收代付",
        "代付",
        "代收",
        # satta-matka and card-game SEO
        "satta matka",
        "satta result",
        "matka result",
        "kalyan matka",
        "fix jodi",
        # Betting and casino brands that spam advertises: well-known operators, and the kuwin/98win doorway campaign
        # that every round of the real corpus met again on new hosts.
        "kuwin",
        "98win",
        "shbet",
        "f8bet",
        "1xbet",
        "bet365",
        "8xbet",
        "fb88",
        "w88",
        "jun88",
        "new88",
        "hi88",
        "789bet",
        "sodo66",
        "kubet",
        "go88",
        "sunwin",
        "rikvip",
        "hitclub",
        "fun88",
        "12bet",
        "dafabet",
        "melbet",
        "mostbet",
        "1win",
        "parimatch",
        "22bet",
        "okvip",
        "vn88",
        "188bet",
        "sbobet",
        "bk8",
        "v9bet",
        "789club",
        "nohu",
        "satta chart",
        "matka chart",
        "kalyan chart",
        "final ank",
        "desawar",
        "disawar",
        "gali satta",
        "सट्टा मटका",
        "सट्टा रिजल्ट",
        "मटका रिजल्ट",
        "दिसावर",
        "डीपी बॉस",
        "तीन पत्ती",
        "रियल मनी",
        "ऑनलाइन कैसीनो",
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
        "customer care no",
        "customer support phone",
        "customer service phone",
        "helpline no",
        "24 hours helpline",
        "how do i speak",
        "how can i speak",
        "how do i talk",
        "how can i talk",
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
        "to be won",
        "prize draw",
        "claim your prize",
        "won a prize",
        "selected to receive",
        "ringtone",
        "ringtones",
        "freemsg",
        "free msg",
        "lottery winner",
        "winning notification",
        "lucky winner",
        "claims agent",
        "claim agent",
        "fiduciary agent",
        "award notification",
        "promotional award",
        "international lottery",
        "lottery board",
        "email address has won",
        "you are awarded",
        "you have been awarded",
        "secret admirer",
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
        "guaranteed loan",
        "loan offer",
        "loan lender",
        "private lender",
        "no collateral",
        "without collateral",
        "urgent loan",
        "easy loan",
        "vay tien",
        "khoan vay",
        "giai ngan",
        "han muc",
        "बिना डॉक्यूमेंट",
        "personal loan",
        "personal loans",
        "payday loan",
        "payday loans",
        "bad credit",
        "loan on aadhaar",
        "aadhaar card loan",
        "पर्सनल लोन",
        "आधार कार्ड से लोन",
        "आधार कार्ड लोन",
        "लोन कैसे लें",
        "तुरंत लोन",
        "vay online",
        "vay tín chấp",
        "贷款平台",
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
        "scam recovery",
        "fund recovery",
        "recovery firm",
        "recovery company",
        "recovery agency",
        "trust hacker",
        "ethical hacker",
        "professional hacker",
        "certified hacker",
        "crypto specialist",
        "retrieve lost",
        "retrieving lost",
        "recover your funds",
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
        "escort agency",
        "escort girls",
        "independent escort",
        "vip escort",
        "incall",
        "outcall",
        "erotic massage",
        "sensual massage",
        "horny",
        "naked",
        "get laid",
        "hardcore",
        "nudes",
        "adult dating",
        "gai goi",
        "escort models",
        "escort model",
        "escort services",
        "escort girl",
        "model escort",
        "incall rates",
        "outcall rates",
        "sexual services",
        "call girl service",
        "约茶",
        "品茶工作室",
        "同城约",
        "楼凤",
        "无码",
        "成人电影",
        "成人免费",
    ),
    "counterfeit": (
        "replica",
        "fake id",
        "fake passport",
        "代开发票",
        "开发票",
        "发票代开",
        "办证",
        "仿牌",
        "精仿",
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
        "replica rolex",
        "rolex replica",
        "swiss replica",
        "knockoff",
        "knockoffs",
        "imitation watches",
        "replika",
        "replikaer",
        "falske klokker",
        "kopi klokker",
        "fake rolex",
        "hang fake",
        "hàng nhái",
        "hang nhai",
    ),
    # Surrogacy and egg-donor agencies (their adverts and SEO articles, in Chinese: an advert for a service that is
    # illegal in China)
    "surrogacy": ("代孕", "代怀", "试管代怀", "助孕", "代孕妈妈", "助孕妈妈", "供卵"),
    # Money schemes: paid jobs from home, referral and "investment" plans (what job and make-money spam sells)
    "money schemes": (
        "earn money",
        "earn money online",
        "make money online",
        "earn from home",
        "work from home job",
        "online job opportunity",
        "part time job",
        "data entry job",
        "daily income",
        "passive income",
        "referral bonus",
        "registration bonus",
        "joining bonus",
        "double your money",
        "guaranteed returns",
        "guaranteed profit",
        "investment plan",
        "पैसे कमाएं",
        "पैसे कमाओ",
        "पैसे कमाने वाले ऐप",
        "पैसे कमाने वाला ऐप",
        "पैसे कमाने वाले ऐप्स",
        "ऑनलाइन पैसे कमाएं",
        "पैसे कमाने का तरीका",
        "रोज कमाएं",
        "kiếm tiền online",
        "kiếm tiền tại nhà",
        "việc làm online",
        "赚钱",
        "兼职",
    ),
    # Medicines sold without a prescription
    "pharmacy": (
        "viagra",
        "cialis",
        "levitra",
        "ozempic",
        "semaglutide",
        "tramadol",
        "xanax",
        "oxycodone",
        "without prescription",
        "no prescription",
        "online pharmacy",
    ),
    # Stolen cards and accounts for sale
    "carding": (
        "cvv",
        "fullz",
        "dumps",
        "bank logins",
        "bank log",
        "carding",
        "cc shop",
        "clone cards",
        "cloned cards",
        "paypal transfer",
        "cashout",
    ),
    "shop advert": (
        "giá sỉ",
        "bán sỉ",
        "bán buôn",
        "chuyên cung cấp",
        "chuyên bán",
        "ship toàn quốc",
        "giao hàng toàn quốc",
        "nhận ship",
        "tuyển sỉ",
        "tuyển ctv",
        "sale sốc",
        "đồng giá",
        "gia si",
        "ban si",
        "ship toan quoc",
        "wholesale price",
        "free shipping worldwide",
        "dm for price",
        # Chinese "make money" and coupon-farming adverts: scripts for sale, bots that idle on shop apps for points
        "薅羊毛",
        "挂机",
        "京豆",
        "刷单",
        "日赚",
        "一天赚",
        "月入",
        "扫码上号",
        # Vietnamese shop adverts
        "miễn ship",
        "nhập mã",
        "ủng hộ mình",
        "sỉ vốn",
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
        "check out our",
        "check it out",
        "come check",
        "please subscribe",
        "plz subscribe",
        "pls subscribe",
        "subscribe back",
        "subscribe and like",
        "sub 4 sub",
        "sub4sub",
        "please like",
        "plz like",
        "like this comment",
        "like this page",
        "follow my",
        "come follow",
        "follow this channel",
        "my stream",
        "my new song",
        "my newest",
        "our newest",
        "my music",
        "my first yt",
        "yt channel",
        "ghé shop",
        "ghé qua shop",
        "mình có bán",
        "em có bán",
        "bên mình có bán",
        "ghe shop",
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
    "dont miss",
    "reply end",
    "reply or call",
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
    "lien he ngay",
    "dang ky ngay",
    "khuyen mai",
    "uu dai",
    "nhan ngay",
    "link vao",
    "text stop",
    "txt stop",
    "get in touch with them",
    "free ship",
    "freeship",
    "क्लिक करें",
    "अभी",
    "संपर्क करें",
    "कॉल करें",
)

# The stock phrases content-farm articles open with: SEO and machine-written pages (loan, earning-app and betting
# articles, "guides" to customer care) start this way; complaints and news hardly do. In the openings of dev v10
# (rounds 1-9), e.g. "whether you're" 16 spam texts and no legitimate one, "आज के डिजिटल युग" 7 and none, "इस लेख में"
# 7 and 2, "本文将" 4 and 1. Counted in a text's opening (ARTICLE_OPENING_WORDS) only.
ARTICLE_BOILERPLATE: tuple[str, ...] = (
    "whether you're",
    "whether you are",
    "look no further",
    "today's digital age",
    "today's fast-paced",
    "in this fast-paced",
    "in this guide",
    "let's dive",
    "dive into",
    "ultimate guide",
    "step-by-step guide",
    "hassle-free",
    "आज के समय में",
    "आज के डिजिटल युग",
    "तेजी से बदलती",
    "इस लेख में",
    "इस पोस्ट में",
    "दोस्तों",
    "विस्तार से",
    "cùng tìm hiểu",
    "bài viết này",
    "本文将",
)
ARTICLE_OPENING_WORDS = 300
# Terms written with symbols, which the tokenizer drops.
_SYMBOL_CALLS = re.compile(r"24\s?[/x*]\s?7|100\s?%")
_MAX_TERM_TOKENS = 4
_SHARE_MIN_WORDS = 20
_NOT_SHARED = frozenset({"helpline bait"})
# Categories whose terms dev complaints hardly ever use (in dev v8: adult 33 spam texts, 4 legitimate; crypto recovery
# 28 and 1; self-promotion 30 and 1; pharmacy 5 and 0; carding 2 and 0): one of them is stronger evidence than a
# gambling or loan term, which complaints about casinos and loan apps name.
STRONG = frozenset({"adult", "crypto recovery", "self-promotion", "pharmacy", "carding"})


# The traditional characters of the simplified ones the Chinese terms are written with, for pages from Taiwan and
# Hong Kong: a term is also found in its traditional spelling (百家樂 for 百家乐), and named as written here. A word
# not spelled character by character is listed apart (注册 is 註冊, while the 注 of 下注 stays).
_TRADITIONAL = str.maketrans(
    "乐优体册凤击办务单发号咨围场备奖妈娱将开异怀户扫挂时无机楼游点电码竞约给网职艺证试询贷费赌赚赛车钱门",
    "樂優體冊鳳擊辦務單發號諮圍場備獎媽娛將開異懷戶掃掛時無機樓遊點電碼競約給網職藝證試詢貸費賭賺賽車錢門",
)
_TRADITIONAL_WORDS = {"注册": "註冊"}


def _spellings(term: str) -> set[str]:
    traditional = term
    for simplified, spelled in _TRADITIONAL_WORDS.items():
        traditional = traditional.replace(simplified, spelled)
    return {term, traditional.translate(_TRADITIONAL)}


def _index(terms: Iterable[str]) -> dict[tuple[str, ...], str]:
    """Each term, in each of its spellings, as its tuple of tokens (so matching is by whole words, whatever separates
    them)."""
    return {
        tuple(tokens(spelling)): " ".join(term.split())
        for term in terms
        for spelling in _spellings(term)
        if tokens(spelling)
    }


_TOPIC_INDEX = {category: _index(terms) for category, terms in TOPICS.items()}
_CALL_INDEX = _index(CALLS_TO_ACTION)
# First tokens of the terms: most words of a text start none, and need no n-gram looked up.
_TOPIC_FIRSTS = {category: frozenset(key[0] for key in index) for category, index in _TOPIC_INDEX.items()}
_CALL_FIRSTS = frozenset(key[0] for key in _CALL_INDEX)
_BOILERPLATE_INDEX = _index(ARTICLE_BOILERPLATE)
_BOILERPLATE_FIRSTS = frozenset(key[0] for key in _BOILERPLATE_INDEX)


def _found(
    words: Sequence[str], index: Mapping[tuple[str, ...], str], firsts: frozenset[str], counted: list[int] | None = None
) -> set[str]:
    """The terms of `index` that occur in `words` (n-grams of 1 to _MAX_TERM_TOKENS tokens looked up where a term
    can start: at one of the `firsts`, the first tokens of its terms). The longest term at a place is the one found,
    and the words it covers start no other: "won a prize" is one term, not also "prize". `counted`, when given,
    gets the number of words inside the terms found (every occurrence) added to its first item, the number of
    occurrences to its second."""
    found: set[str] = set()
    if firsts.isdisjoint(words):  # most texts hold none of a category's first tokens: one C-speed pass
        return found
    covered = 0  # words before this index are inside a term found already
    inside = occurrences = 0
    for i, word in enumerate(words):
        if i >= covered and word in firsts:
            for n in range(_MAX_TERM_TOKENS, 0, -1):
                term = index.get(tuple(words[i : i + n]))
                if term is not None:
                    found.add(term)
                    covered = i + n
                    inside += n
                    occurrences += 1
                    break
    if counted is not None:
        counted[0] += inside
        counted[1] += occurrences
    return found


class TopicTerms(NamedTuple):
    terms: float  # distinct off-topic terms
    detail: str  # the category holding most of them, with its terms
    share: float  # of the words, inside off-topic terms (every occurrence)
    strong: float  # distinct terms of the STRONG categories
    strong_detail: str  # those terms


def topic_terms(words: Sequence[str]) -> tuple[float, str]:
    """Distinct off-topic terms among the (lower-case) `words`, and the category holding most of them with its
    terms."""
    found = topic_terms_and_share(words)
    return found.terms, found.detail


def topic_terms_and_share(words: Sequence[str]) -> TopicTerms:
    """`topic_terms`, the share of the `words` inside off-topic terms (every occurrence), and the distinct terms of
    the STRONG categories. A complaint about a casino names it among its account of what happened; an advert or a
    doorway page is made of such words. A text shorter than _SHARE_MIN_WORDS counts as that long, and one occurrence
    is no share: a tweet asking for the "customer service number" is all but made of its one term. Helpline wording
    (_NOT_SHARED) is no share at all: complainants write it too."""
    counted = [0, 0]
    found = {
        c: sorted(_found(words, index, _TOPIC_FIRSTS[c], None if c in _NOT_SHARED else counted))
        for c, index in _TOPIC_INDEX.items()
    }
    total = sum(map(len, found.values()))
    if not total:
        return TopicTerms(0.0, "", 0.0, 0.0, "")
    category = max(found, key=lambda c: len(found[c]))
    share = counted[0] / max(len(words), _SHARE_MIN_WORDS) if counted[1] >= 2 else 0.0
    strong = [term for c in sorted(STRONG) for term in found[c]]
    detail = f"{category}: {', '.join(found[category][:4])}"
    return TopicTerms(float(total), detail, share, float(len(strong)), ", ".join(strong[:4]))


def calls_to_action(words: Sequence[str], lowered: str) -> tuple[float, str]:
    terms = sorted(_found(words, _CALL_INDEX, _CALL_FIRSTS) | {m.group() for m in _SYMBOL_CALLS.finditer(lowered)})
    return float(len(terms)), ", ".join(terms[:4])


def article_boilerplate(words: Sequence[str]) -> tuple[float, str]:
    """Distinct stock phrases of content-farm articles in the opening of the (lower-case) `words`, and the first of
    them."""
    found = sorted(_found(words[:ARTICLE_OPENING_WORDS], _BOILERPLATE_INDEX, _BOILERPLATE_FIRSTS))
    return float(len(found)), ", ".join(found[:4])
