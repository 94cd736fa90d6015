"""The `complaints` command: archive maintenance, saved-page parsing, the demo, and reports."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import NoSuchModuleError, SQLAlchemyError

from complaints_crawler import settings
from complaints_crawler.archive import database, queries
from complaints_crawler.arguments import positive, probability
from complaints_crawler.crawl.command import CommandFailed, add_crawl_command
from complaints_crawler.crawl.scrapyd import add_scrapyd_commands
from complaints_crawler.distributed.commands import add_distributed_commands
from complaints_crawler.errors import first_line
from complaints_crawler.reading.archive import ReadingError
from complaints_crawler.sites import SITES


class CliError(Exception):
    """A failure the user can act on: printed as one line, exit 1."""


ARCHIVE_HELP = "archive database URL (default: $COMPLAINTS_ARCHIVE_URL, else sqlite:///archive.db)"


def _archive_option(parser: argparse.ArgumentParser, help_text: str = ARCHIVE_HELP) -> None:
    parser.add_argument("--archive", metavar="URL", help=help_text)


def _open(args: argparse.Namespace) -> Engine:
    """The archive of a command that only reads: opened read-only, never created."""
    return database.open_archive(database.archive_url(args.archive), create=False, read_only=True)


# -- db -------------------------------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    url = database.archive_url(args.archive)
    database.upgrade(url, args.revision)
    current, head = database.schema_revisions(database.make_engine(url))
    print(f"archive {_shown(url)} is at revision {current} (head {head})")


def cmd_db_downgrade(args: argparse.Namespace) -> None:
    url = database.archive_url(args.archive)
    database.downgrade(url, args.revision)
    current, head = database.schema_revisions(database.make_engine(url))
    print(f"archive {_shown(url)} is at revision {current or 'base (empty)'} (head {head})")


def cmd_db_current(args: argparse.Namespace) -> None:
    url = database.archive_url(args.archive)
    database.require_existing(url)
    current, head = database.schema_revisions(database.make_engine(url, read_only=True))
    state = "up to date" if current == head else "differs: see `complaints db upgrade --help`"
    print(f"archive {_shown(url)}: revision {current or 'none'}, code head {head} ({state})")


# -- parse ----------------------------------------------------------------------------------------------


def cmd_parse(args: argparse.Namespace) -> None:
    """Saved pages as JSON lines, in the shape `complaints import` reads: {"business": …} / {"complaint": …}."""
    from complaints_crawler.parsers import page_parser

    parse = page_parser(args.site)
    empty = []
    for file in args.files:
        path = Path(file)
        if not path.is_file():
            raise CliError(f"no such file: {file}")
        page = parse(args.url or path.resolve().as_uri(), path.read_text(encoding="utf-8", errors="replace"))
        if page.business is not None:
            print(json.dumps({"business": page.business.model_dump(mode="json")}, ensure_ascii=False))
        for complaint in page.complaints:
            print(json.dumps({"complaint": complaint.model_dump(mode="json")}, ensure_ascii=False))
        for failure in page.failures:
            print(f"{file}: unreadable card {failure.card_id or '?'}: {failure.reason}", file=sys.stderr)
        if not page.complaints:
            why = (
                "the page has the site's markup but no complaint card"
                if page.has_site_data
                else f"nothing in it looks like a {args.site} page (wrong --site, an empty or binary file?)"
            )
            print(f"{file}: no complaint read: {why}", file=sys.stderr)
            empty.append(file)
    if empty and len(empty) == len(args.files):
        raise CliError(f"no complaint in {len(empty)} file(s)")


# -- demo -----------------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> None:
    from complaints_crawler.demo import run_demo

    # The default archive of every command, in this folder; never $COMPLAINTS_ARCHIVE_URL (no sample data in a
    # real archive by accident).
    archive = args.archive or database.DEFAULT_ARCHIVE_URL
    outcomes = run_demo(archive, log_level="INFO" if args.verbose else "WARNING")
    print("\ncrawls:")
    for o in outcomes:
        mode = f"{o.mode}, {o.requests} requests" if o.mode else f"{o.requests} requests"
        print(
            f"  {o.label:<58} {o.finish_reason or 'did not start':<10} ({mode}: {o.new} new, {o.updated} updated, "
            f"{o.unchanged} unchanged)"
        )
    engine = _open(argparse.Namespace(archive=archive))
    _print_summary(engine)
    print(f"\narchive: {_shown(archive)}")
    shown = "" if archive == database.archive_url(None) else f" --archive {archive}"
    print(f"look at it with: complaints stats{shown} · complaints runs{shown} · complaints duplicates{shown}")
    failed = [o for o in outcomes if o.finish_reason != "finished"]
    if failed:
        raise CliError(f"{len(failed)} demo crawl(s) did not finish: " + ", ".join(o.label for o in failed))


def _print_summary(engine: Engine) -> None:
    rows = queries.summary_by_source(engine)
    print(f"\n{'source':<20} {'businesses':>10} {'complaints':>10} {'responses':>10} {'quarantined':>11}")
    for r in rows:
        print(f"{r.source:<20} {r.businesses:>10} {r.complaints:>10} {r.responses:>10} {r.quarantined:>11}")


# -- reports --------------------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> None:
    engine = _open(args)
    _print_summary(engine)
    print(f"\n{'source':<20} {'business':<40} {'status':<15} {'complaints':>10}")
    for source, business, status, n in queries.complaints_by_business_and_status(engine, args.source):
        print(f"{source:<20} {business[:40]:<40} {status:<15} {n:>10}")


def cmd_runs(args: argparse.Namespace) -> None:
    engine = _open(args)
    runs = queries.recent_runs(engine, args.limit)
    if not runs:
        print("no crawl runs yet")
        return
    print(
        f"{'id':>5} {'spider':<18} {'started (UTC)':<19} {'finish reason':<19} {'mode':<11} {'req':>5} {'new':>5} "
        f"{'upd':>5} {'same':>5} {'quar':>4} {'req/new':>7}  health · arguments"
    )
    for r in runs:
        started = r["started_at"].strftime("%Y-%m-%d %H:%M:%S") if r["started_at"] else ""
        arguments = " ".join(f"{k}={v}" for k, v in (r["arguments"] or {}).items())
        per_new = f"{r['requests'] / r['new_count']:.1f}" if r["new_count"] else "-"
        print(
            f"{r['id']:>5} {r['spider']:<18} {started:<19} {r['finish_reason']:<19} {r['mode'] or '-':<11} "
            f"{r['requests']:>5} {r['new_count']:>5} {r['updated_count']:>5} {r['unchanged_count']:>5} "
            f"{r['quarantined_count']:>4} {per_new:>7}  {r['health'] or '-'} · {arguments}"
        )


def cmd_duplicates(args: argparse.Namespace) -> None:
    clusters = queries.duplicate_clusters(_open(args), args.limit)
    if not clusters:
        print("no near-duplicates in the archive")
        return
    for cluster in clusters:
        original = cluster[0]
        print(f"cluster of {len(cluster)}:")
        for member in cluster:
            similarity = "original" if member is original else f"similarity {member.similarity:.2f}"
            print(
                f"  #{member.id:<7} {member.source}:{member.external_id:<14} {member.filed_on or ''!s:<10}  "
                f"{(member.author or '')[:24]:<24} {similarity:<17} {member.url or ''}"
            )
    print(f"\n{len(clusters)} cluster(s), {sum(len(c) - 1 for c in clusters)} near-duplicate complaint(s)")


def cmd_history(args: argparse.Namespace) -> None:
    engine = _open(args)
    complaint = queries.find_complaint(engine, args.complaint)
    if complaint is None:
        raise CliError(f"no complaint {args.complaint!r} in the archive (give an id or SOURCE:EXTERNAL_ID)")
    print(
        f"complaint #{complaint.id} {complaint.source}:{complaint.external_id} filed {complaint.filed_on or '?'}, "
        f"now {complaint.status or 'no status'} with {complaint.entry_count} entries"
    )
    print(
        f"first seen {complaint.first_seen_at:%Y-%m-%d %H:%M}, "
        f"last changed {complaint.last_changed_at:%Y-%m-%d %H:%M}, "
        f"last seen {complaint.last_seen_at:%Y-%m-%d %H:%M}"
    )
    print(f"\n{'observed (UTC)':<17} {'run':>5} {'status':<12} {'entries':>7}  content hash")
    for r in queries.revisions(engine, complaint.id):
        print(
            f"{r['observed_at']:%Y-%m-%d %H:%M} {r['run_id'] or '-':>5} {r['status'] or '-':<12} "
            f"{r['entry_count']:>7}  {r['content_hash'][:16]}"
        )


SPAM_EXIT_CODE = 3  # `complaints spam-check` exit status when any input is spam (0: none is)


def cmd_spam_check(args: argparse.Namespace) -> None:
    from complaints_crawler.text.spam import score, score_html

    scripts = set(args.expected_scripts.split(",")) if args.expected_scripts else None
    languages = set(args.expected_languages.split(",")) if args.expected_languages else None
    any_spam = False
    for name in args.inputs:
        if name == "-":
            content = sys.stdin.read()
        else:
            path = Path(name)
            if not path.is_file():
                raise CliError(f"no such file: {name}")
            content = path.read_text(encoding="utf-8", errors="replace")
        looks_like_html = content.lstrip()[:1] == "<" or "<html" in content[:2000].lower()
        result = (score_html if looks_like_html else score)(
            content, scripts, args.threshold, expected_languages=languages
        )
        any_spam = any_spam or result.is_spam
        if args.json:
            reasons = [
                {
                    "name": r.name,
                    "value": round(r.value, 4),
                    "contribution": round(r.contribution, 3),
                    "explanation": r.explanation,
                }
                for r in result.reasons
            ]
            print(
                json.dumps(
                    {"input": name, "score": round(result.score, 4), "is_spam": result.is_spam, "reasons": reasons},
                    ensure_ascii=False,
                )
            )
            continue
        print(
            f"{name}: {'SPAM' if result.is_spam else 'not spam'} "
            f"(score {result.score:.2f}, threshold {result.threshold})"
        )
        for r in result.reasons[: args.top]:
            print(f"  - {r.explanation}")
    if any_spam:
        # The verdict as the exit status, so a script needs no --json: 0 none is spam, 3 at least one is.
        sys.stdout.flush()
        raise SystemExit(SPAM_EXIT_CODE)


def cmd_import(args: argparse.Namespace) -> None:
    from complaints_crawler.crawl.runner import run_crawls

    missing = [f for f in args.files if not Path(f).exists()]
    if missing:
        raise CliError(f"no such file: {missing[0]}")
    archive = database.archive_url(args.archive)
    arguments = {"site": args.site, "files": ",".join(str(Path(f).resolve()) for f in args.files)}
    if args.url:
        arguments["url"] = args.url
    [outcome] = run_crawls(
        [("import", arguments)], {"ARCHIVE_URL": archive, "LOG_LEVEL": "WARNING", "PROGRESS_INTERVAL": 0}
    )
    if outcome.run_id is None:
        raise CliError(f"import ended with {outcome.finish_reason or 'an error'} before it reached the archive")
    print(
        f"imported {len(args.files)} file(s) into {_shown(archive)} as crawl run {outcome.run_id} "
        f"({outcome.finish_reason}): {outcome.new} new, {outcome.updated} updated, {outcome.unchanged} unchanged "
        f"complaints, {outcome.quarantined} quarantined"
    )
    if outcome.finish_reason != "finished":
        raise CliError(f"import ended with {outcome.finish_reason}")


def cmd_serve_fixtures(args: argparse.Namespace) -> None:
    import time

    from complaints_crawler.fixture_site import serve_sites

    with serve_sites() as sites:
        for name, site in sites.items():
            setting = SITES[name].base_url_setting
            print(f"{name:<20} {site.base_url}   scrapy crawl {name} -s {setting}={site.base_url} -a company=…")
        print("serving until Ctrl-C", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


# -- wiring ---------------------------------------------------------------------------------------------


def _shown(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(Path(parsed.database).resolve())
    return parsed.render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="complaints",
        description="Crawl consumer complaints into a relational archive, and look at what it holds.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str,
        handler: Callable[[argparse.Namespace], None],
        help_text: str,
        archive_help: str | None = ARCHIVE_HELP,
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        if archive_help:
            _archive_option(sub, archive_help)
        return sub

    db = commands.add_parser("db", help="create, migrate or inspect the archive schema", description="Archive schema.")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    for name, handler, help_text in (
        ("upgrade", cmd_db_upgrade, "migrate the archive to the newest schema (creates it if empty)"),
        ("downgrade", cmd_db_downgrade, "migrate the archive back to REVISION ('base' removes every table)"),
        ("current", cmd_db_current, "show the archive's schema revision and the code's"),
    ):
        sub = db_commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        _archive_option(sub)
        if name == "upgrade":
            sub.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
        if name == "downgrade":
            sub.add_argument("revision", help="target revision, e.g. base or 0001")

    parse = command(
        "parse",
        cmd_parse,
        "parse saved pages and print their business and complaints as JSON lines (the shape `complaints import` reads)",
        None,
    )
    parse.add_argument("--site", required=True, choices=sorted(SITES))
    parse.add_argument("--url", help="the URL the page was saved from (default: the file's file:// URL)")
    parse.add_argument("files", nargs="+", metavar="FILE")

    demo = command(
        "demo",
        cmd_demo,
        "crawl the bundled fixture site with every spider into an archive and summarize "
        "(run it again: the second run is incremental)",
        "archive URL (default: sqlite:///archive.db in the current folder, never $COMPLAINTS_ARCHIVE_URL)",
    )
    demo.add_argument("--verbose", action="store_true", help="show the crawl logs")

    stats = command("stats", cmd_stats, "counts by source, business and status")
    stats.add_argument("--source", choices=sorted(SITES), help="only this source")

    runs = command("runs", cmd_runs, "recent crawl runs with their finish reasons and counts")
    runs.add_argument("--limit", type=positive, default=20, help="how many runs (default 20)")

    duplicates = command("duplicates", cmd_duplicates, "near-duplicate clusters: cross-posts, copies and re-posts")
    duplicates.add_argument("--limit", type=positive, default=100, help="how many clusters (default 100)")

    history = command("history", cmd_history, "a complaint's revisions over time (status, entries, content hash)")
    history.add_argument("complaint", metavar="ID", help="archive id, or SOURCE:EXTERNAL_ID such as bbb:20520372")

    spam_check = command("spam-check", cmd_spam_check, "score pages or texts for SEO spam", None)
    spam_check.epilog = (
        f"exit status: 0 when no input is spam, {SPAM_EXIT_CODE} when any input is spam, "
        "1 on an error (such as a missing file)"
    )
    spam_check.add_argument("inputs", nargs="+", metavar="FILE", help="HTML or text files; - reads standard input")
    spam_check.add_argument("--json", action="store_true", help="one JSON object per input, in input order")
    spam_check.add_argument(
        "--threshold",
        type=probability,
        default=settings.SPAM_POST_THRESHOLD,
        help=f"spam at or above this score (default {settings.SPAM_POST_THRESHOLD})",
    )
    spam_check.add_argument(
        "--expected-scripts",
        metavar="LIST",
        help="scripts the source is written in, e.g. Latin,Devanagari (adds a mismatch feature)",
    )
    spam_check.add_argument(
        "--expected-languages",
        metavar="LIST",
        help="ISO 639-1 languages the source is written in, e.g. en,hi (replaces the script check)",
    )
    spam_check.add_argument("--top", type=int, default=3, help="reasons shown per input (default 3)")

    imports = command(
        "import", cmd_import, "archive saved pages (e.g. when a site blocks the crawler) through the pipelines"
    )
    imports.add_argument("--site", required=True, choices=sorted(SITES))
    imports.add_argument("--url", help="the live URL of the page (one file only; default: read from the saved page)")
    imports.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="saved HTML pages, folders of them, or .jsonl files of items a crawl could not archive",
    )

    command("serve-fixtures", cmd_serve_fixtures, "serve the fixture site locally for manual `scrapy crawl`", None)
    add_crawl_command(commands, ARCHIVE_HELP)
    add_scrapyd_commands(commands)
    add_distributed_commands(commands, ARCHIVE_HELP)

    from complaints_crawler.reading.commands import add_commands  # search, export, sql, browse, report

    add_commands(command)
    return parser


# The modules of the `reading` extra (exports to Parquet, browse, report).
READING_MODULES = {"pyarrow", "datasette", "altair", "vl_convert"}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except CommandFailed as error:
        print(f"complaints: {error}", file=sys.stderr)
        return error.exit_code
    except (CliError, database.ArchiveSchemaError, ReadingError, ValueError, OSError) as error:
        if isinstance(error, BrokenPipeError):
            return _closed_pipe()
        print(f"complaints: {first_line(error)}", file=sys.stderr)
        return 1
    except (NoSuchModuleError, ImportError) as error:
        module = (getattr(error, "name", None) or "").partition(".")[0]
        if module in READING_MODULES:  # a reading command without the reading extra, not a database driver
            print(f'complaints: this command needs {module}: pip install -e ".[reading]"', file=sys.stderr)
            return 1
        print(
            f"complaints: no database driver for this archive URL ({first_line(error)}); the archive is SQLite or "
            'PostgreSQL (pip install -e ".[postgres]")',
            file=sys.stderr,
        )
        return 1
    except SQLAlchemyError as error:
        print(f"complaints: the archive cannot be read: {first_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _closed_pipe()
    return 0


def _closed_pipe() -> int:
    # `complaints runs | head`: the reader left; say nothing more (stdout is closed) and leave quietly.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
