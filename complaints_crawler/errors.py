"""Errors as the one line a user reads: the CLI, the logs and the quarantine all show them so."""

from __future__ import annotations


def first_line(error: BaseException) -> str:
    """The reason in an error's first line: a database driver's own message (SQLAlchemy appends the statement and
    a help link), a file and what went wrong with it (not "[Errno 2] …"), else the message's first line."""
    if isinstance(error, OSError) and error.filename and error.strerror:
        return f"{error.filename}: {error.strerror}"
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
