"""A read that another thread can stop mid-statement: the queue's counts.

A count under a text filter reads every matching row: at 1,000,000 files, hundreds of
milliseconds of a core. A reviewer pressing filter keys in a row makes each count stale before
it ends, and stale counts left running took the CPU the next key needed to paint. The screen
stops the statement instead (SQLite's ``interrupt``, psycopg's ``cancel``) and the connection
is dropped rather than pooled, so a late cancel can never reach someone else's statement.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError

from ospo_tui.services.access.reading import Reading


class ReadStopped(Exception):
    """The read was stopped before it finished: its answer is not wanted any more."""


class StoppableRead:
    """Lets one thread stop the statement another thread runs inside ``running``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop: Callable[[], object] | None = None
        self.stopped = False

    @contextmanager
    def running(self, reading: Reading) -> Iterator[None]:
        """Statements run inside may be stopped; a stopped one raises ``ReadStopped``."""
        connection = reading.session.connection()
        driver = connection.connection.dbapi_connection
        stop = getattr(driver, "interrupt", None) or getattr(driver, "cancel", None)
        with self._lock:
            if self.stopped:
                raise ReadStopped
            self._stop = stop
        try:
            yield
        except DBAPIError:
            self._forget()  # before the connection closes: stop() must not reach a closed one
            if not self.stopped:
                raise
            connection.invalidate()
            raise ReadStopped from None
        finally:
            self._forget()
        if self.stopped:  # stopped as it finished: the cancel may still be on its way
            connection.invalidate()
            raise ReadStopped

    def _forget(self) -> None:
        with self._lock:
            self._stop = None

    def stop(self) -> None:
        """Stop the statement now running (if any) and any read started after this."""
        with self._lock:
            self.stopped = True
            if self._stop is not None:
                self._stop()
