"""Fuzzing: every parser entry point, the spam check, masks and prepare() on 2,000 seeded mutants of the
fixture pages (tests/mutants.py, tests/fuzzing.py). Nothing may raise, except the documented
SearchAnswerError; every failure must be a documented parse error; no card may be lost silently.

benchmarks/fuzz.py runs the same mutants at 20,000+ and prints counts, timings and memory; speed is
measured there, not here.
"""

from __future__ import annotations

from collections import Counter

import pytest
from fuzzing import Call, run
from mutants import HTML_MUTATORS, JSON_MUTATORS, TEXT_MUTATORS, Mutant, mutants, seeds

from complaints_crawler.parsers import bbb
from complaints_crawler.text import spam

MUTANTS = 2000
SEED = 11


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[Mutant, list[Call]]]:
    return [(mutant, run(mutant)) for mutant in mutants(MUTANTS, SEED)]


def test_nothing_raises(outcomes):
    errors = [
        f"{mutant.label}: {call.entry}: {call.error}" for mutant, calls in outcomes for call in calls if call.error
    ]
    assert errors == []


def test_every_failure_is_a_documented_parse_error_and_no_card_is_lost_silently(outcomes):
    problems = [
        f"{mutant.label}: {call.entry}: {problem}"
        for mutant, calls in outcomes
        for call in calls
        for problem in call.problems
    ]
    assert problems == []


def test_the_mutants_reach_every_mutator_entry_point_and_kind_of_failure(outcomes):
    """A fuzz run that stopped mutating, or stopped calling an entry point, would pass without testing."""
    used = Counter(name for mutant, _ in outcomes for name in mutant.mutators)
    for name in {*HTML_MUTATORS, *JSON_MUTATORS, *TEXT_MUTATORS}:
        assert used[name] >= 5, name
    entries = Counter(call.entry for _, calls in outcomes for call in calls)
    for entry in (
        "page_parser(bbb)",
        "page_parser(consumercomplaints)",
        "page_parser(complaintsboard)",
        "bbb.extract_preloaded_state",
        "bbb.parse_search_results",
        "forum.parse_board_page",
        "forum.parse_permalink_page",
        "forum.parse_page(other site)",
        "forum.parse_sitemap",
        "spam.score_html",
        "spam.score",
        "masks.find_masks",
        "masks.normalize",
        "archive.prepare",
    ):
        assert entries[entry] >= 20, entry
    kinds = Counter(kind for _, calls in outcomes for call in calls for kind in call.failures)
    for kind in (
        "page: cards seen, not read",
        "page: nesting too deep",
        "page: NUL characters",
        "page: state unreadable",
        "card: invalid item",
        "card: no id",
        "SearchAnswerError",
    ):
        assert kinds[kind] >= 5, kind


def test_an_exception_is_caught_and_reported_by_the_harness(monkeypatch):
    def broken(*args: object) -> None:
        raise KeyError("x")

    page = next(seed for seed in seeds() if seed.kind == "consumercomplaints")
    monkeypatch.setattr(spam, "score_html", broken)
    calls = {call.entry: call for call in run(Mutant(0, page, ("none",), page.text))}
    assert (calls["spam.score_html"].error or "").startswith("KeyError: 'x' (at test_fuzz.py:")
    search = next(seed for seed in seeds() if seed.kind == "search")
    monkeypatch.setattr(bbb, "parse_search_results", broken)
    call, *_ = run(Mutant(0, search, ("none",), search.text))
    assert (call.entry, (call.error or "")[:9]) == ("bbb.parse_search_results", "KeyError:")


def test_the_spam_check_reads_an_xml_declaration_without_its_end():
    result = spam.score_html('<?xml version="1.0"')
    assert (result.is_spam, result.features["words"]) == (False, 0)


@pytest.mark.parametrize(
    "text",
    ["x\ud800 " * 5000, "\n".join(f"line {i} of a post \ud800" for i in range(40))],
    ids=["long text (doorway.sample)", "many lines (doorway.compression_ratio)"],
)
def test_spam_score_takes_lone_surrogates(text):
    assert 0.0 <= spam.score(text).score <= 1.0  # scored, whatever the verdict
