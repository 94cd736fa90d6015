"""Full-text search: complaints ranked by their best-matching document (the title and text, or one thread
entry), each with a highlighted snippet of that document.

SQLite ranks with FTS5's bm25 (title weighs 4 times the text), PostgreSQL with ts_rank_cd (title weight A,
texts B) over the generated tsvector columns of revision 0005. Snippets are made for the returned hits only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Float,
    Integer,
    Select,
    String,
    bindparam,
    column,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy import (
    table as sql_table,
)
from sqlalchemy.dialects import postgresql

from complaints_crawler.archive.database import reading
from complaints_crawler.archive.models import BusinessRow, ComplaintRow, ResponseRow
from complaints_crawler.reading import query as search_query
from complaints_crawler.reading.filters import Filters, complaint_conditions

MARK = "**"  # around each matched word in a snippet (Markdown bold)
# Documents of a kind scored per search, newest first: scoring every match of a common word in a big archive
# (a fifth of a million documents) takes seconds; a specific word has fewer matches and is ranked exactly.
RANK_WINDOW = 10_000


@dataclass(frozen=True)
class Hit:
    rank: int
    id: int
    source: str
    external_id: str
    business: str
    filed_on: date | None
    status: str | None
    title: str | None
    url: str | None
    matched: str  # "complaint", or the kind of the thread entry that matched best
    position: int | None  # that entry's position in the thread
    score: float  # higher is better; comparable within one search only
    snippet: str

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        values["filed_on"] = self.filed_on.isoformat() if self.filed_on else None
        return values


def search(
    engine: Engine, text_query: str, filters: Filters | None = None, limit: int = 20, window: int | None = RANK_WINDOW
) -> list[Hit]:
    """The `limit` best complaints for `text_query`. Complaint texts and thread entries are each ranked among
    the `window` most recently archived matching documents of their kind (None: among all of them)."""
    filters = filters or Filters()
    parsed = search_query.parse(text_query)
    with reading(engine) as conn:
        backend = _Postgres(parsed) if conn.dialect.name == "postgresql" else _Sqlite(parsed)
        conditions = complaint_conditions(conn, filters)
        allowed = select(ComplaintRow.id).where(*conditions) if conditions else None
        best = _best_documents(conn, backend.documents(allowed, window), limit)
        if not best:
            return []
        details = {
            r.id: r
            for r in conn.execute(
                select(
                    ComplaintRow.id,
                    ComplaintRow.source,
                    ComplaintRow.external_id,
                    BusinessRow.name,
                    ComplaintRow.filed_on,
                    ComplaintRow.status,
                    ComplaintRow.title,
                    ComplaintRow.url,
                )
                .join(BusinessRow, BusinessRow.id == ComplaintRow.business_id)
                .where(ComplaintRow.id.in_([d.complaint_id for d in best]))
            )
        }
        snippets = backend.snippets(
            conn,
            [d.complaint_id for d in best if d.response_id is None],
            [d.response_id for d in best if d.response_id is not None],
        )
    hits = []
    for n, document in enumerate(best, 1):
        c = details[document.complaint_id]
        key: Document = (
            ("response", document.response_id)
            if document.response_id is not None
            else ("complaint", document.complaint_id)
        )
        hits.append(
            Hit(
                rank=n,
                id=c.id,
                source=c.source,
                external_id=c.external_id,
                business=c.name,
                filed_on=c.filed_on,
                status=c.status,
                title=c.title,
                url=c.url,
                matched=document.kind or "complaint",
                position=document.position,
                score=round(float(document.score), 6),
                snippet=snippets.get(key, ""),
            )
        )
    return hits


@dataclass(frozen=True)
class _Document:
    complaint_id: int
    response_id: int | None  # None: the complaint's title and text
    score: float
    kind: str | None = None  # the thread entry's kind and position (a response_id's)
    position: int | None = None


def _best_documents(conn: Connection, documents: Any, limit: int) -> list[_Document]:
    """The `limit` best complaints, each by its best document: documents are read best first (a bounded sort,
    no grouping of every match) until `limit` complaints are found or the matches run out. Exact: a complaint
    among the best has fewer than `limit` better complaints, so its best document comes before that point."""
    ranked = documents.subquery("documents")
    query = select(ranked.c.kind, ranked.c.id, ranked.c.score).order_by(
        ranked.c.score.desc(), ranked.c.kind, ranked.c.id
    )
    wanted = max(4 * limit, 50)
    while True:
        rows = conn.execute(query.limit(wanted)).all()
        # Entries are looked up for these rows only, not for every match.
        entries = {
            e.id: e
            for e in conn.execute(
                select(ResponseRow.id, ResponseRow.complaint_id, ResponseRow.kind, ResponseRow.position).where(
                    ResponseRow.id.in_([r.id for r in rows if r.kind == "r"])
                )
            )
        }
        best: dict[int, _Document] = {}
        for row in rows:
            if row.kind == "r":
                e = entries[row.id]
                best.setdefault(e.complaint_id, _Document(e.complaint_id, e.id, row.score, e.kind, e.position))
            else:
                best.setdefault(row.id, _Document(row.id, None, row.score))
        if len(best) >= limit or len(rows) < wanted:
            return list(best.values())[:limit]
        wanted *= 4


Document = tuple[str, int]  # ("complaint", complaint id) or ("response", response id)
_COLUMNS = (column("kind", String), column("id", Integer), column("score", Float))


def _entries_of(allowed: Select[Any]) -> Select[Any]:
    """Thread entries of the allowed complaints: read from the (complaint_id, position) index alone."""
    return select(ResponseRow.id).where(ResponseRow.complaint_id.in_(allowed))


def _inline(query: Select[Any]) -> str:
    return str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


class _Sqlite:
    def __init__(self, parsed: search_query.Query):
        self.match = search_query.fts5(parsed)

    def documents(self, allowed: Select[Any] | None, window: int | None) -> Any:
        """Every matching document: kind ("c" complaint, "r" thread entry), its id, and its score.

        Filters are sets of ids (from narrow indexes), never a row lookup per match; a window reads FTS5's
        matches newest first and stops, so no more than `window` documents of a kind are scored."""
        parts = []
        for kind, table, weights, ids in (
            ("c", "complaints_fts", "4.0, 1.0", allowed),
            ("r", "responses_fts", "1.0", None if allowed is None else _entries_of(allowed)),
        ):
            rowid: Any = literal_column(f"{table}.rowid")
            part = (
                select(
                    literal(kind).label("kind"),
                    rowid.label("id"),
                    literal_column(f"-bm25({table}, {weights})").label("score"),
                )
                .select_from(sql_table(table))
                .where(text(f"{table} MATCH :match").bindparams(match=self.match))
            )
            if ids is not None:
                # "+rowid": a set to check each match against, not rowids to look up one full-text query each.
                part = part.where(literal_column(f"+{table}.rowid").in_(ids))
            if window:
                part = part.order_by(rowid.desc()).limit(window)
            parts.append(select(part.subquery()))
        return union_all(*parts)

    def snippets(self, conn: Connection, complaint_ids: list[int], response_ids: list[int]) -> dict[Document, str]:
        found: dict[Document, str] = {}
        tables = (("complaint", "complaints_fts", complaint_ids), ("response", "responses_fts", response_ids))
        for kind, table, ids in tables:
            if not ids:
                continue
            statement = text(f"""
                SELECT rowid, snippet({table}, -1, '{MARK}', '{MARK}', '…', 20) FROM {table}
                WHERE {table} MATCH :match AND rowid IN :ids""").bindparams(bindparam("ids", expanding=True))
            for rowid, snippet in conn.execute(statement, {"match": self.match, "ids": ids}):
                found[(kind, rowid)] = snippet
        return found


class _Postgres:
    HEADLINE = f'StartSel={MARK}, StopSel={MARK}, MaxWords=28, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'

    def __init__(self, parsed: search_query.Query):
        self.expression, self.params = search_query.tsquery(parsed)

    def documents(self, allowed: Select[Any] | None, window: int | None) -> Any:
        """As _Sqlite.documents: a window takes the newest matches by id, and only those are scored."""
        query = f"(SELECT {self.expression})"
        parts = []
        for kind, table, ids in (
            ("c", "complaints", allowed),
            ("r", "responses", None if allowed is None else _entries_of(allowed)),
        ):
            # The filter's values are ids, dates and site names: rendered inline, the statement stays one text.
            where = "" if ids is None else f" AND id IN ({_inline(ids)})"
            limit = f" ORDER BY id DESC LIMIT {int(window)}" if window else ""
            parts.append(f"""SELECT '{kind}' AS kind, id, ts_rank_cd(search_vector, {query}, 1) AS score FROM (
                SELECT id, search_vector FROM {table} WHERE search_vector @@ {query}{where}{limit}) AS {table}""")
        return text(" UNION ALL ".join(parts)).bindparams(**self.params).columns(*_COLUMNS)

    def snippets(self, conn: Connection, complaint_ids: list[int], response_ids: list[int]) -> dict[Document, str]:
        found: dict[Document, str] = {}
        documents = (
            ("complaint", "translate(concat_ws(' — ', title, text_normalized), '/', ' ')", "complaints", complaint_ids),
            ("response", "translate(text_normalized, '/', ' ')", "responses", response_ids),
        )
        for kind, document, table, ids in documents:
            if not ids:
                continue
            statement = text(f"""
                SELECT id, ts_headline('english', {document}, {self.expression}, :options) FROM {table}
                WHERE id IN :ids""").bindparams(bindparam("ids", expanding=True))
            for rowid, snippet in conn.execute(statement, {**self.params, "options": self.HEADLINE, "ids": ids}):
                found[(kind, rowid)] = snippet
        return found
