"""The queue's other views of the same scan: its scope (``s``), the directory tree (``t``) and
undoing the last bulk (``u``).

A mixin of ``QueueScreen``: these only change the filter the queue shows, so they live apart
from the paging and searching that make up the screen itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ospo_tui.screens.bulk_undo import undo_last_bulk
from ospo_tui.screens.directory_tree import DirectoryTreeScreen
from ospo_tui.services.review.queue import QueueFilter
from ospo_tui.services.review.review_scope import SCOPE_LABELS, next_scope

if TYPE_CHECKING:
    from textual.app import App


class QueueViews:
    """Scope, tree and undo for a screen with a queue filter (``flt``) it can apply."""

    if TYPE_CHECKING:
        flt: QueueFilter
        project: str
        sub_title: str | None
        app: App[Any]

        def apply_filter(self, flt: QueueFilter) -> None: ...

    _tree: DirectoryTreeScreen | None = None  # built once per queue (``prepare_tree``)

    def show_title(self) -> None:
        """The header names the project, the scan and the scope."""
        self.sub_title = (
            f"{self.project} · scan {self.flt.scan_id} · {SCOPE_LABELS[self.flt.scope]}"
        )

    def action_cycle_scope(self) -> None:
        """Files with findings → without findings → all files → with findings."""
        self.apply_filter(self.flt.with_changes(scope=next_scope(self.flt.scope)))
        self.show_title()

    def prepare_tree(self) -> bool:
        """Build the tree screen and count its top level while the user reads the queue, so
        that ``t`` only switches screens: building and styling its widgets and counting the
        top of a 100,000-file scan took 110-180 ms on the first ``t``. Whether it built it now.

        Called once the queue's rows and count are on screen. The screen is installed and
        started (composed, its level loaded by its own worker) without being shown.
        """
        if self._tree is not None:
            return False
        tree = DirectoryTreeScreen(self.flt, self.project)
        self._tree = tree
        name = self._tree_name()
        self.app.install_screen(tree, name)
        # Textual starts an installed screen when it is first shown; starting it here is the
        # same private step (tests/test_tui_tree.py shows it still works).
        self.app._get_screen(name)
        return True

    def action_tree(self) -> None:
        # One tree screen per queue, installed so closing it keeps it: opening it again skips
        # building and styling its widgets, and shows the directory left last. A screen built
        # just now loads its level as it starts; one kept loads it again at the queue's scope.
        built = self.prepare_tree()
        tree = self._tree
        assert tree is not None
        if not built:
            tree.reopen(self.flt)
        self.app.push_screen(tree, self._tree_closed)

    def _tree_name(self) -> str:
        return f"directory-tree-{id(self)}"

    def on_unmount(self) -> None:
        tree = self._tree
        if tree is not None and tree not in self.app.screen_stack:  # not while the app exits
            self.app.uninstall_screen(self._tree_name())
            if tree.is_running:  # started but no longer installed: nothing else removes it
                tree.remove()

    def _tree_closed(self, directory: str | None) -> None:
        if directory is not None:
            self.apply_filter(self.flt.with_changes(directory=directory or None))

    def action_undo_bulk(self) -> None:
        undo_last_bulk(self.app)
