"""Where a scan's open files sit: the dashboard's directory chart, at any depth.

Review items carry their parent directory (``dir_path``), so SQL counts open files per parent
directory on the (scan_id, dir_path, ...) index without reading a path: one row per directory,
far fewer than files. Python then rolls those counts up to the chosen depth. The counts are kept,
so ``+``/``-`` on the dashboard roll them up again without another query.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import func, select

from ospo_tui.models import STATE_OPEN, ReviewItem
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.review.review_scope import SCOPE_FINDINGS, in_scope


def _ancestor(directory: str, depth: int) -> str | None:
    """``directory``'s ancestor of ``depth`` segments (itself at that depth); None if it is
    shallower (the top, "", included)."""
    parts = directory.split("/", depth)
    return "/".join(parts[:depth]) if directory and len(parts) >= depth else None


@dataclass(frozen=True)
class OpenDirectories:
    """Open files per parent directory of one scan ("" holds the files at the top)."""

    per_directory: dict[str, int]
    _rolled_up: dict[int, Counter[str]] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def deepest(self) -> int:
        """Path segments of the deepest directory holding an open file (0: none below the top)."""
        return max((d.count("/") + 1 for d in self.per_directory if d), default=0)

    def at_depth(self, depth: int) -> Counter[str]:
        """Open files per directory of ``depth`` segments; files above that depth count nowhere."""
        if depth not in self._rolled_up:
            counts: Counter[str] = Counter()
            for directory, count in self.per_directory.items():
                ancestor = _ancestor(directory, depth)
                if ancestor is not None:
                    counts[ancestor] += count
            self._rolled_up[depth] = counts
        return self._rolled_up[depth]

    def splits_at(self, depth: int) -> bool:
        """Whether the directories of ``depth`` segments are more than one."""
        first: str | None = None
        for directory in self.per_directory:
            ancestor = _ancestor(directory, depth)
            if ancestor is None:
                continue
            if first is None:
                first = ancestor
            elif ancestor != first:
                return True
        return False

    def first_split(self) -> int:
        """The first depth where the open files fall into several directories (else the
        deepest): the depth the chart starts at."""
        deepest = self.deepest
        return next((d for d in range(1, deepest) if self.splits_at(d)), max(deepest, 1))


def open_directories(
    reading: Reading, scan_id: int, scope: str = SCOPE_FINDINGS
) -> OpenDirectories:
    """Open files in ``scope`` per parent directory: one GROUP BY on the directory index."""
    rows = reading.session.execute(
        select(ReviewItem.dir_path, func.count())
        .where(ReviewItem.scan_id == scan_id, in_scope(scope), ReviewItem.state == STATE_OPEN)
        .group_by(ReviewItem.dir_path)
    )
    return OpenDirectories({directory: count for directory, count in rows})
