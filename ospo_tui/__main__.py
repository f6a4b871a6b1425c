"""Lets ``python -m ospo_tui`` behave like the ``ospo-tui`` console script."""

from ospo_tui.cli import main

raise SystemExit(main())
