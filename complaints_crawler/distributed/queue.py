"""The queue of targets that workers share: targets are leased, not popped.

A worker leases a target for `WORKER_LEASE_SECONDS` and renews the lease while it crawls it. A worker that dies
(kill -9, a machine lost) stops renewing; once the lease expires, the next lease of any worker puts the target
back at the front of the queue (attempt `interrupted`) and deletes the dead lease's frontier, and a worker crawls
the target again from its start. A target whose attempts fail `WORKER_MAX_ATTEMPTS` times is marked failed with
its last finish reason. Every state change is one Lua script (`scripts`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis

from complaints_crawler.crawl.targets import Target
from complaints_crawler.distributed import scripts

PENDING, IN_FLIGHT, FINISHED, FAILED = "pending", "in-flight", "finished", "failed"
STATES = (PENDING, IN_FLIGHT, FINISHED, FAILED)


@dataclass(frozen=True)
class QueuedTarget:
    id: str
    site: str
    arguments: dict[str, str]
    label: str

    @classmethod
    def of(cls, target: Target, *, full: bool = False) -> QueuedTarget:
        return cls(target_id(target), target.site, target.arguments(full=full), target.label)

    def to_json(self) -> str:
        return json.dumps({"site": self.site, "arguments": self.arguments, "label": self.label}, sort_keys=True)

    @classmethod
    def from_json(cls, target_id: str, raw: str | bytes) -> QueuedTarget:
        data = json.loads(raw)
        return cls(target_id, data["site"], data["arguments"], data["label"])


def target_id(target: Target) -> str:
    """One id per target whatever `--full` says: enqueueing a file again never adds a second copy."""
    arguments = target.arguments(full=False)
    return hashlib.sha1(json.dumps([target.site, arguments], sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Lease:
    target: QueuedTarget
    attempt: int
    number: int  # unique over the queue's life: names the lease's frontier
    frontier: str  # key prefix of the lease's scrapy-redis queue and dupefilter


@dataclass(frozen=True)
class TargetState:
    """A target as `complaints queue` shows it."""

    target: QueuedTarget
    state: str
    attempts: int = 0
    worker: str | None = None
    expires_in: float | None = None  # seconds until the lease expires (in flight; negative: already expired)
    takeovers: int = 0  # leases of this target that expired (their worker went away)
    last: dict[str, Any] = field(default_factory=dict)  # the last attempt's outcome


@dataclass(frozen=True)
class QueueView:
    targets: list[TargetState]  # pending ones in lease order, then the rest by label

    def of_state(self, state: str) -> list[TargetState]:
        return [t for t in self.targets if t.state == state]


class TargetQueue:
    def __init__(self, server: redis.Redis, name: str):
        self.server = server
        self.name = name
        self.keys = [f"{name}:{part}" for part in ("targets", "state", "pending", "leases", "seq")]
        self._enqueue = server.register_script(scripts.HEAD + scripts.ENQUEUE)
        self._lease = server.register_script(scripts.HEAD + scripts.LEASE)
        self._renew = server.register_script(scripts.HEAD + scripts.RENEW)
        self._finish = server.register_script(scripts.HEAD + scripts.FINISH)

    def frontier(self, lease_number: int) -> str:
        return f"{self.name}:frontier:{lease_number}"

    # -- producers -------------------------------------------------------------------------------------

    def enqueue(self, targets: Iterable[QueuedTarget]) -> dict[str, str]:
        """Push targets; per target id what happened: new, again (it had finished or failed), pending (already
        waiting: its definition updated), running (in flight: left alone)."""
        return {t.id: _text(self._enqueue(keys=self.keys, args=[t.id, t.to_json()])) for t in targets}

    # -- workers ---------------------------------------------------------------------------------------

    def lease(self, worker: str, lease_seconds: float, max_attempts: int) -> Lease | None:
        answer = self._lease(keys=self.keys, args=[worker, int(lease_seconds * 1000), max_attempts, self.name])
        if not answer:
            return None
        target_id, raw, attempt, number = answer
        number = int(number)
        return Lease(QueuedTarget.from_json(_text(target_id), raw), int(attempt), number, self.frontier(number))

    def renew(self, lease: Lease, lease_seconds: float) -> bool:
        """False when the lease is lost: it expired and the target went back to the queue."""
        return bool(self._renew(keys=self.keys, args=[lease.target.id, lease.number, int(lease_seconds * 1000)]))

    def finish(self, lease: Lease, verdict: str, outcome: dict[str, Any], max_attempts: int) -> str | None:
        """Record how an attempt ended; the target's new state, or None when the lease was lost meanwhile."""
        state = self._finish(
            keys=self.keys, args=[lease.target.id, lease.number, verdict, json.dumps(outcome), max_attempts]
        )
        return _text(state) if state else None

    def clear_frontier(self, lease: Lease) -> None:
        self.server.delete(f"{lease.frontier}:requests", f"{lease.frontier}:seen")

    def work_left(self) -> tuple[int, int, float | None]:
        """(pending, in flight, seconds until the first lease expires)."""
        pipe = self.server.pipeline(transaction=True)
        pipe.zcard(self.keys[2])
        pipe.zcard(self.keys[3])
        pipe.zrange(self.keys[3], 0, 0, withscores=True)
        pipe.time()
        pending, in_flight, first, (seconds, micros) = pipe.execute()
        expires = (first[0][1] / 1000 - (seconds + micros / 1e6)) if first else None
        return pending, in_flight, expires

    # -- `complaints queue` ----------------------------------------------------------------------------

    def view(self) -> QueueView:
        pipe = self.server.pipeline(transaction=True)
        pipe.hgetall(self.keys[0])
        pipe.hgetall(self.keys[1])
        pipe.zrange(self.keys[2], 0, -1)
        pipe.time()
        definitions, states, order, (seconds, micros) = pipe.execute()
        now_ms = seconds * 1000 + micros / 1000
        rank = {_text(member): index for index, member in enumerate(order)}
        shown = []
        for raw_id, raw_state in states.items():
            tid = _text(raw_id)
            if raw_id not in definitions:
                continue
            st = json.loads(raw_state)
            expires = st.get("expires")
            shown.append(
                TargetState(
                    QueuedTarget.from_json(tid, definitions[raw_id]),
                    st["state"],
                    int(st.get("attempts", 0)),
                    st.get("worker"),
                    (expires - now_ms) / 1000 if expires is not None else None,
                    int(st.get("takeovers", 0)),
                    st.get("last") or {},
                )
            )
        shown.sort(key=lambda t: (STATES.index(t.state), rank.get(t.target.id, 0), t.target.label))
        return QueueView(shown)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
