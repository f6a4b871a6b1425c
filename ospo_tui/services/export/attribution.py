"""The attribution notice a release ships: per concluded license, its files, holders and text.

Only files whose current decision says they ship are listed; files decided irrelevant, do not
use or non-functional are left out, and files still undecided (or to be discussed) are counted
in the header so a release manager sees the gap instead of a silently short notice.

When the scanned tree is known, the notice carries the project's own license and notice files
verbatim (see ``project_notices``), and each license points at the files that hold it; only a
license no project file holds gets ScanCode's database text, and the notice says so.

Everything in it (paths, holders, license texts) is untrusted: the text form has control and
bidi characters replaced, the HTML form escapes every value.
"""

from __future__ import annotations

import hashlib
import html
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO

from license_expression import ExpressionError, Licensing
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.errors import InputError
from ospo_tui.safe_text import clean
from ospo_tui.services.export.attribution_packages import (
    PackageNotice,
    package_notices,
    write_packages_html,
    write_packages_text,
)
from ospo_tui.services.export.embedded_head import head_note
from ospo_tui.services.export.license_texts import catalog_license_text, scan_license_texts
from ospo_tui.services.export.output import Progress, reporting
from ospo_tui.services.export.project_notices import legal_files, read_legal_texts, scan_root
from ospo_tui.services.export.records import count_files, iter_files
from ospo_tui.services.export.scope import ExportScope
from ospo_tui.services.licenses.custom import custom_licenses
from ospo_tui.services.licenses.license_db import license_catalog
from ospo_tui.wording import plural

_licensing = Licensing()


@dataclass
class _Group:
    expression: str
    paths: list[str] = field(default_factory=list)
    holders: dict[str, None] = field(default_factory=dict)


@dataclass
class _Tally:
    shipped: int = 0
    not_shipped: int = 0
    undecided: int = 0

    @property
    def total(self) -> int:
        return self.shipped + self.not_shipped + self.undecided


def _keys(expression: str) -> list[str]:
    if expression.upper() in ("NONE", "NOASSERTION"):
        return []
    try:
        parsed = _licensing.parse(expression, simple=True)
        return list(dict.fromkeys(_licensing.license_keys(parsed)))
    except ExpressionError:
        return []


class _Texts:
    """License names and texts: the project's own files, the scan's references, ScanCode's DB."""

    def __init__(self, session: Session, scan_id: int) -> None:
        self.scan = scan_license_texts(session, scan_id)
        self.chain_head = head_note(session)  # the header states it: see embedded_head
        self.custom = custom_licenses(session)
        root = scan_root(session, scan_id)
        self.tree_known = bool(root and os.path.isdir(root))
        files = legal_files(session, scan_id) if root and self.tree_known else []
        self.project = list(read_legal_texts(root, files)) if root else []
        self.holders: dict[str, list[str]] = {}  # ScanCode key -> project files holding it
        for legal in self.project:
            if legal.text is not None:
                for key in legal.file.license_ids:
                    self.holders.setdefault(key, []).append(legal.file.path)

    def project_files(self, key: str) -> list[str]:
        info = license_catalog().get(key)
        return self.holders.get(info.key if info else key.lower(), [])

    def source_line(self) -> str:
        if not self.tree_known:
            return (
                "License texts: the scanned tree is not known (imported without --root), so they "
                "come from ScanCode's license database, not from the project's own files."
            )
        return (
            f"License texts: the project's own license and notice files "
            f"({len(self.project)} found, printed at the end); ScanCode's license database only "
            "for a license no project file holds, marked as such."
        )

    def name_and_text(self, key: str) -> tuple[str, str | None]:
        own = self.custom.get(key.lower())
        if own is not None:
            return own.name, own.text
        info = license_catalog().get(key)
        name, text = self.scan.get(key.lower()) or (
            self.scan.get(info.key.lower(), (None, None)) if info else (None, None)
        )
        if not text and info is not None:
            text = catalog_license_text(info.key)
        return name or (info.name if info else key), text


def _collect(
    session: Session, scope: ExportScope, progress: Progress | None
) -> tuple[dict[str, _Group], _Tally]:
    total = count_files(session, scope.scan_id)
    groups: dict[str, _Group] = {}
    tally = _Tally()
    for record in reporting(iter_files(session, scope.scan_id), total, progress, every=1000):
        if not record.is_decided:
            tally.undecided += 1
        elif not record.is_shipped:
            tally.not_shipped += 1
        else:
            tally.shipped += 1
            expression = record.concluded_expression or "NOASSERTION"
            group = groups.setdefault(expression, _Group(expression))
            group.paths.append(record.path)
            holders = record.copyright_values("holder") or record.copyright_values()
            group.holders.update((h, None) for h in holders)
    return groups, tally


def _header_lines(scope: ExportScope, tally: _Tally, texts: _Texts) -> list[str]:
    lines = [
        f"Project: {scope.project} (scan {scope.scan_id}), generated {utc_now()} by ospo-tui",
        # Exports cover every file of the scan, found or not: say so, as the TUI names its scope.
        f"Scope: all files of the scan ({plural(tally.total, 'file')}, with or without findings)",
        texts.chain_head,
        f"Files shipped and attributed: {tally.shipped}",
        f"Files left out as not shipped (irrelevant, do not use, non-functional): "
        f"{tally.not_shipped}",
    ]
    if tally.undecided:
        lines.append(
            f"WARNING: {tally.undecided} of the {plural(tally.total, 'file')} (all files) are not"
            " decided yet (or to be discussed) and are not listed: this notice is incomplete"
            " until they are reviewed."
        )
    lines.append(texts.source_line())
    return lines


def write_attribution(
    session: Session,
    scope: ExportScope,
    out: TextIO,
    *,
    fmt: str,
    progress: Progress | None = None,
) -> int:
    """Write the notice as ``text`` or ``html``; returns the number of files attributed."""
    if fmt not in ("text", "html"):
        raise InputError(f"the attribution notice is written as text or html, not {fmt!r}")
    groups, tally = _collect(session, scope, progress)
    texts = _Texts(session, scope.scan_id)
    ordered = sorted(groups.values(), key=lambda g: g.expression.lower())
    packages = package_notices(session, scope.scan_id)
    if fmt == "html":
        _write_html(out, scope, tally, ordered, texts, packages)
    else:
        _write_text(out, scope, tally, ordered, texts, packages)
    return tally.shipped


def _write_text(
    out: TextIO,
    scope: ExportScope,
    tally: _Tally,
    groups: Iterable[_Group],
    texts: _Texts,
    packages: list[PackageNotice],
) -> None:
    rule = "=" * 78
    out.write("ATTRIBUTION NOTICE\n\n")
    for line in _header_lines(scope, tally, texts):
        out.write(clean(line) + "\n")
    write_packages_text(out, packages, rule)
    printed: set[str] = set()
    for group in groups:
        out.write(f"\n{rule}\nLicense: {clean(group.expression, single_line=True)}\n{rule}\n\n")
        out.write(f"Files ({len(group.paths)}):\n")
        for path in group.paths:
            out.write(f"  {clean(path, single_line=True)}\n")
        if group.holders:
            out.write("\nCopyright holders:\n")
            for holder in group.holders:
                out.write(f"  {clean(holder, single_line=True)}\n")
        for key in _keys(group.expression):
            name, text = texts.name_and_text(key)
            heading = f"{clean(name, single_line=True)} ({clean(key, single_line=True)})"
            own = texts.project_files(key)
            if own:
                shown = ", ".join(clean(p, single_line=True) for p in own)
                out.write(f"\nLicense text of {heading}: the project's own {shown}, below.\n")
                continue
            if key.lower() in printed:
                out.write(f"\nLicense text of {heading}: printed above.\n")
                continue
            printed.add(key.lower())
            out.write(f"\nLicense text of {heading}, {_fallback(texts, key)}:\n\n")
            out.write(clean(text or "(license text not available)").rstrip("\n") + "\n")
    _write_project_text(out, texts, rule)


def _fallback(texts: _Texts, key: str) -> str:
    if key.lower() in texts.custom:
        return "as registered in ospo-tui (ospo-tui license add)"
    if texts.tree_known:
        return "from ScanCode's license database (no file of the project holds this license)"
    return "from ScanCode's license database (the scanned tree is not known)"


def _write_project_text(out: TextIO, texts: _Texts, rule: str) -> None:
    if not texts.project:
        return
    out.write(f"\n{rule}\nThe project's own license and notice files\n{rule}\n")
    for legal in texts.project:
        out.write(f"\n--- {clean(legal.file.path, single_line=True)}")
        if legal.file.expression:
            out.write(f" ({clean(legal.file.expression, single_line=True)})")
        out.write(" ---\n")
        if legal.problem:
            out.write(f"({clean(legal.problem, single_line=True)})\n")
        if legal.text is not None:
            out.write(clean(legal.text).rstrip("\n") + "\n")


def _write_html(
    out: TextIO,
    scope: ExportScope,
    tally: _Tally,
    groups: Iterable[_Group],
    texts: _Texts,
    packages: list[PackageNotice],
) -> None:
    def e(value: object) -> str:
        return html.escape(clean(value), quote=True)

    out.write(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Attribution notice: {e(scope.project)}</title>\n"
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "pre{white-space:pre-wrap;background:#f6f6f6;padding:1em}"
        ".warning{color:#a00;font-weight:bold}</style>\n</head>\n<body>\n"
        "<h1>Attribution notice</h1>\n"
    )
    for line in _header_lines(scope, tally, texts):
        css = ' class="warning"' if line.startswith("WARNING") else ""
        out.write(f"<p{css}>{e(line)}</p>\n")
    write_packages_html(out, packages)
    printed: set[str] = set()
    for number, group in enumerate(groups, start=1):
        out.write(f'<section id="license-{number}">\n<h2>{e(group.expression)}</h2>\n')
        out.write(f"<h3>Files ({len(group.paths)})</h3>\n<ul>\n")
        for path in group.paths:
            out.write(f"<li><code>{e(path)}</code></li>\n")
        out.write("</ul>\n")
        if group.holders:
            out.write("<h3>Copyright holders</h3>\n<ul>\n")
            for holder in group.holders:
                out.write(f"<li>{e(holder)}</li>\n")
            out.write("</ul>\n")
        for key in _keys(group.expression):
            name, text = texts.name_and_text(key)
            anchor = "text-" + "".join(c if c.isalnum() else "-" for c in key.lower())
            own = texts.project_files(key)
            if own:
                links = ", ".join(
                    f'<a href="#{_file_anchor(p)}"><code>{e(p)}</code></a>' for p in own
                )
                out.write(f"<p>License text of {e(name)}: the project's own {links}.</p>\n")
                continue
            if key.lower() in printed:
                out.write(f'<p>License text of {e(name)}: <a href="#{anchor}">above</a>.</p>\n')
                continue
            printed.add(key.lower())
            out.write(f'<h3 id="{anchor}">License text of {e(name)} ({e(key)})</h3>\n')
            out.write(f"<p>{e(_fallback(texts, key))}</p>\n")
            out.write(f"<pre>{e(text or '(license text not available)')}</pre>\n")
        out.write("</section>\n")
    _write_project_html(out, texts, e)
    out.write("</body>\n</html>\n")


def _write_project_html(out: TextIO, texts: _Texts, e: Callable[[object], str]) -> None:
    if not texts.project:
        return
    out.write("<section>\n<h2>The project's own license and notice files</h2>\n")
    for legal in texts.project:
        expression = f" ({e(legal.file.expression)})" if legal.file.expression else ""
        out.write(f'<h3 id="{_file_anchor(legal.file.path)}"><code>{e(legal.file.path)}</code>')
        out.write(f"{expression}</h3>\n")
        if legal.problem:
            out.write(f"<p>{e(legal.problem)}</p>\n")
        if legal.text is not None:
            out.write(f"<pre>{e(legal.text)}</pre>\n")
    out.write("</section>\n")


def _file_anchor(path: str) -> str:
    return "file-" + hashlib.sha256(path.encode()).hexdigest()[:16]
