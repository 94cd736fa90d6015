"""A regular (non-editable) install carries what the package needs at run time: the migrations, which
create a new archive on first use, and the local copy of the sites that `complaints demo` serves."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from crawling import REPO


def test_a_regular_install_creates_an_archive_and_runs_the_demo(tmp_path):
    # Built from a copy: the build leaves build/ and *.egg-info/ behind, and the checkout stays clean.
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", "*.db"))
    target = tmp_path / "installed"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    shutil.rmtree(source)  # nothing may be read from a checkout any more

    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *arguments], cwd=work, env=env, capture_output=True, text=True,
                              timeout=300)

    where = run("-c", "import complaints_crawler; print(complaints_crawler.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(target), where.stdout + where.stderr

    upgraded = run("-m", "complaints_crawler.cli", "db", "upgrade", "--archive", "sqlite:///fresh.db")
    assert upgraded.returncode == 0, upgraded.stderr[-3000:]
    assert "is at revision 0003 (head 0003)" in upgraded.stdout

    demo = run("-m", "complaints_crawler.cli", "demo")
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert [line.split() for line in demo.stdout.splitlines() if line.startswith(("bbb ", "complaintsboard ", "consumercomplaints "))] == [
        ["bbb", "2", "20", "51", "0"],
        ["complaintsboard", "1", "10", "3", "0"],
        ["consumercomplaints", "1", "24", "26", "1"],
    ]
