"""The project's own license and notice files, which an attribution notice must carry verbatim.

A generic license text from ScanCode's database is not the project's license: it lacks the
copyright line, and an Apache ``NOTICE`` file exists nowhere else. The legal files are the
ones ScanCode marks ``is_legal`` (``--classify``) or, since many scans run without it, whose
name ScanCode's classifier would mark: starting or ending with ``license``, ``notice``,
``copying`` and the like (``summarycode/classify.py``). Their text is read from the scanned tree,
inside the scan's root only, when the scan was imported with ``--root`` or made by ``scan``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ospo_tui.models import Scan, ScannedFile
from ospo_tui.services.licenses.exceptions import attach_exceptions
from ospo_tui.services.licenses.expressions import license_keys, scancode_to_spdx
from ospo_tui.services.licenses.license_db import license_catalog
from ospo_tui.services.review.inspector import read_scanned_source

# ScanCode's LEGAL_STARTS_ENDS (summarycode/classify.py).
LEGAL_WORDS = (
    "copying",
    "copyright",
    "copyrights",
    "copyleft",
    "notice",
    "license",
    "licenses",
    "licence",
    "licences",
    "licensing",
    "licencing",
    "legal",
    "eula",
    "agreement",
    "patent",
    "patents",
)


def is_legal_name(name: str) -> bool:
    """ScanCode's rule: the name, or the name without its extension, starts or ends with a word."""
    lowered = name.lower()
    base = lowered.rsplit(".", 1)[0] if "." in lowered.lstrip(".") else lowered
    return any(n.startswith(LEGAL_WORDS) or n.endswith(LEGAL_WORDS) for n in (lowered, base))


@dataclass(frozen=True, slots=True)
class LegalFile:
    path: str
    expression: str | None  # detected, as valid SPDX
    license_ids: frozenset[str]  # lower-case ScanCode keys of the licenses it holds
    sha256: str | None
    sha1: str | None


def _license_ids(expression: str | None) -> frozenset[str]:
    catalog = license_catalog()
    found = set()
    for key in license_keys(expression):
        info = catalog.get(key)
        found.add(info.key if info else key.lower())
    return frozenset(found)


def scan_root(session: Session, scan_id: int) -> str | None:
    return session.scalar(select(Scan.root).where(Scan.id == scan_id))


def legal_files(session: Session, scan_id: int) -> list[LegalFile]:
    """The scan's license and notice files, in path order."""
    lowered = func.lower(ScannedFile.name)
    rows = session.execute(
        select(
            ScannedFile.path,
            ScannedFile.name,
            ScannedFile.is_legal,
            ScannedFile.detected_license_expression_spdx,
            ScannedFile.detected_license_expression,
            ScannedFile.sha256,
            ScannedFile.sha1,
        )
        .where(
            ScannedFile.scan_id == scan_id,
            ScannedFile.type == "file",
            or_(ScannedFile.is_legal, *(lowered.contains(word) for word in LEGAL_WORDS)),
        )
        .order_by(ScannedFile.path)
    ).all()
    found = []
    for path, name, flagged, spdx, scancode, sha256, sha1 in rows:
        if flagged or is_legal_name(name):
            detected = attach_exceptions(spdx) if spdx else None
            if detected is None and scancode:
                detected = scancode_to_spdx(attach_exceptions(scancode))
            found.append(LegalFile(path, detected, _license_ids(detected), sha256, sha1))
    return found


@dataclass(frozen=True, slots=True)
class LegalText:
    file: LegalFile
    text: str | None
    problem: str | None  # why there is no text, or that the file changed since the scan


def read_legal_texts(root: str, files: list[LegalFile]) -> Iterator[LegalText]:
    """Each legal file's text from the scanned tree, one at a time (never all in memory)."""
    for legal in files:
        source = read_scanned_source(root, legal.path, sha256=legal.sha256, sha1=legal.sha1)
        problem = source.reason
        if source.text is not None and source.differs:
            problem = "the file on disk changed since the scan"
        yield LegalText(legal, source.text, problem)
