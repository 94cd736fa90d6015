"""The fixture site's URL-to-file rules (complaints_crawler/fixture_sites/README.md)."""

import urllib.error
import urllib.request

import pytest

from complaints_crawler.fixture_site import FixtureSite, resolve


def make(folder, name, body="x"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    return path


def test_query_status_and_overlay_rules(tmp_path):
    base, overlay = tmp_path / "base", tmp_path / "overlay"
    robots = make(base, "robots.txt")
    page1 = make(base, "b/complaints/index.html")
    page2 = make(base, "b/complaints/index@page=2.html")
    search = make(base, "api/search/index@find_text=charter%20spectrum.json")
    blocked = make(base, "c/complaints/index.403.html")
    newer = make(overlay, "b/complaints/index.html")
    assert resolve([base], "/robots.txt", "").path == robots
    assert resolve([base], "/b/complaints", "").path == page1
    assert resolve([base], "/b/complaints/", "page=2&sort=new").path == page2
    assert resolve([base], "/b/complaints", "page=9").path == page1  # no @QUERY: any query
    assert resolve([base], "/api/search", "find_country=USA&find_text=charter+spectrum&page=1").path == search
    assert resolve([base], "/api/search", "find_text=microsoft") is None
    assert (resolve([base], "/c/complaints", "").status, resolve([base], "/c/complaints", "").path) == (403, blocked)
    assert resolve([base], "/../etc/passwd", "") is None
    # An overlay's page 1 replaces the base's, but does not hide the base's page 2.
    assert resolve([overlay, base], "/b/complaints", "").path == newer
    assert resolve([overlay, base], "/b/complaints", "page=2").path == page2


def test_served_over_http_with_status_and_content_type(tmp_path):
    make(tmp_path, "robots.txt", "User-agent: *\nDisallow: /ajax/\n")
    make(tmp_path, "c/index.429.html", "slow down")
    site = FixtureSite([tmp_path])
    base = site.start()
    try:
        with urllib.request.urlopen(f"{base}/robots.txt") as answer:
            assert answer.read().startswith(b"User-agent")
        with pytest.raises(urllib.error.HTTPError) as slow:
            urllib.request.urlopen(f"{base}/c")
        assert (slow.value.code, slow.value.headers["Retry-After"]) == (429, "1")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/nothing")
        assert missing.value.code == 404
        assert site.requests == ["/robots.txt", "/c", "/nothing"]
    finally:
        site.stop()
