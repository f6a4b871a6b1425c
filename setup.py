"""Finds every package of the one ``ospo-tui`` distribution, mapped into ``ospo_tui.*``.

The repo keeps screens, models and migrations at its root (the design card's layout), while
the installed names are ``ospo_tui.screens``, ``ospo_tui.models`` and ``ospo_tui.migrations``.
Listing packages by hand once left ``ospo_tui.commands`` out of the wheel; discovery cannot.
Everything else about the distribution is in ``pyproject.toml``.
"""

from setuptools import find_packages, setup

MAPPED_FOLDERS = {
    "ospo_tui.screens": "screens",
    "ospo_tui.models": "models",
    "ospo_tui.migrations": "migrations",
}


def discover() -> tuple[list[str], dict[str, str]]:
    # ospo_tui/data holds the sample project's sources: data, never packages.
    packages = find_packages(include=["ospo_tui", "ospo_tui.*"], exclude=["ospo_tui.data*"])
    package_dir = {"ospo_tui": "ospo_tui"}
    for name, folder in MAPPED_FOLDERS.items():
        package_dir[name] = folder
        packages.append(name)
        packages.extend(f"{name}.{sub}" for sub in find_packages(where=folder))
    return packages, package_dir


packages, package_dir = discover()
setup(packages=packages, package_dir=package_dir)
