"""Is a finished run healthy? A scheduler that only reads exit codes misses a board that silently went empty.

A run is unhealthy when it did not finish (blocked, layout changed, …), when its target had complaints on the
last run and this one saw none, or when more than `HEALTH_MAX_QUARANTINE_RATIO` of what it handled ended in
the quarantine. `crawl_runs.health` holds "ok" or the reasons, `complaints runs` shows it, and
`complaints crawl` exits 1 on an unhealthy target.
"""

from __future__ import annotations

from complaints_crawler.crawl.reasons import FinishReason

HEALTHY = "ok"


def assess(
    *,
    finish_reason: str | None,
    complaints_seen: int,
    quarantined: int,
    previous_seen: int | None,
    max_quarantine_ratio: float,
) -> str:
    problems = []
    if finish_reason != FinishReason.FINISHED:
        problems.append(f"finished as {finish_reason or 'nothing (the crawl never ended)'}")
    if previous_seen and complaints_seen == 0:
        problems.append(f"no complaints, where the last run saw {previous_seen}")
    handled = complaints_seen + quarantined
    if handled and quarantined / handled > max_quarantine_ratio:
        problems.append(
            f"{quarantined} of {handled} quarantined ({quarantined / handled:.0%} > {max_quarantine_ratio:.0%})"
        )
    return "; ".join(problems) or HEALTHY
