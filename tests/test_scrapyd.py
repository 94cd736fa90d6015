"""Scheduled runs under a real Scrapyd: the project's egg deployed, a target scheduled, the job's archive checked."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from crawling import complaints_cli
from sqlalchemy import func, select

from complaints_crawler.archive.database import make_engine
from complaints_crawler.archive.models import ComplaintRow, CrawlRunRow

pytest.importorskip("scrapyd", reason="scrapyd is not installed (pip install -e '.[test]')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[str]:
    """A Scrapyd server on a free local port, its folders under tmp_path."""
    port = free_port()
    folder = tmp_path / "scrapyd"
    folder.mkdir()
    (folder / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\n"
        "poll_interval = 0.2\nmax_proc = 2\n",
        encoding="utf-8",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"], cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urlopen(f"{url}/daemonstatus.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"Scrapyd did not start: {server.stderr.read().decode() if server.stderr else ''}")
        yield url
    finally:
        server.terminate()
        server.wait(20)


def upload(url: str, egg: Path) -> dict:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("project", b"complaints_crawler"), ("version", b"1")):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="{egg.name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + egg.read_bytes()
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = Request(
        f"{url}/addversion.json", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    return json.loads(urlopen(request, timeout=60).read())


def test_a_target_scheduled_on_scrapyd_is_archived(scrapyd, fixture_sites, tmp_path):
    egg = tmp_path / "complaints_crawler.egg"
    built = complaints_cli("egg", "--out", str(egg))
    assert built.returncode == 0, built.stderr
    assert upload(scrapyd, egg)["spiders"] == 4  # bbb, complaintsboard, consumercomplaints, import

    targets = tmp_path / "targets.toml"
    targets.write_text('[[target]]\nsite = "complaintsboard"\ncompany = "xiaomi-b128703"\n', encoding="utf-8")
    archive = f"sqlite:///{tmp_path / 'archive.db'}"
    scheduled = complaints_cli(
        "schedule",
        str(targets),
        "--scrapyd",
        scrapyd,
        "-s",
        f"ARCHIVE_URL={archive}",
        "-s",
        f"COMPLAINTSBOARD_BASE_URL={fixture_sites['complaintsboard'].base_url}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
    )
    assert scheduled.returncode == 0, scheduled.stderr
    job = scheduled.stdout.split("job ")[1].strip()

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        jobs = json.loads(urlopen(f"{scrapyd}/listjobs.json?project=complaints_crawler", timeout=5).read())
        if any(j["id"] == job for j in jobs["finished"]):
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"the Scrapyd job did not finish: {jobs}")

    engine = make_engine(archive)
    with engine.connect() as conn:
        run = conn.execute(select(CrawlRunRow)).one()
        assert conn.execute(select(func.count()).select_from(ComplaintRow)).scalar_one() == 10
    engine.dispose()
    assert (run.spider, run.finish_reason, run.mode, run.new_count, run.health) == (
        "complaintsboard",
        "finished",
        "full",
        10,
        "ok",
    )
