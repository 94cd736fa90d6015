"""Running a real `scrapy crawl` or `complaints …` command against the local fixture site, as a user or a
scheduler would, and getting its exit code and output.

The commands run in a forked copy of the test process: the same code path as a new process (Scrapy's own
command line, our crawl command, a fresh reactor, exit codes), without paying for a new interpreter and its
imports (about 2.5 s a crawl). A command that needs another environment (another PYTHONPATH, an installed
copy) runs as a real subprocess.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from constants import REPO

from complaints_crawler.fixture_site import FixtureSite
from complaints_crawler.sites import SITES

# A local site needs no politeness delays, and block retries need no real backoff.
FAST = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "RETRY_TIMES": "0",
    "LOG_LEVEL": "INFO",
    "BLOCK_BACKOFF_BASE": "0.01",
    "BLOCK_BACKOFF_MAX": "0.05",
    "PROGRESS_INTERVAL": "0",
}


def scrapy_crawl(
    spider: str,
    site: FixtureSite | None,
    archive_url: str,
    *arguments: str,
    cwd: Path = REPO,
    env: dict[str, str] | None = None,
    timeout: int = 240,
    **settings: str,
) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl SPIDER -a ARGUMENT…` against `site`, into `archive_url`; exit code and output."""
    command = ["scrapy", "crawl", spider]
    for argument in arguments:
        command += ["-a", argument]
    base = {SITES[spider].base_url_setting: site.base_url} if site is not None else {}
    for name, value in {**base, "ARCHIVE_URL": archive_url, **FAST, **settings}.items():
        command += ["-s", f"{name}={value}"]
    if env is not None or _reactor_installed():
        return subprocess.run(
            [sys.executable, "-m", *command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
    return run_forked(lambda: _scrapy_main(command), command, cwd, timeout)


def complaints_cli(*arguments: str, cwd: Path = REPO, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """`complaints ARGUMENT…`; exit code and output."""
    from complaints_crawler import cli

    if _reactor_installed():
        return subprocess.run(
            [sys.executable, "-m", "complaints_crawler.cli", *arguments],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    return run_forked(lambda: cli.main(list(arguments)), ["complaints", *arguments], cwd, timeout)


def _reactor_installed() -> bool:
    """A test that ran Twisted in this process installed its reactor: a forked child could not install Scrapy's."""
    return "twisted.internet.reactor" in sys.modules


def _scrapy_main(command: list[str]) -> int:
    from scrapy.cmdline import execute

    os.environ["SCRAPY_SETTINGS_MODULE"] = "complaints_crawler.settings"
    execute(command)
    return 0


def run_forked(
    main: Callable[[], int | None], command: list[str], cwd: Path, timeout: int
) -> subprocess.CompletedProcess[str]:
    """Run `main` in a forked child in `cwd`, its stdout and stderr captured; its exit code is what it returns
    (or exits with)."""
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115 - closed once read, below
    gc.freeze()  # the child must not finalize the parent's objects (open connections, servers)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.chdir(cwd)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), encoding="utf-8", line_buffering=True)
            sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), encoding="utf-8", line_buffering=True)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            result = main()
            code = result if isinstance(result, int) else 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code)
    gc.unfreeze()
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(command, timeout)
        time.sleep(0.02)
    outputs = []
    for stream in (out, err):
        stream.seek(0)
        outputs.append(stream.read().decode("utf-8", "replace"))
        stream.close()
    return subprocess.CompletedProcess(command, os.waitstatus_to_exitcode(status), outputs[0], outputs[1])
