"""The search language, one for both back-ends: words (all must occur), "exact phrases", OR between two
alternatives, -excluded words, and prefix* words. Rendered as an FTS5 query on SQLite and as a tsquery
expression on PostgreSQL, always from quoted pieces: no input is a syntax error there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from complaints_crawler.reading.archive import ReadingError

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Term:
    text: str  # a word, or a phrase's words
    prefix: bool = False  # word* : any word that starts so


@dataclass(frozen=True)
class Query:
    groups: tuple[tuple[Term, ...], ...]  # every group must match: one of its terms
    excluded: tuple[Term, ...] = ()


def parse(text: str) -> Query:
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.groups()
        if bare == "OR":
            join_next = bool(groups)
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        raw = phrase if phrase is not None else bare
        prefix = phrase is None and raw.endswith("*") and bool(_WORD.search(raw))
        term = Term(raw.rstrip("*") if prefix else raw, prefix)
        if not _WORD.search(term.text):
            continue  # punctuation alone (a mask of asterisks, a stray quote) holds nothing to search for
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if not groups:
        raise ReadingError(f"nothing to search for in {text!r}: give at least one word that is not excluded")
    return Query(tuple(tuple(g) for g in groups), tuple(excluded))


def fts5(query: Query) -> str:
    """The FTS5 MATCH expression: every term a quoted string, so [REDACTED] or an e-mail address is just text."""

    def term(t: Term) -> str:
        return '"' + t.text.replace('"', '""') + '"' + (" *" if t.prefix else "")

    def group(terms: tuple[Term, ...]) -> str:
        return term(terms[0]) if len(terms) == 1 else "(" + " OR ".join(map(term, terms)) + ")"

    positive = " AND ".join(group(g) for g in query.groups)
    if not query.excluded:
        return positive
    return f"({positive}) NOT ({' OR '.join(map(term, query.excluded))})"


def tsquery(query: Query, config: str = "english") -> tuple[str, dict[str, str]]:
    """A PostgreSQL tsquery expression with bound parameters (the texts never enter the SQL)."""
    params: dict[str, str] = {}

    def term(t: Term) -> str:
        name = f"term_{len(params)}"
        if t.prefix and re.fullmatch(r"\w+", t.text):
            params[name] = t.text + ":*"
            return f"to_tsquery('{config}', :{name})"
        params[name] = t.text
        return f"phraseto_tsquery('{config}', :{name})"

    def group(terms: tuple[Term, ...]) -> str:
        return "(" + " || ".join(map(term, terms)) + ")"

    expression = " && ".join(group(g) for g in query.groups)
    if query.excluded:
        expression = f"({expression}) && !!({' || '.join(map(term, query.excluded))})"
    return expression, params
