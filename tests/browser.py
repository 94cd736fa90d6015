"""Headless Chromium (Debian's chromium package) for looking at pages as a reader would: the rendered DOM and
a screenshot. Skips when it is absent, except under CI=true, where .ci/run must have installed it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import IN_CI

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--virtual-time-budget=10000",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if IN_CI:
        pytest.fail("chromium is not installed (CI=true: .ci/run installs Debian's chromium package)")
    pytest.skip("chromium is not installed (apt-get install chromium)")


def _run(url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, url], capture_output=True, text=True, timeout=120
        )


def rendered_dom(url: str) -> str:
    """The page's DOM after its scripts ran (up to 10 s of virtual time)."""
    done = _run(url, "--dump-dom")
    assert done.returncode == 0 and done.stdout, done.stderr[-2000:]
    return done.stdout


def screenshot(url: str, path: Path, size: str = "1280,2400") -> Path:
    done = _run(url, f"--screenshot={path}", f"--window-size={size}")
    assert done.returncode == 0 and path.is_file(), done.stderr[-2000:]
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path
