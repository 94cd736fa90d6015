"""The names of the full-text index's database objects (revision 0005), which the ORM models do not describe."""

from __future__ import annotations

SQLITE_FTS_TABLES = ("complaints_fts", "responses_fts")
# FTS5 keeps an external-content index in these shadow tables of each virtual table.
_SHADOW_SUFFIXES = ("data", "idx", "docsize", "config")
SQLITE_TABLES = frozenset(SQLITE_FTS_TABLES) | {f"{t}_{s}" for t in SQLITE_FTS_TABLES for s in _SHADOW_SUFFIXES}
SQLITE_TRIGGERS = frozenset(f"{t}_{event}" for t in SQLITE_FTS_TABLES for event in ("insert", "delete", "update"))
POSTGRESQL_COLUMN = "search_vector"  # on complaints and responses
POSTGRESQL_INDEXES = frozenset({"ix_complaints_search_vector", "ix_responses_search_vector"})


def is_index_object(name: str | None) -> bool:
    """Whether a table, column or index found in the database belongs to the full-text index."""
    return name in SQLITE_TABLES or name == POSTGRESQL_COLUMN or name in POSTGRESQL_INDEXES
