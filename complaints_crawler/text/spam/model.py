"""The scorer: every measured value becomes evidence through a hinge and a weight, and the evidence adds up to a
logistic score. Each piece of evidence that contributes is reported as a `Reason` with its measured value.

The hinges are set by hand; the weights of the short-post evidence and the bias are learned on the dev split
(benchmarks/train_spam_model.py: logistic regression with weights kept at or above zero, so every weight still
reads as "this much evidence of spam") and shipped as combiner.json. The doorway-page weights stay hand-set: dev
holds too few pages to learn them."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files

from complaints_crawler import settings
from complaints_crawler.text.html_text import element_text, parse_html
from complaints_crawler.text.spam import doorway, lexicons, long_text_model, ngram_model, short_posts
from complaints_crawler.text.spam.helpline import helpline_numbers
from complaints_crawler.text.spam.language import language_mismatch
from complaints_crawler.text.spam.ngrams import NGrams, gopher_limit, gopher_ngrams
from complaints_crawler.text.spam.tokens import is_unspaced, script_mismatch, tokens

DEFAULT_THRESHOLD = settings.SPAM_POST_THRESHOLD  # the crawl's own default, declared once in settings.py
COMBINER_FILE = "combiner.json"
# Short-post evidence reads texts up to this length: on a whole page (a board of twenty complaints about a
# gaming app) lexicon words and links add up without meaning anything; pages have the doorway evidence.
SHORT_POST_CHARS = 4000


@dataclass(frozen=True)
class Feature:
    """How a measured value becomes evidence: hinge from `low` to `high`, times `weight`."""

    name: str
    low: float
    high: float
    weight: float
    explanation: str


# The hinges, and the hand-set weights (the learned ones replace those of the features combiner.json names).
_HAND_FEATURES: Mapping[str, Feature] = {
    f.name: f
    for f in (
        Feature(
            "keyword_injection",
            0.20,
            0.45,
            5.0,
            "phrase {detail!r} is pasted across distinct lines in varied contexts"
            " (line share x context diversity {value:.2f})",
        ),
        Feature(
            "helpline_numbers",
            1.0,
            3.0,
            5.0,
            "phone numbers beside helpline, messenger or call-to-action wording, or repeated,"
            " score {value:.0f} (e.g. {detail!r})",
        ),
        Feature("listicle_headings", 1.0, 4.0, 2.5, "{value:.0f} listicle headings such as {detail!r}"),
        # From three times the limit: the openings of news pages reach 1-2x it in every language of the corpus, Hindi
        # news on satta and lotteries 2.7-4.7x, as few spam pages do; a doorway page repeats itself far more (seed 002).
        Feature("gopher_ngram_repetition", 3.0, 5.0, 3.0, "{detail} is {value:.2f}x its Gopher limit"),
        Feature("compression_ratio", 4.0, 6.0, 2.0, "text compresses {value:.2f}:1 (Ntoulas: spam above ~4)"),
        Feature("top_words_fraction", 0.35, 0.55, 1.5, "the 10 most frequent words are {value:.0%} of the words"),
        Feature(
            "duplicate_line_chars",
            0.20,
            0.50,
            1.0,
            "{value:.0%} of line characters are in repeated lines (Gopher limit 20%)",
        ),
        Feature("script_mismatch", 0.30, 0.80, 2.0, "{value:.0%} of letters are in unexpected scripts ({detail})"),
        Feature(
            "language_mismatch",
            0.30,
            0.80,
            2.5,
            "{value:.0%} of letters are in languages the site is not written in ({detail})",
        ),
        Feature("topic_terms", 0.0, 3.0, 3.0, "{value:.0f} terms that have no place on a complaint board ({detail})"),
        Feature(
            "strong_terms",
            0.0,
            2.0,
            2.0,
            "{value:.0f} of them adult, crypto-recovery, pharmacy, carding or self-promotion terms: {detail}",
        ),
        Feature(
            "topic_share",
            0.10,
            0.40,
            2.0,
            "{value:.0%} of the words are in terms that have no place on a complaint board ({detail})",
        ),
        Feature("calls_to_action", 0.0, 3.0, 2.0, "{value:.0f} calls to action ({detail})"),
        Feature("contact_handles", 0.0, 2.0, 2.0, "{value:.0f} messenger or e-mail handles (e.g. {detail!r})"),
        Feature("links", 1.0, 3.0, 1.5, "{value:.0f} distinct links or domains ({detail})"),
        Feature("link_share", 0.3, 0.8, 1.5, "links are {value:.0%} of the post's characters (e.g. {detail!r})"),
        Feature("sms_offer", 0.0, 2.0, 2.0, "{value:.0f} marks of premium-rate SMS offers ({detail})"),
        Feature(
            "repeated_phrases",
            0.3,
            0.8,
            2.5,
            "{value:.0%} of the words are in phrases pasted 3 times or more (e.g. {detail!r})",
        ),
        Feature("keyword_chain", 2.0, 6.0, 2.0, "{value:.0f} keywords strung together with pipes"),
        Feature(
            "glued_words",
            0.01,
            0.08,
            2.0,
            "{value:.0%} of the words are Vietnamese syllables glued together or to digits (e.g. {detail!r})",
        ),
        Feature("ngram_model", 0.7, 0.97, 3.0, "the character n-gram model trained on real spam gives {value:.2f}"),
        Feature("long_text_model", 0.7, 1.0, 2.0, "the long-text model trained on real spam gives {value:.2f}"),
        Feature("article_boilerplate", 0.0, 2.0, 2.0, "{value:.0f} stock phrases of content-farm articles ({detail})"),
        Feature("number_prominence", 1.0, 5.0, 1.0, "one phone number occurs {value:.0f} times ({detail})"),
        Feature("decoration", 1.0, 8.0, 1.0, "{value:.0f} decorative characters of advertisements ({detail})"),
    )
}
# On a whole page these weigh apart from a post's (their weights learned on the dev pages): a bank's, a shop's or a
# guide's own page gives phone numbers and asks its readers to act, as a post on a complaint board seldom does.
PAGE_FEATURES = {"helpline_numbers": "page_helpline_numbers", "calls_to_action": "page_calls_to_action"}
_HAND_FEATURES = {
    **_HAND_FEATURES,
    **{page_name: replace(_HAND_FEATURES[name], name=page_name) for name, page_name in PAGE_FEATURES.items()},
}


def _combiner() -> tuple[float, dict[str, Feature]]:
    """The learned bias and the features with their learned weights (package data: Scrapyd imports the project from
    a zipped egg, where the file is no path on disk)."""
    data = json.loads((files(__package__) / COMBINER_FILE).read_text(encoding="utf-8"))
    learned = {name: float(weight) for name, weight in data["weights"].items()}
    features = {name: replace(f, weight=learned.get(name, f.weight)) for name, f in _HAND_FEATURES.items()}
    return float(data["bias"]), features


# The scorer's whole model. With the default threshold 0.5, the contributions must add up to -BIAS before a text
# is flagged.
BIAS, FEATURES = _combiner()


@dataclass(frozen=True)
class Reason:
    name: str
    value: float
    contribution: float  # weight * activation, added to the logit
    explanation: str


@dataclass(frozen=True)
class SpamScore:
    score: float
    is_spam: bool
    threshold: float
    reasons: tuple[Reason, ...]  # contributing reasons, largest contribution first
    features: Mapping[str, float] = field(default_factory=dict)

    def reason(self, name: str) -> Reason | None:
        return next((r for r in self.reasons if r.name == name), None)


def score_html(
    html: str | bytes,
    expected_scripts: Collection[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    expected_languages: Collection[str] | None = None,
    rendered: str | None = None,
) -> SpamScore:
    """Score the text a browser would show for `html` (scripts, styles and hidden markup ignored); `rendered` is
    that text when the caller has rendered it already (`element_text` of the page's root)."""
    text = element_text(parse_html(html)) if rendered is None else rendered
    # A page's text is its chrome and its posts: the n-gram model, trained on posts, does not read it (the chrome
    # of a board without complaints, "No complaints found. Prev 1 2", is no post it knows).
    result = score(text, expected_scripts, threshold, expected_languages=expected_languages, page=True)
    size = len(html)
    visible = len(text.encode("utf-8", "surrogatepass") if isinstance(html, bytes) else text) / size if size else 0.0
    # Ntoulas' fraction of visible content: reported, not weighted (fixture pages are bare HTML).
    return SpamScore(
        result.score, result.is_spam, threshold, result.reasons, {**result.features, "visible_fraction": visible}
    )


def score(
    text: str,
    expected_scripts: Collection[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    expected_languages: Collection[str] | None = None,
    page: bool = False,
) -> SpamScore:
    """Spam score of `text` (a post, or a page's rendered text). `expected_scripts` names the scripts its site
    normally uses (see tokens.SCRIPTS), `expected_languages` its languages (ISO 639-1 codes); the language check
    replaces the script check when both are given. `page`: the text is a whole page's, which the n-gram model
    (trained on posts) does not read and the long-text model does, as it reads every text of LONG_TEXT_WORDS tokens."""
    values, details = measure(text, expected_scripts, expected_languages, page=page)
    contributions = {name: _contribution(name, values[name]) for name in FEATURES if name in values}
    logit = BIAS + sum(contributions.values())
    # The long-text model costs about as much as the rest of a page's check, and most pages hold no other evidence:
    # it is asked only where its whole weight could take the text over the threshold, so verdicts are as if it always
    # were (the score of a text it was not asked about leaves it out).
    most = FEATURES["long_text_model"].weight
    if reads_long_text(values, page) and 0 < threshold < 1 and logit + most >= _logit(threshold):
        values["long_text_model"] = long_text_model.probability(text)
        contributions["long_text_model"] = _contribution("long_text_model", values["long_text_model"])
        logit += contributions["long_text_model"]
    reasons = [
        Reason(
            name,
            values[name],
            contribution,
            FEATURES[name].explanation.format(value=values[name], detail=details.get(name, "")),
        )
        for name, contribution in contributions.items()
        if contribution > 0
    ]
    reasons.sort(key=lambda r: -r.contribution)
    probability = 1.0 / (1.0 + math.exp(-logit))
    return SpamScore(probability, probability >= threshold, threshold, tuple(reasons), values)


def reads_long_text(values: Mapping[str, float], page: bool = False) -> bool:
    """Whether the long-text model reads a text with these measured `values`: a page, or a text of
    long_text_model.LONG_TEXT_WORDS tokens or more."""
    return page or values["words"] >= long_text_model.LONG_TEXT_WORDS


def _logit(probability: float) -> float:
    return math.log(probability / (1.0 - probability))


def _hinge(value: float, low: float, high: float) -> float:
    return min(max((value - low) / (high - low), 0.0), 1.0)


def hinge_activation(name: str, value: float) -> float:
    """How much of feature `name`'s weight a measured `value` earns (0 to 1)."""
    feature = FEATURES[name]
    return _hinge(value, feature.low, feature.high)


def _contribution(name: str, value: float) -> float:
    return FEATURES[name].weight * hinge_activation(name, value)


def measure(
    text: str,
    expected_scripts: Collection[str] | None = None,
    expected_languages: Collection[str] | None = None,
    *,
    page: bool = False,
) -> tuple[dict[str, float], dict[str, str]]:
    """All feature values of `text` and, per feature, a detail for its explanation (on a `page`, the PAGE_FEATURES
    under their page names)."""
    values, details = _measure(text, expected_scripts, expected_languages, page=page)
    if page:
        for name, page_name in PAGE_FEATURES.items():
            if name in values:
                values[page_name] = values.pop(name)
            if name in details:
                details[page_name] = details.pop(name)
    return values, details


def _measure(
    text: str,
    expected_scripts: Collection[str] | None,
    expected_languages: Collection[str] | None,
    *,
    page: bool,
) -> tuple[dict[str, float], dict[str, str]]:
    values: dict[str, float] = {}
    details: dict[str, str] = {}
    # Bounded work per page: a long page is read as evenly spaced windows of PAGE_BYTES in all (a doorway's
    # injected keyword and repetitions run through the whole page, so every window carries them).
    text = doorway.sample(text, doorway.PAGE_BYTES)
    all_lines = list(filter(None, map(str.strip, text.split("\n"))))
    line_counts = Counter(all_lines)
    # Non-empty lines, each once, in order: repeated chrome is measured by the duplicate-line rules only.
    lines = list(line_counts)
    # Lower-cased line by line: the same text as lowering the joined lines, and much faster when most lines
    # are ASCII and a few are not (str.lower() of a non-ASCII string takes the slow path for every character).
    lowered_lines = list(map(str.lower, lines))
    lowered_text = "\n".join(lowered_lines)
    sample = doorway.sample(lowered_text)
    words = tokens(sample)
    lengths = list(map(len, words))
    values["words"] = len(words)
    values["mean_word_length"] = sum(lengths) / len(words) if words else 0.0

    values["helpline_numbers"] = helpline_numbers(sample)
    values["article_boilerplate"], details["article_boilerplate"] = lexicons.article_boilerplate(words)
    values["glued_words"], details["glued_words"] = short_posts.glued_words(sample, words)
    values["listicle_headings"], details["listicle_headings"] = doorway.listicle_headings(lines, lowered_lines)
    if expected_languages is not None:
        values["language_mismatch"], details["language_mismatch"] = language_mismatch(sample, expected_languages)
    elif expected_scripts is not None:
        values["script_mismatch"], details["script_mismatch"] = script_mismatch(sample, expected_scripts)
    if len(lowered_text) <= SHORT_POST_CHARS:
        # A post short enough is its own sample: its tokens are counted once.
        _measure_short_post(lowered_text, values, details, words if sample is lowered_text else None, page)
    if len(words) < doorway.MIN_REPETITION_TOKENS or len(lines) < doorway.MIN_REPETITION_LINES:
        return values, details

    values["compression_ratio"] = doorway.compression_ratio("\n".join(lines))
    grams = NGrams(words)
    values["top_words_fraction"] = doorway.top_words_fraction(words, grams)
    values["duplicate_lines"], values["duplicate_line_chars"] = doorway.duplicate_lines(all_lines, line_counts)
    gopher = gopher_ngrams(words, grams, lengths)
    values.update(gopher)
    worst = max(gopher, key=gopher.__getitem__)
    values["gopher_ngram_repetition"] = gopher[worst] / gopher_limit(worst)
    details["gopher_ngram_repetition"] = f"{worst} {gopher[worst]:.2f}"
    unspaced = is_unspaced(sample, words)
    values["keyword_injection"], details["keyword_injection"] = doorway.keyword_injection(
        words, grams, lowered_lines, unspaced, lowered_text
    )
    return values, details


def _measure_short_post(
    lowered: str,
    values: dict[str, float],
    details: dict[str, str],
    words: list[str] | None = None,
    page: bool = False,
) -> None:
    number_text = short_posts.number_text(lowered)
    numbers, details["helpline_numbers"] = short_posts.contact_numbers(number_text)
    values["helpline_numbers"] = max(values["helpline_numbers"], numbers)
    values["number_prominence"], details["number_prominence"] = short_posts.number_prominence(number_text)
    values["decoration"], details["decoration"] = short_posts.decoration(lowered)
    words = tokens(lowered) if words is None else words
    topics = lexicons.topic_terms_and_share(words)
    values["topic_terms"], values["topic_share"], values["strong_terms"] = topics.terms, topics.share, topics.strong
    details["topic_terms"] = details["topic_share"] = topics.detail
    details["strong_terms"] = topics.strong_detail
    values["calls_to_action"], details["calls_to_action"] = lexicons.calls_to_action(words, lowered)
    values["contact_handles"], details["contact_handles"] = short_posts.contact_handles(lowered)
    link_matches = short_posts.LINK.findall(lowered)
    values["links"], details["links"] = short_posts.links(lowered, link_matches)
    values["link_share"], details["link_share"] = short_posts.link_share(lowered, link_matches)
    values["sms_offer"], details["sms_offer"] = short_posts.sms_offer(lowered)
    values["repeated_phrases"], details["repeated_phrases"] = short_posts.repeated_phrases(lowered, words)
    values["keyword_chain"], details["keyword_chain"] = short_posts.keyword_chain(lowered)
    # The model reads the texts it was trained on: posts (a page's opening is its chrome) in English and Latin-letter
    # Hinglish (dev holds few legitimate texts in other languages: there it would learn the language, not the spam).
    if not page and len(lowered) <= ngram_model.MAX_TEXT_CHARS and ngram_model.reads(lowered):
        values["ngram_model"] = ngram_model.probability(lowered)
