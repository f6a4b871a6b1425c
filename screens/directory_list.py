"""The rows of one directory level: a ``LineList`` whose keys are named for the tree."""

from __future__ import annotations

from ospo_tui.screens.line_list import LineList, list_keys


class DirectoryList(LineList):
    BINDINGS = list_keys("tree", "Open this directory")
