"""When the archive fails, the crawl says so and loses nothing: what the archive refused is saved as JSON
lines, and `complaints import` archives that file once the archive takes writes again."""

from __future__ import annotations

import json
from pathlib import Path

from crawling import complaints_cli, scrapy_crawl
from sqlalchemy import func, select

from complaints_crawler.archive.database import make_engine, upgrade
from complaints_crawler.archive.models import BusinessRow, ComplaintRow, CrawlRunRow, QuarantineRow, ResponseRow

# A trigger that rejects every new complaint: the archive is there, but refuses the crawl's writes.
REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse_complaints BEFORE INSERT ON complaints BEGIN SELECT RAISE(ABORT, 'archive offline'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_complaints() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'archive offline'; END $$",
        "CREATE TRIGGER refuse_complaints BEFORE INSERT ON complaints FOR EACH ROW EXECUTE FUNCTION refuse_complaints()",
    ],
}
ACCEPT = {"sqlite": "DROP TRIGGER refuse_complaints", "postgresql": "DROP TRIGGER refuse_complaints ON complaints"}


def execute(url: str, *statements: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def refusing_archive(url: str) -> str:
    upgrade(url)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    execute(url, *REFUSE[backend])
    return backend


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = {
            model.__tablename__: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (BusinessRow, ComplaintRow, ResponseRow, QuarantineRow)
        }
    engine.dispose()
    return found


def last_run(url: str) -> CrawlRunRow:
    engine = make_engine(url)
    with engine.connect() as conn:
        run = conn.execute(select(CrawlRunRow).order_by(CrawlRunRow.id.desc()).limit(1)).one()
    engine.dispose()
    return run


def spilled(folder: Path) -> tuple[Path, list[dict]]:
    [path] = folder.glob("unarchived-*.jsonl")
    return path, [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_what_the_archive_refuses_is_saved_and_imported_later(archive_url, fixture_sites, tmp_path):
    backend = refusing_archive(archive_url)
    spill_dir = tmp_path / "spill"
    done = scrapy_crawl(
        "bbb",
        fixture_sites["bbb"],
        archive_url,
        "company=microsoft",
        ARCHIVE_BATCH_SIZE="4",
        ARCHIVE_WRITE_ATTEMPTS="100",
        ARCHIVE_SPILL_DIR=str(spill_dir),
    )

    assert done.returncode == 1, done.stderr[-3000:]
    assert "the archive refused a write (1 in a row): " in done.stderr and "archive offline" in done.stderr
    run = last_run(archive_url)
    assert (run.finish_reason, run.new_count, run.stats["archive/unarchived_complaints"]) == (
        "archive_unavailable",
        0,
        10,
    )
    assert counts(archive_url)["complaints"] == 0
    path, records = spilled(spill_dir)
    assert [next(iter(r)) for r in records] == ["business"] + ["complaint"] * 10
    assert f"they are saved in {path}. Archive them with: complaints import --site bbb --archive " in done.stderr

    # Once the archive takes writes again; damaged lines are quarantined, the rest imported.
    execute(archive_url, ACCEPT[backend])
    with path.open("a", encoding="utf-8") as out:
        out.write('{"complaint": {"source": "bbb"}}\nnot json\n[1]\n{"review": {}}\n')
    imported = complaints_cli("import", "--site", "bbb", "--archive", archive_url, str(path))
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert "10 new, 0 updated, 0 unchanged complaints, 4 quarantined" in imported.stdout
    assert counts(archive_url) == {"businesses": 1, "complaints": 10, "responses": 32, "quarantine": 4}


def test_the_crawl_stops_when_the_archive_keeps_refusing(fixture_sites, tmp_path):
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    refusing_archive(url)
    done = scrapy_crawl(
        "bbb",
        fixture_sites["bbb"],
        url,
        "company=microsoft",
        ARCHIVE_BATCH_SIZE="1",
        ARCHIVE_WRITE_ATTEMPTS="1",
        ARCHIVE_SPILL_DIR=str(tmp_path),
    )

    assert done.returncode == 1, done.stderr[-3000:]
    assert "stopping the crawl: the archive refused 1 writes in a row" in done.stderr
    assert "Closing spider (archive_unavailable)" in done.stderr
    run = last_run(url)
    _, records = spilled(tmp_path)
    # Everything that passed validation before the crawl stopped is in the file: nothing scraped is lost.
    assert run.stats["validate/complaint"] == run.stats["archive/unarchived_complaints"]
    assert sum("complaint" in r for r in records) == run.stats["validate/complaint"] > 0


def test_an_archive_that_does_not_answer_stops_the_crawl_with_one_line(fixture_sites, tmp_path):
    url = "postgresql://postgres:secret@127.0.0.1:1/test"  # nothing listens on port 1
    done = scrapy_crawl("bbb", fixture_sites["bbb"], url, "company=microsoft")
    assert done.returncode == 1
    assert "cannot archive: the archive at postgresql://postgres:***@127.0.0.1:1/test does not answer: " in done.stderr
    assert "Closing spider (archive_unavailable)" in done.stderr
    assert "Traceback" not in done.stderr and "secret" not in done.stderr
    assert not any(path.startswith("/us/") for path in fixture_sites["bbb"].requests)
