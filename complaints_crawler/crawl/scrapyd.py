"""Running the crawls under Scrapyd: the project's egg, and one job per target of a targets file.

    complaints egg --out complaints_crawler.egg
    curl http://localhost:6800/addversion.json -F project=complaints_crawler -F version=1 -F egg=@complaints_crawler.egg
    complaints schedule targets.toml --scrapyd http://localhost:6800 -s ARCHIVE_URL=postgresql://…

The egg holds the installed package (migrations and fixture site included: a crawl creates or checks its
archive from inside the zip) and the `[scrapy] settings` entry point Scrapyd reads. A Scrapyd job is one
spider run, so each target becomes one job; the incremental refresh rules hold per job, as in any crawl.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import urlopen

from complaints_crawler.crawl.command import CommandFailed, scrapy_settings
from complaints_crawler.crawl.targets import TargetsFileError, read_targets

PROJECT = PACKAGE = "complaints_crawler"


def build_egg(out: Path) -> int:
    """Write the installed package as a Scrapyd egg; the number of files in it."""
    written = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as egg:
        # In a checkout the migrations live beside the package (mapped into it on install): found on their own.
        contents = _walk(files(PACKAGE), PACKAGE, skip=f"{PACKAGE}/migrations")
        contents += _walk(files(f"{PACKAGE}.migrations"), f"{PACKAGE}/migrations")
        for path, data in contents:
            egg.writestr(path, data)
            written += 1
        egg.writestr("EGG-INFO/entry_points.txt", f"[scrapy]\nsettings = {PACKAGE}.settings\n")
        egg.writestr("EGG-INFO/PKG-INFO", "Metadata-Version: 2.1\nName: complaints-crawler\nVersion: 0.1.0\n")
    return written


def _walk(folder: Traversable, prefix: str, skip: str = "") -> list[tuple[str, bytes]]:
    found = []
    for entry in folder.iterdir():
        path = f"{prefix}/{entry.name}"
        if entry.name == "__pycache__" or entry.name.endswith(".pyc") or path == skip:
            continue
        if entry.is_dir():
            found += _walk(entry, path)
        else:
            found.append((path, entry.read_bytes()))
    return found


def schedule(scrapyd_url: str, spider: str, arguments: dict[str, str], settings: dict[str, str]) -> str:
    """Schedule one job; its Scrapyd job id."""
    fields: list[tuple[str, str]] = [("project", PROJECT), ("spider", spider), *arguments.items()]
    fields += [("setting", f"{name}={value}") for name, value in settings.items()]
    try:
        with urlopen(f"{scrapyd_url.rstrip('/')}/schedule.json", data=urlencode(fields).encode(), timeout=30) as reply:
            answer: dict[str, Any] = json.loads(reply.read())
    except (URLError, OSError, ValueError) as error:
        raise CommandFailed(f"Scrapyd at {scrapyd_url} did not take the job: {error}") from None
    if answer.get("status") != "ok":
        raise CommandFailed(f"Scrapyd refused the {spider} job: {answer.get('message', answer)}")
    return str(answer["jobid"])


def cmd_egg(args: argparse.Namespace) -> None:
    count = build_egg(Path(args.out))
    print(
        f"{args.out}: {count} files; upload it with: curl {args.scrapyd}/addversion.json -F project={PROJECT} "
        f"-F version=VERSION -F egg=@{args.out}"
    )


def cmd_schedule(args: argparse.Namespace) -> None:
    try:
        targets = read_targets(Path(args.targets))
    except TargetsFileError as error:
        raise CommandFailed(str(error), exit_code=2) from None
    settings = scrapy_settings(args.setting or [])
    for target in targets:
        job = schedule(args.scrapyd, target.site, target.arguments(full=args.full), settings)
        print(f"{target.label}: job {job}")


def add_scrapyd_commands(commands: Any) -> None:
    egg = commands.add_parser(
        "egg",
        help="build the project's egg for Scrapyd",
        description="Build the project's egg for Scrapyd (addversion.json).",
    )
    egg.set_defaults(handler=cmd_egg)
    egg.add_argument("--out", default=f"{PROJECT}.egg", help=f"the egg file (default {PROJECT}.egg)")
    egg.add_argument("--scrapyd", default="http://localhost:6800", help=argparse.SUPPRESS)
    sched = commands.add_parser(
        "schedule",
        help="schedule one Scrapyd job per target of a targets file",
        description="Schedule one Scrapyd job per target of a targets file.",
    )
    sched.set_defaults(handler=cmd_schedule)
    sched.add_argument("targets", metavar="TARGETS.toml")
    sched.add_argument(
        "--scrapyd",
        default="http://localhost:6800",
        metavar="URL",
        help="the Scrapyd server (default http://localhost:6800)",
    )
    sched.add_argument(
        "-s",
        dest="setting",
        action="append",
        metavar="NAME=VALUE",
        help="a Scrapy setting for every job, e.g. ARCHIVE_URL=postgresql://… (repeatable)",
    )
    sched.add_argument("--full", action="store_true", help="full sweeps")
