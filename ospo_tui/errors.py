"""Errors that the CLI and the TUI show to a person as one clear line."""

from __future__ import annotations


class OspoError(Exception):
    """A failure the user can act on. ``str(err)`` is the one line to show; exit code 2."""

    exit_code = 2


class InputError(OspoError):
    """Bad input: malformed file, wrong expression, unknown file, bad flag."""


class NotFoundError(OspoError):
    """A project, scan, file or question that does not exist."""


class PermissionDenied(OspoError):
    """The actor's role does not allow the action."""

    exit_code = 3


class ConflictError(OspoError):
    """Someone else changed the record since it was read (optimistic locking)."""

    exit_code = 4
