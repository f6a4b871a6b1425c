"""Import speed and memory against ``json.load`` of the same file, measured side by side.

    python -m benchmarks.import_bench [--files 100000 [1000000 ...]] [--rounds 3]
        [--packages 5000 --dependencies 50000] [--scan-dir DIR]

Each measurement runs in its own process, alternating the two so machine noise hits both alike;
the best round of each is compared. Its wall time is the process's; its peak RSS is the sum of
the peaks of that process (from wait4) and of every process it starts (sampled from /proc), since
a large import decodes and parses in a worker process beside the one that writes (parse_worker).
Targets (issue 19): import ≤ 3 × json.load and the import's peak RSS ≤ 250 MB, at 100k and at 1M
files. With ``--packages`` (issue 17) the scan also carries that many packages and dependencies,
written before ``files`` as ScanCode writes them, with every file belonging to one package.
``--scan-dir`` reuses ``DIR/synthetic-N.json`` (only read; as the TUI bench leaves it) instead of
writing a fresh scan, which for 1M files takes minutes and 1.6 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.synthetic_scan import write_synthetic_scan

RATIO_TARGET = 3.0
RSS_TARGET_MB = 250.0
SAMPLE_SECONDS = 0.02  # how often the peak RSS of the measured process's children is read


@dataclass
class SizeResult:
    files: int
    scan_mb: float
    load: tuple[float, float]  # best wall seconds, peak RSS MB
    imported: tuple[float, float]

    @property
    def ratio(self) -> float:
        return self.imported[0] / self.load[0]

    @property
    def met(self) -> bool:
        return self.ratio <= RATIO_TARGET and self.imported[1] <= RSS_TARGET_MB


def _sample_descendants(root: int, peaks: dict[int, float]) -> None:
    """Record the peak RSS so far (VmHWM, MB) of ``root`` and of each process below it. A
    process sampled between fork and exec still shows its parent's memory; exec starts a new
    peak, so the latest figure is kept, not the largest."""
    pending = [root]
    while pending:
        pid = pending.pop()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        pending.extend(map(int, children))
        for line in status.splitlines():
            if line.startswith("VmHWM:"):  # the latest: the peak of the program it now runs
                peaks[pid] = int(line.split()[1]) / 1024


def measure(command: list[str]) -> tuple[float, float]:
    """(wall seconds, summed peak RSS in MB) of one child process and the processes it starts."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peaks: dict[int, float] = {}
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        _sample_descendants(process.pid, peaks)
        time.sleep(SAMPLE_SECONDS)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(command)}")
    # wait4's figure is the larger of the process's own peak and its largest child's.
    own = peaks.pop(process.pid, 0.0)
    children = sum(peaks.values())
    if max(peaks.values(), default=0.0) < usage.ru_maxrss / 1024:
        own = usage.ru_maxrss / 1024
    return elapsed, own + children


def _scan_file(args: argparse.Namespace, files: int, tmp: Path) -> tuple[Path, int]:
    """The scan to import: reused from ``--scan-dir`` when there is one, else written."""
    if args.scan_dir and not args.packages and not args.dependencies:
        reused = Path(args.scan_dir) / f"synthetic-{files}.json"
        if reused.is_file():
            print(f"reusing {reused}")
            return reused, files
    scan = tmp / f"scan-{files}.json"
    written = write_synthetic_scan(
        scan, files, packages=args.packages, dependencies=args.dependencies
    )
    return scan, written


def _import_command(scan: Path, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ospo_tui",
        "--db",
        str(db),
        "import",
        str(scan),
        "--project",
        "b",
    ]


def run_size(args: argparse.Namespace, files: int, tmp: Path) -> SizeResult:
    scan, files = _scan_file(args, files, tmp)
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
        db = tmp / f"round{round_no}.sqlite"
        import_runs.append(measure(_import_command(scan, db)))
        print(
            f"round {round_no + 1}: json.load {load_runs[-1][0]:6.2f} s {load_runs[-1][1]:6.0f} MB"
            f" | import {import_runs[-1][0]:6.2f} s {import_runs[-1][1]:6.0f} MB"
        )
        for leftover in tmp.glob(f"round{round_no}.sqlite*"):
            leftover.unlink()
    if scan.parent == tmp:
        scan.unlink()
    return SizeResult(
        files,
        size_mb,
        (min(t for t, _ in load_runs), max(r for _, r in load_runs)),
        (min(t for t, _ in import_runs), max(r for _, r in import_runs)),
    )


def report(results: list[SizeResult]) -> bool:
    """The figures beside the targets, one line per size; whether every target was met."""
    print()
    print(
        f"{'files':>10}{'JSON MB':>9}{'json.load s':>13}{'import s':>10}{'ratio':>8}"
        f"{'target':>8}{'peak RSS MB*':>13}{'target':>8}{'files/s':>10}"
    )
    for r in results:
        print(
            f"{r.files:>10,}{r.scan_mb:>9.0f}{r.load[0]:>13.2f}{r.imported[0]:>10.2f}"
            f"{r.ratio:>8.2f}{f'≤ {RATIO_TARGET:.0f}':>8}{r.imported[1]:>13.0f}"
            f"{f'≤ {RSS_TARGET_MB:.0f}':>8}{r.files / r.imported[0]:>10,.0f}"
        )
    print("* summed over the import's processes")
    met = all(r.met for r in results)
    print("targets met" if met else "TARGETS NOT MET")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--packages", type=int, default=0, help="e.g. 5000 (issue 17)")
    parser.add_argument("--dependencies", type=int, default=0, help="e.g. 50000 (issue 17)")
    parser.add_argument("--scan-dir", help="reuse DIR/synthetic-N.json (e.g. the TUI bench's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ospo-import-bench-") as tmp:
        results = [run_size(args, files, Path(tmp)) for files in args.files]
    return 0 if report(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
