"""Packages and dependencies of a scanned tree, assembled as ``scancode -p`` assembles them.

Each file's ``package_data`` comes from the per-file scan (``engine.scan_file``, shared by the
local pool and the Dask cluster). Assembly needs the whole tree, since a handler looks at a
manifest's siblings and parents (a ``.dist-info`` next to its module): it runs ScanCode's own
``PackageScanner.process_codebase`` on a virtual codebase holding only paths and package data,
and the packages, dependencies and ``for_packages`` it produces go to the scan's
``PackageIngest``. Only manifests' package data is held in memory, plus the paths.
"""

from __future__ import annotations

import posixpath
from typing import Any

from ospo_tui.services.ingest.writer import ScanIngest


class ManifestCollector:
    """Sees every file entry as it is written; keeps the paths and the manifests' package data.

    With package detection off, it strips ``package_data`` so that nothing package-related is
    stored, and assembles nothing.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.paths: list[str] = []
        self.manifests: dict[str, list[dict[str, Any]]] = {}

    def take(self, path: str, entry: dict[str, Any]) -> None:
        if not self.enabled:
            entry.pop("package_data", None)
            return
        self.paths.append(path)
        package_data = entry.get("package_data")
        if isinstance(package_data, list) and package_data:
            self.manifests[path] = package_data

    def assemble(self, ingest: ScanIngest, root: str) -> int:
        """Assemble and hand packages, dependencies and file links to ``ingest``; returns the
        number of packages."""
        if not self.enabled or not self.manifests:
            return 0
        codebase = _virtual_codebase(root, self.paths, self.manifests)
        from packagedcode.plugin_package import PackageScanner

        PackageScanner().process_codebase(codebase, strip_root=True)
        for package in codebase.attributes.packages:
            ingest.packages.add_package(package)
        for dependency in codebase.attributes.dependencies:
            ingest.packages.add_dependency(dependency)
        prefix = root + "/"
        ingest.packages.link_paths(
            (resource.path.removeprefix(prefix), uid)
            for resource in codebase.walk()
            for uid in resource.for_packages or []
        )
        return len(codebase.attributes.packages)


def _virtual_codebase(
    root: str, paths: list[str], manifests: dict[str, list[dict[str, Any]]]
) -> Any:
    from commoncode.resource import VirtualCodebase
    from packagedcode.plugin_package import PackageScanner

    directories = {root}
    entries: list[dict[str, Any]] = []
    for path in paths:
        full = f"{root}/{path}"
        parent = posixpath.dirname(full)
        while parent and parent not in directories:
            directories.add(parent)
            parent = posixpath.dirname(parent)
        entries.append({"path": full, "type": "file", "package_data": manifests.get(path, [])})
    entries.extend(
        {"path": directory, "type": "directory", "package_data": []} for directory in directories
    )
    entries.sort(key=lambda e: e["path"])
    return VirtualCodebase(
        location={"files": entries},
        codebase_attributes=PackageScanner.codebase_attributes,
        resource_attributes=PackageScanner.resource_attributes,
    )
