"""Full-text search: ranked hits with snippets on the demo archive (both back-ends), masks searchable only as
[REDACTED], and an index that follows every write: upserts, replaced threads, deletions."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from crawling import complaints_cli
from demo_archives import demo_archive
from factories import complaint
from sqlalchemy import text

from complaints_crawler.archive import database
from complaints_crawler.archive.prepare import prepare
from complaints_crawler.archive.store import ArchiveStore
from complaints_crawler.items import Response, ResponseKind
from complaints_crawler.reading import index, query
from complaints_crawler.reading.archive import ReadingError, open_for_reading
from complaints_crawler.reading.filters import Filters
from complaints_crawler.reading.search import search

REFUND = {  # every complaint whose title, text or thread holds refund, refunds, refunded…
    ("bbb", "20510639"),
    ("bbb", "20511852"),
    ("bbb", "20519515"),
    ("bbb", "20520372"),
    ("bbb", "23169937"),
    ("complaintsboard", "1787198"),
    ("complaintsboard", "1787412"),
    ("consumercomplaints", "2031762"),
    ("consumercomplaints", "2032208"),
    ("consumercomplaints", "2032440"),
    ("consumercomplaints", "2033012"),
    ("consumercomplaints", "2034987"),
    ("consumercomplaints", "2036842"),
    ("consumercomplaints", "2037904"),
    ("consumercomplaints", "2038650"),
    ("consumercomplaints", "2040151"),
}
# Microsoft's refund complaints, best first, with the document that matched best (entry position or None).
MICROSOFT_REFUND_RANKING = {
    "sqlite": [("20520372", 4), ("20519515", 9), ("20511852", 1), ("20510639", None)],
    "postgresql": [("20520372", None), ("20519515", 9), ("20510639", None), ("20511852", 1)],
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory):
    with demo_archive(request.param, tmp_path_factory) as url:
        engine = open_for_reading(url)
        yield request.param, engine
        engine.dispose()


def keys(hits):
    return {(h.source, h.external_id) for h in hits}


def indexed_texts_like(engine, pattern: str) -> set[tuple[str, str]]:
    """Complaints whose indexed texts (title, normalized text, normalized thread entries) contain `pattern`."""
    with engine.connect() as conn:
        return {
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT source, external_id FROM complaints c WHERE lower(coalesce(title, '')) LIKE :p "
                    "OR lower(text_normalized) LIKE :p OR EXISTS (SELECT 1 FROM responses r WHERE r.complaint_id = c.id "
                    "AND lower(r.text_normalized) LIKE :p)"
                ),
                {"p": pattern},
            )
        }


def test_ranked_hits_with_highlighted_snippets(demo):
    backend, engine = demo
    hits = search(engine, "refund", limit=100)
    assert keys(hits) == REFUND and len(hits) == 16
    assert [h.rank for h in hits] == list(range(1, 17))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert re.search(r"\*\*refund\w*\*\*", hit.snippet, re.IGNORECASE), hit.snippet

    microsoft = search(engine, "refund", Filters(business="Microsoft"))
    assert [(h.external_id, h.position) for h in microsoft] == MICROSOFT_REFUND_RANKING[backend]
    assert {h.business for h in microsoft} == {"Microsoft"}
    chargeback = search(engine, "chargeback")
    assert [(h.external_id, h.matched, h.position) for h in chargeback] == [("20520372", "customer_answer", 4)]
    assert "because of a **chargeback**" in chargeback[0].snippet
    assert [h.external_id for h in search(engine, "refund", limit=3)] == [h.external_id for h in hits[:3]]


def test_a_rank_window_scores_only_the_newest_matches(demo):
    backend, engine = demo
    assert search(engine, "refund", limit=100, window=None) == search(engine, "refund", limit=100)  # 16 < window
    newest = {
        "sqlite": (
            "SELECT max(rowid) FROM complaints_fts WHERE complaints_fts MATCH '\"refund\"'",
            "SELECT r.complaint_id FROM responses r WHERE r.id = (SELECT max(rowid) FROM responses_fts "
            "WHERE responses_fts MATCH '\"refund\"')",
        ),
        "postgresql": (
            "SELECT max(id) FROM complaints WHERE search_vector @@ phraseto_tsquery('english', 'refund')",
            "SELECT complaint_id FROM responses WHERE id = (SELECT max(id) FROM responses "
            "WHERE search_vector @@ phraseto_tsquery('english', 'refund'))",
        ),
    }[backend]
    with engine.connect() as conn:
        expected = {conn.execute(text(statement)).scalar_one() for statement in newest}
    windowed = search(engine, "refund", limit=100, window=1)  # one complaint text and one entry scored
    assert {h.id for h in windowed} == expected and len(windowed) == len(expected) >= 1


def test_phrases_alternatives_exclusions_and_filters(demo):
    _, engine = demo
    assert keys(search(engine, '"cable box"')) == {("bbb", "23198462")}
    assert keys(search(engine, "modem OR router")) == {("bbb", "23180744"), ("bbb", "23198462")}
    assert keys(search(engine, "warranty -screen", Filters(source="consumercomplaints", since=date(2019, 12, 8)))) == {
        ("consumercomplaints", "2037904")
    }
    assert keys(search(engine, "refund", Filters(business="xiaomi"))) == {
        ("complaintsboard", "1787198"),
        ("complaintsboard", "1787412"),
    }  # the exact name wins over "Xiaomi India"
    assert keys(search(engine, "refun*", Filters(source="bbb"))) == {k for k in REFUND if k[0] == "bbb"}
    with pytest.raises(ReadingError, match=r"^no business 'nobody' in the archive \(give a name or an id"):
        search(engine, "refund", Filters(business="nobody"))
    with pytest.raises(
        ReadingError,
        match=r"^business 'xiao' is ambiguous: #\d+ Xiaomi \(complaintsboard\), "
        r"#\d+ Xiaomi India \(consumercomplaints\); give its id$|"
        r"^business 'xiao' is ambiguous: #\d+ Xiaomi India \(consumercomplaints\), "
        r"#\d+ Xiaomi \(complaintsboard\); give its id$",
    ):
        search(engine, "refund", Filters(business="xiao"))


def test_masks_are_found_as_redacted_never_as_their_original(demo):
    _, engine = demo
    with engine.connect() as conn:
        count = "SELECT count(*) FROM complaints WHERE text LIKE :mask"
        raw_protected = conn.execute(text(count), {"mask": "%[protected]%"}).scalar_one()
        raw_censored = conn.execute(text(count), {"mask": "%[censored]%"}).scalar_one()
    assert (raw_protected, raw_censored) == (15, 1)
    # "protection" in one complaint is a real word; the fifteen [protected] masks are not.
    assert (
        keys(search(engine, "protected", limit=100))
        == indexed_texts_like(engine, "%protect%")
        == {("consumercomplaints", "2034911")}
    )
    # "Proximity Censor" is a real word too; the [censored] mask (in 2034987) is not.
    assert (
        keys(search(engine, "censored", limit=100))
        == indexed_texts_like(engine, "%censor%")
        == {("consumercomplaints", "2032208")}
    )
    redacted = keys(search(engine, "[REDACTED]", limit=100))
    assert redacted == indexed_texts_like(engine, "%[redacted]%") and len(redacted) == 40


def test_residual_pii_and_removed_masks_are_not_searchable(archive_url):
    database.upgrade(archive_url)
    store = ArchiveStore.open(archive_url)
    item = complaint(1).model_copy(
        update={"text": "Call me on 415-555-0173 or write to jane.doe@example.com. Agent REMOVED promised a refund."}
    )
    store.write([], [prepare(item)], None)
    store.close()
    engine = open_for_reading(archive_url)
    assert search(engine, "jane.doe@example.com") == []
    assert search(engine, '"415-555-0173"') == []
    assert search(engine, "REMOVED") == []
    [hit] = search(engine, "[REDACTED] refund")
    assert hit.external_id == item.external_id and hit.snippet.count("**REDACTED**") == 3
    engine.dispose()


def test_index_follows_updates_replaced_threads_and_deletions(archive_url):
    database.upgrade(archive_url)
    store = ArchiveStore.open(archive_url)
    first = complaint(7, responses=0).model_copy(update={"text": "The zanzibar router died in a week."})
    first = first.model_copy(
        update={
            "responses": [
                Response(position=1, kind=ResponseKind.BUSINESS_RESPONSE, text="We sent a xylophone technician.")
            ]
        }
    )
    store.write([], [prepare(first)], None)
    engine = open_for_reading(archive_url)
    assert keys(search(engine, "zanzibar")) == keys(search(engine, "xylophone")) == {("bbb", first.external_id)}

    # A later crawl finds the complaint changed: new text, and the thread replaced whole.
    second = first.model_copy(
        update={
            "text": "The quokka router died in a week.",
            "responses": [
                Response(position=1, kind=ResponseKind.BUSINESS_RESPONSE, text="We sent a marimba technician."),
                Response(position=2, kind=ResponseKind.CUSTOMER_ANSWER, text="The marimba man never came."),
            ],
        }
    )
    assert store.write([], [prepare(second)], None).updated == 1
    assert search(engine, "zanzibar") == [] and search(engine, "xylophone") == []
    assert keys(search(engine, "quokka")) == {("bbb", first.external_id)}
    [hit] = search(engine, "marimba")
    assert (hit.matched, hit.position) in {("business_response", 1), ("customer_answer", 2)}
    assert store.write([], [prepare(second)], None).unchanged == 1  # an unchanged re-crawl leaves the index alone
    assert keys(search(engine, "quokka")) == {("bbb", first.external_id)}

    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM complaints WHERE external_id = :e"), {"e": first.external_id})
    store.close()
    assert search(engine, "quokka") == [] and search(engine, "marimba") == []
    if engine.dialect.name == "sqlite":  # the index agrees with its content tables, row for row
        with database.make_engine(archive_url).begin() as conn:
            for table in index.SQLITE_FTS_TABLES:
                conn.execute(text(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"))
    engine.dispose()


def test_the_index_exists_at_head(archive_url):
    """A later migration that rebuilds complaints or responses on SQLite must recreate the triggers."""
    database.upgrade(archive_url)
    engine = database.make_engine(archive_url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            triggers = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
            assert triggers == index.SQLITE_TRIGGERS
        else:
            indexes = set(
                conn.execute(text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%search_vector'")).scalars()
            )
            assert indexes == index.POSTGRESQL_INDEXES
    engine.dispose()


def test_query_language_renders_quoted_on_both_back_ends():
    parsed = query.parse('refund "cable box" modem OR router -spectrum charg* [REDACTED]')
    assert query.fts5(parsed) == (
        '("refund" AND "cable box" AND ("modem" OR "router") AND "charg" * AND "[REDACTED]") NOT ("spectrum")'
    )
    expression, params = query.tsquery(parsed)
    assert expression == (
        "((phraseto_tsquery('english', :term_0)) && (phraseto_tsquery('english', :term_1)) && "
        "(phraseto_tsquery('english', :term_2) || phraseto_tsquery('english', :term_3)) && "
        "(to_tsquery('english', :term_4)) && (phraseto_tsquery('english', :term_5))) && "
        "!!(phraseto_tsquery('english', :term_6))"
    )
    assert params == {
        "term_0": "refund",
        "term_1": "cable box",
        "term_2": "modem",
        "term_3": "router",
        "term_4": "charg:*",
        "term_5": "[REDACTED]",
        "term_6": "spectrum",
    }
    assert query.fts5(query.parse('say "unclosed')) == '"say" AND "unclosed"'
    for nothing in ("***", "-refund", "OR", '""'):
        with pytest.raises(ReadingError, match="nothing to search for"):
            query.parse(nothing)


def test_search_command(demo):
    backend, engine = demo
    url = engine.url.render_as_string(hide_password=False)
    url = f"sqlite:///{engine.url.database.removeprefix('file:').split('?')[0]}" if backend == "sqlite" else url
    done = complaints_cli("search", "chargeback", "--json", "--archive", url)
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    assert {k: v for k, v in json.loads(line).items() if k in ("external_id", "business", "matched", "position")} == {
        "external_id": "20520372",
        "business": "Microsoft",
        "matched": "customer_answer",
        "position": 4,
    }
    shown = complaints_cli("search", "modem OR router", "--archive", url)
    assert shown.returncode == 0 and shown.stdout.count("bbb:") == 2 and "**modem**" in shown.stdout
    assert complaints_cli("search", "qwertyuiop", "--archive", url).stdout == "no complaint matches\n"


def test_reading_never_creates_an_archive(tmp_path):
    missing = tmp_path / "missing.db"
    done = complaints_cli("search", "refund", "--archive", f"sqlite:///{missing}")
    assert (done.returncode, done.stderr) == (
        1,
        f"complaints: no archive at {missing} (a crawl creates one; so does `complaints db upgrade`)\n",
    )
    assert not missing.exists()
