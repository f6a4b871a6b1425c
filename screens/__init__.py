"""Textual screens and widgets of the review workbench (installed as ``ospo_tui.screens``)."""
