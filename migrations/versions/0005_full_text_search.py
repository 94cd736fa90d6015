"""Full-text search over complaint titles and texts and thread entries, kept in step with every write.

SQLite: FTS5 tables over the rows themselves (external content, so no text is stored twice), fed by
triggers on insert, delete and on updates of the indexed columns; the upsert path and the delete-and-
re-insert of a changed thread fire them like any write. PostgreSQL: a generated tsvector column on each
table with a GIN index, recomputed by the server on every insert, update and COPY.

Both index the normalized texts, where every privacy mask is the token [REDACTED]: an original never is.
None of this is in the ORM models (migrations/env.py leaves it out of the comparison): it is maintained by
the database, never written by the code.

A later SQLite migration that rebuilds `complaints` or `responses` in batch mode drops their triggers with
the old table: it must run `create_sqlite_triggers()` again (tests/test_search.py checks they exist at head).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Porter stemming (a search for "refund" finds "refunded"), like PostgreSQL's english configuration.
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"

SQLITE_TABLES = (
    # content="…" in double quotes: how Datasette recognizes a table's full-text index and offers its search box.
    f"""CREATE VIRTUAL TABLE complaints_fts USING fts5(title, text_normalized, content="complaints",
        content_rowid="id", tokenize='{SQLITE_TOKENIZER}')""",
    f"""CREATE VIRTUAL TABLE responses_fts USING fts5(text_normalized, content="responses",
        content_rowid="id", tokenize='{SQLITE_TOKENIZER}')""",
)

# External-content FTS5 tables learn of changes only from these; a delete must repeat the old values.
SQLITE_TRIGGERS = (
    """CREATE TRIGGER complaints_fts_insert AFTER INSERT ON complaints BEGIN
        INSERT INTO complaints_fts (rowid, title, text_normalized) VALUES (new.id, new.title, new.text_normalized);
    END""",
    """CREATE TRIGGER complaints_fts_delete AFTER DELETE ON complaints BEGIN
        INSERT INTO complaints_fts (complaints_fts, rowid, title, text_normalized)
        VALUES ('delete', old.id, old.title, old.text_normalized);
    END""",
    # Only the indexed columns: a re-crawl that finds a complaint unchanged touches last_seen_at alone.
    """CREATE TRIGGER complaints_fts_update AFTER UPDATE OF id, title, text_normalized ON complaints BEGIN
        INSERT INTO complaints_fts (complaints_fts, rowid, title, text_normalized)
        VALUES ('delete', old.id, old.title, old.text_normalized);
        INSERT INTO complaints_fts (rowid, title, text_normalized) VALUES (new.id, new.title, new.text_normalized);
    END""",
    """CREATE TRIGGER responses_fts_insert AFTER INSERT ON responses BEGIN
        INSERT INTO responses_fts (rowid, text_normalized) VALUES (new.id, new.text_normalized);
    END""",
    """CREATE TRIGGER responses_fts_delete AFTER DELETE ON responses BEGIN
        INSERT INTO responses_fts (responses_fts, rowid, text_normalized)
        VALUES ('delete', old.id, old.text_normalized);
    END""",
    """CREATE TRIGGER responses_fts_update AFTER UPDATE OF id, text_normalized ON responses BEGIN
        INSERT INTO responses_fts (responses_fts, rowid, text_normalized)
        VALUES ('delete', old.id, old.text_normalized);
        INSERT INTO responses_fts (rowid, text_normalized) VALUES (new.id, new.text_normalized);
    END""",
)

# Title above text (weights A and B; ts_rank_cd counts A as 1.0, B as 0.4); thread entries weigh as texts.
# PostgreSQL's parser reads "replacement/refund" as one file path: slashes become spaces, as FTS5 sees them.
POSTGRESQL = (
    """ALTER TABLE complaints ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, translate(coalesce(title, ''), '/', ' ')), 'A')
        || setweight(to_tsvector('english'::regconfig, translate(text_normalized, '/', ' ')), 'B')) STORED""",
    "CREATE INDEX ix_complaints_search_vector ON complaints USING gin (search_vector)",
    """ALTER TABLE responses ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, translate(text_normalized, '/', ' ')), 'B')) STORED""",
    "CREATE INDEX ix_responses_search_vector ON responses USING gin (search_vector)",
)


def create_sqlite_triggers() -> None:
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL:
            op.execute(statement)
        return
    for statement in SQLITE_TABLES:
        op.execute(statement)
    create_sqlite_triggers()
    # Index what the archive already holds.
    op.execute("INSERT INTO complaints_fts (complaints_fts) VALUES ('rebuild')")
    op.execute("INSERT INTO responses_fts (responses_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_responses_search_vector")
        op.execute("ALTER TABLE responses DROP COLUMN search_vector")
        op.execute("DROP INDEX ix_complaints_search_vector")
        op.execute("ALTER TABLE complaints DROP COLUMN search_vector")
        return
    for name in (
        "complaints_fts_insert",
        "complaints_fts_delete",
        "complaints_fts_update",
        "responses_fts_insert",
        "responses_fts_delete",
        "responses_fts_update",
    ):
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE responses_fts")
    op.execute("DROP TABLE complaints_fts")
