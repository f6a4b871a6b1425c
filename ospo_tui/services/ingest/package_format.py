"""ScanCode's package records as plain rows: top-level ``packages`` and ``dependencies``, each
file's ``package_data`` and ``for_packages``, the legacy per-file ``packages`` of formats 1.x/2.x,
and the scan ``summary``.

Like file entries, every field is type-checked so a wrong-shaped document is refused with a
message naming the record and the field; untrusted text is cleaned before it is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ospo_tui.errors import InputError
from ospo_tui.services.ingest.scancode_format import Field, FileRecord, clean_text, parse_file
from ospo_tui.services.licenses.expressions import scancode_to_spdx


@dataclass
class ManifestRecord:
    """One file's ``package_data`` entry; ``legacy`` for the per-file ``packages`` of 1.x/2.x."""

    columns: dict[str, Any]
    legacy: bool
    package: dict[str, Any] | None = None  # the package a legacy entry stands for


def _names(p: Field) -> dict[str, Any]:
    return {
        "purl": p.text("purl"),
        "type": p.text("type"),
        "name": p.text("name"),
        "version": p.text("version"),
    }


def _declared(p: Field) -> tuple[str | None, str | None]:
    """Declared license: ``declared_license_expression`` (3.x/4.x) or ``license_expression``."""
    expression = p.text("declared_license_expression") or p.text("license_expression")
    spdx = p.text("declared_license_expression_spdx") or scancode_to_spdx(expression)
    return expression, spdx


def _purl_of(p: Field) -> str | None:
    purl = p.text("purl")
    if purl:
        return purl
    kind, name = p.text("type"), p.text("name")
    if not kind or not name:
        return None
    namespace, version = p.text("namespace"), p.text("version")
    path = f"{namespace}/{name}" if namespace else name
    return f"pkg:{kind}/{path}" + (f"@{version}" if version else "")


def _text_list(p: Field, name: str) -> str:
    return json.dumps([str(item) for item in p.items(name) if isinstance(item, str)])


def package_row(raw: Any, index: int, *, where: str = "packages") -> dict[str, Any]:
    """One top-level ``packages[index]`` entry as a ``packages`` row (ids filled by the writer)."""
    if not isinstance(raw, dict):
        raise InputError(f"{where}[{index}]: expected an object, got {type(raw).__name__}")
    p = Field(raw, f"{where}[{index}]")
    purl = _purl_of(p)
    uid = p.text("package_uid") or purl
    if not uid:
        raise InputError(f"{p.where}: a package needs a 'package_uid' or a 'purl'")
    expression, spdx = _declared(p)
    return {
        "package_uid": uid,
        "purl": purl,
        "type": p.text("type"),
        "namespace": p.text("namespace"),
        "name": p.text("name"),
        "version": p.text("version"),
        "primary_language": p.text("primary_language"),
        "declared_license_expression": expression,
        "declared_license_expression_spdx": spdx,
        "other_license_expression": p.text("other_license_expression"),
        "extracted_license_statement": _statement(p),
        "notice_text": p.text("notice_text"),
        "copyright": p.text("copyright"),
        "holder": p.text("holder"),
        "homepage_url": p.text("homepage_url"),
        "download_url": p.text("download_url") or p.text("repository_download_url"),
        "datafile_paths_json": _text_list(p, "datafile_paths"),
        "datasource_ids_json": _text_list(p, "datasource_ids"),
    }


def _statement(p: Field) -> str | None:
    """``extracted_license_statement`` (4.x) or ``declared_license`` (older), kept as text."""
    value = p.raw.get("extracted_license_statement", p.raw.get("declared_license"))
    if value is None or isinstance(value, str):
        return p.text("extracted_license_statement", value)
    return json.dumps(value, sort_keys=True, default=str)[:20000]


def dependency_row(raw: Any, index: int) -> dict[str, Any]:
    """One top-level ``dependencies[index]`` entry (``package_id`` filled by the writer)."""
    if not isinstance(raw, dict):
        raise InputError(f"dependencies[{index}]: expected an object, got {type(raw).__name__}")
    d = Field(raw, f"dependencies[{index}]")
    return {
        "dependency_uid": d.text("dependency_uid"),
        "for_package_uid": d.text("for_package_uid"),
        "purl": d.text("purl"),
        "extracted_requirement": d.text("extracted_requirement"),
        "scope": d.text("scope"),
        "is_runtime": d.flag("is_runtime"),
        "is_optional": d.flag("is_optional"),
        "is_pinned": d.flag("is_pinned"),
        "is_direct": True if raw.get("is_direct") is None else d.flag("is_direct"),
        "datafile_path": d.text("datafile_path"),
        "datasource_id": d.text("datasource_id"),
    }


def file_packages(f: Field, path: str) -> tuple[list[str], list[ManifestRecord]]:
    """A file's ``for_packages`` uids and its manifest records (``package_data`` or 1.x/2.x
    ``packages``)."""
    raw = f.raw
    uids = raw.get("for_packages")
    if type(uids) is list and all(type(uid) is str for uid in uids):
        for_packages: list[str] = uids  # the common case, checked at C speed
    else:
        for_packages = [clean_text(u) for u in f.items("for_packages") if isinstance(u, str)]
    if not raw.get("package_data") and not raw.get("packages"):
        return for_packages, []
    manifests = []
    for position, raw in enumerate(f.items("package_data")):
        m = Field(f.mapping("package_data", raw), f"{f.where} package_data[{position}]")
        manifests.append(ManifestRecord(_manifest_columns(m), legacy=False))
    for position, raw in enumerate(f.items("packages")):
        where = f"{f.where} packages"
        m = Field(f.mapping("packages", raw), f"{where}[{position}]")
        package = package_row(raw, position, where=where)
        package["package_uid"] = f"{package['package_uid']}#{path}"
        package["datafile_paths_json"] = json.dumps([path])
        manifests.append(ManifestRecord(_manifest_columns(m), legacy=True, package=package))
    return for_packages, manifests


def _manifest_columns(m: Field) -> dict[str, Any]:
    expression, spdx = _declared(m)
    dependencies = m.raw.get("dependencies")
    return {
        **_names(m),
        "purl": _purl_of(m),
        "datasource_id": m.text("datasource_id"),
        "declared_license_expression": expression,
        "declared_license_expression_spdx": spdx,
        "dependencies_count": len(dependencies) if isinstance(dependencies, list | dict) else 0,
    }


def summary_row(raw: Any) -> dict[str, Any]:
    """The scan ``summary``; ``license_clarity_score`` is an object (32.x) or a bare number."""
    if not isinstance(raw, dict):
        raise InputError(f"summary: expected an object, got {type(raw).__name__}")
    s = Field(raw, "summary")
    clarity = raw.get("license_clarity_score")
    score = (
        s.integer("license_clarity_score", clarity.get("score"))
        if isinstance(clarity, dict)
        else s.integer("license_clarity_score")
    )
    declared = raw.get("declared_license_expression")
    return {
        "declared_license_expression": s.text("declared_license_expression")
        if not isinstance(declared, list)
        else None,
        "license_clarity_score": score,
        "declared_holder": s.text("declared_holder")
        if isinstance(raw.get("declared_holder"), str | None)
        else None,
        "primary_language": s.text("primary_language")
        if isinstance(raw.get("primary_language"), str | None)
        else None,
        "summary_json": json.dumps(raw, sort_keys=True, default=str)[:1_000_000],
    }


def parse_file_with_packages(raw: Any, index: int) -> FileRecord:
    """``parse_file`` plus the file's package fields."""
    record = parse_file(raw, index)
    if "for_packages" in raw or "package_data" in raw or "packages" in raw:
        where = f"files[{index}] ({record.path})"
        record.for_packages, record.manifests = file_packages(Field(raw, where), record.path)
    return record
