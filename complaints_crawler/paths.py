"""Where the project's non-code files live (the package is installed from its checkout, `pip install -e`)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
FIXTURES_DIR = PROJECT_ROOT / "fixtures"
FIXTURE_SITES_DIR = FIXTURES_DIR / "sites"
