"""Which files of a source tree get scanned: gitignore-style excludes, VCS dirs, symlinks, oddities.

Symbolic links are never followed (so loops and escapes from the tree cannot happen), but each
is reported as skipped with the reason, as are unreadable directories and special files.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

from ospo_tui.errors import InputError
from ospo_tui.services.ingest.path_limits import path_problem

VCS_DIRS = frozenset({".git", ".svn", ".hg", ".bzr", "CVS", "_darcs"})


@dataclass(frozen=True)
class TreeEntry:
    """A regular file to scan (``skipped`` empty) or something left out, with the reason."""

    path: str  # relative to the root, "/"-separated
    location: str
    skipped: str = ""


class SourceTree:
    """A root directory (or single file) plus the exclude patterns that apply to it."""

    def __init__(
        self, root: str | os.PathLike[str], excludes: Iterable[str] = (), include_vcs: bool = False
    ) -> None:
        given = Path(root)
        if not os.path.lexists(given):
            raise InputError(f"{root}: no such file or directory")
        if given.is_symlink() and not given.exists():
            raise InputError(f"{root}: broken or looping symbolic link")
        self.root = given.resolve()
        if not (self.root.is_dir() or self.root.is_file()):
            raise InputError(f"{root}: not a directory or regular file")
        if self.root.is_dir() and not os.access(self.root, os.R_OK | os.X_OK):
            raise InputError(f"{root}: permission denied")
        self.excludes = list(excludes)
        try:
            self._spec = pathspec.GitIgnoreSpec.from_lines(self.excludes)
        except Exception as exc:  # noqa: BLE001 - pathspec raises several types for bad patterns
            raise InputError(f"bad --exclude pattern: {exc}") from None
        self.include_vcs = include_vcs

    @property
    def name(self) -> str:
        """The root's own name, which the ScanCode CLI puts first in ``from_file`` paths."""
        return self.root.name

    def _excluded(self, path: str, is_dir: bool) -> bool:
        return bool(self.excludes) and self._spec.match_file(path + "/" if is_dir else path)

    def walk(self) -> Iterator[TreeEntry]:
        """Every file under the root in a stable (sorted) order; skipped things included."""
        if self.root.is_file():
            yield TreeEntry(self.root.name, str(self.root))
            return
        stack = [("", str(self.root))]
        while stack:
            rel_dir, location = stack.pop()
            try:
                with os.scandir(location) as scanner:
                    entries = sorted(scanner, key=lambda e: e.name)
            except OSError as exc:
                yield TreeEntry(rel_dir or ".", location, f"cannot read directory: {exc.strerror}")
                continue
            subdirs = []
            for entry in entries:
                path = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                problem = path_problem(path)
                if problem is not None:  # not stored, and nothing below it is walked
                    yield TreeEntry(path[:200], entry.path[:200], f"{problem}; not scanned")
                    continue
                try:
                    mode = entry.stat(follow_symlinks=False).st_mode
                except OSError as exc:
                    yield TreeEntry(path, entry.path, f"cannot stat: {exc.strerror}")
                    continue
                if stat.S_ISLNK(mode):
                    if not self._excluded(path, False):
                        yield TreeEntry(path, entry.path, self._symlink_reason(entry.path))
                elif stat.S_ISDIR(mode):
                    if entry.name in VCS_DIRS and not self.include_vcs:
                        continue
                    if not self._excluded(path, True):
                        subdirs.append((path, entry.path))
                elif self._excluded(path, False):
                    continue
                elif stat.S_ISREG(mode):
                    yield TreeEntry(path, entry.path)
                else:
                    yield TreeEntry(path, entry.path, "not a regular file (device, FIFO or socket)")
            stack.extend(reversed(subdirs))

    def _symlink_reason(self, location: str) -> str:
        target = os.readlink(location)
        try:
            resolved = Path(location).resolve(strict=True)
        except RuntimeError:
            return f"symbolic link loop ({target}); not followed"
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return f"symbolic link loop ({target}); not followed"
            return f"broken symbolic link to {target}; not followed"
        if resolved != self.root and self.root not in resolved.parents:
            return f"symbolic link to {target}, outside the scanned tree; not followed"
        return f"symbolic link to {target}; not followed (the target is scanned in place)"
