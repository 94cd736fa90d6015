"""The workers' settings, checked before a worker connects to anything: a typo is one line, not a crash later."""

from __future__ import annotations

from scrapy.settings import BaseSettings

from complaints_crawler.sites import SITES


class WorkerSettingsError(ValueError):
    """A worker setting whose value cannot work; the message names it."""


def worker_settings(settings: BaseSettings) -> tuple[float, int, float]:
    """(lease seconds, max attempts, poll interval), once SITE_RATE_LIMITS and EGRESS_ID are known to be usable."""
    lease = _number(settings, "WORKER_LEASE_SECONDS", float, minimum=1)
    attempts = int(_number(settings, "WORKER_MAX_ATTEMPTS", int, minimum=1))
    poll = _number(settings, "WORKER_POLL_INTERVAL", float, minimum=0.05)
    rate_limits(settings)
    egress = settings.get("EGRESS_ID")
    if egress is not None and (not str(egress).strip() or any(c.isspace() for c in str(egress))):
        raise WorkerSettingsError(f"-s EGRESS_ID={egress}: expected a name without spaces, e.g. the egress address")
    return lease, attempts, poll


def rate_limits(settings: BaseSettings) -> dict[str, float]:
    """SITE_RATE_LIMITS: requests per second per site (all workers together)."""
    raw = settings.get("SITE_RATE_LIMITS") or {}
    try:
        limits = settings.getdict("SITE_RATE_LIMITS")  # JSON from -s; a number or a list is a TypeError
    except (TypeError, ValueError):
        raise WorkerSettingsError(
            f"-s SITE_RATE_LIMITS={raw}: expected JSON such as "
            '{"bbb": 0.25, "consumercomplaints": 0.5} (requests per second per site)'
        ) from None
    checked = {}
    for site, rate in limits.items():
        if site not in SITES:
            raise WorkerSettingsError(f"SITE_RATE_LIMITS: unknown site {site!r}; the sites are: {', '.join(SITES)}")
        try:
            checked[site] = float(rate)
        except (TypeError, ValueError):
            checked[site] = 0.0
        if checked[site] <= 0:
            raise WorkerSettingsError(f"SITE_RATE_LIMITS: {site}: expected requests per second above 0, not {rate!r}")
    return checked


def _number(settings: BaseSettings, name: str, kind: type, minimum: float) -> float:
    value = settings.get(name)
    try:
        number = float(kind(value))
    except (TypeError, ValueError):
        number = minimum - 1
    if number < minimum:
        raise WorkerSettingsError(f"-s {name}={value}: expected a number of {minimum:g} or more")
    return number
