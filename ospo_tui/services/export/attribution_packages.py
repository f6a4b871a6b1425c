"""The packages part of the attribution notice: per package, its license, holder, and its own
license and notice files (ScanCode's ``is_legal`` files among those that belong to it).

The license is the reviewer's concluded one when the package is decided, else the declared one,
marked as such, so a notice never presents a manifest's claim as a reviewed conclusion.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.models import PackageFile, ScannedFile, ScanPackage
from ospo_tui.safe_text import clean


@dataclass(frozen=True)
class PackageNotice:
    label: str
    license: str
    homepage: str | None
    holder: str | None
    copyright: str | None
    legal_files: tuple[str, ...]
    notice_text: str | None


def package_notices(session: Session, scan_id: int) -> list[PackageNotice]:
    legal: dict[int, list[str]] = defaultdict(list)
    for package_id, path in session.execute(
        select(PackageFile.package_id, ScannedFile.path)
        .join(ScannedFile, ScannedFile.id == PackageFile.file_id)
        .join(ScanPackage, ScanPackage.id == PackageFile.package_id)
        .where(ScanPackage.scan_id == scan_id, ScannedFile.is_legal)
        .order_by(ScannedFile.path)
    ):
        legal[package_id].append(path)
    notices = []
    for p in session.scalars(
        select(ScanPackage).where(ScanPackage.scan_id == scan_id).order_by(ScanPackage.purl)
    ):
        if p.state == "decided" and p.concluded_expression:
            license = f"{p.concluded_expression} (concluded by review)"
        elif p.declared_license_expression_spdx:
            license = f"{p.declared_license_expression_spdx} (declared, not reviewed yet)"
        else:
            license = "NOASSERTION (no license declared, not reviewed yet)"
        notices.append(
            PackageNotice(
                label=p.purl or p.name or f"package {p.id}",
                license=license,
                homepage=p.homepage_url,
                holder=p.holder,
                copyright=p.copyright,
                legal_files=tuple(legal[p.id]),
                notice_text=p.notice_text,
            )
        )
    return notices


def _lines(notice: PackageNotice) -> list[tuple[str, str]]:
    pairs = [("License", notice.license)]
    pairs += [
        (label, value)
        for label, value in (
            ("Homepage", notice.homepage),
            ("Copyright", notice.copyright),
            ("Holder", notice.holder),
        )
        if value
    ]
    return pairs


def write_packages_text(out: TextIO, notices: list[PackageNotice], rule: str) -> None:
    if not notices:
        return
    out.write(f"\n{rule}\nPackages ({len(notices)})\n{rule}\n")
    for notice in notices:
        out.write(f"\nPackage: {clean(notice.label, single_line=True)}\n")
        for label, value in _lines(notice):
            out.write(f"  {label}: {clean(value, single_line=True)}\n")
        if notice.legal_files:
            out.write("  Its license and notice files:\n")
            for path in notice.legal_files:
                out.write(f"    {clean(path, single_line=True)}\n")
        if notice.notice_text:
            out.write("  Notice:\n" + clean(notice.notice_text).rstrip("\n") + "\n")


def write_packages_html(out: TextIO, notices: list[PackageNotice]) -> None:
    if not notices:
        return

    def e(value: object) -> str:
        return html.escape(clean(value), quote=True)

    out.write(f'<section id="packages">\n<h2>Packages ({len(notices)})</h2>\n')
    for notice in notices:
        out.write(f"<h3>Package: {e(notice.label)}</h3>\n<ul>\n")
        for label, value in _lines(notice):
            out.write(f"<li>{e(label)}: {e(value)}</li>\n")
        for path in notice.legal_files:
            out.write(f"<li>License or notice file: <code>{e(path)}</code></li>\n")
        out.write("</ul>\n")
        if notice.notice_text:
            out.write(f"<pre>{e(notice.notice_text)}</pre>\n")
    out.write("</section>\n")
