"""`complaints sql`: reads work on both back-ends; every kind of write is refused in one line and the archive
is left exactly as it was."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from crawling import complaints_cli
from demo_archives import demo_archive
from sqlalchemy import text

from complaints_crawler.archive import database
from complaints_crawler.cli import main
from complaints_crawler.reading import sql
from complaints_crawler.reading.archive import ReadingError

WRITES = {  # statement -> the start of the one-line refusal
    "INSERT INTO businesses (source, external_id, name, first_seen_at, last_seen_at) "
    "VALUES ('bbb', 'x', 'x', '2020-01-01', '2020-01-01')": "refused: INSERT is not a read",
    "UPDATE complaints SET status = 'Resolved'": "refused: UPDATE is not a read",
    "DELETE FROM responses": "refused: DELETE is not a read",
    "DROP TABLE complaints": "refused: DROP is not a read",
    "CREATE TABLE notes (id integer)": "refused: CREATE is not a read",
    "ALTER TABLE complaints ADD COLUMN note text": "refused: ALTER is not a read",
    "ATTACH DATABASE 'other.db' AS other": "refused: ATTACH is not a read",
    "SELECT 1; DELETE FROM complaints": "refused: one statement at a time",
    "VACUUM": "refused: VACUUM is not a read",
    "  -- a comment first\n  /* and another */ TRUNCATE complaints": "refused: TRUNCATE is not a read",
}
# Writes that start as reads: the back-end's own lock refuses them.
DISGUISED_WRITES = {
    "sqlite": {
        "WITH x AS (SELECT 1) DELETE FROM complaints": "refused: DELETE writes",
        "WITH x AS (SELECT 1) INSERT INTO crawl_targets (spider) SELECT 'x'": "refused: INSERT writes",
        "EXPLAIN UPDATE complaints SET status = NULL": "refused: UPDATE writes",
        "PRAGMA user_version = 7": "refused: PRAGMA user_version = 7 writes",
        "PRAGMA journal_mode = DELETE": "refused: PRAGMA journal_mode = DELETE writes",
    },
    "postgresql": {
        # PostgreSQL names the statement a data-modifying WITH is part of.
        "WITH gone AS (DELETE FROM complaints RETURNING 1) SELECT count(*) FROM gone": "refused: cannot execute SELECT in a read-only transaction",
        "WITH moved AS (UPDATE complaints SET status = NULL RETURNING 1) SELECT count(*) FROM moved": "refused: cannot execute SELECT in a read-only transaction",
        "SELECT nextval('complaints_id_seq')": "refused: cannot execute nextval() in a read-only transaction",
        "EXPLAIN ANALYZE DELETE FROM responses": "refused: cannot execute DELETE in a read-only transaction",
        "PRAGMA user_version = 7": "refused: PRAGMA is not a read",
    },
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory):
    with demo_archive(request.param, tmp_path_factory) as url:
        yield request.param, url


def fingerprint(backend: str, url: str) -> str:
    """Everything an archive holds: the SQLite file's bytes, or PostgreSQL's rows, columns and sequence."""
    if backend == "sqlite":
        return hashlib.sha256(Path(url.removeprefix("sqlite:///")).read_bytes()).hexdigest()
    engine = database.make_engine(url)
    with engine.connect() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
                )
            )
            .scalars()
            .all()
        )
        # Every row of every table, as text.
        parts = [
            conn.execute(
                text(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {t} t")
            ).scalar_one()
            for t in tables
        ]
        parts += (
            conn.execute(
                text(
                    "SELECT table_name || '.' || column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() ORDER BY 1"
                )
            )
            .scalars()
            .all()
        )
        parts.append(str(conn.execute(text("SELECT last_value FROM complaints_id_seq")).scalar_one()))
    engine.dispose()
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def test_reads_in_every_format(demo):
    _, url = demo
    statement = (
        "SELECT b.name, count(*) AS complaints, sum(c.mask_count) AS masks FROM complaints c "
        "JOIN businesses b ON b.id = c.business_id GROUP BY b.name ORDER BY b.name"
    )
    expected = [
        ["Charter Spectrum", "10", "370"],
        ["Microsoft", "10", "97"],
        ["Xiaomi", "10", "9"],
        ["Xiaomi India", "24", "31"],
    ]
    as_csv = complaints_cli("sql", statement, "--format", "csv", "--archive", url)
    assert as_csv.returncode == 0, as_csv.stderr
    assert list(csv.reader(io.StringIO(as_csv.stdout))) == [["name", "complaints", "masks"], *expected]
    as_json = complaints_cli("sql", statement, "--format", "json", "--archive", url)
    assert [json.loads(line) for line in as_json.stdout.splitlines()] == [
        {"name": n, "complaints": int(c), "masks": int(m)} for n, c, m in expected
    ]
    table = complaints_cli("sql", statement, "--archive", url)
    assert table.stdout.splitlines()[0].split() == ["name", "complaints", "masks"]
    assert table.stdout.splitlines()[2].split() == ["Charter", "Spectrum", "10", "370"]
    assert table.stdout.splitlines()[-1] == "(4 rows)"
    with sql.run(url, "SELECT count(*) FROM responses WHERE text_normalized LIKE '%[REDACTED]%'") as result:
        assert list(result.rows) == [(52,)]  # a % in the statement is SQL, not a parameter marker


def test_every_kind_of_write_is_refused_and_changes_nothing(demo, capsys):
    backend, url = demo
    before = fingerprint(backend, url)
    for statement, refusal in {**WRITES, **DISGUISED_WRITES[backend]}.items():
        assert main(["sql", statement, "--archive", url]) == 1, statement
        out, err = capsys.readouterr()
        assert out == "" and err.startswith(f"complaints: {refusal}") and err.count("\n") == 1, err
    assert fingerprint(backend, url) == before


def test_a_long_statement_is_stopped(demo):
    backend, url = demo
    slow = (
        "SELECT pg_sleep(5)"
        if backend == "postgresql"
        else "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
    )
    done = complaints_cli("sql", slow, "--timeout", "0.5", "--archive", url)
    assert (done.returncode, done.stderr) == (1, "complaints: the statement ran longer than 0.5 s and was stopped\n")


def test_errors_are_one_line(demo, tmp_path):
    _, url = demo
    done = complaints_cli("sql", "SELECT nonsense FROM complaints", "--archive", url)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "nonsense" in done.stderr
    missing = tmp_path / "none.db"
    done = complaints_cli("sql", "SELECT 1", "--archive", f"sqlite:///{missing}")
    assert (done.returncode, done.stderr) == (
        1,
        f"complaints: no archive at {missing} (a crawl creates one; so does `complaints db upgrade`)\n",
    )
    assert not missing.exists()
    with pytest.raises(ReadingError, match=r"^no SQL statement given$"):
        sql.check_statement(" -- only a comment\n;")
