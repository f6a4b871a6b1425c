"""The SHA-256 of a file's bytes: how an imported scan, a scanned file and an export are known.

The importer refuses a scan file already imported (same digest), the scan engine keys cached
results on it, and every export records the digest of what it wrote in the audit trail.
"""

from __future__ import annotations

import hashlib
import os


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex digest of the file at ``path``, read in chunks so memory stays flat."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
