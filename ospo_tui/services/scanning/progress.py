"""Scan progress as plain data, so the terminal and a TUI screen can show the same figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class ScanProgress:
    """Where a running scan is: ``done`` of ``total`` files, of which ``reused`` from the cache."""

    phase: str = "counting"  # counting / scanning / resolving / saving / done
    total: int = 0
    done: int = 0
    reused: int = 0
    scanned: int = 0
    errors: int = 0
    skipped: int = 0
    elapsed: float = 0.0
    scan_elapsed: float = 0.0  # time since the first file was handed to a worker

    @property
    def files_per_second(self) -> float:
        if self.scan_elapsed <= 0 or self.scanned == 0:
            return 0.0
        return self.scanned / self.scan_elapsed

    @property
    def eta_seconds(self) -> float | None:
        """Time left at the current scan rate; reused files cost next to nothing."""
        if self.phase in ("counting", "done"):
            return None
        remaining = self.total - self.done
        if remaining <= 0:
            return 0.0
        rate = self.files_per_second
        return remaining / rate if rate > 0 else None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    def line(self) -> str:
        """One terminal status line."""
        eta = self.eta_seconds
        eta_text = "--:--" if eta is None else f"{int(eta) // 60:02d}:{int(eta) % 60:02d}"
        return (
            f"{self.phase}: {self.done}/{self.total} files ({self.fraction:.0%}), "
            f"{self.reused} reused, {self.files_per_second:.1f} files/s, ETA {eta_text}"
            + (f", {self.errors} errors" if self.errors else "")
        )


ProgressCallback = Callable[[ScanProgress], None]
