"""Near-duplicates under different ids, found through the archive (so across runs and processes)."""

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from complaints_crawler.archive import database
from complaints_crawler.archive.models import ComplaintRow
from complaints_crawler.archive.prepare import prepare
from complaints_crawler.archive.store import ArchiveStore
from complaints_crawler.parsers import bbb, complaintsboard, consumercomplaints
from complaints_crawler.paths import FIXTURE_SITES_DIR

SITES = FIXTURE_SITES_DIR
BBB_PROFILE = "https://www.bbb.org/us/wa/redmond/profile/computer-software/microsoft-corporation-1296-7011"
BBB_DIR = SITES / "bbb/us/wa/redmond/profile/computer-software/microsoft-corporation-1296-7011/complaints"
CHARTER = SITES / "bbb/us/mo/saint-louis/profile/cable-tv/charter-spectrum-0734-310162/complaints/index.html"


def xiaomi_page_75():
    html = (SITES / "consumercomplaints/xiaomi-india-b106391/page/75/index.html").read_text()
    return consumercomplaints.parse_page("https://www.consumercomplaints.in/xiaomi-india-b106391/page/75", html)


def complaintsboard_page_1():
    html = (SITES / "complaintsboard/xiaomi-b128703/index.html").read_text()
    return complaintsboard.parse_page("https://www.complaintsboard.com/xiaomi-b128703", html)


def seed_complaints():
    """Every complaint of the three complaint seeds, from their fixture pages."""
    pages = [
        bbb.parse_page(f"{BBB_PROFILE}/complaints", (BBB_DIR / "index.html").read_text()),
        bbb.parse_page(f"{BBB_PROFILE}/complaints?page=2", (BBB_DIR / "index@page=2.html").read_text()),
        bbb.parse_page(
            "https://www.bbb.org/us/mo/saint-louis/profile/cable-tv/charter-spectrum-0734-310162/complaints",
            CHARTER.read_text(),
        ),
        xiaomi_page_75(),
    ]
    return [c for page in pages for c in page.complaints]


def duplicate_links(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                ComplaintRow.source,
                ComplaintRow.external_id,
                ComplaintRow.duplicate_of_id,
                ComplaintRow.duplicate_similarity,
                ComplaintRow.id,
            )
        ).all()
    by_id = {r.id: (r.source, r.external_id) for r in rows}
    return {
        (r.source, r.external_id): (by_id[r.duplicate_of_id], r.duplicate_similarity) for r in rows if r.duplicate_of_id
    }


def open_store(url):
    database.upgrade(url)
    return ArchiveStore.open(url)


def test_only_the_soni_pks_repost_is_a_near_duplicate_among_the_seeds(archive_url):
    complaints = seed_complaints()
    assert len(complaints) == 40
    store = open_store(archive_url)
    result = store.write([], [prepare(c) for c in complaints], None)
    assert result.near_duplicates == 1
    links = duplicate_links(store.engine)
    # Same author, business and day; filed the same day, so the first archived (earlier on the page) is the original.
    assert links == {("consumercomplaints", "2032208"): (("consumercomplaints", "2032440"), 0.6623)}
    store.close()


def test_a_cross_post_with_masks_written_differently_is_found_in_a_later_write(archive_url):
    store = open_store(archive_url)
    store.write([], [prepare(c) for c in xiaomi_page_75().complaints], None)
    later = store.write([], [prepare(c) for c in complaintsboard_page_1().complaints], None)
    assert later.near_duplicates == 1
    links = duplicate_links(store.engine)
    # Both are dated Dec 10, 2019: the one archived first is the original.
    assert links[("complaintsboard", "1787412")] == (("consumercomplaints", "2038650"), 1.0)
    assert len(links) == 2  # and the soni_pks re-post
    store.close()


WRITE_IN_ANOTHER_PROCESS = """
import sys
from complaints_crawler.archive.prepare import prepare
from complaints_crawler.archive.store import ArchiveStore
sys.path.insert(0, sys.argv[2])
from test_near_duplicates import xiaomi_page_75
store = ArchiveStore.open(sys.argv[1])
store.write([], [prepare(c) for c in xiaomi_page_75().complaints], None)
"""


def test_buckets_survive_a_restart(archive_url):
    database.upgrade(archive_url)
    here = str(Path(__file__).parent)
    subprocess.run([sys.executable, "-c", WRITE_IN_ANOTHER_PROCESS, archive_url, here], check=True)
    store = ArchiveStore.open(archive_url)  # a new process's view: nothing in memory
    result = store.write([], [prepare(c) for c in complaintsboard_page_1().complaints], None)
    assert result.near_duplicates == 1
    assert duplicate_links(store.engine)[("complaintsboard", "1787412")][0] == ("consumercomplaints", "2038650")
    store.close()


def test_an_earlier_filed_copy_archived_later_becomes_the_original(archive_url):
    store = open_store(archive_url)
    store.write([], [prepare(c) for c in xiaomi_page_75().complaints], None)
    copy = next(c for c in complaintsboard_page_1().complaints if c.external_id == "1787412")
    copy.filed_on = copy.filed_on.replace(day=5)
    store.write([], [prepare(copy)], None)
    links = duplicate_links(store.engine)
    assert links[("consumercomplaints", "2038650")] == (("complaintsboard", "1787412"), 1.0)
    assert ("complaintsboard", "1787412") not in links
    store.close()


def test_a_group_that_gets_an_earlier_original_moves_to_it_whole(archive_url):
    """A re-post B points at A; a copy Z of A filed earlier arrives later: A and B both point at Z."""
    from datetime import date

    from factories import complaint

    from complaints_crawler.items import BusinessRef, Source

    a = complaint(1, responses=0).model_copy(update={"author": "Ravi K", "filed_on": date(2024, 3, 10)})
    words = a.text.split()
    b = a.model_copy(update={"external_id": "b-repost", "filed_on": date(2024, 3, 12), "text": " ".join(words[::-1])})
    z = a.model_copy(
        update={
            "source": Source.COMPLAINTSBOARD,
            "external_id": "z-copy",
            "author": "someone else",
            "filed_on": date(2024, 3, 1),
            "business": BusinessRef(source=Source.COMPLAINTSBOARD, external_id="cb1", name="Business 0"),
        }
    )
    store = open_store(archive_url)
    store.write([], [prepare(a), prepare(b)], None)
    assert duplicate_links(store.engine) == {("bbb", "b-repost"): (("bbb", a.external_id), 1.0)}  # word sets
    store.write([], [prepare(z)], None)
    links = duplicate_links(store.engine)
    store.close()
    assert links == {
        ("bbb", a.external_id): (("complaintsboard", "z-copy"), 1.0),
        ("bbb", "b-repost"): (("complaintsboard", "z-copy"), 1.0),  # its similarity to A, which linked it
    }
