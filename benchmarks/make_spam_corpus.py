"""Build the labelled spam corpus in fixtures/spam/ (deterministic: same input, same files).

    python benchmarks/make_spam_corpus.py [--seeds DIR]

Writes fixtures/spam/spam.jsonl and fixtures/spam/legit.jsonl, one record a line:
{"id", "label": "spam"|"legit", "kind", "lang", "source", "text"}.

- spam/doorway: seed 002 as published, plus doorway pages built the way generators build them:
  scraped sentences with one keyword injected again and again, "keyword: heading" subheadings,
  then unrelated topics glued on under listicle headings (Chinese, English, Hindi).
- spam/helpline: fake "customer care number" posts, keyword-stuffed promotions, off-language filler.
- legit/complaint and legit/response: every complaint and thread entry of seeds 000, 001 (BBB cards)
  and 003 (consumercomplaints.in author/date blocks), split by `split_bbb` / `split_board`.
- legit/complaint (written): complaints in the style of real ones, composed from the pools below.
- legit/page: the seed pages 000, 001, 003 whole, and ordinary non-complaint pages.

Without the seeds folder, the seed-derived records already in the corpus are kept as they are.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "fixtures" / "spam"
SEEDS = ROOT.parent / "shared" / "seeds"


# ---------------------------------------------------------------- seed splitters (tests use them too)

_BBB_CARD = re.compile(r"Initial Complaint\s*Date:")
_BBB_ENTRY = re.compile(r"(Business Response|Customer Answer)\s*Date:\s*\d\d/\d\d/\d{4}")
_BBB_LEGEND_END = "BBB is unable to locate the business."
_BBB_FOOTER = "BBB Business Profiles may not be reproduced"


def split_bbb(page: str) -> list[tuple[str, str]]:
    """(kind, text) of every thread entry on a BBB complaints page: the initial complaint of each
    card ("complaint"), then its business responses and customer answers ("response")."""
    page = page.split(_BBB_FOOTER)[0]
    entries: list[tuple[str, str]] = []
    for card in _BBB_CARD.split(page)[1:]:
        body = card.split(_BBB_LEGEND_END, 1)[-1]
        parts = _BBB_ENTRY.split(body)
        entries.append(("complaint", _clean(parts[0])))
        entries += [("response", _clean(text)) for text in parts[2::2]]
    return [(kind, text) for kind, text in entries if text]


_BOARD_DATE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}$")
_BOARD_HEADER = {"Report", "Copy", "Resolved"}


def split_board(page: str) -> list[str]:
    """Complaint texts of a consumercomplaints.in board page: each starts after an author block's
    "<date> / Report / Copy" lines and ends at the card's "Helpful" line."""
    lines = [line.strip() for line in page.split("\n")]
    texts: list[str] = []
    i = 0
    while i < len(lines):
        if _BOARD_DATE.match(lines[i]) and "Report" in _next_nonblank(lines, i + 1, 2):
            i += 1
            while i < len(lines) and (lines[i] in _BOARD_HEADER or not lines[i]):
                i += 1
            start = i
            while i < len(lines) and lines[i] != "Helpful":
                i += 1
            texts.append(_clean("\n".join(lines[start:i])))
        i += 1
    return [text for text in texts if text]


def _next_nonblank(lines: list[str], start: int, count: int) -> list[str]:
    return [line for line in lines[start : start + 2 * count] if line][:count]


def _clean(text: str) -> str:
    lines = [line.strip() for line in text.strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ---------------------------------------------------------------- doorway pages

ZH_TOPICS = {
    "支付": [
        "支付寶香港用戶可以在指定商戶使用二維碼付款,交易即時完成。",
        "不少電子錢包都推出了消費回贈,用戶只需綁定信用卡便可享有優惠。",
        "根據金管局數據,本港儲值支付工具的交易金額去年錄得明顯增長。",
        "商戶版應用程式加入了多操作員及批量結算功能,方便中小企管理賬目。",
        "用戶完成實名認證後,便可提高每日轉賬及增值的上限。",
        "部分銀行聯名卡不支援自動增值服務,申請前應先查閱條款。",
        "跨境支付功能推出後,港人北上消費時可直接以港幣錢包付款。",
        "每次付款的二維碼只可使用一次,並會自動更新以保障安全。",
        "如交易出現異常,用戶可在應用程式內提交申訴並附上交易紀錄。",
        "有網民在討論區分享,使用電子錢包繳交水電煤費用可以賺取積分。",
    ],
    "減肥": [
        "空中瑜伽需要對抗地心引力,可以更有效鍛鍊核心肌群。",
        "教練建議初學者每星期練習兩至三次,並配合均衡飲食。",
        "流瑜伽講求動作與呼吸的配合,練習過程猶如跳舞般流暢。",
        "高溫瑜伽在經期時應避免進行,以免出現頭暈或缺水。",
        "不少中心提供免費體驗堂,讓學員先了解課程內容。",
        "伸展動作可以增強柔軟度,並舒緩長時間坐在辦公室的肩頸痛。",
        "營養師指出,單靠運動而不控制飲食,減重效果往往有限。",
        "部分療程聲稱可以溶脂修形,消費者應先了解有關風險。",
    ],
    "樓盤": [
        "屋苑鄰近港鐵站,步行約十分鐘便可到達,交通十分便利。",
        "單位實用面積約四百五十平方呎,兩房一廳設計,適合小家庭居住。",
        "發展商早前公布首批價單,折實平均呎價約一萬八千元。",
        "區內商場及街市林立,生活配套相當完善。",
        "代理表示,近月二手成交量回升,業主叫價亦較為進取。",
        "買家簽署臨時買賣合約時,應留意訂金及成交日期等條款。",
        "大廈設有會所及泳池,管理費每呎約三元。",
        "屋苑樓齡超過三十年,部分單位已進行翻新工程。",
    ],
    "駕駛": [
        "駕駛學院設有私家訓練場地,考生可於場內練習泊位和掉頭。",
        "自動波較易操作,棍波則講求手腳協調性。",
        "考牌前應熟習路試路線,並多作模擬練習。",
        "部分學院提供套餐優惠,包括指定堂數及考試費用。",
        "運輸署公布,私家車路試的合格率約為三成至四成。",
        "教練會按學員進度安排課堂,遇上惡劣天氣可以改期。",
        "持續進修基金資助部分職業駕駛課程,合資格人士可申請發還學費。",
    ],
    "保險": [
        "旅遊保險一般涵蓋醫療費用、行李損失及航班延誤等項目。",
        "投保前應細閱不保事項,例如高風險活動或已有疾病。",
        "部分信用卡會為持卡人提供免費旅遊保險,但保障額較低。",
        "索償時需要提交單據正本及醫生證明,處理時間約兩至四星期。",
        "保險公司近年推出網上投保平台,即日便可取得保單。",
        "家居保險可以保障水浸、火警及第三者責任等風險。",
    ],
}
ZH_KEYWORDS = {
    "支付": "八達通增值alipay",
    "減肥": "空中瑜珈減肥",
    "樓盤": "宏泰元苑呎價",
    "駕駛": "香港駕駛學院收費",
    "保險": "旅遊保險比較2025",
}
ZH_HEADINGS = [
    "{kw}: 最新優惠",
    "{kw}: 常見問題",
    "{kw}: 申請步驟",
    "{kw}: 需要協助?",
    "{kw}: 使用須知",
    "{kw}: 懶人包",
]
ZH_LISTICLES = [
    "{kw}{n}大分析{y}!(小編貼心推薦)",
    "{kw}{y}詳解!(小編推薦)",
    "{kw}{n}大優勢{y}!專家建議咁做…",
    "{kw}{y}詳細懶人包!內含{kw}絕密資料",
]

EN_TOPICS = {
    "flights": [
        "Booking a flight six to eight weeks ahead of departure usually gives the lowest fares.",
        "Midweek departures are often cheaper than flights that leave on a Friday or a Sunday.",
        "Budget carriers charge extra for checked luggage, seat selection and even boarding passes.",
        "Fare alerts let travellers follow a route and book when the price drops.",
        "The airport is about forty minutes from the city centre by express train.",
        "Some airlines allow one free change of date if it is made more than a week before the flight.",
        "Travellers with a connecting flight should leave at least ninety minutes between the two.",
        "Airline loyalty points can be spent on upgrades, hotel nights or car rentals.",
        "Long-haul routes in winter are usually cheaper than in the summer holidays.",
        "Always check the baggage allowance on the booking page before you pay.",
    ],
    "vpn": [
        "A virtual private network encrypts the traffic between your device and its server.",
        "Free services often limit speed, data or the number of server locations.",
        "Streaming platforms show different catalogues depending on the country you appear to be in.",
        "A kill switch stops all traffic if the encrypted connection drops unexpectedly.",
        "Most providers offer apps for phones, laptops and even smart televisions.",
        "Independent audits are the only way to check a no-logs promise.",
        "Connecting to a nearby server usually gives the fastest speeds.",
        "Public wifi in cafes and airports is a common place for attackers to snoop on traffic.",
    ],
    "weightloss": [
        "Walking ten thousand steps a day burns roughly three to four hundred calories.",
        "Protein keeps you full for longer than the same number of calories from sugar.",
        "Sleep has a strong effect on appetite hormones and cravings.",
        "Short interval workouts can be as effective as longer sessions on a treadmill.",
        "Drinking a glass of water before meals may reduce how much you eat.",
        "Crash diets often lead to muscle loss and weight regain within months.",
        "Strength training twice a week helps protect muscle while losing fat.",
        "Tracking meals for a few weeks shows where most hidden calories come from.",
    ],
    "property": [
        "The flat is a short walk from the station and close to two primary schools.",
        "Buyers should ask for the service charge history before making an offer.",
        "Prices in the area rose by about four percent over the last twelve months.",
        "A survey can reveal damp, subsidence or roof problems before exchange.",
        "The development includes a gym, a roof garden and underground parking.",
        "First-time buyers may qualify for a reduced rate of stamp duty.",
        "Rental yields are higher in commuter towns than in the city centre.",
    ],
    "loans": [
        "The annual percentage rate shows the full yearly cost of borrowing, including fees.",
        "Lenders look at your credit history, income and existing debts.",
        "Paying a loan off early can trigger an early repayment charge.",
        "Secured loans use your home as collateral and carry a higher risk.",
        "A soft credit check lets you see likely rates without affecting your score.",
        "Consolidating several debts can lower the monthly payment but lengthen the term.",
        "Always read the repayment schedule before signing any agreement.",
    ],
}
EN_KEYWORDS = {
    "flights": "cheap flights london",
    "vpn": "best free vpn",
    "weightloss": "fast weight loss pills",
    "property": "flats for sale near me",
    "loans": "instant payday loans online",
}
EN_HEADINGS = [
    "{kw}: latest deals",
    "{kw}: what you need to know",
    "{kw}: frequently asked questions",
    "{kw}: how to apply",
    "{kw}: our verdict",
]
EN_LISTICLES = [
    "{n} Best {kw} Tips {y} (Updated)",
    "Top {n} {kw} Secrets {y}!",
    "{n} Amazing {kw} Tricks in {y} (Expert Picks)",
    "{kw} {y} (Updated Guide)",
]

HI_TOPICS = {
    "loan": [
        "पर्सनल लोन के लिए आवेदन करने से पहले ब्याज दर और प्रोसेसिंग फीस की तुलना जरूर करें।",
        "अधिकतर बैंक वेतनभोगी लोगों को बिना गारंटी के लोन देते हैं।",
        "क्रेडिट स्कोर सात सौ पचास से ऊपर हो तो लोन जल्दी मंजूर होता है।",
        "ईएमआई कैलकुलेटर से हर महीने की किस्त का अंदाजा लगाया जा सकता है।",
        "समय से पहले लोन चुकाने पर कुछ बैंक अतिरिक्त शुल्क लेते हैं।",
        "आवेदन के साथ पैन कार्ड, आधार कार्ड और बैंक स्टेटमेंट देना होता है।",
        "डिजिटल लोन ऐप्स पर भरोसा करने से पहले उनकी आरबीआई मान्यता जांच लें।",
        "लोन की अवधि जितनी लंबी होगी, कुल ब्याज उतना ही ज्यादा देना पड़ेगा।",
    ],
    "travel": [
        "गोवा में नवंबर से फरवरी तक का मौसम घूमने के लिए सबसे अच्छा माना जाता है।",
        "ट्रेन टिकट की बुकिंग यात्रा से एक सौ बीस दिन पहले शुरू हो जाती है।",
        "तत्काल टिकट सुबह दस बजे से बुक किए जा सकते हैं।",
        "पहाड़ी इलाकों में यात्रा करते समय गर्म कपड़े साथ रखें।",
        "होटल बुक करने से पहले ऑनलाइन समीक्षाएं जरूर पढ़ें।",
        "हवाई अड्डे पर अंतरराष्ट्रीय उड़ान के लिए तीन घंटे पहले पहुंचना चाहिए।",
        "स्थानीय बाजारों में मोलभाव करना आम बात है।",
    ],
    "health": [
        "रोज सुबह आधा घंटा टहलने से दिल की सेहत बेहतर रहती है।",
        "पर्याप्त पानी पीना पाचन के लिए जरूरी है।",
        "योग और प्राणायाम तनाव कम करने में मदद करते हैं।",
        "रात को देर तक मोबाइल देखने से नींद खराब होती है।",
        "हरी सब्जियों और दालों में भरपूर प्रोटीन और फाइबर होता है।",
        "डॉक्टर की सलाह के बिना कोई भी दवा लंबे समय तक न लें।",
        "मौसम बदलने पर सर्दी-जुकाम से बचने के लिए हाथ धोते रहें।",
    ],
    "recharge": [
        "प्रीपेड प्लान में रोजाना डेटा की सीमा खत्म होने पर स्पीड कम हो जाती है।",
        "कई कंपनियां सालाना प्लान पर अतिरिक्त डेटा देती हैं।",
        "रिचार्ज करने से पहले प्लान की वैधता और कॉलिंग सुविधा देख लें।",
        "यूपीआई से रिचार्ज करने पर कभी-कभी कैशबैक मिलता है।",
        "पोस्टपेड कनेक्शन में बिल हर महीने की तय तारीख को बनता है।",
        "नेटवर्क की समस्या होने पर फोन को एक बार रीस्टार्ट करके देखें।",
    ],
}
HI_KEYWORDS = {
    "loan": "इंस्टेंट लोन ऐप",
    "travel": "सस्ते होटल गोवा",
    "health": "वजन कम करने का तरीका",
    "recharge": "सस्ता रिचार्ज प्लान",
}
HI_HEADINGS = ["{kw}: पूरी जानकारी", "{kw}: आवेदन कैसे करें", "{kw}: अक्सर पूछे जाने वाले सवाल", "{kw}: नए ऑफर"]
HI_LISTICLES = ["टॉप {n} {kw} {y} (पूरी लिस्ट)", "बेस्ट {n} {kw} टिप्स {y}", "सबसे अच्छे {kw} {y} में"]

LANGS = {
    "zh": (ZH_TOPICS, ZH_KEYWORDS, ZH_HEADINGS, ZH_LISTICLES, " "),
    "en": (EN_TOPICS, EN_KEYWORDS, EN_HEADINGS, EN_LISTICLES, " "),
    "hi": (HI_TOPICS, HI_KEYWORDS, HI_HEADINGS, HI_LISTICLES, " "),
}


def doorway_page(rng: random.Random, lang: str, injection: float, salad_sections: int) -> str:
    """A doorway page: paragraphs of scraped sentences on the main topic (each used twice at most, as
    scraped pages repeat themselves) with its
    keyword pasted in at rate `injection` (per sentence) and as "keyword: heading" subheadings, then
    `salad_sections` unrelated topics under listicle headings, each with its own keyword."""
    topics, keywords, headings, listicles, space = LANGS[lang]
    main, *others = rng.sample(sorted(topics), len(topics))
    keyword = keywords[main]
    deck = rng.sample(topics[main], len(topics[main])) + rng.sample(topics[main], len(topics[main]))
    blocks = []
    while deck:
        blocks.append(rng.choice(headings).format(kw=keyword))
        blocks.append(_paragraph(rng, deck, keyword, injection, space))
    for topic in others[:salad_sections]:
        year = rng.choice([2024, 2025])
        blocks.append(rng.choice(listicles).format(kw=keywords[topic], n=rng.randint(3, 15), y=year))
        blocks.append(
            _paragraph(rng, rng.sample(topics[topic], len(topics[topic])), keywords[topic], injection / 2, space) + "…"
        )
    return "\n\n".join(blocks)


def _paragraph(rng: random.Random, deck: list[str], keyword: str, injection: float, space: str) -> str:
    """A paragraph of 2 to 4 sentences taken off `deck`."""
    out = []
    for _ in range(min(len(deck), rng.randint(2, 4))):
        if rng.random() < injection:
            # Generators paste the keyword between sentences, sometimes with a year glued on.
            out.append(keyword + rng.choice(["", "", "2025", " 2025"]))
        out.append(deck.pop())
    return space.join(out)


# ---------------------------------------------------------------- helpline spam

BRANDS = [
    "Flipkart",
    "Amazon",
    "Paytm",
    "PhonePe",
    "Google Pay",
    "Xiaomi",
    "Airtel",
    "SBI",
    "Meesho",
    "Swiggy",
    "Zomato",
    "HDFC Bank",
]
HELPLINE_LINES = [
    "{brand} customer care number {phone} call now",
    "{brand} helpline number {phone} (24x7 toll free)",
    "Call {phone} {brand} customer care for refund, KYC and account problem",
    "{brand} toll free number {phone} contact now",
    "For any problem contact {brand} customer care {phone} whatsapp also",
    "{brand} refund number {phone} call us 24/7",
    "{brand} कस्टमर केयर नंबर {phone} पर तुरंत कॉल करें",
    "{brand} customer care se baat karne ke liye {phone} par call kare",
]
HELPLINE_FILLER = [
    "Our executive will solve your problem in 5 minutes.",
    "Refund process start immediately after call.",
    "This is official helpline of {brand}.",
    "Share this number with your friends and family.",
    "Don't waste your time anywhere, direct call.",
    "Money back guarantee, 100% working number.",
    "Paisa wapas milega turant, bas call kare.",
    "सभी समस्याओं का समाधान एक कॉल पर।",
]
PROMO_WORDS = {
    "en": [
        "instant",
        "loan",
        "app",
        "instant",
        "loan",
        "without",
        "documents",
        "instant",
        "loan",
        "approval",
        "low",
        "interest",
        "instant",
        "loan",
        "app",
        "download",
    ],
    "hi": ["लोन", "ऐप", "तुरंत", "लोन", "बिना", "डॉक्यूमेंट", "लोन", "कम", "ब्याज", "लोन", "ऐप", "डाउनलोड"],
}
OFF_LANGUAGE_FILLER = [
    "本公司提供專業清潔服務,價格合理,歡迎致電查詢。",
    "Продаем оптом качественные товары по низким ценам, звоните сейчас.",
    "高薪兼職,日結工資,在家即可操作,名額有限。",
    "Лучшие цены на ремонт телефонов в вашем городе.",
]


def _phone(rng: random.Random) -> str:
    number = f"{rng.choice('6789')}{rng.randrange(10**8, 10**9)}"
    return rng.choice(
        [
            number,
            f"+91 {number[:5]} {number[5:]}",
            f"0{number[:4]}-{number[4:]}",
            f"{number[:3]}-{number[3:6]}-{number[6:]}",
        ]
    )


def helpline_post(rng: random.Random, style: str) -> str:
    brand, phone = rng.choice(BRANDS), _phone(rng)
    lines = [line.format(brand=brand, phone=phone) for line in rng.sample(HELPLINE_LINES, rng.randint(2, 4))]
    filler = [line.format(brand=brand) for line in rng.sample(HELPLINE_FILLER, rng.randint(1, 3))]
    if style == "promo":
        words = PROMO_WORDS[rng.choice(sorted(PROMO_WORDS))]
        filler.append(" ".join(rng.choice(words) for _ in range(rng.randint(25, 45))))
    elif style == "offlanguage":
        filler.append(" ".join(rng.sample(OFF_LANGUAGE_FILLER, 2)))
    body = lines + filler
    rng.shuffle(body)
    return "\n".join(body)


# ---------------------------------------------------------------- legitimate complaints

COMPANIES = [
    ("Xiaomi", "Redmi Note 8 Pro", "phone"),
    ("Samsung", "Galaxy M31", "phone"),
    ("Flipkart", "washing machine", "order"),
    ("Amazon", "air fryer", "order"),
    ("Spectrum", "internet plan", "service"),
    ("Comcast", "cable box", "service"),
    ("Airtel", "postpaid connection", "service"),
    ("Jio", "fiber connection", "service"),
    ("HDFC Bank", "credit card", "bank"),
    ("Microsoft", "Xbox controller", "order"),
    ("Dell", "laptop", "product"),
    ("Swiggy", "food order", "order"),
]
OPENINGS = [
    "I purchased a {product} from {company} on {date}.",
    "I have been a {company} customer for more than {years} years.",
    "On {date} I ordered a {product} through the {company} website.",
    "My {product} from {company} stopped working after {weeks} weeks.",
    "Dear sir/madam, I am writing about my {product} (order no. [protected]).",
    "I was charged twice for my {product} on {date}.",
]
PROBLEMS = [
    "The item that was delivered was damaged and the box had been opened.",
    "The device keeps restarting and the screen flickers when charging.",
    "My account was debited but the order still shows as failed.",
    "The technician never came on the scheduled date and nobody informed me.",
    "I was promised a refund within seven working days but it has been over a month.",
    "They replaced the part but the same problem came back after two days.",
    "The bill shows charges for a service I never asked for.",
    "The internet goes down every evening between 7 and 11 pm.",
    "The warranty was refused because, they say, the seal was broken, which is not true.",
    "The delivery was marked as delivered but I never received anything.",
]
CONTACTS = [
    "I called customer care {times} times and every time they gave me a new ticket number.",
    "I visited the service centre at {city} and they kept the phone for ten days.",
    "I emailed their support team and got only an automatic reply.",
    "I called their customer care number {phone} and waited on hold for forty minutes.",
    "The agent on chat said the issue was escalated, but nothing happened.",
    "I spoke to a supervisor who promised a call back within 48 hours. No call came.",
]
DEMANDS = [
    "I want a full refund of Rs {amount}.",
    "Please replace the product or return my money.",
    "Kindly resolve this at the earliest.",
    "I request you to look into this matter and take action against the staff.",
    "Please cancel the extra charges and send me a corrected bill.",
    "I will go to consumer court if this is not solved.",
]
CLOSINGS = ["Thanks", "Regards,\n{name}", "Very disappointed.", "Please help.", "{name}\n[protected]", ""]
NAMES = ["Rahul Verma", "Priya S", "John D", "Maria Lopez", "Ankit Sharma", "Deepa Nair", "Tom K", "Sunita Devi"]
CITIES = ["Pune", "Noida", "Chennai", "Kolkata", "Austin", "Tampa", "Hyderabad", "Jaipur"]

HINGLISH = [
    "Maine {date} ko {company} se {product} order kiya tha lekin abhi tak delivery nahi hui.",
    "Customer care pe call karo to bolte hain 48 hours wait karo, ye teesri baar ho raha hai.",
    "Paisa account se kat gaya hai par order cancel dikha raha hai.",
    "Service center wale bolte hain part available nahi hai, 15 din se phone wahi pada hai.",
    "Please mera refund jaldi karwa do, bahut pareshan hoon.",
    "Koi bhi proper jawab nahi de raha, har baar naya ticket number de dete hain.",
]
HINDI = [
    "मैंने {date} को {company} से {product} खरीदा था।",
    "एक महीने के अंदर ही इसमें खराबी आ गई है।",
    "सर्विस सेंटर वाले कहते हैं कि वारंटी में नहीं आएगा।",
    "मेरे खाते से पैसे कट गए लेकिन ऑर्डर कैंसिल दिखा रहा है।",
    "कृपया मेरी समस्या जल्द से जल्द हल करें।",
    "कस्टमर केयर पर कई बार कॉल किया लेकिन कोई जवाब नहीं मिला।",
]
SPANISH = [
    "Compré un {product} de {company} el {date} y nunca llegó.",
    "Llamé al servicio al cliente tres veces y nadie me dio una solución.",
    "Me cobraron dos veces en la tarjeta de crédito.",
    "Quiero que me devuelvan mi dinero lo antes posible.",
    "El técnico no vino el día acordado y no me avisaron.",
    "Es una vergüenza cómo tratan a los clientes.",
]

WRITTEN = [
    "Worst service ever. Ordered on 3rd and still nothing.",
    "Refund not received. Order id [protected].",
    "THEY CHARGED ME $89.99 FOR A PLAN I CANCELLED IN MARCH. I HAVE THE CONFIRMATION EMAIL. FIX THIS NOW.",
    "phone heating problem after update, pls help",
    "Bhai koi to sun lo, 2 mahine ho gaye refund nahi aaya.",
    "The router you sent does not work.\nI need a technician visit.",
    "Please call me back on my registered number. Nobody has called in 10 days.",
    "I called Spectrum at 1-855-707-7328 on May 2 and again on May 9. Both times the rep said the credit "
    "was applied. It was not. My May bill still shows the $45 equipment fee for boxes I returned in April.",
    "My complaint number is WXIN[protected]. The service centre in Noida sector 18 says the motherboard must be "
    "replaced at my cost, but the phone is only 5 months old and under warranty. I never dropped it. Kindly "
    "check the jobsheet and repair it free as per warranty.",
    "Order ****** was delivered to the wrong address. The tracking shows a signature that is not mine. I filed "
    "a claim with the carrier and they told me to contact the seller. The seller told me to contact the carrier. "
    "I have now been going back and forth for three weeks and I am out $312.",
    "NO INTERNET FOR 6 DAYS. I WORK FROM HOME. EVERY TIME I CALL THEY SAY AN OUTAGE IN MY AREA BUT MY NEIGHBOURS "
    "HAVE SERVICE. I WANT A CREDIT FOR THE WHOLE WEEK AND SOMEONE TO ACTUALLY COME OUT.",
    "Hello team,\nI booked a Mi TV 4A on the flash sale. Payment via UPI, amount Rs 13,999 debited. Order shows "
    "'payment pending' for 5 days now. UPI ref no [protected]. Please confirm the order or refund.\nThanks,\nKaran",
    "I am rejecting this response because the refund has still not appeared on my statement. Your letter says "
    "it was issued on 04/16 but my bank has no record of it.",
    "The store manager at the ******* ** location was rude and refused to accept my return even though I was "
    "within the 30 day window and had the receipt.",
    "सर मेरे पास mi A3 मोबाइल है जब से लिया है heating problem हो रही है, सर्विस सेंटर वाले कुछ नहीं कर रहे।",
    "Yeh company bilkul bakwas hai. 3 baar service center gaya, har baar bolte hain software update karo. Phone "
    "abhi bhi hang hota hai. Mujhe replacement chahiye.",
    "Pedí una lavadora el 12 de marzo. Me dijeron que llegaría en 5 días. Ya pasó un mes y nadie responde. "
    "Número de pedido [protected].",
    "I have been trying to close my account for two months. Every call ends with a retention offer and the "
    "account stays open. I was billed again this month.",
    "Called the helpline 1800 103 6286 as written on the box. They said my model is not covered under "
    "their toll free support and I should visit a service centre 60 km away.",
    "Dear Sir, my father's pension account at your branch has been frozen since KYC update. We submitted all "
    "documents twice. The branch manager says the head office must approve. Please help, he has no other income.",
]


def written_complaint(rng: random.Random) -> tuple[str, str]:
    """(language, text) of a complaint in the style of the real ones, from the pools above."""
    company, product, _ = rng.choice(COMPANIES)
    fields = {
        "company": company,
        "product": product,
        "date": f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/202{rng.randint(2, 5)}",
        "years": rng.randint(2, 15),
        "weeks": rng.randint(2, 10),
        "times": rng.randint(3, 12),
        "city": rng.choice(CITIES),
        "amount": rng.randrange(499, 60000, 10),
        "name": rng.choice(NAMES),
        "phone": rng.choice(["1800 103 6286", "1-855-707-7328", "(800) 642-7676", "1800-208-9898"]),
    }
    style = rng.choices(["en", "caps", "hinglish", "hindi", "spanish"], weights=[10, 2, 3, 2, 2])[0]
    if style in ("en", "caps"):
        parts = [
            rng.choice(OPENINGS),
            *rng.sample(PROBLEMS, rng.randint(1, 3)),
            *rng.sample(CONTACTS, rng.randint(0, 2)),
            rng.choice(DEMANDS),
            rng.choice(CLOSINGS),
        ]
    else:
        pool = {"hinglish": HINGLISH, "hindi": HINDI, "spanish": SPANISH}[style]
        parts = rng.sample(pool, rng.randint(2, len(pool)))
        if style == "hinglish" and rng.random() < 0.5:
            parts.append(rng.choice(PROBLEMS))
    text = _join(rng, [part.format(**fields) for part in parts if part])
    if style == "caps":
        text = text.upper()
    return {"caps": "en"}.get(style, {"hinglish": "en-hi", "hindi": "hi", "spanish": "es"}.get(style, "en")), text


def _join(rng: random.Random, parts: list[str]) -> str:
    """Real posts are one paragraph, one line a sentence, or a few paragraphs."""
    layout = rng.choice(["paragraph", "lines", "paragraphs"])
    if layout == "paragraph":
        return " ".join(parts)
    if layout == "lines":
        return "\n".join(parts)
    cut = max(1, len(parts) // 2)
    return " ".join(parts[:cut]) + "\n\n" + " ".join(parts[cut:])


PAGES = {
    "faq": """Frequently asked questions

How do I track my order?
Open My Orders and select the order. The tracking link shows the courier and the expected delivery date.

How long does a refund take?
Refunds to cards take 5-7 working days after the returned item reaches our warehouse. UPI refunds usually arrive within 2 days.

Can I change my delivery address?
You can change the address until the order is packed. After that, please contact support.

What if my item arrives damaged?
Report it within 48 hours with photos of the item and the box. We will arrange a pickup and a replacement.

How do I contact customer care?
Customer care: 1800 208 9898 (toll free, 9 am to 9 pm, all days). You can also write to us from the Help Centre.

Do you deliver on Sundays?
Yes, in most cities. Sunday delivery slots are shown at checkout.""",
    "news": """Regulator fines payment firm over failed refunds

The central bank has fined a digital payments company Rs 2.5 crore for delays in refunding failed transactions, according to an order published on Tuesday.

The regulator said the company had not credited customers within the required time in thousands of cases between April and September last year. Under the rules, money debited for a failed transaction must be returned within five working days, or the company must pay compensation of Rs 100 a day.

The company said it had already refunded all affected customers and had upgraded its reconciliation systems. "We regret the inconvenience caused," a spokesperson said.

Consumer groups welcomed the decision but said penalties were still too small to change behaviour. Complaints about failed transactions rose by 18 percent last year, according to the ombudsman's annual report.

Customers whose refunds are delayed can first complain to the company and then, after 30 days, to the ombudsman.""",
    "terms": """Terms of use

1. Acceptance. By using this website you agree to these terms. If you do not agree, please do not use the site.
2. Accounts. You are responsible for keeping your password secret and for all activity under your account.
3. Content you post. You keep ownership of the reviews and complaints you post, but you grant us a licence to publish, edit for length and display them.
4. Prohibited content. Do not post personal data of others, advertising, phone numbers of third parties, or content that is false or defamatory.
5. Moderation. We may remove content that breaks these terms and suspend accounts that repeatedly do so.
6. Liability. The site is provided as is. We are not responsible for the accuracy of content posted by users.
7. Changes. We may change these terms. The date of the last change is shown at the top of this page.
8. Law. These terms are governed by the laws of India and disputes are subject to the courts of New Delhi.""",
    "howto": """How to write a complaint that gets results

Start with the facts: what you bought, when, the order or account number, and what went wrong. Keep it short and in order.

Say what you have already done. List the dates you called or wrote and the names or reference numbers you were given.

Say what you want: a refund, a repair, a replacement or an apology. Be specific about amounts.

Attach evidence: receipts, photos, screenshots of chats and emails.

Stay polite. Angry messages are understandable, but a calm, clear complaint is easier to escalate.

If the business does not answer within two weeks, you can go to the consumer forum or the ombudsman for your sector.""",
    "about": """About us

We are an independent platform where consumers share their experiences with companies and get help resolving complaints.

Since 2009 more than two million complaints have been posted. Companies can claim their page, answer customers publicly and mark complaints as resolved.

We do not charge consumers. Businesses can subscribe to tools that help them manage responses.

Our moderators check new posts for personal data, abuse and spam before they appear on the site.""",
    "shipping": """Shipping policy

Orders placed before 2 pm are dispatched the same working day. Standard delivery takes 3 to 5 working days; express delivery takes 1 to 2 working days.

Delivery charges: free on orders above Rs 499, otherwise Rs 40. Express delivery costs Rs 99.

We deliver to more than 19,000 pin codes. Remote areas may take up to 10 days.

If you are not at home, the courier will try twice more on the following days before returning the parcel to us.

Large appliances are delivered and installed by our partner technicians, who will call you before the visit.""",
    "news_zh": """消委會接獲電子錢包投訴上升

消費者委員會今日公布,去年共接獲超過一千宗有關電子錢包的投訴,較前年上升約兩成。

投訴主要涉及增值後金額未有入賬、退款延誤,以及賬戶被凍結等問題。有消費者表示,透過信用卡增值後,款項已被扣除,但錢包餘額一直未有更新,聯絡客戶服務亦未能即時解決。

消委會提醒市民,增值前應保留交易紀錄,如發現異常應盡快向營運商查詢,並可向金管局求助。

業界代表表示,大部分個案已經處理完畢,並會加強系統監察。""",
}


# ---------------------------------------------------------------- assembly


def _records(seeds: Path | None) -> Iterator[dict[str, str]]:
    rng = random.Random(20250521)
    if seeds:
        yield from _seed_records(seeds)
    for lang in ("zh", "en", "hi"):
        for i in range(14):
            injection = [0.5, 0.35, 0.25][i % 3]
            text = doorway_page(rng, lang, injection, salad_sections=i % 4)
            yield _record("spam", "doorway", lang, f"generated doorway ({lang}, injection {injection})", text)
    for i in range(30):
        style = ["helpline", "promo", "offlanguage"][i % 3]
        yield _record("spam", "helpline", "en-hi", f"generated helpline post ({style})", helpline_post(rng, style))
    for text in WRITTEN:
        yield _record("legit", "complaint", "mixed", "written complaint", text)
    for _ in range(130):
        lang, text = written_complaint(rng)
        yield _record("legit", "complaint", lang, "composed complaint", text)
    for name, text in PAGES.items():
        yield _record("legit", "page", "zh" if name.endswith("_zh") else "en", f"written page ({name})", text)


def _seed_records(seeds: Path) -> Iterator[dict[str, str]]:
    pages = {path.name[:3]: path for path in sorted(seeds.glob("*.txt"))}
    yield _record("spam", "doorway", "zh", "seed 002", pages["002"].read_text())
    for key in ("000", "001"):
        page = pages[key].read_text()
        yield _record("legit", "page", "en", f"seed {key}", page)
        for kind, text in split_bbb(page):
            yield _record("legit", kind, "en", f"seed {key} (BBB card)", text)
    page = pages["003"].read_text()
    yield _record("legit", "page", "en-hi", "seed 003", page)
    for text in split_board(page):
        yield _record("legit", "complaint", "en-hi", "seed 003 (board card)", text)


def _record(label: str, kind: str, lang: str, source: str, text: str) -> dict[str, str]:
    return {"label": label, "kind": kind, "lang": lang, "source": source, "text": text}


def load(corpus: Path = CORPUS) -> list[dict[str, str]]:
    """Every record of the committed corpus."""
    return [
        json.loads(line)
        for name in ("spam.jsonl", "legit.jsonl")
        for line in (corpus / name).read_text().splitlines()
        if line
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    args = parser.parse_args()
    seeds = args.seeds if args.seeds.is_dir() else None
    records = list(_records(seeds))
    if seeds is None:  # keep the seed-derived records already committed
        records = [r for r in load() if r["source"].startswith("seed")] + records
    CORPUS.mkdir(parents=True, exist_ok=True)
    for label in ("spam", "legit"):
        chosen = [r for r in records if r["label"] == label]
        with open(CORPUS / f"{label}.jsonl", "w", encoding="utf-8") as out:
            for number, record in enumerate(chosen):
                out.write(json.dumps({"id": f"{label}-{number:03d}", **record}, ensure_ascii=False) + "\n")
        print(f"{label}: {len(chosen)} records")


if __name__ == "__main__":
    main()
