"""A reviewed zlib scan for the export tests: decisions of every type, made by the real services."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.model import Document
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from ospo_tui.db import Database
from ospo_tui.services.review.bulk import BulkSelection, apply_bulk
from ospo_tui.services.review.decisions import decide
from tests.decision_helpers import RITA, import_zlib, item

ZLIB_H = "zlib-1.2.11/zlib.h"
ADLER = "zlib-1.2.11/adler32.c"
FAQ = "zlib-1.2.11/FAQ"
README_CONTRIB = "zlib-1.2.11/contrib/README.contrib"
ADA = "zlib-1.2.11/contrib/ada/zlib.ads"
HOSTILE_NOTE = '=HYPERLINK("http://evil") \x1b[31m<script>alert(1)</script>'
PRIVATE = "ask legal: the vendor said so on the phone"


def parsed_spdx(path: Path) -> Document:
    """Parse an SPDX document (JSON or tag-value) with spdx-tools and assert its validator is silent.

    spdx-tools' tag-value parser builds a new ``Licensing`` (the whole SPDX list) for every
    license field: 70 s for one 1,200-file document. Its JSON parser and its validator share one
    ``spdx_licensing``; the tag-value parser is given that same object here, so the parse and the
    verdict are unchanged and only the rebuilding goes.
    """
    target = "spdx_tools.spdx.parser.tagvalue.parser.get_spdx_licensing"
    with mock.patch(target, return_value=spdx_licensing):
        document = parse_file(str(path))
    messages = validate_full_spdx_document(document)
    assert not messages, [m.validation_message for m in messages][:5]
    return document


@dataclass(frozen=True)
class Reviewed:
    scan_id: int
    bulk_id: str


def reviewed_zlib(db: Database) -> Reviewed:
    """zlib with: identified (twice, superseding), irrelevant, do-not-use, to-discuss, a bulk."""
    scan_id = import_zlib(db)
    decide(
        db,
        RITA,
        item(db, scan_id, ZLIB_H).id,
        None,
        "Zlib",
        "identified",
        public_note="checked the header",
    )
    decide(
        db,
        RITA,
        item(db, scan_id, ZLIB_H).id,
        None,
        "Zlib AND LicenseRef-scancode-public-domain",
        "identified",
        reason="code",
        public_note=HOSTILE_NOTE,
        private_comment=PRIVATE,
    )
    decide(
        db, RITA, item(db, scan_id, FAQ).id, None, "NONE", "irrelevant", reason="documentation_of"
    )
    decide(db, RITA, item(db, scan_id, ADA).id, None, "GPL-2.0-or-later", "do_not_use")
    decide(db, RITA, item(db, scan_id, README_CONTRIB).id, None, "MIT", "to_discuss")
    bulk = apply_bulk(
        db,
        RITA,
        BulkSelection(scan_id, path_glob="zlib-1.2.11/contrib/blast/*"),
        "Zlib",
        "identified",
        public_note="blast is zlib-licensed",
    )
    decide(db, RITA, item(db, scan_id, ADLER).id, None, "Zlib", "non_functional")
    return Reviewed(scan_id, bulk.bulk_id)
