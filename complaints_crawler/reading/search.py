"""Full-text search: complaints ranked by their best-matching document (the title and text, or one thread
entry), each with a highlighted snippet of that document.

SQLite ranks with FTS5's bm25 (title weighs 4 times the text), PostgreSQL with ts_rank_cd (title weight A,
texts B) over the generated tsvector columns of revision 0005. Snippets are made for the returned hits only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, Float, Integer, bindparam, column, select, text

from complaints_crawler.archive.database import reading
from complaints_crawler.archive.models import BusinessRow, ComplaintRow, ResponseRow
from complaints_crawler.reading import query as search_query
from complaints_crawler.reading.filters import Filters, complaint_conditions

MARK = "**"  # around each matched word in a snippet (Markdown bold)


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


def search(engine: Engine, text_query: str, filters: Filters | None = None, limit: int = 20) -> list[Hit]:
    filters = filters or Filters()
    parsed = search_query.parse(text_query)
    with reading(engine) as conn:
        backend = _Postgres(parsed) if conn.dialect.name == "postgresql" else _Sqlite(parsed)
        best = _best_documents(conn, backend, complaint_conditions(conn, filters), limit)
        if not best:
            return []
        details = {r.id: r for r in conn.execute(
            select(ComplaintRow.id, ComplaintRow.source, ComplaintRow.external_id, BusinessRow.name,
                   ComplaintRow.filed_on, ComplaintRow.status, ComplaintRow.title, ComplaintRow.url)
            .join(BusinessRow, BusinessRow.id == ComplaintRow.business_id)
            .where(ComplaintRow.id.in_([d.complaint_id for d in best])))}
        entries = {r.id: r for r in conn.execute(
            select(ResponseRow.id, ResponseRow.kind, ResponseRow.position)
            .where(ResponseRow.id.in_([d.response_id for d in best if d.response_id is not None])))}
        snippets = backend.snippets(conn, [d.complaint_id for d in best if d.response_id is None],
                                    [d.response_id for d in best if d.response_id is not None])
    hits = []
    for n, document in enumerate(best, 1):
        c = details[document.complaint_id]
        entry = entries.get(document.response_id) if document.response_id is not None else None
        key: Document = ("response", entry.id) if entry else ("complaint", document.complaint_id)
        hits.append(Hit(rank=n, id=c.id, source=c.source, external_id=c.external_id, business=c.name,
                        filed_on=c.filed_on, status=c.status, title=c.title, url=c.url,
                        matched=entry.kind if entry else "complaint", position=entry.position if entry else None,
                        score=round(float(document.score), 6), snippet=snippets.get(key, "")))
    return hits


@dataclass(frozen=True)
class _Document:
    complaint_id: int
    response_id: int | None  # None: the complaint's title and text
    score: float


def _best_documents(conn: Connection, backend: _Sqlite | _Postgres, conditions: list[Any],
                    limit: int) -> list[_Document]:
    """The `limit` best complaints, each by its best document: documents are read best first (a bounded sort,
    no grouping of every match) until `limit` complaints are found or the matches run out. Exact: a complaint
    among the best has fewer than `limit` better complaints, so its best document comes before that point."""
    documents = backend.documents(with_complaint=bool(conditions)).subquery("documents")
    query = select(documents.c.complaint_id, documents.c.response_id, documents.c.score)
    if conditions:
        query = query.join(ComplaintRow, ComplaintRow.id == documents.c.complaint_id).where(*conditions)
    query = query.order_by(documents.c.score.desc(), documents.c.complaint_id, documents.c.response_id)
    wanted = max(4 * limit, 50)
    while True:
        rows = conn.execute(query.limit(wanted)).all()
        # Without filters, an entry's complaint is looked up for these rows only, not for every match.
        owners = {} if conditions else dict(conn.execute(
            select(ResponseRow.id, ResponseRow.complaint_id)
            .where(ResponseRow.id.in_([r.response_id for r in rows if r.response_id is not None]))).all())
        best: dict[int, _Document] = {}
        for row in rows:
            complaint_id = owners.get(row.response_id, row.complaint_id)
            best.setdefault(complaint_id, _Document(complaint_id, row.response_id, row.score))
        if len(best) >= limit or len(rows) < wanted:
            return list(best.values())[:limit]
        wanted *= 4


Document = tuple[str, int]  # ("complaint", complaint id) or ("response", response id)
_COLUMNS = (column("complaint_id", Integer), column("response_id", Integer), column("score", Float))


class _Sqlite:
    def __init__(self, parsed: search_query.Query):
        self.match = search_query.fts5(parsed)

    def documents(self, with_complaint: bool) -> Any:
        """Every matching document and its score; an entry's complaint_id only `with_complaint` (else NULL)."""
        entries = ("SELECT r.complaint_id, r.id, -bm25(responses_fts) FROM responses_fts "
                   "JOIN responses r ON r.id = responses_fts.rowid" if with_complaint else
                   "SELECT NULL, responses_fts.rowid, -bm25(responses_fts) FROM responses_fts")
        return text(f"""
            SELECT complaints_fts.rowid AS complaint_id, NULL AS response_id,
                   -bm25(complaints_fts, 4.0, 1.0) AS score
            FROM complaints_fts WHERE complaints_fts MATCH :match
            UNION ALL
            {entries} WHERE responses_fts MATCH :match""").bindparams(match=self.match).columns(*_COLUMNS)

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

    def documents(self, with_complaint: bool) -> Any:
        # The complaint id of an entry is on its own row: no join to leave out.
        return text(f"""
            SELECT c.id AS complaint_id, NULL::integer AS response_id,
                   ts_rank_cd(c.search_vector, q.query, 1) AS score
            FROM complaints c, (SELECT {self.expression} AS query) q WHERE c.search_vector @@ q.query
            UNION ALL
            SELECT r.complaint_id, r.id, ts_rank_cd(r.search_vector, q.query, 1)
            FROM responses r, (SELECT {self.expression} AS query) q WHERE r.search_vector @@ q.query""").bindparams(
            **self.params).columns(*_COLUMNS)

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
