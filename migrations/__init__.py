"""Alembic migrations of the review database (``script_location = ospo_tui:migrations``)."""
