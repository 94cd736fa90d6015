"""The fuzz test's mutants at benchmark scale: what came back, how slow, how much memory.

    python benchmarks/fuzz.py [--mutants 20000] [--seed 1] [--slowest 10]

Runs every parser entry point, the spam check, masks and prepare() on seeded mutants of the fixture pages
(the mutators of tests/mutants.py, the calls of tests/fuzzing.py) and prints: mutants, failures by kind,
unhandled exceptions (target 0), contract problems (target 0), the slowest calls and the peak memory.
Figures only, no pass/fail; tests/test_fuzz.py asserts on 2,000 of the same kind of mutants.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from fuzzing import Call, run  # noqa: E402
from mutants import Mutant, mutants  # noqa: E402


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _print_counts(title: str, counts: Counter[str], total: int | None = None) -> None:
    print(f"{title}: {sum(counts.values()) if total is None else total}")
    for name, count in counts.most_common():
        print(f"  {count:8d}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slowest", type=int, default=10, help="how many of the slowest calls to list")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # parsers log odd cards; here every outcome is counted instead

    by_mutator: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    examples: dict[str, str] = {}
    slowest: list[tuple[float, str, str]] = []
    per_entry: dict[str, float] = {}
    calls_made = stacked = 0
    peak, peak_at = _peak_rss_mb(), "start"
    started = time.perf_counter()
    for mutant in mutants(args.mutants, args.seed):
        by_mutator.update(mutant.mutators)
        stacked += len(mutant.mutators) > 1
        calls = run(mutant)
        calls_made += len(calls)
        _count(mutant, calls, failures, errors, problems, examples)
        for call in calls:
            slowest.append((call.seconds, call.entry, mutant.label))
            per_entry[call.entry] = max(per_entry.get(call.entry, 0.0), call.seconds)
        slowest = sorted(slowest, reverse=True)[: args.slowest]
        if _peak_rss_mb() > peak:
            peak, peak_at = _peak_rss_mb(), mutant.label
    elapsed = time.perf_counter() - started

    print(f"mutants: {args.mutants} (seed {args.seed}), {calls_made} calls, {elapsed:.0f} s")
    _print_counts(f"mutations by mutator ({stacked} mutants have two)", by_mutator)
    _print_counts("failures by kind, over all calls (documented parse errors)", failures)
    _print_counts("unhandled exceptions (target 0)", errors)
    for key in errors:
        print(f"    e.g. {key}: {examples[key]}")
    _print_counts("contract problems (target 0: undocumented reasons, NUL in snippets, cards lost silently)", problems)
    for key in problems:
        print(f"    e.g. {examples[key]}")
    print(f"slowest {len(slowest)} calls:")
    for seconds, entry, label in slowest:
        print(f"  {seconds:8.3f} s  {entry:40}  {label}")
    print("slowest call by entry point:")
    for entry, seconds in sorted(per_entry.items(), key=lambda item: -item[1]):
        print(f"  {seconds:8.3f} s  {entry}")
    print(f"peak memory: {peak:.0f} MB RSS (reached at {peak_at})")


def _count(
    mutant: Mutant,
    calls: list[Call],
    failures: Counter[str],
    errors: Counter[str],
    problems: Counter[str],
    examples: dict[str, str],
) -> None:
    for call in calls:
        failures.update(call.failures)
        if call.error:
            key = f"{call.entry}: {call.error.split(':')[0]} {call.error.rsplit('(at ', 1)[-1].rstrip(')')}"
            errors[key] += 1
            examples.setdefault(key, f"{mutant.label}: {call.error[:160]}")
        for problem in call.problems:
            key = problem.split(":")[0]
            problems[key] += 1
            examples.setdefault(key, f"{mutant.label}: {call.entry}: {problem[:200]}")


if __name__ == "__main__":
    main()
