"""What the tests share: where things are, the servers they use, the fixture site's companies."""

from __future__ import annotations

import os
from pathlib import Path

from complaints_crawler.paths import FIXTURE_SITES_DIR

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"  # the pages the project was built from; absent on CI machines
SEEDS = SHARED / "seeds"
REAL_PAGES = SHARED / "real-pages"
PG_URL = os.environ.get("COMPLAINTS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("COMPLAINTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() == "true"
HEAD_REVISION = max(p.name.split("_")[0] for p in (REPO / "migrations" / "versions").glob("[0-9]*.py"))

# The fixture site (complaints_crawler/fixture_sites), by site.
BBB_SITE = FIXTURE_SITES_DIR / "bbb"
CC_SITE = FIXTURE_SITES_DIR / "consumercomplaints"
CB_SITE = FIXTURE_SITES_DIR / "complaintsboard"
MS = "/us/wa/redmond/profile/computer-software/microsoft-corporation-1296-7011"
MS_FARGO = "/us/nd/fargo/profile/computer-software/microsoft-corporation-1296-7011"
CHARTER = "/us/mo/saint-louis/profile/cable-tv/charter-spectrum-0734-310162"
BLOCKED = "/us/tx/dallas/profile/home-warranty-plans/vantora-home-warranty-0875-90412345"  # a Cloudflare challenge
CHANGED = "/us/az/phoenix/profile/solar-energy-contractors/northwind-solar-1126-1000123"  # a layout change
XIAOMI = "xiaomi-india-b106391"
CC = "https://www.consumercomplaints.in"
CB = "https://www.complaintsboard.com"
BBB = "https://www.bbb.org"
