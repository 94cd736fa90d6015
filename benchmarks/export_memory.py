"""Peak memory of `complaints export` as the archive grows: it must stay flat (rows stream in batches).

    python benchmarks/export_memory.py [--sizes 1000,100000] [--formats csv,jsonl,parquet,sqlite]

For each size a synthetic SQLite archive (benchmarks/synthetic_archive.py: two thread entries a complaint)
is built by a separate process (this one stays small, so the children it forks start small), then each
export runs in a fresh process (`python -m complaints_crawler.cli export …`, threads for csv/jsonl/parquet)
and its peak resident memory is read from the kernel (wait4). Prints a JSON line per size
and format, then the ratio of the largest size's peak to the smallest's per format.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]


def peak_of(command: list[str]) -> tuple[float, float]:
    """(peak resident MB, seconds) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return usage.ru_maxrss / 1024, elapsed  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--formats", default="csv,jsonl,parquet,sqlite")
    args = parser.parse_args()
    peaks: dict[str, list[float]] = {}
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="export-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'archive.db'}"
            # Filled by another process: a child forked from a big parent would count the parent's pages.
            subprocess.run(
                [sys.executable, str(ROOT / "benchmarks" / "synthetic_archive.py"), url, str(size)], check=True
            )
            for fmt in args.formats.split(","):
                out = Path(folder) / f"export.{fmt}"
                table = [] if fmt == "sqlite" else ["--table", "threads"]
                peak, seconds = peak_of(
                    [
                        sys.executable,
                        "-m",
                        "complaints_crawler.cli",
                        "export",
                        "--format",
                        fmt,
                        *table,
                        "--out",
                        str(out),
                        "--archive",
                        url,
                    ]
                )
                peaks.setdefault(fmt, []).append(peak)
                print(
                    json.dumps(
                        {
                            "complaints": size,
                            "format": fmt,
                            "peak_mb": round(peak, 1),
                            "seconds": round(seconds, 1),
                            "file_mb": round(out.stat().st_size / 2**20, 1),
                        }
                    ),
                    flush=True,
                )
    for fmt, values in peaks.items():
        print(json.dumps({"format": fmt, f"peak_{sizes[-1]}_over_{sizes[0]}": round(values[-1] / values[0], 2)}))


if __name__ == "__main__":
    main()
