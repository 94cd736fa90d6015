"""Every registered site is whole: a spider, a parser, fixture pages, demo targets and tests of its own, and every
list of sites in the project is the registry's (Kingfisher Collect's spider_loader.list() pattern)."""

from __future__ import annotations

import pytest
from constants import REPO
from scrapy.spiderloader import SpiderLoader

from complaints_crawler import settings
from complaints_crawler.cli import build_parser
from complaints_crawler.crawl.runner import project_settings
from complaints_crawler.demo import demo_crawls
from complaints_crawler.items import Source
from complaints_crawler.paths import FIXTURE_SITES_DIR
from complaints_crawler.sites import SITES, UnknownSite, site

SPIDERS = SpiderLoader.from_settings(project_settings({}))


@pytest.mark.parametrize("name", sorted(SITES))
def test_a_registered_site_has_everything_it_needs(name):
    entry = SITES[name]
    spider = SPIDERS.load(name)
    assert (spider.name, spider.site) == (name, entry)
    assert callable(entry.page_parser())
    assert (FIXTURE_SITES_DIR / name / "robots.txt").is_file()
    assert entry.demo_targets and all((name, dict(t)) in demo_crawls() for t in entry.demo_targets)
    assert getattr(settings, entry.base_url_setting) == entry.live_origin
    assert settings.SPAM_EXPECTED_SCRIPTS[name] == list(entry.scripts)
    assert settings.SPAM_EXPECTED_LANGUAGES[name] == list(entry.languages)
    tests = [p for p in (REPO / "tests").glob("test_*.py") if f'"{name}"' in p.read_text(encoding="utf-8")]
    assert len(tests) >= 2, f"{name} needs tests that crawl and parse it"


def test_the_registry_is_the_list_of_sites():
    assert set(SITES) == {s.value for s in Source} == set(SPIDERS.list()) - {"import"}
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for command in ("parse", "import"):
        site_option = next(a for a in commands[command]._actions if a.dest == "site")
        assert set(site_option.choices) == set(SITES)
    with pytest.raises(
        UnknownSite, match="unknown site 'yelp'; expected one of: bbb, consumercomplaints, complaintsboard"
    ):
        site("yelp")
