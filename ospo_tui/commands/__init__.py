"""One module per ``ospo-tui`` sub-command; each exposes ``register(subparsers)``."""
