"""File checksums for SPDX: the scan's own, the empty-content constants, or the scanned tree's.

SPDX 2.3 requires a SHA-1 for every file, but ScanCode gives none to an empty file (``py.typed``,
an empty ``__init__.py``) even with ``--info``; the digests of empty content are constants. A
file whose checksum is truly unknown is hashed from the scanned tree when the scan's root is
known and the file there is still the one scanned (same size, same SHA-256 when the scan has
one). What is left is not a ``File`` element: it is listed in the package's
``packageVerificationCodeExcludedFiles`` (SPDX 2.3 §7.9) and named in the package comment.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.models import Scan, ScannedFile
from ospo_tui.services.review.inspector import resolve_inside_root
from ospo_tui.wording import plural

# SHA-1, SHA-256 and MD5 of zero bytes.
EMPTY_SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


@dataclass(frozen=True, slots=True)
class Digests:
    sha1: str
    sha256: str
    md5: str
    source: str  # "empty content" or "scanned tree"


EMPTY = Digests(EMPTY_SHA1, EMPTY_SHA256, EMPTY_MD5, "empty content")


def _from_tree(root: str, path: str, size: int | None, sha256: str | None) -> Digests | None:
    real = resolve_inside_root(root, path)
    if real is None:
        return None
    hashes = {name: hashlib.new(name, usedforsecurity=False) for name in ("sha1", "sha256", "md5")}
    length = 0
    try:
        with real.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                length += len(chunk)
                for digest in hashes.values():
                    digest.update(chunk)
    except OSError:
        return None
    found = {name: digest.hexdigest() for name, digest in hashes.items()}
    # A file changed since the scan is not the file the document describes.
    if (size is not None and size != length) or (sha256 and sha256 != found["sha256"]):
        return None
    return Digests(found["sha1"], found["sha256"], found["md5"], "scanned tree")


@dataclass(frozen=True)
class MissingChecksums:
    """Files of the scan without a SHA-1: filled in where possible, else left out of the files."""

    filled: dict[str, Digests]  # path -> digests
    unknown: tuple[str, ...]  # paths whose checksum cannot be known

    def comment(self) -> str | None:
        if not self.unknown:
            return None
        shown = ", ".join(self.unknown[:20]) + (" ..." if len(self.unknown) > 20 else "")
        return (
            f"{plural(len(self.unknown), 'file')} of the scan "
            f"{'has' if len(self.unknown) == 1 else 'have'} no checksum in the scan and could "
            "not be read from the scanned tree, so "
            f"{'it is' if len(self.unknown) == 1 else 'they are'} not listed as files and "
            f"excluded from the verification code: {shown}"
        )


def missing_checksums(session: Session, scan_id: int) -> MissingChecksums:
    """Every regular file without a SHA-1, with the digests it gets or the reason it gets none."""
    root = session.scalar(select(Scan.root).where(Scan.id == scan_id))
    rows = session.execute(
        select(ScannedFile.path, ScannedFile.size, ScannedFile.sha256)
        .where(
            ScannedFile.scan_id == scan_id, ScannedFile.type == "file", ScannedFile.sha1.is_(None)
        )
        .order_by(ScannedFile.path)
    ).all()
    filled: dict[str, Digests] = {}
    unknown: list[str] = []
    for path, size, sha256 in rows:
        digests = None
        if size == 0 and sha256 in (None, EMPTY_SHA256):
            digests = EMPTY
        elif root:
            digests = _from_tree(root, path, size, sha256)
        if digests is None:
            unknown.append(path)
        else:
            filled[path] = digests
    return MissingChecksums(filled, tuple(unknown))
