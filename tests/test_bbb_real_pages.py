"""The BBB helpers on real saved bbb.org pages and API answers (../shared/real-pages/bbb)."""

from __future__ import annotations

import pytest
from constants import BBB, REAL_PAGES

from complaints_crawler.parsers.bbb import (
    extract_preloaded_state,
    is_challenge_page,
    parse_complaints_page,
    parse_search_results,
)

REAL = REAL_PAGES / "bbb"


# file: (page URL, names.primary, bbbId, businessId, complaintsTotal, closed 3 years, closed 12 months, accredited, rating)
PROFILES = {
    "business_reviews_page_sample.html": (
        "/us/or/hillsboro/profile/roofing-contractors/dabella-1296-22828301/customer-reviews",
        "DaBella",
        "1296",
        "22828301",
        592,
        592,
        209,
        True,
        "A+",
    ),
    "business_page_sample_accredited.html": (
        "/us/wa/renton/profile/heating-and-air-conditioning/rescue-rooter-1296-500666/addressId/892874",
        "Rescue Rooter",
        "1296",
        "500666",
        1608,
        1608,
        611,
        True,
        "A+",
    ),
    "business_page_sample_no_address_suffix.html": (
        "/us/fl/miami/profile/used-car-dealers/jcb-auto-sales-0633-92026452",
        "JC&B Auto Sales",
        "0633",
        "92026452",
        0,
        0,
        0,
        False,
        "A+",
    ),
    "business_page_sample.html": (  # pretty-printed: the state ends "};\n        </script>"
        "/us/fl/the-villages/profile/financial-services/baum-financial-services-inc-0733-90122435/addressId/38205",
        "Baum Financial Services, Inc",
        "0733",
        "90122435",
        0,
        0,
        0,
        True,
        "NR",
    ),
    "profile-greenway-roofing.html": (
        "/us/fl/kissimmee/profile/roofing-contractors/greenway-roofing-of-florida-0733-90573947",
        "Greenway Roofing of Florida",
        "0733",
        "90573947",
        0,
        0,
        0,
        True,
        "A+",
    ),
    "profile-affordable-roofing-cadwell.html": (
        "/us/fl/kissimmee/profile/roofing-contractors/affordable-roofing-by-john-cadwell-inc-0733-22003102/addressId/19016",
        "Affordable Roofing By John Cadwell, Inc.",
        "0733",
        "22003102",
        0,
        0,
        0,
        True,
        "A+",
    ),
}


def real(name: str) -> str:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"real page {name} not available")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_state_of_real_profile_pages(name):
    _, primary, bbb_id, business_id, total, closed3, closed12, _, _ = PROFILES[name]
    profile = extract_preloaded_state(real(name))["businessProfile"]
    assert (profile["names"]["primary"], profile["bbbId"], profile["businessId"]) == (primary, bbb_id, business_id)
    summary = profile["reviewsComplaintsSummary"]
    assert (
        summary["complaintsTotal"],
        summary["totalClosedComplaintsPastThreeYears"],
        summary["totalClosedComplaintsPastTwelveMonths"],
    ) == (total, closed3, closed12)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_business_of_real_profile_pages(name):
    path, primary, bbb_id, business_id, total, closed3, closed12, accredited, rating = PROFILES[name]
    page = parse_complaints_page(BBB + path, real(name))
    business = page.business
    assert (business.external_id, business.name) == (f"{bbb_id}-{business_id}", primary)
    assert (business.complaints_total, business.complaints_closed_3y, business.complaints_closed_12m) == (
        total,
        closed3,
        closed12,
    )
    assert (business.accredited, business.rating) == (accredited, rating)
    # No complaint cards on these pages (review cards are not complaints), but the site's data is there.
    assert (page.has_site_data, page.complaints, page.failures) == (True, [], [])
    assert not is_challenge_page(200, real(name))


def test_local_report_page_points_at_the_hq_profile():
    page = parse_complaints_page(
        BBB + PROFILES["business_page_sample_accredited.html"][0], real("business_page_sample_accredited.html")
    )
    assert page.business.url == f"{BBB}/us/wa/pacific/profile/plumber/rescue-rooter-1296-500666"
    assert page.business.category == "Heating and Air Conditioning"


def test_category_page_state_has_no_business():
    html = real("category-kissimmee-roofing-p2.html")
    state = extract_preloaded_state(html)
    assert state["searchResult"]["totalResults"] == 6227
    page = parse_complaints_page(f"{BBB}/us/fl/kissimmee/category/roofing-contractors?page=2", html)
    assert (page.business, page.has_site_data, page.complaints) == (None, True, [])
    assert not is_challenge_page(200, html)


def test_real_search_answers():
    candidates = parse_search_results(real("search-api-kissimmee-distance-p1.json"))
    assert len(candidates) == 15
    assert all(c.profile_url.startswith(f"{BBB}/us/") and "/addressId/" not in c.profile_url for c in candidates)
    assert all("<" not in c.name for c in candidates)
    sample = parse_search_results(real("search_listing_sample.json"))
    assert [(c.name, c.city, c.state, c.bbb_id, c.business_id) for c in sample] == [
        ("Munninghoff, Lange & Company", "Covington", "KY", "0292", "10142"),
        ("Copper Advisors, LLC", "Greer", "SC", "0673", "90048562"),
        ("Simpler Tax Relief, LLC", "Ben Lomond", "CA", "1216", "1425332"),
    ]
    assert sample[1].profile_url == f"{BBB}/us/sc/greenville/profile/cpa/copper-advisors-llc-0673-90048562"
