"""Two crawls of a changed site: the archive shows the new entry, the new status and two revisions;
and near-duplicates found across two spiders writing one archive."""

from pathlib import Path

import pytest
from crawling import complaints_cli, scrapy_crawl
from sqlalchemy import select

from complaints_crawler.archive import database
from complaints_crawler.archive.models import ComplaintRevisionRow, ComplaintRow, CrawlRunRow, ResponseRow
from complaints_crawler.fixture_site import FIXTURE_SITES_DIR, serve_sites

MICROSOFT = "us/wa/redmond/profile/computer-software/microsoft-corporation-1296-7011"
ACCEPTED = (
    '<div class="bpr-complaint-response stack" data-kind="customer_answer"><h4 class="bds-h5 font-semibold text-plum">'
    'Customer Answer</h4><p class="bds-body"><strong class="font-semibold">Date:</strong>&nbsp;<!-- -->09/10/2023</p>'
    '<div class="bpr-complaint-response-text"><p>Better Business Bureau:<br>I have reviewed the response made by the '
    "business in reference to complaint ID 20520114, and find that this resolution is satisfactory to me.<br>"
    "Sincerely,<br>*****</p></div></div>"
)


def resolved_overlay(folder: Path) -> Path:
    """Microsoft's page 1 a few weeks later: complaint 20520114 got an accepting answer and is Resolved."""
    page = (FIXTURE_SITES_DIR / "bbb" / MICROSOFT / "complaints" / "index.html").read_text()
    start = page.index('id="20520114"')
    end = page.index("</div></li>", start)
    card = page[start:end].replace("<span>Answered</span>", "<span>Resolved</span>", 1) + ACCEPTED
    target = folder / "bbb" / MICROSOFT / "complaints" / "index.html"
    target.parent.mkdir(parents=True)
    target.write_text(page[:start] + card + page[end:])
    return folder


def rows(url, query):
    engine = database.make_engine(url)
    with engine.connect() as conn:
        result = conn.execute(query).all()
    engine.dispose()
    return result


def test_a_complaint_that_got_an_answer_and_was_resolved_between_two_crawls(archive_url, tmp_path):
    if archive_url.startswith("postgresql"):
        database.upgrade(archive_url)
    with serve_sites(["bbb"]) as sites:
        first = scrapy_crawl("bbb", sites["bbb"], archive_url, "company=microsoft")
    assert first.returncode == 0, first.stderr[-3000:]
    with serve_sites(["bbb"], overlays=[resolved_overlay(tmp_path / "later")]) as sites:
        second = scrapy_crawl("bbb", sites["bbb"], archive_url, "company=microsoft")
    assert second.returncode == 0, second.stderr[-3000:]

    runs = rows(
        archive_url,
        select(CrawlRunRow.new_count, CrawlRunRow.updated_count, CrawlRunRow.unchanged_count).order_by(CrawlRunRow.id),
    )
    assert [tuple(r) for r in runs] == [(10, 0, 0), (0, 1, 9)]
    [complaint] = rows(archive_url, select(ComplaintRow).where(ComplaintRow.external_id == "20520114"))
    assert (complaint.status, complaint.entry_count) == ("Resolved", 2)
    entries = rows(
        archive_url,
        select(ResponseRow.position, ResponseRow.kind, ResponseRow.verdict)
        .where(ResponseRow.complaint_id == complaint.id)
        .order_by(ResponseRow.position),
    )
    assert [tuple(e) for e in entries] == [(1, "business_response", None), (2, "customer_answer", "accepted")]
    revisions = rows(
        archive_url,
        select(ComplaintRevisionRow.status, ComplaintRevisionRow.entry_count)
        .where(ComplaintRevisionRow.complaint_id == complaint.id)
        .order_by(ComplaintRevisionRow.id),
    )
    assert [tuple(r) for r in revisions] == [("Answered", 1), ("Resolved", 2)]
    # Everything else was only seen again.
    assert len(rows(archive_url, select(ComplaintRevisionRow.id))) == 11

    history = complaints_cli("history", "bbb:20520114", "--archive", archive_url)
    assert history.returncode == 0, history.stderr
    lines = history.stdout.splitlines()
    assert "now Resolved with 2 entries" in lines[0]
    assert [line.split()[3:5] for line in lines[-2:]] == [["Answered", "1"], ["Resolved", "2"]]


def test_near_duplicates_across_two_spiders_in_one_archive(tmp_path):
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    with serve_sites(["consumercomplaints", "complaintsboard"]) as sites:
        assert (
            scrapy_crawl(
                "consumercomplaints", sites["consumercomplaints"], url, "company=xiaomi-india-b106391", "start_page=75"
            ).returncode
            == 0
        )
        assert scrapy_crawl("complaintsboard", sites["complaintsboard"], url, "company=xiaomi-b128703").returncode == 0
    links = rows(
        url,
        select(
            ComplaintRow.source,
            ComplaintRow.external_id,
            ComplaintRow.duplicate_of_id,
            ComplaintRow.duplicate_similarity,
        ).where(ComplaintRow.duplicate_of_id.is_not(None)),
    )
    ids = {
        r.id: (r.source, r.external_id)
        for r in rows(url, select(ComplaintRow.id, ComplaintRow.source, ComplaintRow.external_id))
    }
    assert sorted((s, e, ids[d], sim) for s, e, d, sim in links) == [
        ("complaintsboard", "1787412", ("consumercomplaints", "2038650"), 1.0),
        ("consumercomplaints", "2032208", ("consumercomplaints", "2032440"), pytest.approx(0.66, abs=0.01)),
    ]
    listing = complaints_cli("duplicates", "--archive", url)
    assert listing.returncode == 0, listing.stderr
    assert "2 cluster(s), 2 near-duplicate complaint(s)" in listing.stdout
    assert "complaintsboard:1787412" in listing.stdout and "similarity 1.00" in listing.stdout
    assert "2019-12-10" in listing.stdout
