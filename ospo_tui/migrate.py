"""Alembic, driven from code: the migrations ship inside the package as ``ospo_tui:migrations``."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ospo_tui.resources import resource_folder


def script_location() -> str:
    """The migrations folder, found through the ``ospo_tui.migrations`` package itself.

    A path built from ``ospo_tui``'s folder would miss them in an editable install, where
    ``package-dir`` maps them from the repo root; the package works from a wheel, a zip
    (extracted once: Alembic reads a folder) and an editable install alike.
    """
    return str(resource_folder("ospo_tui.migrations"))


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", script_location())
    cfg.set_main_option("url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    if current_revision(engine) == head_revision(engine):
        return
    command.upgrade(alembic_config(engine), "head")


def downgrade_to(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Model comparisons leave the search indexes (see models.search), the SQLite-only
    dashboard index (models.review.FIGURES_INDEX) and the PostgreSQL-only index of long texts
    (models.indexed_text.LONG_TEXT_INDEX) alone: they are not mapped."""
    from ospo_tui.models.indexed_text import LONG_TEXT_INDEX
    from ospo_tui.models.review import FIGURES_INDEX
    from ospo_tui.models.search import is_search_index, is_search_table

    if name is None:
        return True
    if type_ == "index" and (is_search_index(name) or name in (FIGURES_INDEX, LONG_TEXT_INDEX)):
        return False
    return not (type_ == "table" and is_search_table(name))
