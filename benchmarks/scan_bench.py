"""Scan engine vs the ScanCode CLI on the same tree: full scan, 1% rescan, peak memory.

Usage: ``.venv/bin/python benchmarks/scan_bench.py [--processes N] [--keep DIR]``

With ``--cluster ADDRESS`` (``local:2``, or a scheduler's address) it compares instead the
engine on that Dask cluster with the engine's process pool, on the same tree, alternating them.

The tree is a copy of a few hundred real source files from installed packages. Both tools run
as separate processes; memory is the peak of the summed PSS (shared pages split fairly) of each
process tree, sampled every 100 ms. The CLI runs the same scans as the engine
(``-c -l -i --license-text``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path

PACKAGES = (
    "click",
    "rich",
    "jinja2",
    "markupsafe",
    "attr",
    "attrs",
    "idna",
    "urllib3",
    "requests",
    "packaging",
    "pluggy",
    "mako",
    "psycopg",
)
BIN = Path(sys.executable).parent


def build_tree(target: Path, packages: tuple[str, ...] = PACKAGES) -> int:
    site = Path(sysconfig.get_paths()["purelib"])
    for name in packages:
        shutil.copytree(site / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return sum(1 for p in target.rglob("*") if p.is_file())


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _memory_kb(pid: int) -> tuple[int, int]:
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


class TreeSampler(threading.Thread):
    """Samples a process and all its descendants: peak summed PSS and RSS, CPU time used."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_pss = 0
        self.peak_rss = 0
        self.cpu_ticks: dict[int, int] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            pids, stack = [], [self.pid]
            while stack:
                pid = stack.pop()
                pids.append(pid)
                stack.extend(_children(pid))
            totals = [_memory_kb(pid) for pid in pids]
            for pid in pids:
                self.cpu_ticks[pid] = max(self.cpu_ticks.get(pid, 0), _cpu_ticks(pid))
            self.peak_pss = max(self.peak_pss, sum(t[0] for t in totals))
            self.peak_rss = max(self.peak_rss, sum(t[1] for t in totals))
            time.sleep(0.1)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")


def timed(command: list[str], label: str) -> tuple[float, float, int, int]:
    print(f"  running {label} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(process.pid)
    sampler.start()
    out, err = process.communicate()
    elapsed = time.monotonic() - started
    sampler.stopped.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{label} failed ({process.returncode}):\n{err[-2000:]}")
    if out.strip():
        print(f"    {out.strip().splitlines()[-1]}", file=sys.stderr)
    figures = (elapsed, sampler.cpu_seconds, sampler.peak_pss // 1024, sampler.peak_rss // 1024)
    print(
        "    wall {:.1f}s, CPU {:.1f}s, peak PSS {} MB, peak RSS {} MB".format(*figures),
        file=sys.stderr,
        flush=True,
    )
    return figures


def _fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def cluster_beside_pool(args: argparse.Namespace, work: Path, tree: Path, files: int) -> None:
    """Full scans (empty cache each time) on the process pool and on the cluster, alternated."""
    db = work / "review.sqlite"
    engine_cmd = [sys.executable, "-m", "ospo_tui", "--db", str(db), "scan", str(tree)]
    pool_cmd = [*engine_cmd, "-n", str(args.processes)]
    cluster_cmd = [*engine_cmd, "--cluster", args.cluster]
    if args.ship_content:
        cluster_cmd.append("--ship-content")
    pool_runs, cluster_runs = [], []
    for round_ in range(1, args.rounds + 1):
        _fresh(db)
        pool_runs.append(timed(pool_cmd, f"process pool full #{round_}"))
        _fresh(db)
        cluster_runs.append(timed(cluster_cmd, f"cluster {args.cluster} full #{round_}"))
    pool, cluster = min(pool_runs), min(cluster_runs)
    header = f"{'run':<44} {'wall s':>8} {'CPU s':>8} {'peak PSS MB':>12} {'peak RSS MB':>12}"
    print("\n" + header)
    for label, (seconds, cpu, pss, rss) in [
        (f"process pool, -n {args.processes} (best)", pool),
        (f"cluster {args.cluster} (best)", cluster),
    ]:
        print(f"{label:<44} {seconds:8.1f} {cpu:8.1f} {pss:12d} {rss:12d}")
    print(
        f"\nall wall times: pool {', '.join(f'{r[0]:.1f}' for r in pool_runs)}; "
        f"cluster {', '.join(f'{r[0]:.1f}' for r in cluster_runs)}\n"
        f"cluster / pool wall time: {cluster[0] / pool[0]:.2f} (target <= 1.10); "
        f"CPU time: {cluster[1] / pool[1]:.2f}\n"
        f"files: {files}, load average at the end: {os.getloadavg()[0]:.1f}, work dir: {work}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", "-n", type=int, default=2)
    parser.add_argument("--keep", help="work in this directory and keep it")
    parser.add_argument("--rounds", type=int, default=1, help="full scans per tool (best is kept)")
    parser.add_argument("--cluster", metavar="ADDRESS", help="compare this cluster with the pool")
    parser.add_argument("--ship-content", action="store_true", help="with --cluster")
    parser.add_argument(
        "--packages", help=f"comma-separated packages to copy (default: {','.join(PACKAGES)})"
    )
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="scan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    tree = work / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    packages = tuple(args.packages.split(",")) if args.packages else PACKAGES
    files = build_tree(tree, packages)
    n = str(args.processes)
    print(f"tree: {files} files from {len(packages)} packages, processes: {n}", file=sys.stderr)
    if args.cluster:
        cluster_beside_pool(args, work, tree, files)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    cli_cmd = [str(BIN / "scancode"), "-c", "-l", "-i", "--license-text", "-n", n, "--quiet"]
    db = work / "review.sqlite"
    engine_cmd = [str(BIN / "ospo-tui"), "--db", str(db), "scan", str(tree), "-n", n]
    cli_runs, engine_runs = [], []
    # Alternate the tools so that load from other processes falls on both alike.
    for round_ in range(1, args.rounds + 1):
        out = work / f"cli-{round_}.json"
        cli_runs.append(timed([*cli_cmd, "--json", str(out), str(tree)], f"CLI full #{round_}"))
        _fresh(db)
        engine_runs.append(timed([*engine_cmd, "--project", "b"], f"engine full #{round_}"))
    cli = min(cli_runs)
    engine = min(engine_runs)

    sources = sorted(p for p in tree.rglob("*.py"))
    count = max(1, files // 100)
    changed = sources[:: max(1, len(sources) // count)][:count]
    for path in changed:
        with path.open("a") as handle:
            handle.write("\n# changed for the rescan benchmark\n")
    rescan = timed([*engine_cmd, "--project", "b"], f"engine rescan ({len(changed)} changed)")

    rows = [
        ("scancode CLI, full scan (best)", cli),
        ("engine, full scan (best)", engine),
        (f"engine, rescan after changing {len(changed)} files", rescan),
    ]
    header = f"{'run':<44} {'wall s':>8} {'CPU s':>8} {'peak PSS MB':>12} {'peak RSS MB':>12}"
    print("\n" + header)
    for label, (seconds, cpu, pss, rss) in rows:
        print(f"{label:<44} {seconds:8.1f} {cpu:8.1f} {pss:12d} {rss:12d}")
    walls = ", ".join(f"{r[0]:.1f}" for r in cli_runs)
    engine_walls = ", ".join(f"{r[0]:.1f}" for r in engine_runs)
    print(
        f"\nall full-scan wall times: CLI {walls}; engine {engine_walls}\n"
        f"engine / CLI wall time: {engine[0] / cli[0]:.2f} (target <= 1.00); "
        f"CPU time: {engine[1] / cli[1]:.2f}\n"
        f"rescan / full scan wall time: {rescan[0] / engine[0]:.1%} (target <= 5%)\n"
        f"files: {files}, changed: {len(changed)}, processes: {n}, "
        f"load average at the end: {os.getloadavg()[0]:.1f}, work dir: {work}"
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
