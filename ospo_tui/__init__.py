"""ospo-tui: a keyboard-first terminal workbench for open-source license compliance review."""

__version__ = "0.1.0"
