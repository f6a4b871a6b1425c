"""Dashboard and policy figures on a 100,000-file scan, against the TUI latency targets.

Prints, side by side with each target: loading a policy (re-ranking every review item), the
dashboard's figures (service only), and in a headless TUI the dashboard screen's first paint
(screen pushed → progress, alert and license charts drawn), its last chart (the directories
are read beside the other charts; whichever is drawn last), and ``+``/``-`` on the directories.

    .venv/bin/python -m benchmarks.dashboard_bench [--files 100000] [--db URL] [--repeat 3]
        [--skip-policy]

Without ``--db`` a SQLite database is built once under the temp dir and reused.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from textual.app import App

from benchmarks.synthetic_scan import DEFAULT_FIXTURE, write_synthetic_scan
from ospo_tui.db import Database, open_database
from ospo_tui.models import ReviewItem, Scan
from ospo_tui.screens.dashboard import DashboardScreen
from ospo_tui.services.access.reading import reading
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.policy.versions import load_policy, stored_policy
from ospo_tui.services.review.dashboard import dashboard
from ospo_tui.services.trail.chain import Actor

FIRST_PAINT_TARGET = 1.0  # seconds, issue 7
KEYSTROKE_TARGET = 0.05  # seconds: issue 19's p95 for keys in the queue, as a yardstick here
BENCH_ACTOR = Actor("bench", "admin")
BENCH_POLICY = """\
license_policies:
  - {license_key: zlib, label: Approved, compliance_alert: ''}
  - {license_key: mit, label: Approved, compliance_alert: ''}
  - {license_key: GPL-2.0-only, label: Prohibited, compliance_alert: error}
  - {license_key: LGPL-2.1-or-later, label: Restricted, compliance_alert: warning}
"""


def prepare(db: Database, files: int, workdir: Path, fixture: Path = DEFAULT_FIXTURE) -> int:
    """The id of a complete scan with at least ``files`` review items (imported once), made by
    repeating ``fixture``."""
    with db.reader() as session:
        row = session.execute(
            select(ReviewItem.scan_id, func.count())
            .join(Scan, Scan.id == ReviewItem.scan_id)
            .where(Scan.state == "complete")
            .group_by(ReviewItem.scan_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
    if row is not None and row[1] >= files:
        return int(row[0])
    made_of = "" if fixture == DEFAULT_FIXTURE else f"-{fixture.stem}"
    scan_file = workdir / f"synthetic-{files}{made_of}.json"
    if not scan_file.exists():
        write_synthetic_scan(scan_file, files, fixture)
    started = time.perf_counter()
    result = import_scan_file(db, scan_file, project=f"bench-{files}", actor=BENCH_ACTOR)
    print(f"imported {result.files:,} files in {time.perf_counter() - started:.1f} s")
    return result.scan_id


class _DashboardHost(App[None]):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.user_name = BENCH_ACTOR.name  # the dashboard reads as the app's user


async def _paint_times(
    db: Database, scan_id: int, depth_steps: tuple[int, ...] = ()
) -> tuple[float, float, list[float]]:
    app = _DashboardHost(db)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        screen = DashboardScreen(scan_id)
        await app.push_screen(screen)
        # The screen records when each step was on screen (after the refresh that drew it);
        # the two steps are read side by side, so either may come first.
        while len(screen.painted_at) < 2:
            await asyncio.sleep(0.002)
        first, every = screen.painted_at["figures"], max(screen.painted_at.values())
        depth_changes = []
        for step in depth_steps:  # as + and - do, without Pilot's idle waits
            del screen.painted_at["directories"]
            pressed = time.perf_counter()
            screen.action_depth(step)
            while "directories" not in screen.painted_at:
                await asyncio.sleep(0.002)
            depth_changes.append(screen.painted_at["directories"] - pressed)
        return first - started, every - started, depth_changes


def dashboard_paint_times(db: Database, scan_id: int) -> tuple[float, float]:
    """Seconds from pushing the dashboard to (first paint: progress, alerts and licenses
    drawn; every chart drawn, directories included), in a headless TUI."""
    return asyncio.run(_paint_times(db, scan_id))[:2]


def directory_depth_times(db: Database, scan_id: int) -> list[float]:
    """Seconds from ``+``, ``+``, ``-``, ``-`` each to the directory chart drawn again."""
    return asyncio.run(_paint_times(db, scan_id, (1, 1, -1, -1)))[2]


def dashboard_first_paint(db: Database, scan_id: int) -> float:
    return dashboard_paint_times(db, scan_id)[0]


def _timed(call, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def _row(name: str, times: list[float], target: float | None) -> None:
    median = statistics.median(times)
    versus = f"{median / target:6.2f}× target {target:g} s" if target else ""
    print(
        f"{name:<34} median {median:7.3f} s   best {min(times):7.3f} s"
        f"   worst {max(times):7.3f} s   {versus}"
    )


def bench_scan(
    name: str, files: int, url: str | None, fixture: Path = DEFAULT_FIXTURE
) -> tuple[Database, int, Path]:
    """The database (``url``, else a SQLite file ``name``-``files`` reused in the temp dir),
    its benchmark scan, and the work folder; says how big the scan is."""
    workdir = Path(tempfile.gettempdir()) / "ospo-tui-bench"
    workdir.mkdir(exist_ok=True)
    db = open_database(url or f"sqlite:///{workdir / f'{name}-{files}.sqlite'}")
    scan_id = prepare(db, files, workdir, fixture)
    with db.reader() as session:
        items = session.scalar(select(func.count()).where(ReviewItem.scan_id == scan_id)) or 0
    print(f"scan {scan_id}: {items:,} review items on {db.engine.dialect.name}")
    return db, scan_id, workdir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--db", help="database URL (default: a reused SQLite file in the temp dir)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--skip-policy",
        action="store_true",
        help="leave out the policy load (it rewrites every item)",
    )
    args = parser.parse_args()
    db, scan_id, workdir = bench_scan("dashboard", args.files, args.db)

    policy_file = workdir / "bench-policies.yml"
    policy_file.write_text(BENCH_POLICY, encoding="utf-8")
    if not args.skip_policy:
        _row(
            "policy load (re-rank every item)",
            _timed(lambda: load_policy(db, BENCH_ACTOR, policy_file), args.repeat),
            None,
        )

    def figures() -> None:
        with reading(db, BENCH_ACTOR, "the dashboard") as snapshot:
            dashboard(snapshot, scan_id, stored_policy(snapshot))

    _row("dashboard figures (service)", _timed(figures, args.repeat), FIRST_PAINT_TARGET)
    paints = [dashboard_paint_times(db, scan_id) for _ in range(args.repeat)]
    _row("dashboard first paint (TUI)", [p[0] for p in paints], FIRST_PAINT_TARGET)
    _row("dashboard all four charts (TUI)", [p[1] for p in paints], FIRST_PAINT_TARGET)
    depth = [t for _ in range(args.repeat) for t in directory_depth_times(db, scan_id)]
    _row("directory depth + / - (TUI)", depth, KEYSTROKE_TARGET)
    db.dispose()


if __name__ == "__main__":
    main()
