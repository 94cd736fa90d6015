"""CPU work of the crawl in processes of its own. The spam checks of pages and posts and the preparation of each
complaint for the archive (masks, hashes, MinHash) are the crawl's largest CPU costs after parsing, and on the
reactor's thread every download and every parser waits for them; handed to a process beside the crawl
(WORK_PROCESSES, 1 by default) they run on another core, and the stage awaits the answer.

Each process is forked when the crawler's components are built (before the archive's writer thread starts) and
stops when its engine stops. The crawl talks to it over a socket read by the crawl's own event loop: no thread in
the crawl (a process pool's feeder and manager threads would fight the reactor's thread for the GIL on every
call). A process answers in the order it was asked, so one process keeps a page's complaints in order.

With WORK_PROCESSES = 0, or without a running asyncio loop (a stage called directly, outside a crawl), the work runs
in the caller's thread and the stage returns at once. A process that dies is dropped and the calls it owed run in
the crawl's thread: nothing is lost, and the log and the stats say so."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.asyncio import is_asyncio_available

log = logging.getLogger(__name__)

_PROCESSES: WeakKeyDictionary[Crawler, WorkProcesses] = WeakKeyDictionary()
T = TypeVar("T")
_LENGTH = 4  # bytes of the length before each pickled message


class ProcessLost(Exception):
    """The work process exited (killed, or out of memory) before it answered."""


class WorkProcesses:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        processes = crawler.settings.getint("WORK_PROCESSES")  # checked before the crawl (crawl/checks.py)
        self.processes: list[_Process] = []
        for _ in range(processes if _asyncio_running() else 0):
            self.processes.append(_Process.start(self.processes))
        self.turn = 0
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def of(cls, crawler: Crawler) -> WorkProcesses:
        """The crawler's work processes (its stages share them)."""
        if crawler not in _PROCESSES:
            _PROCESSES[crawler] = cls(crawler)
        return _PROCESSES[crawler]

    @property
    def pooled(self) -> bool:
        return bool(self.processes)

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`function(*args, **kwargs)` in a work process (in this thread once none is left). `function`, its
        arguments and its result travel pickled: a module-level function, plain values and models."""
        if self.processes:
            process = self.processes[self.turn % len(self.processes)]
            self.turn += 1
            try:
                return await process.call(function, args, kwargs)
            except ProcessLost:
                if process in self.processes:
                    self.processes.remove(process)
                    process.close()
                    self.stats.inc_value("work/processes_lost")
                    log.error(
                        "the work process %s died: %s",
                        process.pid,
                        f"{len(self.processes)} left"
                        if self.processes
                        else "the crawl does its work in its own thread from now on",
                    )
        return function(*args, **kwargs)

    def close(self) -> None:
        processes, self.processes = self.processes, []
        peaks = [peak for process in processes if (peak := process.peak_rss_mb()) is not None]
        if peaks:
            self.stats.max_value("work/process_peak_rss_mb", max(peaks))
        for process in processes:
            process.close()


class _Process:
    """One forked work process and the crawl's end of its socket."""

    def __init__(self, process: BaseProcess, connection: socket.socket) -> None:
        self.process = process
        self.pid = process.pid
        self.connection = connection
        self.ready: asyncio.Future[None] | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.waiting: deque[asyncio.Future[Any]] = deque()  # one per call sent, in the order sent
        self.lost = False

    @classmethod
    def start(cls, siblings: list[_Process]) -> _Process:
        # Fork where there is fork: the child has the crawl's modules and the spam models loaded already (spawn
        # would import and load them again, a second or more per crawl).
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        ours, theirs = socket.socketpair()
        # The child closes the crawl's ends it inherits, its own and its elder siblings': each process then sees
        # the end of its socket when the crawl closes it.
        crawl_ends = [ours, *(sibling.connection for sibling in siblings)]
        process = context.Process(target=_serve, args=(theirs, crawl_ends, os.getpid()), name="crawl-work", daemon=True)
        process.start()
        theirs.close()
        return cls(process, ours)

    async def call(self, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self.ready is None:
            self.ready = asyncio.ensure_future(self._connect())
        await self.ready
        if self.lost or self.writer is None:
            raise ProcessLost(self.pid)
        answer = asyncio.get_running_loop().create_future()
        self.waiting.append(answer)
        self.writer.write(_message((function, args, kwargs)))
        return await answer

    async def _connect(self) -> None:
        reader, self.writer = await asyncio.open_connection(sock=self.connection)
        self.reading = asyncio.ensure_future(self._read(reader))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                size = int.from_bytes(await reader.readexactly(_LENGTH), "big")
                ok, value = pickle.loads(await reader.readexactly(size))
                answer = self.waiting.popleft()
                if not answer.done():  # its caller may have been cancelled
                    answer.set_result(value) if ok else answer.set_exception(value)
        except (asyncio.IncompleteReadError, ConnectionError):
            self.lost = True
            while self.waiting:
                answer = self.waiting.popleft()
                if not answer.done():
                    answer.set_exception(ProcessLost(self.pid))

    def peak_rss_mb(self) -> int | None:
        """The process's peak resident memory so far (Linux), for the crawl stats."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        return next((int(line.split()[1]) // 1024 for line in status.splitlines() if line.startswith("VmHWM:")), None)

    def close(self) -> None:
        # The end of the socket, now: the stream's own close happens on a later turn of the loop, which the join
        # below would hold up.
        with contextlib.suppress(OSError):  # the process is gone already
            self.connection.shutdown(socket.SHUT_WR)
        if self.writer is not None:
            self.writer.close()
        else:
            self.connection.close()
        self.process.join(timeout=5)  # at the end of its socket it exits
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _asyncio_running() -> bool:
    """Whether the stages can await a process: a running asyncio loop, or the asyncio reactor that will run one."""
    try:
        return is_asyncio_available()
    except RuntimeError:  # neither: a stage called directly, outside any crawl
        return False


def _message(value: Any) -> bytes:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(_LENGTH, "big") + data


def _serve(connection: socket.socket, crawl_ends: list[socket.socket], parent: int) -> None:
    """The work process: answer each call, in order, until the crawl closes its end."""
    for end in crawl_ends:
        end.close()
    # Ctrl-C reaches the whole process group: the crawl decides how to stop, and closes the socket itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the crawl's handler, inherited with the fork
    threading.Thread(target=_exit_with, args=(parent,), name="exit-with-crawl", daemon=True).start()
    with connection, connection.makefile("rb") as incoming:
        while len(header := incoming.read(_LENGTH)) == _LENGTH:
            function, args, kwargs = pickle.loads(incoming.read(int.from_bytes(header, "big")))
            try:
                reply = _message((True, function(*args, **kwargs)))
            except Exception as error:
                try:
                    reply = _message((False, error))
                except Exception:  # an exception that does not pickle: its text does
                    reply = _message((False, RuntimeError(f"{type(error).__name__}: {error}")))
            connection.sendall(reply)


def _exit_with(parent: int) -> None:
    """An orphan leaves on its own: a crawl killed with SIGKILL closes no socket when a process it forked later (a
    crawl of its own, say) holds a copy of its end."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)
