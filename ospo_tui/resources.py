"""Resources shipped inside the package, as real folders for the tools that need a path.

Alembic and the file inspector read folders from disk, so a package imported from a zip
has its folder copied out once into the user cache, keyed by version; from a wheel or an
editable install the folder is used where it lies.
"""

from __future__ import annotations

import shutil
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from platformdirs import user_cache_dir

from ospo_tui import __version__


def resource_folder(package: str, *parts: str) -> Path:
    """The folder ``parts`` of ``package`` on disk, extracted first when it is not on disk."""
    node: Traversable = files(package).joinpath(*parts)
    if isinstance(node, Path):
        return node
    target = Path(user_cache_dir("ospo-tui")) / "resources" / __version__ / package
    target = target.joinpath(*parts)
    if not target.is_dir():
        staging = target.with_name(target.name + ".extracting")
        shutil.rmtree(staging, ignore_errors=True)
        _copy_tree(node, staging)
        try:
            staging.rename(target)  # atomic: a half-copied folder is never used
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not target.is_dir():  # not another process that won the race
                raise
    return target


def _copy_tree(node: Traversable, target: Path) -> None:
    target.mkdir(parents=True)
    for child in node.iterdir():
        if child.is_dir():
            _copy_tree(child, target / child.name)
        else:
            (target / child.name).write_bytes(child.read_bytes())
