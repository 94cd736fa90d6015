"""Installed copies carry what the package needs at run time: the migrations, which create a new archive on
first use, and the local copy of the sites that `complaints demo` serves. Nothing is read from a checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from constants import HEAD_REVISION, REPO
from crawling import scrapy_crawl
from sqlalchemy import func, select

from complaints_crawler.archive.database import make_engine
from complaints_crawler.archive.models import ComplaintRow, ResponseRow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package installed without -e (no dependencies, offline), its source removed."""
    root = tmp_path_factory.mktemp("install")
    # Built from a copy: the build leaves build/ and *.egg-info/ behind, and the checkout stays clean.
    source = root / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", "*.db"))
    target = root / "site-packages"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    shutil.rmtree(source)
    return target


def python_path(path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(path), "SCRAPY_SETTINGS_MODULE": "complaints_crawler.settings"}


def run(work: Path, env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *arguments], cwd=work, env=env, capture_output=True, text=True, timeout=300)


def test_the_install_holds_every_module_of_the_source(installed):
    """An editable install elsewhere on the machine would hide a package missing from pyproject.toml."""
    source = {p.relative_to(REPO / "complaints_crawler") for p in (REPO / "complaints_crawler").rglob("*.py")}
    source |= {Path("migrations") / p.relative_to(REPO / "migrations") for p in (REPO / "migrations").rglob("*.py")}
    copied = {p.relative_to(installed / "complaints_crawler") for p in (installed / "complaints_crawler").rglob("*.py")}
    assert source - copied == set()


def test_a_regular_install_creates_an_archive_and_runs_the_demo(installed, tmp_path):
    env = python_path(installed)
    where = run(tmp_path, env, "-c", "import complaints_crawler; print(complaints_crawler.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(installed), where.stdout + where.stderr

    upgraded = run(tmp_path, env, "-m", "complaints_crawler.cli", "db", "upgrade", "--archive", "sqlite:///fresh.db")
    assert upgraded.returncode == 0, upgraded.stderr[-3000:]
    assert f"is at revision {HEAD_REVISION} (head {HEAD_REVISION})" in upgraded.stdout

    demo = run(tmp_path, env, "-m", "complaints_crawler.cli", "demo")
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert [
        line.split()
        for line in demo.stdout.splitlines()
        if line.startswith(("bbb ", "complaintsboard ", "consumercomplaints "))
    ] == [
        ["bbb", "2", "20", "51", "0"],
        ["complaintsboard", "1", "10", "3", "0"],
        ["consumercomplaints", "1", "24", "26", "1"],
    ]


def test_a_crawl_from_a_zipped_egg_creates_its_archive(installed, tmp_path, fixture_sites):
    """Scrapyd imports a deployed project from its zipped egg: the migrations are read out of the zip."""
    egg = tmp_path / "complaints_crawler.egg"
    with zipfile.ZipFile(egg, "w") as archive:
        for path in (installed / "complaints_crawler").rglob("*"):
            if "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(installed))
    env = python_path(egg)
    where = run(tmp_path, env, "-c", "import complaints_crawler; print(complaints_crawler.__file__)")
    assert where.stdout.strip() == str(egg / "complaints_crawler" / "__init__.py"), where.stderr

    url = f"sqlite:///{tmp_path / 'crawl.db'}"
    done = scrapy_crawl("bbb", fixture_sites["bbb"], url, "company=microsoft", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ComplaintRow)).scalar_one() == 10
        assert conn.execute(select(func.count()).select_from(ResponseRow)).scalar_one() == 32
    engine.dispose()
