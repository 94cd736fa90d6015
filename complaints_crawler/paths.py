"""Where the package's data files live: inside the installed package, so that a wheel, an egg or an editable
install has them."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
FIXTURE_SITES_DIR = PACKAGE_DIR / "fixture_sites"


@cache
def migrations_dir() -> Path:
    """The Alembic migrations (`migrations/` of the checkout, `complaints_crawler.migrations` once installed) as a
    folder Alembic can read. Scrapyd imports the project from a zipped egg, where they are no folder: then they
    are copied out, once per process, into a temporary folder."""
    source = files("complaints_crawler.migrations")
    if isinstance(source, Path):
        return source
    folder = Path(tempfile.mkdtemp(prefix="complaints-migrations-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    _copy_tree(source, folder)
    return folder


def _copy_tree(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                (target / entry.name).mkdir()
                _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())
