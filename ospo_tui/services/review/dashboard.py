"""What the dashboard shows about one scan's review: progress, alerts, licenses, directories.

One GROUP BY over the scan's review items (state × alert × policy version × expression: a few
hundred groups even for 1,000,000 files; SQLite reads them from one covering index) feeds the
progress, alert and license charts; licenses are split into keys in Python over those groups.
Directories are a second GROUP BY, of open files per parent directory (``open_directories``),
which the screen reads beside the first. Every bar carries the queue filter that shows the
files behind it, so the screen only has to apply it.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from ospo_tui.models import (
    STATE_DECIDED,
    STATE_OPEN,
    STATE_QUESTION,
    STATE_STALE,
    STATE_TO_DISCUSS,
    ReviewItem,
)
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.licenses.expressions import license_keys
from ospo_tui.services.licenses.license_db import license_catalog
from ospo_tui.services.policy.rules import ALERTS, LicensePolicy
from ospo_tui.services.review.open_directories import OpenDirectories, open_directories
from ospo_tui.services.review.review_scope import SCOPE_FINDINGS, in_scope

# In the reviewer's words, in the order the progress chart shows them.
PROGRESS_STATES = (
    (STATE_DECIDED, "decided"),
    (STATE_OPEN, "open"),
    (STATE_TO_DISCUSS, "to be discussed"),
    (STATE_QUESTION, "questions"),
    (STATE_STALE, "stale"),
)
UNDECIDED_STATES = (STATE_OPEN, STATE_TO_DISCUSS, STATE_QUESTION, STATE_STALE)


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, and the queue filter (QueueFilter fields) behind it."""

    label: str
    count: int
    filter: dict[str, Any]
    alert: str | None = None  # colours license and alert bars


@dataclass(frozen=True)
class ReviewFigures:
    """Progress, alerts and licenses of one scan: everything but the directories."""

    scan_id: int
    total: int  # files in scope
    progress: list[Bar]
    alerts: list[Bar]
    licenses: list[Bar]
    policy_version: int | None  # the newest version the scan's alerts were judged under
    notes: list[str] = field(default_factory=list)
    scope: str = SCOPE_FINDINGS  # which files ``total`` counts (review_scope.SCOPE_LABELS)

    @property
    def decided(self) -> int:
        return next((b.count for b in self.progress if b.filter["states"] == (STATE_DECIDED,)), 0)


@dataclass(frozen=True)
class Dashboard(ReviewFigures):
    directories: list[Bar] = field(default_factory=list)
    directory_depth: int = 1


@dataclass(frozen=True)
class _Group:
    state: str
    alert: str | None
    version: int | None
    expression: str | None
    count: int


def _in_queue(scan_id: int, scope: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (ReviewItem.scan_id == scan_id, in_scope(scope))


# The order of SQLite's ix_review_items_figures (migration 0007): grouped by these plain
# columns, SQLite reads that index alone, in order. The judged expression is taken in Python.
_FIGURE_COLUMNS = (
    ReviewItem.needs_review,
    ReviewItem.state,
    ReviewItem.policy_alert,
    ReviewItem.policy_version,
    ReviewItem.detected_expression,
    ReviewItem.detected_spdx,
)


def figures_query(
    scan_id: int, scope: str
) -> Select[bool, str, str | None, int | None, str | None, str | None, int]:
    """The scan's review items in ``scope``, counted per group of ``_FIGURE_COLUMNS``."""
    return (
        select(*_FIGURE_COLUMNS, func.count())
        .where(*_in_queue(scan_id, scope))
        .group_by(*_FIGURE_COLUMNS)
    )


def _groups(session: Session, scan_id: int, scope: str) -> list[_Group]:
    merged: Counter[tuple[str, str | None, int | None, str | None]] = Counter()
    for _, state, alert, version, expression, spdx, count in session.execute(
        figures_query(scan_id, scope)
    ):
        merged[state, alert, version, spdx if expression is None else expression] += count
    return [_Group(*key, count) for key, count in merged.items()]


def progress_bars(groups: list[_Group]) -> list[Bar]:
    """Files per review state, in the order of ``PROGRESS_STATES``."""
    per_state: Counter[str] = Counter()
    for group in groups:
        per_state[group.state] += group.count
    bars = [Bar(label, per_state[state], {"states": (state,)}) for state, label in PROGRESS_STATES]
    # Stale only shows when some decision went stale after a re-scan.
    return [b for b in bars if b.count or b.filter["states"] != (STATE_STALE,)]


def alert_bars(groups: list[_Group]) -> list[Bar]:
    """Files per policy alert that are not decided yet (what is left to do)."""
    per_alert: Counter[str | None] = Counter()
    for group in groups:
        if group.state in UNDECIDED_STATES:
            per_alert[group.alert] += group.count
    return [
        Bar(alert, per_alert[alert], {"policy_alert": alert, "states": UNDECIDED_STATES}, alert)
        for alert in ALERTS
    ]


def license_bars(groups: list[_Group], policy: LicensePolicy | None, limit: int = 12) -> list[Bar]:
    """The licenses named by most files (a file counts once per key of its expression)."""
    catalog = license_catalog()
    per_key: Counter[str] = Counter()
    for group in groups:
        for key in license_keys(group.expression):
            info = catalog.get(key)
            per_key[info.key if info else key] += group.count
    bars = []
    for key, count in sorted(per_key.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]:
        info = catalog.get(key)
        label = info.spdx_license_key if info else key
        if label.startswith("LicenseRef-scancode-"):
            label = key  # the ScanCode key says the same in fewer characters
        alert = policy.alert(key) if policy is not None else None
        bars.append(Bar(label, count, {"license_key": key}, alert))
    return bars


def review_figures(
    reading: Reading,
    scan_id: int,
    policy: LicensePolicy | None = None,
    scope: str = SCOPE_FINDINGS,
) -> ReviewFigures:
    """Progress, alerts and licenses from one grouped pass over the scan's review items."""
    groups = _groups(reading.session, scan_id, scope)
    progress = progress_bars(groups)
    judged = sorted({g.version for g in groups if g.version is not None})
    notes = []
    if policy is not None and judged and judged != [policy.version]:
        notes.append(
            f"alerts were judged under policy v{', v'.join(map(str, judged))};"
            f" v{policy.version} is in force"
        )
    return ReviewFigures(
        scan_id=scan_id,
        total=sum(bar.count for bar in progress),
        progress=progress,
        alerts=alert_bars(groups),
        licenses=license_bars(groups, policy),
        policy_version=judged[-1] if judged else None,
        notes=notes,
        scope=scope,
    )


def directory_chart(
    directories: OpenDirectories, depth: int | None = None, limit: int = 10
) -> tuple[list[Bar], int]:
    """Directories with the most open files, at ``depth`` path segments (default: the first
    depth where the open files split into several directories). Returns (bars, depth used)."""
    deepest = directories.deepest
    if not deepest:
        return [], depth or 1
    depth = max(1, min(directories.first_split() if depth is None else depth, deepest))
    top = heapq.nsmallest(
        limit, directories.at_depth(depth).items(), key=lambda kv: (-kv[1], kv[0])
    )
    bars = [
        Bar(directory + "/", count, {"path_glob": directory + "/*", "states": (STATE_OPEN,)})
        for directory, count in top
    ]
    return bars, depth


def directory_bars(
    reading: Reading,
    scan_id: int,
    depth: int | None = None,
    limit: int = 10,
    scope: str = SCOPE_FINDINGS,
) -> tuple[list[Bar], int]:
    """The directory chart (``directory_chart``) read from the database."""
    return directory_chart(open_directories(reading, scan_id, scope), depth, limit)


def dashboard(
    reading: Reading,
    scan_id: int,
    policy: LicensePolicy | None = None,
    *,
    directory_depth: int | None = None,
    scope: str = SCOPE_FINDINGS,
) -> Dashboard:
    """Every figure of the dashboard for one scan, read in one session."""
    figures = review_figures(reading, scan_id, policy, scope)
    directories, depth = directory_bars(reading, scan_id, directory_depth, scope=scope)
    return Dashboard(
        **{name: getattr(figures, name) for name in ReviewFigures.__dataclass_fields__},
        directories=directories,
        directory_depth=depth,
    )
