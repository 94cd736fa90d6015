"""The spam filter on the real corpus (fixtures/spam/real/), and its short-post, language and report pieces."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from complaints_crawler.cli import main
from complaints_crawler.paths import FIXTURE_SITES_DIR
from complaints_crawler.text import spam
from complaints_crawler.text.spam import doorway, language, lexicons, long_text_model, ngram_model, short_posts
from complaints_crawler.text.spam.tokens import TOKEN

REAL = Path(__file__).parents[1] / "fixtures" / "spam" / "real"
RECORDS = [json.loads(line) for line in (REAL / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line]
BY_URL = {r["source_url"]: r for r in RECORDS}
FIELDS = {
    "id",
    "split",
    "label",
    "kind",
    "topic",
    "language",
    "site_languages",
    "source_domain",
    "source_url",
    "reason",
    "licence",
    "origin",
    "collected",
    "text",
}


def verdict(record: dict) -> spam.SpamScore:
    return spam.score(record["text"], expected_languages=record["site_languages"], page=record["kind"] == "page")


# ---------------------------------------------------------------- the corpus


def test_corpus_size_fields_and_languages():
    assert len([r for r in RECORDS if r["label"] == "spam"]) == 1132
    assert len([r for r in RECORDS if r["label"] == "legit"]) == 2339
    assert all(set(r) == FIELDS and r["text"] and r["source_url"] and r["reason"] and r["licence"] for r in RECORDS)
    assert {r["language"] for r in RECORDS if r["label"] == "spam"} == {
        "de",
        "en",
        "es",
        "fr",
        "hi",
        "id",
        "no",
        "vi",
        "zh",
    }
    assert {r["language"] for r in RECORDS if r["label"] == "legit"} == {"en", "hi", "vi", "zh"}
    assert {r["kind"] for r in RECORDS} == {"short_post", "page"}
    assert len({r["id"] for r in RECORDS}) == len(RECORDS)


def test_split_is_by_source_domain_as_written_in_splits_json():
    splits = json.loads((REAL / "splits.json").read_text())
    assert all(r["split"] == splits[r["source_domain"]] for r in RECORDS)
    # Between a round's evaluation and the next held-out set, every text is dev; otherwise both labels are in both.
    by_label = [{r["split"] for r in RECORDS if r["label"] == label} for label in ("spam", "legit")]
    assert by_label[0] == by_label[1] and by_label[0] in ({"dev"}, {"dev", "heldout"})


def test_round_two_has_ended_its_heldout_set_is_dev_now():
    """Round 2's held-out set was evaluated once and joined dev: dev v3 = every round-1 and round-2 text."""
    round_two = json.loads((REAL / "splits-v2.json").read_text())
    assert {r["split"] for r in RECORDS if r["collected"] in {"v1", "v2"}} == {"dev"}
    assert {r["source_domain"] for r in RECORDS if r["collected"] in {"v1", "v2"}} == set(round_two)


@pytest.mark.parametrize("round_number", [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
def test_an_ended_rounds_heldout_set_is_dev_now(round_number):
    """Each round's held-out set was evaluated once and joined dev. splits-vN.json keeps round N's split as it was:
    every domain of that round's texts held-out there, every earlier domain dev."""
    split_then = json.loads((REAL / f"splits-v{round_number}.json").read_text())
    this_round = f"v{round_number}"
    texts = [r for r in RECORDS if int(r["collected"][1:]) <= round_number]
    assert {r["split"] for r in texts} == {"dev"}
    assert {r["source_domain"] for r in texts} == set(split_then)
    assert {split_then[r["source_domain"]] for r in texts if r["collected"] == this_round} == {"heldout"}
    assert {split_then[r["source_domain"]] for r in texts if r["collected"] != this_round} == {"dev"}


@pytest.mark.parametrize(
    "round_number, spam_texts, legit_texts, domains",
    [
        (5, 69, 142, 153),
        (6, 60, 130, 145),
        (7, 60, 131, 126),
        (8, 61, 138, 162),
        (9, 62, 131, 189),
        (10, 60, 130, 182),
        (11, 62, 134, 196),
        (12, 57, 88, 145),
        (13, 67, 133, 198),
        (14, 62, 86, 143),
        (15, 60, 134, 189),
        (16, 54, 124, 176),
        (17, 32, 66, 98),
    ],
)
def test_a_rounds_heldout_set_came_from_new_domains(round_number, spam_texts, legit_texts, domains):
    """Each held-out set was collected from source domains never used before, by someone who did not tune, read or
    run the filter: none of its domains was in the round before's split."""
    texts = [r for r in RECORDS if r["collected"] == f"v{round_number}"]
    earlier = json.loads((REAL / f"splits-v{round_number - 1}.json").read_text())
    assert not {r["source_domain"] for r in texts} & set(earlier)
    assert len([r for r in texts if r["label"] == "spam"]) == spam_texts
    assert len([r for r in texts if r["label"] == "legit"]) == legit_texts
    assert len({r["source_domain"] for r in texts}) == domains
    assert {r["language"] for r in texts} == {"en", "hi", "vi", "zh"}


def test_the_heldout_set_is_the_newest_rounds():
    """While a round is under way its texts, and only they, are held out (between rounds every text is dev)."""
    newest = max(int(r["collected"][1:]) for r in RECORDS)
    held_out = [r for r in RECORDS if r["split"] == "heldout"]
    assert all(r["collected"] == f"v{newest}" for r in held_out)
    assert not held_out or {r["split"] for r in RECORDS if r["collected"] == f"v{newest}"} == {"heldout"}
    splits = json.loads((REAL / "splits.json").read_text())
    assert {d for d, split in splits.items() if split == "heldout"} == {r["source_domain"] for r in held_out}


# Exact figures at the default threshold (benchmarks/spam_eval.py prints them with precision, recall, F1). Dev v3
# (round 1 and round 2, all tuned on or seen): 190 of 224 spam caught, 1 of 481 legitimate texts flagged (before the
# round-3 tuning: 147 and 3). Held-out v2 was evaluated once before it joined dev: 55 of 71 caught (recall 0.775),
# 1 of 153 flagged (FPR 0.65%).
# Held-out v3 was evaluated once, after the round-3 tuning: 47 of 81 caught, 1 of 161 flagged; it joined dev, so
# dev v4 (rounds 1-3) = 190 + 47 of 224 + 81 caught, 1 + 1 of 481 + 161 flagged. After the round-4 tuning (glued
# Vietnamese syllables, messenger handles only before an ID, lexicon additions, the share of words in off-topic
# terms, combiner retrained on dev v4): 263 of 305, 1 of 642.
# Held-out v4 was evaluated once, after the round-4 tuning was merged: 38 of 61 caught, 5 of 130 flagged; it joined
# dev, so dev v5 (rounds 1-4) = 263 + 38 of 305 + 61 caught, 1 + 5 of 642 + 130 flagged. After the round-5 tuning
# (messenger handles only before an ID or a number, labelled order and account numbers are no phone numbers,
# off-topic terms alone never flag a text, combiner retrained on dev v5): 281 of 366, 3 of 772.
# Held-out v5 was evaluated once, after the round-5 tuning was committed: 33 of 69 caught, 0 of 142 flagged; it joined
# dev, so dev v6 (rounds 1-5) = 281 + 33 of 366 + 69 caught, 3 + 0 of 772 + 142 flagged.
# After the round-6 tuning (lexicons of money schemes, pharmacy, carding and loan articles; links alone never flag a
# text; combiner retrained on dev v6): 328 of 435, 4 of 914.
# Held-out v6 was evaluated once, after the round-6 tuning was committed: 34 of 60 caught, 3 of 130 flagged; it joined
# dev, so dev v7 (rounds 1-6) = 328 + 34 of 435 + 60 caught, 4 + 3 of 914 + 130 flagged. After the round-7 tuning
# (satta-chart, escort-agency and Hindi money-app wording; combiner retrained on dev v7): 364 of 495, 7 of 1044.
# Held-out v7 was evaluated once, after the round-7 tuning was committed: 47 of 60 caught, 0 of 131 flagged; it joined
# dev, so dev v8 (rounds 1-7) = 364 + 47 of 495 + 60 caught, 7 + 0 of 1044 + 131 flagged. After the round-8 tuning
# (the Gopher repetition hinge from 2x to 4x its limit, betting brands, terms of the strong categories; combiner
# retrained on dev v8): 436 of 555, 6 of 1175.
# Held-out v8 was evaluated once, after the round-8 tuning was committed: 22 of 61 caught, 2 of 138 flagged; it joined
# dev, so dev v9 (rounds 1-8) = 436 + 22 of 555 + 61 caught, 6 + 2 of 1175 + 138 flagged. After the round-9 tuning
# (the long-text model, combiner retrained on dev v9): 485 of 616, 8 of 1313.
# Held-out v9 was evaluated once, after the round-9 tuning was committed: 22 of 62 caught, 2 of 131 flagged; it joined
# dev, so dev v10 (rounds 1-9) = 485 + 22 of 616 + 62 caught, 8 + 2 of 1313 + 131 flagged. After the round-10 tuning
# (stock phrases of content-farm articles; both models and the combiner retrained on dev v10): 520 of 678, 9 of 1444.
# Held-out v10 was evaluated once, after the round-10 tuning was committed: 33 of 60 caught, 10 of 130 flagged; it
# joined dev, so dev v11 (rounds 1-10) = 520 + 33 of 678 + 60 caught, 9 + 10 of 1444 + 130 flagged. From round 11 a
# page's text is scored as a page, as the crawler scores one (the n-gram model, trained on posts, does not read it);
# after the round-11 tuning (that, the Gopher repetition evidence from 3x its limit, the models and the combiner
# retrained on dev v11): 539 of 738, 8 of 1574.
# Held-out v11 was evaluated once, after the round-11 tuning was committed: 27 of 62 caught, 5 of 134 flagged; it
# joined dev, so dev v12 (rounds 1-11) = 539 + 27 of 738 + 62 caught, 8 + 5 of 1574 + 134 flagged. After the round-12
# tuning (the models and the combiner retrained on dev v12, nothing else): 570 of 800, 13 of 1708.
# Held-out v12 was evaluated once, after the round-12 tuning was committed: 20 of 57 caught, 1 of 88 flagged; it
# joined dev, so dev v13 (rounds 1-12) = 570 + 20 of 800 + 57 caught, 13 + 1 of 1708 + 88 flagged. After the round-13
# tuning (the models and the combiner retrained on dev v13, the combiner's L2 grid made finer): 586 of 857, 12 of 1796.
# Held-out v13 was evaluated once, after the round-13 tuning was committed: 22 of 67 caught, 1 of 133 flagged; it
# joined dev, so dev v14 (rounds 1-13) = 586 + 22 of 857 + 67 caught, 12 + 1 of 1796 + 133 flagged. After the round-14
# tuning (Chinese terms found in their traditional spelling too, terms of surrogacy, "tea" escort and porn-keyword pages,
# the models and the combiner retrained on dev v14): 628 of 924, 13 of 1929.
# Held-out v14 was evaluated once, after the round-14 tuning was committed: 35 of 62 caught, 6 of 86 flagged; it
# joined dev, so dev v15 (rounds 1-14) = 628 + 35 of 924 + 62 caught, 13 + 6 of 1929 + 86 flagged. After the round-15
# tuning (no keyword-injection evidence on a page of fewer than 10 lines, the models and the combiner retrained on dev
# v15): 671 of 986, 12 of 2015.
# Held-out v15 was evaluated once, after the round-15 tuning was committed: 20 of 60 caught, 8 of 134 flagged; it
# joined dev, so dev v16 (rounds 1-15) = 671 + 20 of 986 + 60 caught, 12 + 8 of 2015 + 134 flagged. After the round-16
# tuning (phone numbers beside call-to-action wording and calls to action weigh apart on pages, the models and the
# combiner retrained on dev v16): 678 of 1046, 13 of 2149.
# Held-out v16 was evaluated once, after the round-16 tuning was committed: 21 of 54 caught, 5 of 124 flagged; it
# joined dev, so dev v17 (rounds 1-16) = 678 + 21 of 1046 + 54 caught, 13 + 5 of 2149 + 124 flagged.
@pytest.mark.parametrize("split, caught, spam_total, flagged, legit_total", [("dev", 699, 1100, 18, 2273)])
def test_figures_per_split(split, caught, spam_total, flagged, legit_total):
    records = [r for r in RECORDS if r["split"] == split]
    results = [(r["label"], verdict(r).is_spam) for r in records]
    assert sum(label == "spam" for label, _ in results) == spam_total
    assert sum(label == "spam" and is_spam for label, is_spam in results) == caught
    assert sum(label == "legit" for label, _ in results) == legit_total
    assert sum(label == "legit" and is_spam for label, is_spam in results) == flagged


# ---------------------------------------------------------------- named texts


def test_helpline_number_pasted_seven_times():
    result = verdict(BY_URL["https://github.com/forem/forem/issues/10627"])
    assert result.is_spam
    names = [r.name for r in result.reasons]  # largest contribution first; pieces at full weight may tie
    assert names[:2] == ["ngram_model", "helpline_numbers"]  # since round 16: 2.94 and 2.84
    assert set(names) == {"helpline_numbers", "number_prominence", "repeated_phrases", "ngram_model", "topic_terms"}
    assert result.features["number_prominence"] == 7  # the same number, seven times
    assert result.features["helpline_numbers"] == 10  # 7 numbers beside "customer care", 3 repeats counted
    assert "8927156725" in result.reason("helpline_numbers").explanation  # type: ignore[union-attr]


def test_chinese_casino_post_is_spam_by_lexicon_and_handles():
    result = verdict(BY_URL["https://github.com/mouredev/Hello-Python/issues/297"])
    assert result.is_spam
    assert result.features["topic_terms"] == 5 and result.features["contact_handles"] == 2
    assert "gambling" in result.reason("topic_terms").explanation  # type: ignore[union-attr]
    assert "ngram_model" not in result.features  # Chinese text: lexicons only


def test_a_complaint_quoting_its_own_phone_number_is_not_spam():
    result = verdict(BY_URL["https://github.com/swciitg/onestop_flutter/issues/525"])
    assert not result.is_spam and result.reasons == ()


def test_an_invoice_question_with_qq_stays_under_the_threshold():
    """发票 (invoice) and 咨询 (consult) are fake-invoice spam words; a customer's question holding one of each and
    "加QQ都没有反应" (added them on QQ, no answer) scored just over the threshold until the combiner was retrained on
    dev v3, then just under it. Since round 4 a messenger name counts as a handle only before an ID (letters,
    digits, "@", "+"), not before a Chinese word ("QQ都"); the share of its words in such terms (15%) adds a
    little. Since round 5 a term weighs less than a call to action (terms alone never flag a text)."""
    result = verdict(BY_URL["https://github.com/TinkerPatch/tinkerpatch-sdk/issues/160"])
    assert not result.is_spam and result.score > 0.15
    assert [r.name for r in result.reasons] == ["calls_to_action", "topic_terms", "topic_share"]
    assert (result.features["topic_terms"], result.features["contact_handles"], result.features["calls_to_action"]) == (
        1.0,
        0.0,
        1.0,
    )


def test_vietnamese_betting_post_on_an_english_board_adds_language_evidence():
    text = BY_URL["https://github.com/zedeus/nitter/issues/501"]["text"]
    assert language.language_mismatch(text, {"en", "hi"}) == (1.0, "vi")
    on_board = spam.score(text, expected_languages={"en", "hi"})
    assert on_board.reason("language_mismatch") is not None and on_board.is_spam
    assert "language_mismatch" not in spam.score(text).features


# ---------------------------------------------------------------- pieces


def test_devanagari_words_keep_their_vowel_signs():
    assert TOKEN.findall("मेरा कस्टमर केयर नंबर") == ["मेरा", "कस्टमर", "केयर", "नंबर"]


HINDI_WORDS = [
    "मेरा",
    "पैसा",
    "वापस",
    "नहीं",
    "मिला",
    "शिकायत",
    "ऑर्डर",
    "डिलीवरी",
    "गलत",
    "सामान",
    "बैंक",
    "खाता",
    "कंपनी",
    "जवाब",
    "महीने",
    "दिन",
    "रिफंड",
]


def test_hindi_keyword_injection_counts_whatever_separates_the_words():
    """The keyword is pasted with two spaces or a comma between its words; it used to be counted only when
    written with single spaces."""
    lines = []
    for i in range(12):
        words = [HINDI_WORDS[(i * 5 + j) % len(HINDI_WORDS)] + str(i) for j in range(8)]
        separator = "  " if i % 2 else ", "
        lines.append(" ".join(words[:4]) + f" कस्टमर{separator}केयर " + " ".join(words[4:]))
    page = "\n".join(lines)
    tokens = TOKEN.findall(page.lower())
    assert len(tokens) >= spam.MIN_REPETITION_TOKENS
    result = spam.score(page)
    assert result.reason("keyword_injection") is not None
    assert "'कस्टमर केयर'" in result.reason("keyword_injection").explanation  # type: ignore[union-attr]
    assert doorway.KEYWORD_MIN_SHARE == 0.20


def test_contact_numbers_in_spammers_formats():
    # each number: 1 for "call" beside it; and 1 for the repeat
    assert short_posts.contact_numbers("call +1-(844)-524-6699 now, call +1-(844)-524-6699") == (
        3.0,
        "+1-(844)-524-6699",
    )
    assert short_posts.contact_numbers("you can call customer support at {09932+80+5363} (india)")[0] == 1.0
    assert short_posts.contact_numbers("my order 1234 and invoice 56789")[0] == 0.0


def test_lookalike_glued_and_trunk_prefixed_numbers():
    # Cyrillic З and О written for 3 and 0, standing apart from other letters; a Russian word keeps its letters
    assert short_posts.number_text("【█1 З 5-ЗЗ45-О429█】 заказ") == "【█1 3 5-3345-0429█】 заказ"
    # a number glued to "number" counts; the same number again with its trunk 0 is a repeat
    text = short_posts.number_text("sent money to the wrong number9123--892--436, customer support 09123-892436")
    assert [m.group() for m in short_posts.phone_numbers(text)] == ["9123--892--436", "09123-892436"]
    assert short_posts.contact_numbers(text)[0] == 3.0  # "customer support" within reach of both, and the repeat
    # glued to any other word, digits are an order id, not a phone number
    assert short_posts.phone_numbers("order od1234567890123") == []


def test_sms_offers_and_link_share():
    text = "win £200 this week in our quiz, text play to 85222 now! 150p/msg"
    assert short_posts.sms_offer(text)[0] == 3.0
    # what complaints quote of the services that billed them is no offer
    assert short_posts.sms_offer("as per their t&cs (18+) i was charged $9.99/month and could not opt out")[0] == 0.0
    assert short_posts.link_share("http://www.twitch.tv/sevadus")[0] == 1.0
    # a complaint with a link to its evidence: the link is a small part of it (a one-line post with a link is not)
    complaint = (
        "i was charged twice for the same order and the bank says the merchant must refund it. the statement is at "
        "https://imgur.com/a/abc123 and support has not replied for two weeks."
    )
    assert short_posts.link_share(complaint)[0] < 0.3


def test_terms_count_by_longest_match():
    words = TOKEN.findall("won a prize in their app lottery")
    assert lexicons.topic_terms(words) == (2.0, "prize: lottery, won a prize")
    assert lexicons.topic_terms(TOKEN.findall("nhà cái cá cược uy tín"))[0] == 2.0  # not also "cược"


def test_a_short_help_page_naming_its_topic_on_every_line_is_no_doorway():
    """Round 15: a 9-line help page on rejected cashback ("hoàn tiền" on 7 of its lines) was read as keyword
    injection (score 0.94). Pages of fewer than 10 lines get no such evidence; the 57-line doorway seed still does."""
    page = next(r for r in RECORDS if r["id"] == "legit-b2bbda0de6")
    result = verdict(page)
    assert not result.is_spam and [r.name for r in result.reasons] == ["page_calls_to_action", "decoration"]
    doorway_seed = verdict(next(r for r in RECORDS if r["source_url"] == "seed 002"))
    assert doorway_seed.is_spam and doorway_seed.reason("keyword_injection") is not None


def test_a_banks_own_page_with_its_toll_free_numbers_is_not_spam():
    """Round 16: on a page, phone numbers beside "call" and calls to action have weights of their own, learned on the
    dev pages (a bank's, a shop's or a guide's own page gives its numbers); a post keeps the post weights."""
    page = verdict(next(r for r in RECORDS if r["id"] == "legit-e05f884861"))  # a bank's credit-card grievance page
    assert not page.is_spam
    assert [r.name for r in page.reasons] == ["topic_terms", "page_calls_to_action", "page_helpline_numbers"]
    assert page.features["page_helpline_numbers"] == 3 and "helpline_numbers" not in page.features
    post = verdict(BY_URL["https://github.com/forem/forem/issues/10627"])
    assert post.reason("helpline_numbers").contribution > 4 * page.reason("page_helpline_numbers").contribution  # type: ignore[union-attr]


def test_chinese_terms_are_found_in_traditional_spelling_and_named_as_listed():
    """Taiwan and Hong Kong casino pages write 百家樂, 娛樂城, 註冊 (before round 14 only the terms spelled alike in both
    scripts, such as 博彩 and 下注, were found in them)."""
    words = TOKEN.findall("線上娛樂城 真人百家樂 立即註冊 送彩金")  # 註冊送 is one term: register for a bonus
    assert lexicons.topic_terms(words) == (4.0, "gambling: 娱乐城, 彩金, 注册送, 百家乐")
    assert lexicons.calls_to_action(words, "") == (2.0, "注册, 立即")
    assert lexicons.topic_terms(TOKEN.findall("助孕妈妈配对 试管代怀"))[1] == "surrogacy: 助孕妈妈, 试管代怀"
    # a simplified page is read as before, and so is a term whose characters are the same in both scripts
    assert lexicons.topic_terms(TOKEN.findall("线上娱乐城 真人百家乐"))[0] == 2.0
    assert lexicons.topic_terms(TOKEN.findall("平台彩票"))[0] == 1.0


def test_links_handles_and_chains():
    assert short_posts.links("visit 376838.com or https://079.one/ and whispershackerrecovery . c o m")[0] == 3.0
    assert short_posts.contact_handles("飞机：@lc15688 微信：xiaolu460570")[0] == 2.0
    assert short_posts.keyword_chain("satta matka | kalyan matka | matka result")[0] == 2.0
    assert short_posts.contact_handles("加QQ都没有反应 微信群里")[0] == 0.0  # a messenger named, no ID
    assert short_posts.contact_handles("wx号: cww0128")[0] == 1.0
    assert short_posts.contact_handles("@virginamerica #vx358 no air")[0] == 0.0  # a flight number


def test_three_off_topic_terms_named_once_each_do_not_flag_a_complaint():
    """Round 5: distinct off-topic terms alone weigh less than the threshold (news about satta matka and lottery
    scams name three in a paragraph); the round-4 scorer flagged this complaint at exactly 0.50. Terms that fill a
    tenth of the words or more still add their share."""
    complaint = (
        "I deposited 200 dollars on the Lucky Star casino app in March after an advert showed a jackpot winner. When I "
        "asked to withdraw my balance the app said my account was under review, and the support chat, which calls "
        "itself a licensed bookmaker, stopped replying. My bank says the merchant must refund the charge but the "
        "company gives no address or phone."
    )
    result = spam.score(complaint)
    assert result.features["topic_terms"] == 4.0 and [r.name for r in result.reasons] == ["topic_terms"]
    assert not result.is_spam and round(result.score, 2) == 0.38


def test_pharmacy_and_carding_adverts_name_their_goods():
    """Round 6: medicines without a prescription and stolen cards are lexicon categories (both posts, held-out v5
    misses, are dev now: in-sample)."""
    ozempic = verdict(BY_URL["https://github.com/albertsmith7175/gitub-with-website/issues/72"])
    carding = verdict(BY_URL["https://github.com/magento/devdocs/issues/8241"])
    assert ozempic.is_spam and ozempic.reason("topic_terms").explanation.startswith("2 terms")  # type: ignore[union-attr]
    assert "(pharmacy: " in ozempic.reason("topic_terms").explanation  # type: ignore[union-attr]
    assert carding.is_spam and "(carding: " in carding.reason("topic_terms").explanation  # type: ignore[union-attr]


def test_links_alone_do_not_flag_a_complaint():
    """Round 6: a review whose sentences run together ("bad.In my phone") reads as three domains; links alone weigh
    less than the threshold."""
    review = next(r for r in RECORDS if r["id"] == "legit-116e2abbe1")
    result = verdict(review)
    assert result.features["links"] == 3.0 and result.reason("links") is not None
    assert not result.is_spam


def test_terms_of_the_strong_categories_weigh_more():
    """Round 8: adult, crypto-recovery, pharmacy, carding and self-promotion terms are rare in complaints; two of them
    flag an escort agency's rates page (a held-out v6 miss, dev now: in-sample), one needs other evidence."""
    rates = verdict(BY_URL["https://www.bellevue-escort.com/ac_faq/rates-models/"])
    assert rates.is_spam and [r.name for r in rates.reasons][:2] == ["strong_terms", "topic_terms"]
    complaint = spam.score(
        "The escort agency advertised on the hotel's website charged my card twice for one booking and the hotel says"
        " it has nothing to do with them. I want a refund of the second charge."
    )
    assert complaint.features["strong_terms"] == 1.0 and [r.name for r in complaint.reasons] == [
        "strong_terms",
        "topic_terms",
    ]
    assert not complaint.is_spam
    assert complaint.reason("strong_terms").explanation.endswith(": escort agency")  # type: ignore[union-attr]


def test_a_messenger_named_in_a_sentence_is_no_handle():
    """Round 5: a messenger's name followed by a word is the app, not an ID (two news pages about lottery scams had
    "WhatsApp and other social media" and "WhatsApp messages" counted as handles)."""
    for named in ("circulating on whatsapp and other social media", "whatsapp messages claim", "wechat pay refund"):
        assert short_posts.contact_handles(named)[0] == 0.0, named
    for handle in ("[whatsapp chat : +91 9953044413]", "whatsapp number →✬ 7078892601", "whatsapp now :- ☎ 9615109000"):
        assert short_posts.contact_handles(handle)[0] == 1.0, handle
    assert short_posts.contact_handles("telegram username:  @digitalfunds")[0] == 1.0


def test_labelled_order_and_account_numbers_are_no_phone_numbers():
    """Round 5: the order number a complainant quotes beside the support line he called is not a second contact
    number; an advert's "booking number" is one."""
    text = "最近下单号为：1442083355，其中一套书少带光盘。然后我打电话010-51236699客服热线"
    assert [m.group() for m in short_posts.phone_numbers(text)] == ["51236699"]  # the hotline, glued to 打电话010-
    for quoted in ("order id 40512345678 was", "utr 412345678901", "my account number: 1234567890"):
        assert short_posts.phone_numbers(quoted) == [], quoted
    assert len(short_posts.phone_numbers("delta booking number +1-888-555-0199")) == 1


def test_glued_vietnamese_syllables():
    text = "nhà cái uy tínbảng xếp hạng 2023bảng"
    assert short_posts.glued_words(text, TOKEN.findall(text)) == (0.25, "tínbảng, 3bả")
    for clean in ("giá 100.000đ, người đường nguyễn quá", "el técnico no vino, qué vergüenza", "tiếng việt"):
        assert short_posts.glued_words(clean, TOKEN.findall(clean))[0] == 0.0


def test_topic_share_needs_more_than_one_term_in_a_short_text():
    for tweet in ("@united what is your customer service number?", "teen patti refund not received"):
        result = spam.score(tweet)
        assert not result.is_spam and result.features["topic_share"] == 0.0
    words = TOKEN.findall("casino jackpot free spins casino bonus today")
    assert lexicons.topic_terms_and_share(words)[2] == 5 / 20  # 5 words in terms; a short text counts as 20


def test_ascii_latin_text_is_english_without_identification():
    assert language.latin_language("Humara payment abhi tak wapas nahi aaya hai sir please help", 49) == "en"
    assert language.languages("Nhà cái uy tín hàng đầu Châu Á, cá cược bóng đá trực tuyến") == {"vi": 44}


def test_vietnamese_typed_without_diacritics_is_vietnamese():
    review = BY_URL[next(u for u, r in BY_URL.items() if r["id"] == "legit-9053240a3b")]
    assert review["text"].isascii() and review["split"] == "dev"
    assert language.languages(review["text"]) == {"vi": 137}
    # on its own (Vietnamese) site it is no longer a language mismatch: the round-2 kind of false positive
    assert verdict(review).reason("language_mismatch") is None and not verdict(review).is_spam
    text = "minh da mua hang tren shop nhung khong nhan duoc hang, shop cho minh hoi sao vay"
    assert language.language_mismatch(text, {"en", "hi"})[0] == 1.0


def test_ngram_model_is_small_and_trained_on_dev():
    data = json.loads((Path(ngram_model.__file__).parent / ngram_model.MODEL_FILE).read_text(encoding="utf-8"))
    assert data["trained_on"] == "dev split of fixtures/spam/real/corpus.jsonl"
    assert 0 < len(data["weights"]) < 500
    assert ngram_model.probability("") == 0.0
    assert ngram_model.probability("subscribe to my channel") > 0.9


def test_long_text_model_is_trained_on_dev_and_reads_every_language():
    data = json.loads((Path(long_text_model.__file__).parent / long_text_model.MODEL_FILE).read_text(encoding="utf-8"))
    assert data["trained_on"] == "dev split of fixtures/spam/real/corpus.jsonl" and data["C"] == 10.0
    assert 10_000 < len(data["grams"]) <= 20_000
    assert {" 00", "लोन", "nhà", "百家乐"} <= set(data["grams"])  # digits folded; Hindi, Vietnamese, Chinese n-grams
    # A Hindi instant-loan article: the off-topic terms of its opening alone stay under the threshold.
    loan = BY_URL[next(r["source_url"] for r in RECORDS if r["id"] == "spam-ed51d9d498")]
    result = verdict(loan)
    assert result.is_spam and [r.name for r in result.reasons] == ["topic_terms", "long_text_model"]
    assert result.features["long_text_model"] == pytest.approx(0.937, abs=0.001)
    assert result.reason("long_text_model").explanation == "the long-text model trained on real spam gives 0.94"


def test_long_text_model_reads_an_opening_of_3000_bytes_in_any_script():
    chinese = "网赌被黑不给出款怎么办" * 300  # 3,300 characters, 3 bytes each
    assert long_text_model.gram_counts(chinese) == long_text_model.gram_counts(chinese[:1000])
    english = "my refund never came " * 200
    assert long_text_model.gram_counts(english) == long_text_model.gram_counts(english[:3000])
    # Digits fold to 0; an n-gram counts the words holding it ("00000" holds "000" three times, and counts once).
    counts = long_text_model.gram_counts("Call 98765 call")
    assert (counts["cal"], counts["call"], counts["000"], counts["0000"], counts[" 000"]) == (2, 2, 1, 1, 1)


def test_long_text_model_scores_as_it_was_trained(monkeypatch):
    """(1 + log count) * idf over the model's n-grams, scaled to unit length, then the logistic of bias + dot product."""
    model_data = long_text_model._Model(
        bias=-1.0,
        grams=frozenset({"cal", "all"}),
        weighted={"cal": 2.0 * 1.5, "all": -1.0 * 2.0},
        squared={"cal": 2.25, "all": 4.0},
    )
    monkeypatch.setattr(long_text_model, "_model", lambda: model_data)
    counts = long_text_model.gram_counts("call call fall")  # "cal" twice, "all" three times
    assert (counts["cal"], counts["all"]) == (2, 3)
    cal, all_ = (1 + math.log(2)) * 1.5, (1 + math.log(3)) * 2.0
    z = -1.0 + (cal * 2.0 + all_ * -1.0) / math.sqrt(cal**2 + all_**2)
    assert long_text_model.probability("call call fall") == pytest.approx(1 / (1 + math.exp(-z)))
    assert long_text_model.probability("nothing here") == pytest.approx(1 / (1 + math.exp(1.0)))


def test_stock_phrases_of_content_farm_articles_count_in_the_opening_only():
    seo = "आज के डिजिटल युग में, स्मार्टफोन से पैसे कमाना आसान है। इस लेख में हम विस्तार से जानेंगे कि कैसे।"
    assert lexicons.article_boilerplate(TOKEN.findall(seo)) == (3.0, "आज के डिजिटल युग, इस लेख में, विस्तार से")
    guide = "Whether you're a beginner or a pro, look no further: let's dive into the best app."
    assert lexicons.article_boilerplate(TOKEN.findall(guide.lower()))[0] == 3.0
    late = "My order never arrived and support stopped answering. " * 40 + "Whether you're new or not, avoid them."
    assert lexicons.article_boilerplate(TOKEN.findall(late.lower())) == (0.0, "")
    # Alone it never flags a text: capped at half of what does (an advice article on filing a complaint opens so too).
    advice = "आज के डिजिटल युग में हर कोई ऑनलाइन खरीदारी करता है। इस लेख में हम विस्तार से बताएंगे कि शिकायत कैसे दर्ज करें।"
    result = spam.score(advice, expected_languages=["hi"])
    assert not result.is_spam and [(r.name, r.contribution) for r in result.reasons] == [("article_boilerplate", 2.0)]


def test_the_long_text_model_is_asked_only_where_it_can_change_the_verdict():
    """A text without other evidence is not read by it; where it is not asked, asking it would change no verdict."""
    board = FIXTURE_SITES_DIR / "consumercomplaints" / "xiaomi-india-b106391" / "index.html"
    assert "long_text_model" not in spam.score_html(board.read_bytes(), expected_languages=["en", "hi"]).features
    doorway_page = FIXTURE_SITES_DIR / "consumercomplaints" / "octopus-alipay-topup-b990001" / "index.html"
    assert spam.score_html(doorway_page.read_bytes(), expected_languages=["en", "hi"]).features["long_text_model"] > 0.5
    asked = 0
    for record in [r for r in RECORDS if r["kind"] == "page"][:300]:
        gated = verdict(record)
        asked += "long_text_model" in gated.features
        # With a threshold near 0, the model is asked about every long text; the logit then holds its contribution.
        always = spam.score(record["text"], expected_languages=record["site_languages"], threshold=1e-9, page=True)
        assert "long_text_model" in always.features  # it reads every page
        assert (always.score >= spam.DEFAULT_THRESHOLD) == gated.is_spam, record["id"]
    assert 20 < asked < 150


def test_language_check_replaces_the_script_check():
    text = "支付寶香港用戶可以在指定商戶使用二維碼付款,交易即時完成。"
    both = spam.score(text, expected_scripts={"Latin"}, expected_languages={"en"})
    assert "script_mismatch" not in both.features and both.features["language_mismatch"] == 1.0


def test_report_reads_expected_languages_per_spider():
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from complaints_crawler.text.spam.report import expected_languages, expected_scripts

    class Board(Spider):
        name = "consumercomplaints"

    crawler = get_crawler(
        Board, {"SPAM_EXPECTED_LANGUAGES": {"consumercomplaints": ["en", "hi"]}, "SPAM_EXPECTED_SCRIPTS": {}}
    )
    crawler.spider = Board()
    assert expected_languages(crawler) == {"en", "hi"}
    assert expected_scripts(crawler) is None


# ---------------------------------------------------------------- spam-check exit status


def test_spam_check_exit_status(tmp_path, capsys):
    legit = tmp_path / "legit.txt"
    legit.write_text("My order arrived broken and nobody answers my emails.")
    helpline = tmp_path / "helpline.txt"
    helpline.write_text(BY_URL["https://github.com/forem/forem/issues/10627"]["text"])
    assert main(["spam-check", str(legit)]) == 0
    with pytest.raises(SystemExit) as exit_info:
        main(["spam-check", str(legit), str(helpline)])
    assert exit_info.value.code == 3
    out = capsys.readouterr().out
    assert "legit.txt: not spam" in out and "helpline.txt: SPAM" in out
