"""Command-line value types shared by the `complaints` commands: a bad value is refused by argparse with a
one-line reason (exit 2) before any work starts."""

from __future__ import annotations

import argparse
import math


def positive(value: str) -> int:
    """A whole number of 1 or more (a --limit: SQLite reads a negative LIMIT as no limit, PostgreSQL refuses it)."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value!r}")
    return int(value)


def probability(value: str) -> float:
    """A number strictly between 0 and 1 (a score threshold: spam scores are probabilities, so a threshold of 0
    flags every text and one of 1 or more flags none)."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError(f"not a number between 0 and 1: {value!r}")
    return number
