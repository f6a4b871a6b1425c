"""Export time and peak memory at 100k files: SPDX, decision log, CycloneDX, attribution, XLSX.

    python -m benchmarks.export_bench [--files 100000] [--keep DIR]

A synthetic scan (a real zlib scan repeated under unique paths) is imported, then every file is
decided through the real bulk-decision service in three bulks (identified, non-functional, do
not use), so the decision log has one row per file. Each export then runs as its own
``ospo-tui export`` process; wall time and that process's peak RSS come from wait4.
Targets (issues 8 and 14): SPDX JSON, decision-log and XLSX report export each ≤ 30 s and
≤ 300 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic_scan import write_synthetic_scan

TIME_TARGET_S = 30.0
RSS_TARGET_MB = 300.0
EXPORTS = (
    ("spdx", "json", "bom.spdx.json", True),
    ("decision-log", "csv", "log.csv", True),
    ("decision-log", "json", "log.json", True),
    ("spdx", "tag-value", "bom.spdx", False),
    ("cyclonedx", "json", "bom.cdx.json", False),
    ("attribution", "text", "NOTICE.txt", False),
    ("attribution", "html", "notice.html", False),
    ("report", "xlsx", "review.xlsx", True),
)
DECIDE = """
import sys
from ospo_tui.db import open_database
from ospo_tui.services.trail.chain import Actor
from ospo_tui.services.review.bulk import BulkSelection, apply_bulk
db = open_database(sys.argv[1])
actor = Actor("bench", "admin")
apply_bulk(db, actor, BulkSelection(1, path_glob="*/test/*"), "Zlib", "non_functional")
apply_bulk(db, actor, BulkSelection(1, path_glob="*/contrib/ada/*"), "GPL-2.0-or-later",
           "do_not_use", private_comment="not for release")
apply_bulk(db, actor, BulkSelection(1, path_glob="*", skip_decided=True), "Zlib", "identified",
           public_note="bulk-cleared for the benchmark")
"""


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one child process.

    CPU time (user + system) is shown beside wall time: on a shared machine wall time also
    counts the time spent waiting for a core.
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(command)}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="work in DIR and keep the database and exports")
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: export the database already in DIR"
    )
    parser.add_argument("--only", help="run only the exports of this kind (e.g. report)")
    args = parser.parse_args()
    env = {**os.environ, "OSPO_TUI_USER": "bench"}

    with tempfile.TemporaryDirectory(prefix="ospo-export-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        db = work / "bench.sqlite"
        cli = [sys.executable, "-m", "ospo_tui", "--db", str(db)]
        if not (args.reuse and args.keep and db.exists()):
            db.unlink(missing_ok=True)
            scan = work / "scan.json"
            files = write_synthetic_scan(scan, args.files)
            seconds, _, _ = measure([*cli, "import", str(scan), "--project", "bench"], env)
            print(f"imported {files} files in {seconds:.1f} s")
            seconds, _, _ = measure([sys.executable, "-c", DECIDE, f"sqlite:///{db}"], env)
            print(f"decided every file (3 bulks) in {seconds:.1f} s")
            scan.unlink()

        print()
        print(
            f"{'export':22}{'wall (s)':>9}{'CPU (s)':>9}{'peak RSS (MB)':>15}{'size (MB)':>11}"
            "  target"
        )
        met = True
        for kind, fmt, name, targeted in EXPORTS:
            if args.only and kind != args.only:
                continue
            out = work / name
            command = [*cli, "export", kind, "--project", "bench", "--format", fmt, "-o", str(out)]
            seconds, cpu, rss = measure(command, env)
            size = out.stat().st_size / 1e6
            target = f"≤ {TIME_TARGET_S:.0f} s, ≤ {RSS_TARGET_MB:.0f} MB" if targeted else ""
            if targeted:
                met = met and seconds <= TIME_TARGET_S and rss <= RSS_TARGET_MB
            print(f"{kind + ' ' + fmt:22}{seconds:9.1f}{cpu:9.1f}{rss:15.0f}{size:11.1f}  {target}")
            if not args.keep:
                out.unlink()
    print()
    print(
        f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )
    print("targets met" if met else "TARGETS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
