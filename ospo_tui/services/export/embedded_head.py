"""The chain head every export carries, and finding it again in an export file.

Each export states the head of the audit chain it was made at, in one fixed line
(``ospo-tui audit chain head: event N <sha256>``) placed where its format allows a note: the SPDX
document comment, a CycloneDX metadata property, the attribution notice's header, the XLSX
workbook's description; the JSON decision log has its ``chain_head`` member. An export someone
kept is then a checkpoint: ``audit verify --export FILE`` fails once the chain no longer holds
that head (events cut from the end, or the chain rewritten with recomputed hashes).
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.errors import InputError
from ospo_tui.models import AuditEvent
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.audit.heads import ChainHead, head_problem
from ospo_tui.services.audit.verify import verify_trail
from ospo_tui.services.ingest.content_hash import file_sha256
from ospo_tui.services.trail.chain import chain_head

HEAD_LABEL = "ospo-tui audit chain head"
_HEAD = re.compile(rb"ospo-tui audit chain head: event (\d+) ([0-9a-f]{64})")
_CHUNK = 1 << 20


def head_note(session: Session) -> str:
    """The line an export embeds, read in the export's own snapshot."""
    seq, digest = chain_head(session)
    return f"{HEAD_LABEL}: event {seq} {digest}"


def _heads_in(chunks: list[bytes] | zipfile.ZipFile) -> set[ChainHead]:
    found: set[ChainHead] = set()
    if isinstance(chunks, zipfile.ZipFile):
        for name in chunks.namelist():
            found |= _heads_in([chunks.read(name)])
        return found
    for chunk in chunks:
        found |= {ChainHead(int(m[1]), m[2].decode()) for m in _HEAD.finditer(chunk)}
    return found


def _read_chunks(path: Path) -> set[ChainHead]:
    """Every head the file states, read in overlapping chunks so a line is never split."""
    found: set[ChainHead] = set()
    overlap = b""
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            found |= _heads_in([overlap + block])
            overlap = block[-200:]
    return found


def embedded_head(path: Path) -> ChainHead:
    """The head an export file states; InputError when it states none, or several."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as book:
                heads = _heads_in(book)
        else:
            heads = _read_chunks(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: cannot read the export ({exc})") from None
    if not heads:
        raise InputError(f"{path}: names no audit chain head (not an ospo-tui export?)")
    if len(heads) > 1:
        shown = ", ".join(str(h.seq) for h in sorted(heads, key=lambda h: h.seq))
        raise InputError(f"{path}: names several audit chain heads (events {shown})")
    return heads.pop()


def _exported(session: Session, digest: str) -> int | None:
    """The export event that recorded a file with this SHA-256, if any."""
    query = select(AuditEvent.seq, AuditEvent.payload).where(AuditEvent.action.like("export.%"))
    for seq, payload in session.execute(query):
        if json.loads(payload).get("sha256") == digest:
            return int(seq)
    return None


@dataclass(frozen=True)
class ExportCheck:
    head: ChainHead
    export_event: int | None
    problems: tuple[str, ...]


def check_export(snapshot: Reading, path: Path) -> ExportCheck:
    """Is the export's head still in the chain (which must verify), and is the file the one
    its ``export.*`` event recorded?"""
    head = embedded_head(path)
    session = snapshot.session
    result = verify_trail(snapshot)
    problems = [] if result.ok else [f"the database's own trail: {result.problem}"]
    if result.first_break is None:
        cut = head_problem(session, head, result)
        problems += [f"audit chain broken at event {head.seq}: {cut}"] if cut else []
    event = _exported(session, file_sha256(path))
    if event is None:
        problems.append(
            "no export event of the chain recorded this file's SHA-256: it was changed after "
            "it was exported, or it was not exported from this database"
        )
    return ExportCheck(head, event, tuple(problems))
