"""Where the package's data files live: inside the package, so a wheel, an egg or an editable install has them."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
FIXTURE_SITES_DIR = PACKAGE_DIR / "fixture_sites"
