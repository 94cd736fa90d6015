"""The reading commands of `complaints`: search, export, sql, browse and report (wired in by cli.py)."""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from complaints_crawler.archive import database
from complaints_crawler.arguments import positive
from complaints_crawler.errors import first_line
from complaints_crawler.reading.archive import ReadingError, open_for_reading
from complaints_crawler.reading.export import FORMATS, TABLES
from complaints_crawler.reading.filters import Filters
from complaints_crawler.sites import SITES

Handler = Callable[[argparse.Namespace], None]
CommandFactory = Callable[..., argparse.ArgumentParser]
SOURCES = sorted(SITES)


def add_commands(command: CommandFactory) -> None:
    """Add the reading commands through cli.py's `command(name, handler, help_text)` factory."""
    search = command("search", _one_line(cmd_search), "full-text search of complaints and their threads, ranked")
    search.add_argument("query", metavar="QUERY", help='words (all must occur), "a phrase", a OR b, -excluded, prefix*')
    _filter_options(search, until=False)
    search.add_argument("--limit", type=positive, default=20, help="how many hits (default 20)")
    search.add_argument("--json", action="store_true", help="one JSON object per hit, best first")
    search.add_argument(
        "--rank-all",
        action="store_true",
        help="rank every matching document (by default a word matching more than 10,000 texts or "
        "entries is ranked among the 10,000 most recently archived of each; slower)",
    )

    export = command("export", _one_line(cmd_export), "write complaints, thread entries or whole threads to a file")
    export.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="sqlite: a new archive file (e.g. of a PostgreSQL archive) for `complaints browse`",
    )
    export.add_argument(
        "--table",
        choices=TABLES,
        default="complaints",
        help="threads: each complaint with its entries (nested in jsonl and parquet; "
        "in csv one row per entry, the complaint as position 0)",
    )
    _filter_options(export)
    export.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")

    report = command(
        "report", _one_line(cmd_report), "a self-contained HTML page of charts and key figures on a business"
    )
    report.add_argument(
        "--business", required=True, metavar="NAME|ID", help="the business (a name, part of one, or an id)"
    )
    report.add_argument("--source", choices=SOURCES, help="the site, when the name is on several")
    report.add_argument("--out", default="report.html", metavar="FILE", help="the page to write (default report.html)")
    report.add_argument("--png", metavar="DIR", help="also write each chart as a PNG image into DIR")

    browse = command("browse", _one_line(cmd_browse), "serve a SQLite archive read-only in the browser (Datasette)")
    browse.add_argument("path", nargs="?", metavar="ARCHIVE", help="a SQLite archive file or URL (or use --archive)")
    browse.add_argument("--port", type=int, default=8001, help="port to serve on (default 8001)")
    browse.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine)")

    sql = command("sql", _one_line(cmd_sql), "run one read-only SQL statement against the archive")
    sql.add_argument("statement", metavar="STATEMENT", help="one SELECT, WITH, VALUES, EXPLAIN or reading PRAGMA")
    sql.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help=f"table (default; at most {TABLE_ROWS} rows), csv, or json (one object per row)",
    )
    sql.add_argument("--timeout", type=float, default=30.0, help="stop the statement after this many seconds (30)")


def _filter_options(parser: argparse.ArgumentParser, until: bool = True) -> None:
    parser.add_argument("--source", choices=SOURCES, help="only complaints from this site")
    parser.add_argument("--business", metavar="NAME|ID", help="only this business (a name, part of one, or an id)")
    parser.add_argument("--since", type=_date, metavar="DATE", help="only complaints filed on or after YYYY-MM-DD")
    if until:
        parser.add_argument("--until", type=_date, metavar="DATE", help="only complaints filed on or before YYYY-MM-DD")


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(source=args.source, business=args.business, since=args.since, until=getattr(args, "until", None))


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _one_line(handler: Handler) -> Handler:
    """Database failures (a server that does not answer, a bad statement) become one-line ReadingErrors,
    which cli.py prints (exit 1) instead of a traceback."""

    @wraps(handler)
    def run(args: argparse.Namespace) -> None:
        try:
            handler(args)
        except SQLAlchemyError as error:
            raise ReadingError(first_line(error)) from None

    return run


def _archive(args: argparse.Namespace) -> Any:
    return open_for_reading(database.archive_url(args.archive))


# -- search ---------------------------------------------------------------------------------------------


def cmd_search(args: argparse.Namespace) -> None:
    from complaints_crawler.reading.search import RANK_WINDOW, search

    hits = search(_archive(args), args.query, _filters(args), args.limit, window=None if args.rank_all else RANK_WINDOW)
    if args.json:
        for hit in hits:
            print(json.dumps(hit.as_json(), ensure_ascii=False))
        return
    if not hits:
        print("no complaint matches")
        return
    for hit in hits:
        where = "complaint" if hit.position is None else f"{hit.matched.replace('_', ' ')} (entry {hit.position})"
        print(
            f"{hit.rank:>3}. {hit.source}:{hit.external_id}  #{hit.id}  {hit.business}  {hit.filed_on or '-'}  "
            f"{hit.status or '-'}"
        )
        if hit.title:
            print(f"     {hit.title}")
        print(f"     {where}: {' '.join(hit.snippet.split())}")


# -- sql ------------------------------------------------------------------------------------------------

TABLE_ROWS = 1000  # the table format shows this many rows; csv and json stream them all


def cmd_sql(args: argparse.Namespace) -> None:
    from complaints_crawler.reading import sql
    from complaints_crawler.reading.values import as_text, jsonable

    with sql.run(database.archive_url(args.archive), args.statement, args.timeout) as result:
        if args.format == "csv":
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(result.columns)
            writer.writerows([as_text(v) for v in row] for row in result.rows)
        elif args.format == "json":
            for row in result.rows:
                print(
                    json.dumps(
                        dict(zip(result.columns, map(jsonable, row), strict=True)), ensure_ascii=False, default=str
                    )
                )
        else:
            rows = list(itertools.islice(result.rows, TABLE_ROWS + 1))
            print_table(result.columns, [[as_text(v) for v in row] for row in rows[:TABLE_ROWS]])
            more = " (more not shown: use --format csv or json)" if len(rows) > TABLE_ROWS else ""
            print(f"({min(len(rows), TABLE_ROWS)} row{'' if len(rows) == 1 else 's'}){more}")


def print_table(columns: list[str], rows: list[list[str]], width: int = 60) -> None:
    cells = [[" ".join(c.split())[:width] for c in row] for row in rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(columns)]
    print("  ".join(name.ljust(w) for name, w in zip(columns, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


# -- export ---------------------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> None:
    from complaints_crawler.reading.export import export

    if args.format == "sqlite" and args.table != "complaints":
        raise ReadingError("--format sqlite writes a whole (filtered) archive: leave out --table")
    count = export(_archive(args), args.format, args.table, _filters(args), Path(args.out), force=args.force)
    what = (
        "complaints with their threads"
        if args.format == "sqlite"
        else ("thread rows" if args.table == "threads" and args.format == "csv" else args.table)
    )
    print(f"exported {count} {what} to {args.out}")


# -- browse ---------------------------------------------------------------------------------------------


def cmd_browse(args: argparse.Namespace) -> None:
    from complaints_crawler.reading.browse import serve

    if args.path and args.archive:
        raise ReadingError("give the archive once: as ARCHIVE or as --archive")
    target = args.path or database.archive_url(args.archive)
    serve(target if "://" in target else f"sqlite:///{target}", args.host, args.port)


# -- report ---------------------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> None:
    from complaints_crawler.reading.report import write_report

    out = Path(args.out)
    data = write_report(_archive(args), args.business, out, args.source, Path(args.png) if args.png else None)
    print(
        f"report on {data.name} ({data.source}, {data.figure('complaints')} complaints) written to {out}"
        + (f"; charts as PNG in {args.png}" if args.png else "")
    )
