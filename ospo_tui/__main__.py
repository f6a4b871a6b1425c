"""Lets ``python -m ospo_tui`` behave like the ``ospo-tui`` console script."""

from ospo_tui.cli import main

# Guarded: scan workers start through multiprocessing, which re-imports the main module.
if __name__ == "__main__":
    raise SystemExit(main())
