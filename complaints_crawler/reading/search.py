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
        best = backend.best_documents().subquery("best")
        rows = conn.execute(
            select(best.c.complaint_id, best.c.response_id, best.c.score, ComplaintRow.source,
                   ComplaintRow.external_id, BusinessRow.name, ComplaintRow.filed_on, ComplaintRow.status,
                   ComplaintRow.title, ComplaintRow.url, ResponseRow.kind, ResponseRow.position)
            .join(ComplaintRow, ComplaintRow.id == best.c.complaint_id)
            .join(BusinessRow, BusinessRow.id == ComplaintRow.business_id)
            .outerjoin(ResponseRow, ResponseRow.id == best.c.response_id)
            .where(*complaint_conditions(conn, filters))
            .order_by(best.c.score.desc(), ComplaintRow.id)
            .limit(limit)
        ).all()
        snippets = backend.snippets(conn, [r.complaint_id for r in rows if r.response_id is None],
                                    [r.response_id for r in rows if r.response_id is not None])
    return [
        Hit(rank=n, id=r.complaint_id, source=r.source, external_id=r.external_id, business=r.name,
            filed_on=r.filed_on, status=r.status, title=r.title, url=r.url, matched=r.kind or "complaint",
            position=r.position, score=round(float(r.score), 6),
            snippet=snippets.get(("response", r.response_id) if r.response_id else ("complaint", r.complaint_id), ""))
        for n, r in enumerate(rows, 1)
    ]


Document = tuple[str, int]  # ("complaint", complaint id) or ("response", response id)
_COLUMNS = (column("complaint_id", Integer), column("response_id", Integer), column("score", Float))


class _Sqlite:
    def __init__(self, parsed: search_query.Query):
        self.match = search_query.fts5(parsed)

    def best_documents(self) -> Any:
        # min() picks, for each complaint, the row of its best bm25 (SQLite fills bare columns from that row).
        return text("""
            SELECT complaint_id, response_id, -best AS score FROM (
                SELECT complaint_id, response_id, min(score) AS best FROM (
                    SELECT complaints_fts.rowid AS complaint_id, NULL AS response_id,
                           bm25(complaints_fts, 4.0, 1.0) AS score
                    FROM complaints_fts WHERE complaints_fts MATCH :match
                    UNION ALL
                    SELECT r.complaint_id, r.id, bm25(responses_fts)
                    FROM responses_fts JOIN responses r ON r.id = responses_fts.rowid
                    WHERE responses_fts MATCH :match
                ) GROUP BY complaint_id
            )""").bindparams(match=self.match).columns(*_COLUMNS)

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

    def best_documents(self) -> Any:
        return text(f"""
            SELECT DISTINCT ON (complaint_id) complaint_id, response_id, score FROM (
                SELECT c.id AS complaint_id, NULL::integer AS response_id,
                       ts_rank_cd(c.search_vector, q.query, 1) AS score
                FROM complaints c, (SELECT {self.expression} AS query) q WHERE c.search_vector @@ q.query
                UNION ALL
                SELECT r.complaint_id, r.id, ts_rank_cd(r.search_vector, q.query, 1)
                FROM responses r, (SELECT {self.expression} AS query) q WHERE r.search_vector @@ q.query
            ) matches ORDER BY complaint_id, score DESC, response_id NULLS FIRST""").bindparams(
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
