"""Import speed and memory against ``json.load`` of the same file, measured side by side.

    python -m benchmarks.import_bench [--files 100000] [--rounds 3]
        [--packages 5000 --dependencies 50000]

Each measurement runs in its own process (wall time and that process's peak RSS from wait4),
alternating the two so machine noise hits both alike; the best round of each is compared.
Targets: import ≤ 3 × json.load (issue 19; it was 4 × in issue 2), importer peak RSS ≤ 250 MB
at 100k files. With
``--packages`` (issue 17) the scan also carries that many packages and dependencies, written
before ``files`` as ScanCode writes them, with every file belonging to one package.
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

RATIO_TARGET = 3.0
RSS_TARGET_MB = 250.0


def measure(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--packages", type=int, default=0, help="e.g. 5000 (issue 17)")
    parser.add_argument("--dependencies", type=int, default=0, help="e.g. 50000 (issue 17)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ospo-import-bench-") as tmp:
        scan = Path(tmp) / "scan.json"
        files = write_synthetic_scan(
            scan, args.files, packages=args.packages, dependencies=args.dependencies
        )
        size_mb = scan.stat().st_size / 1e6
        print(
            f"synthetic scan: {files} files, {args.packages} packages, "
            f"{args.dependencies} dependencies, {size_mb:.0f} MB ({scan.name})"
        )
        load_runs, import_runs = [], []
        for round_no in range(args.rounds):
            load_runs.append(
                measure([sys.executable, "-c", f"import json; json.load(open({str(scan)!r}))"])
            )
            db = Path(tmp) / f"round{round_no}.sqlite"
            import_runs.append(
                measure(
                    [
                        sys.executable,
                        "-m",
                        "ospo_tui",
                        "--db",
                        str(db),
                        "import",
                        str(scan),
                        "--project",
                        "bench",
                    ]
                )
            )
            print(
                f"round {round_no + 1}: json.load {load_runs[-1][0]:6.2f} s {load_runs[-1][1]:6.0f} MB | "
                f"import {import_runs[-1][0]:6.2f} s {import_runs[-1][1]:6.0f} MB"
            )
            db.unlink()
    load_time = min(t for t, _ in load_runs)
    import_time = min(t for t, _ in import_runs)
    import_rss = max(r for _, r in import_runs)
    load_rss = max(r for _, r in load_runs)
    ratio = import_time / load_time
    print()
    print(f"{'':18}{'json.load':>12}{'import':>12}{'target':>14}")
    print(f"{'best time (s)':18}{load_time:12.2f}{import_time:12.2f}")
    print(
        f"{'peak RSS (MB)':18}{load_rss:12.0f}{import_rss:12.0f}{f'≤ {RSS_TARGET_MB:.0f} MB':>14}"
    )
    print(f"{'ratio':18}{'':12}{ratio:12.2f}{f'≤ {RATIO_TARGET:.1f}':>14}")
    print(f"files per second (import): {files / import_time:,.0f}")
    met = ratio <= RATIO_TARGET and import_rss <= RSS_TARGET_MB
    print("targets met" if met else "TARGETS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
