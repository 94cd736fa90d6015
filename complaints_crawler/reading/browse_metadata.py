"""What Datasette shows beside the archive's tables: a description of every table and column, the search box
wired to the full-text index, and the canned queries analysts ask first (SQLite SQL: Datasette serves SQLite)."""

from __future__ import annotations

from typing import Any

TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "businesses": (
        "A business as one site lists it; unique by (source, external_id).",
        {
            "id": "archive id",
            "source": "the site: bbb, consumercomplaints or complaintsboard",
            "external_id": "the site's id of the business",
            "name": "the business's name on the site",
            "url": "its profile or board page",
            "category": "the site's category",
            "accredited": "BBB accreditation",
            "rating": "the site's rating (BBB letter grade)",
            "location": "city and state, as the site gives them",
            "complaints_total": "the site's own count of complaints",
            "complaints_closed_3y": "BBB: complaints closed in the last 3 years",
            "complaints_closed_12m": "BBB: complaints closed in the last 12 months",
            "resolved_count": "forum sites: complaints marked resolved",
            "unresolved_count": "forum sites: unresolved",
            "scraped_at": "when the profile was read",
            "first_seen_at": "first crawl that saw it (UTC)",
            "last_seen_at": "last crawl that saw it (UTC)",
        },
    ),
    "complaints": (
        "One complaint, unique by (source, external_id). Search: its title and normalized text.",
        {
            "id": "archive id",
            "source": "the site",
            "external_id": "the site's id of the complaint",
            "business_id": "the business complained about",
            "url": "where it is published",
            "title": "its title",
            "filed_on": "the date it was filed",
            "complaint_type": "BBB's complaint type",
            "status": "the site's status (BBB: Answered, Resolved, Unanswered, …)",
            "author": "who filed it",
            "author_location": "the author's city and state",
            "address": "the address the author gave",
            "text": "the complaint as published, masks included",
            "text_normalized": "the text with every privacy mask as [REDACTED] and whitespace folded",
            "content_hash": "hash of the normalized thread: changes when anything in it changes",
            "mask_count": "privacy masks in the whole thread",
            "entry_count": "thread entries after the complaint",
            "photos_count": "photos attached",
            "comments_count": "comments the site counts",
            "helpful_count": "the site's helpful votes",
            "duplicate_of_id": "the earlier complaint this one nearly duplicates (cross-post, copy, re-post)",
            "duplicate_similarity": "Jaccard similarity to that complaint",
            "scraped_at": "when its page was read",
            "first_seen_at": "first crawl that saw it (UTC)",
            "last_seen_at": "last crawl that saw it (UTC)",
            "last_changed_at": "last crawl that found it changed (UTC)",
        },
    ),
    "responses": (
        "The thread after a complaint, one row per entry. Search: the normalized text.",
        {
            "id": "archive id",
            "complaint_id": "the complaint",
            "position": "order in the thread (1 = first entry)",
            "kind": "business_response, customer_answer, author_update, reply, comment or status_change",
            "author": "who wrote it",
            "posted_on": "its date",
            "text": "as published, masks included",
            "text_normalized": "with every privacy mask as [REDACTED]",
            "verdict": "BBB customer answers: accepted or rejected (NULL when the answer says neither)",
        },
    ),
    "redactions": (
        "One privacy mask (or masked personal data) in a raw text.",
        {
            "id": "archive id",
            "complaint_id": "the complaint",
            "response_position": "the thread entry's position (NULL: the complaint's own text)",
            "field": "the masked field",
            "start": "where the mask starts in the raw text",
            "end": "where it ends",
            "original": "the mask as written (*****, REMOVED, [protected], or the masked data)",
            "kind": "asterisks, removed, protected, censored, xxxx, self_censored, email, phone or card",
        },
    ),
    "complaint_revisions": (
        "A version of a thread: written when a complaint is first seen and whenever it changes.",
        {
            "id": "archive id",
            "complaint_id": "the complaint",
            "run_id": "the crawl that saw it",
            "content_hash": "hash of the normalized thread",
            "status": "the status then",
            "entry_count": "thread entries then",
            "observed_at": "when (UTC)",
        },
    ),
    "lsh_buckets": (
        "MinHash LSH band buckets of each complaint: how near-duplicates are found.",
        {
            "complaint_id": "the complaint",
            "band": "the band (0–15)",
            "bucket": "the band's 64-bit hash",
        },
    ),
    "crawl_runs": (
        "One crawl: what it was asked, how it ended and what it found.",
        {
            "id": "archive id",
            "spider": "bbb, consumercomplaints, complaintsboard or import",
            "arguments": "the crawl's arguments (JSON)",
            "target_id": "the crawl target it refreshed",
            "mode": "full or incremental (NULL for imports)",
            "host": "the machine that ran it",
            "pid": "its process",
            "worker": "the worker that leased it",
            "heartbeat_at": "its last sign of life (UTC)",
            "started_at": "start (UTC)",
            "finished_at": "end (UTC; NULL while running)",
            "finish_reason": "finished, blocked, layout_changed, company_not_found, site_unavailable, …",
            "pages": "complaint pages read",
            "new_count": "new complaints",
            "updated_count": "changed complaints",
            "unchanged_count": "complaints found unchanged",
            "quarantined_count": "pages or items quarantined",
            "requests": "page requests made",
            "health": "ok, or why the run is unhealthy (NULL for older runs)",
            "stats": "the full Scrapy stats (JSON)",
        },
    ),
    "crawl_targets": (
        "A company crawled on a site: what the next incremental run remembers.",
        {
            "id": "archive id",
            "spider": "the spider",
            "target_key": "company and location, normalized",
            "company": "the company as given",
            "location": "the location as given",
            "listing_url": "the profile or board URL it resolved to",
            "last_finished_at": "last finished run (UTC)",
            "last_full_sweep_at": "last finished run that read every page (UTC)",
            "created_at": "created (UTC)",
            "updated_at": "updated (UTC)",
        },
    ),
    "quarantine": (
        "A rejected page or item, with the reason: nothing is dropped silently.",
        {
            "id": "archive id",
            "run_id": "the crawl",
            "url": "the page",
            "kind": "spam_page, spam_post, invalid_item, parse_error or blocked",
            "reason": "why",
            "score": "the spam score, for spam",
            "details": "more (JSON)",
            "created_at": "when (UTC)",
        },
    ),
}

# Empty business: every business. A business is named by its exact name or archive id.
_BUSINESS = "(:business = '' OR b.name = :business OR b.id = :business)"

QUERIES: dict[str, dict[str, str]] = {
    "complaints_per_month": {
        "title": "Complaints per month by type and status",
        "description": "Leave business empty for every business, or give its exact name or id.",
        "sql": f"""SELECT substr(c.filed_on, 1, 7) AS month, coalesce(c.complaint_type, '') AS complaint_type,
       coalesce(c.status, '') AS status, count(*) AS complaints
FROM complaints c JOIN businesses b ON b.id = c.business_id
WHERE {_BUSINESS}
GROUP BY month, complaint_type, status ORDER BY month, complaints DESC""",
    },
    "first_response_days": {
        "title": "Days to the first business response, per business",
        "description": "From the filing date to the first business response; complaints without one are "
        "counted as unanswered.",
        "sql": """WITH firsts AS (
    SELECT c.id, julianday(min(r.posted_on)) - julianday(c.filed_on) AS days
    FROM complaints c JOIN responses r ON r.complaint_id = c.id AND r.kind = 'business_response'
    GROUP BY c.id)
SELECT b.source, b.name AS business, count(*) AS complaints, count(f.id) AS answered,
       round(avg(f.days), 1) AS mean_days, min(f.days) AS fastest_days, max(f.days) AS slowest_days
FROM businesses b JOIN complaints c ON c.business_id = b.id LEFT JOIN firsts f ON f.id = c.id
GROUP BY b.id ORDER BY b.source, b.name""",
    },
    "resolution_and_rejection": {
        "title": "Resolution and rejection rates, per business",
        "description": "Share of complaints resolved (a complaint without a status is not resolved), and share "
        "of customer answers that reject the business's response (each row counted once: no "
        "join multiplies them).",
        "sql": """SELECT b.source, b.name AS business, count(*) AS complaints,
       sum(c.status IS 'Resolved') AS resolved, round(avg(c.status IS 'Resolved'), 2) AS resolved_share,
       coalesce(sum(a.answers), 0) AS customer_answers, coalesce(sum(a.rejected), 0) AS rejected_answers,
       round(1.0 * sum(a.rejected) / sum(a.answers), 2) AS rejected_share
FROM businesses b JOIN complaints c ON c.business_id = b.id
LEFT JOIN (SELECT complaint_id, count(*) AS answers, sum(verdict = 'rejected') AS rejected
           FROM responses WHERE kind = 'customer_answer' GROUP BY complaint_id) a ON a.complaint_id = c.id
GROUP BY b.id ORDER BY complaints DESC, b.name""",
    },
    "thread": {
        "title": "The thread of one complaint",
        "description": "Give the complaint's archive id or its site id (external_id); position 0 is the complaint.",
        "sql": """SELECT 0 AS position, 'complaint' AS kind, c.author, c.filed_on AS date,
       c.status AS verdict_or_status, c.text_normalized AS text
FROM complaints c WHERE c.id = :complaint OR c.external_id = :complaint
UNION ALL
SELECT r.position, r.kind, r.author, r.posted_on, r.verdict, r.text_normalized
FROM responses r JOIN complaints c ON c.id = r.complaint_id
WHERE c.id = :complaint OR c.external_id = :complaint
ORDER BY position""",
    },
    "near_duplicate_clusters": {
        "title": "Near-duplicate clusters",
        "description": "Each original with the complaints that nearly duplicate it (cross-posts, copies, re-posts).",
        "sql": """SELECT o.id AS original_id, o.source || ':' || o.external_id AS original,
       o.filed_on AS original_filed_on, d.id AS duplicate_id, d.source || ':' || d.external_id AS duplicate,
       d.filed_on AS duplicate_filed_on,
       round(d.duplicate_similarity, 3) AS similarity, d.author AS duplicate_author
FROM complaints d JOIN complaints o ON o.id = d.duplicate_of_id
ORDER BY o.id, d.id""",
    },
    "latest_crawl_runs": {
        "title": "The latest crawl runs with their health",
        "description": "health is ok or why a run is unhealthy; NULL for runs recorded before it was kept.",
        "sql": """SELECT id, spider, arguments, mode, started_at, finished_at, finish_reason, health, requests, pages,
       new_count, updated_count, unchanged_count, quarantined_count
FROM crawl_runs ORDER BY started_at DESC, id DESC LIMIT 50""",
    },
}


def metadata(database: str) -> dict[str, Any]:
    tables: dict[str, Any] = {
        name: {"description": description, "columns": columns} for name, (description, columns) in TABLES.items()
    }
    for table in ("complaints", "responses"):
        # Datasette escapes what is typed in the box: [REDACTED] or an e-mail address are plain words.
        tables[table].update(fts_table=f"{table}_fts", fts_pk="id")
    tables["alembic_version"] = {"hidden": True}
    return {
        "title": "Consumer complaints archive",
        "description": "Complaints and their complete threads from bbb.org, consumercomplaints.in and "
        "complaintsboard.com, archived by complaints-crawler. Texts keep the sites' masks; "
        "normalized texts (and the search) show every mask as [REDACTED].",
        "databases": {database: {"tables": tables, "queries": QUERIES}},
    }
