"""A file whose expression names 400 licenses, and a 4 kB path, import and show everywhere.

PostgreSQL caps a btree index entry at 2,704 bytes: the expression indexes once made such an
import fail on PostgreSQL (SQLite took it). Now they hold only the values that fit (migration
0009) and the queries that read them add the long values; these tests import such a scan on
both backends and find the file through every way a reviewer looks for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from license_expression import get_spdx_licensing
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ospo_tui.cli import main
from ospo_tui.db import Database, open_database
from ospo_tui.models import ReviewItem, Scan
from ospo_tui.models.indexed_text import LONG_TEXT_COLUMNS, LONG_TEXT_INDEX, statistics_name
from ospo_tui.services.export.run import run_export
from ospo_tui.services.licenses.license_db import license_catalog
from ospo_tui.services.licenses.spdx_validation import MAX_EXPRESSION
from ospo_tui.services.review import queue_text
from ospo_tui.services.review.bulk import BulkSelection, preview_bulk
from ospo_tui.services.review.dashboard import review_figures
from ospo_tui.services.review.decisions import decide
from ospo_tui.services.review.indexed_text import among
from ospo_tui.services.review.queue import QueueFilter, queue_count, queue_page, queue_search
from ospo_tui.services.review.review_scope import SCOPE_ALL
from tests.conftest import admin_reading
from tests.decision_helpers import RITA
from tests.export_helpers import parsed_spdx

LICENSES = 400
LIST_PATH = "licenses/all-of-them.txt"
# A path as deep trees make them (node_modules in node_modules), 4,064 bytes: under the limit.
LONG_PATH = (
    "/".join(
        ["vendor-bundle-node-modules-tree", "node_modules", "postcss-modules-local-by-default"] * 52
    )
    + "/index.js"
)


@dataclass(frozen=True)
class LongScan:
    db: Database
    scan_id: int
    keys: list[str]  # the ScanCode keys the long expression names
    ids: list[str]  # their SPDX ids
    expression: str
    spdx: str


def _listed_licenses() -> tuple[list[str], list[str]]:
    """400 ScanCode keys with their SPDX ids, all on the SPDX list (so exports validate), MIT
    and Apache-2.0 among them."""
    known = {symbol.key for symbol in get_spdx_licensing().known_symbols.values()}
    infos = sorted(
        (
            info
            for info in license_catalog().by_key.values()
            if info.spdx_license_key in known
            and not (info.is_exception or info.is_deprecated or info.is_unknown)
        ),
        key=lambda info: (info.key not in ("mit", "apache-2.0"), info.key),
    )[:LICENSES]
    assert len(infos) == LICENSES
    return [info.key for info in infos], [info.spdx_license_key for info in infos]


def _file(path: str, expression: str, spdx: str) -> dict[str, object]:
    match = {"license_expression": expression, "license_expression_spdx": spdx, "score": 90.0}
    detection = {"license_expression": expression, "license_expression_spdx": spdx}
    return {
        "path": path,
        "type": "file",
        "sha1": hashlib.sha1(path.encode()).hexdigest(),  # SPDX lists files with a SHA-1
        "size": 100,
        "detected_license_expression": expression,
        "detected_license_expression_spdx": spdx,
        "license_detections": [{**detection, "matches": [match]}],
    }


def _imported(db_url: str, tmp_path: Path) -> LongScan:
    keys, ids = _listed_licenses()
    expression, spdx = " OR ".join(keys), " OR ".join(ids)
    assert len(spdx.encode()) > 2 * 2704 and len(LONG_PATH.encode()) > 4000
    files = [
        _file("src/ok.c", "mit", "MIT"),
        _file(LIST_PATH, expression, spdx),
        _file(LONG_PATH, "mit", "MIT"),
        _file("src/other.c", "apache-2.0", "Apache-2.0"),
    ]
    scan_file = tmp_path / "scan.json"
    scan_file.write_text(json.dumps({"files": files}), encoding="utf-8")
    assert main(["--db", db_url, "import", str(scan_file), "--project", "p"]) == 0
    db = open_database(db_url)
    with db.session() as session:
        scan_id = session.scalars(select(Scan.id)).one()
    return LongScan(db, scan_id, keys, ids, expression, spdx)


@pytest.fixture
def long_scan(db_url: str, tmp_path: Path) -> Iterator[LongScan]:
    scan = _imported(db_url, tmp_path)
    yield scan
    scan.db.dispose()


def _paths(db: Database, flt: QueueFilter) -> list[str]:
    with admin_reading(db) as snapshot:
        rows = queue_page(snapshot, flt, limit=1000)
        assert queue_count(snapshot, flt) == len(rows)
    return [row.path for row in rows]


def _item_id(scan: LongScan, path: str) -> int:
    with scan.db.session() as session:
        return session.scalars(
            select(ReviewItem.id).where(ReviewItem.scan_id == scan.scan_id, ReviewItem.path == path)
        ).one()


def test_the_long_file_is_found_by_every_filter_and_search(long_scan: LongScan) -> None:
    scan_id, middle = long_scan.scan_id, long_scan.keys[LICENSES // 2]
    assert _paths(long_scan.db, QueueFilter(scan_id, license=middle)) == [LIST_PATH]
    assert _paths(long_scan.db, QueueFilter(scan_id, license_key=middle)) == [LIST_PATH]
    assert _paths(long_scan.db, QueueFilter(scan_id, text=middle.upper())) == [LIST_PATH]
    assert set(_paths(long_scan.db, QueueFilter(scan_id, license="mit"))) >= {LIST_PATH, LONG_PATH}
    assert _paths(long_scan.db, QueueFilter(scan_id, text="postcss-modules")) == [LONG_PATH]
    assert _paths(long_scan.db, QueueFilter(scan_id, path_glob="vendor-bundle*.js")) == [LONG_PATH]
    assert len(_paths(long_scan.db, QueueFilter(scan_id, scope=SCOPE_ALL))) == 4
    with admin_reading(long_scan.db) as snapshot:
        found = queue_search(snapshot, QueueFilter(scan_id), middle, start=None)
        assert found is not None and found.path == LIST_PATH
        found = queue_search(snapshot, QueueFilter(scan_id), "local-by-default", start=None)
        assert found is not None and found.path == LONG_PATH
        for target in (ReviewItem.detected_expression, ReviewItem.detected_spdx):
            listed = queue_text.distinct_values(snapshot.session, scan_id, target)
            assert listed is not None and len(listed) == 3
            assert long_scan.expression in listed or long_scan.spdx in listed


def _typed_expression(scan: LongScan) -> str:
    """What a reviewer may type (2,000 characters at most): ScanCode keys, each of which the
    canonical form spells ``LicenseRef-scancode-KEY``, so the stored expression is longer."""
    typed = ""
    for key, spdx_id in zip(scan.keys, scan.ids, strict=True):
        if spdx_id.startswith("LicenseRef-") and len(typed) + len(key) + 4 <= MAX_EXPRESSION:
            typed = f"{typed} OR {key}" if typed else key
    return typed


def _concluded(scan: LongScan, path: str) -> str:
    with scan.db.session() as session:
        return session.scalars(
            select(ReviewItem.concluded_expression).where(ReviewItem.id == _item_id(scan, path))
        ).one()


def test_a_long_concluded_expression_is_stored_and_found(long_scan: LongScan) -> None:
    """A reviewer concludes a long list on a short file: the concluded index takes it."""
    typed = _typed_expression(long_scan)
    decide(long_scan.db, RITA, _item_id(long_scan, "src/ok.c"), None, typed, "identified")
    concluded = _concluded(long_scan, "src/ok.c")
    assert len(concluded.encode()) > 2704  # else this test no longer tests what it says
    last = typed.rsplit(" OR ", 1)[-1]
    both = {"src/ok.c", LIST_PATH}
    assert set(_paths(long_scan.db, QueueFilter(long_scan.scan_id, license=last))) == both
    # Free text looks in the concluded and SPDX expressions, not in ScanCode's keys.
    assert set(_paths(long_scan.db, QueueFilter(long_scan.scan_id, text=f"-{last}"))) == both
    with admin_reading(long_scan.db) as snapshot:
        target = ReviewItem.concluded_expression
        listed = queue_text.distinct_values(snapshot.session, long_scan.scan_id, target)
        assert listed == [concluded]


def test_a_bulk_by_the_long_expression_selects_its_file(long_scan: LongScan) -> None:
    for expression in (long_scan.expression, long_scan.spdx):
        selection = BulkSelection(long_scan.scan_id, same_expression=expression)
        with admin_reading(long_scan.db) as snapshot:
            preview = preview_bulk(snapshot, selection)
        assert (preview.files, preview.sample_paths) == (1, (LIST_PATH,))


def test_the_dashboard_counts_the_long_file(long_scan: LongScan) -> None:
    with admin_reading(long_scan.db) as snapshot:
        figures = review_figures(snapshot, long_scan.scan_id)
    assert figures.total == 4
    bars = {bar.filter["license_key"]: bar.count for bar in figures.licenses}
    assert bars["mit"] == 3 and bars["apache-2.0"] == 2  # both are in the long list too


def test_exports_of_the_long_file_validate(long_scan: LongScan, tmp_path: Path) -> None:
    typed = _typed_expression(long_scan)
    decide(long_scan.db, RITA, _item_id(long_scan, LIST_PATH), None, typed, "identified")
    for name in ("bom.spdx.json", "bom.spdx"):
        assert run_export(long_scan.db, RITA, "spdx", tmp_path / name)
        files = {f.name: f for f in parsed_spdx(tmp_path / name).files}
        assert {"./" + LIST_PATH, "./" + LONG_PATH} <= files.keys()
    run_export(long_scan.db, RITA, "cyclonedx", tmp_path / "bom.cdx.json")
    text = (tmp_path / "bom.cdx.json").read_text(encoding="utf-8")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    names = {component["name"] for component in json.loads(text)["components"]}
    assert {LIST_PATH, LONG_PATH} <= names


def _plan(session: Session, query: Any) -> str:
    """The plan PostgreSQL ran (EXPLAIN alone leaves out the walk's steps after the first)."""
    sql = query.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    return "\n".join(session.execute(text(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")).scalars())


def test_postgresql_seeks_the_partial_indexes(pg_url: str, tmp_path: Path) -> None:
    """Each query says the value fits (or does not), so PostgreSQL may seek the partial index
    (or the long texts' index); statistics over the lengths keep its row estimates true."""
    scan = _imported(pg_url, tmp_path)
    with scan.db.engine.connect() as conn, Session(bind=conn) as session:
        # In this transaction only: no seq scan, and no other index that leads with scan_id.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        for other in ("queue", "state", "all", "dir"):
            session.execute(text(f"DROP INDEX ix_review_items_{other}"))
        for target, index in (
            (ReviewItem.detected_spdx, "ix_review_items_spdx"),
            (ReviewItem.concluded_expression, "ix_review_items_concluded"),
        ):
            walk = queue_text._value_steps(scan.scan_id, target).c.value
            plan = _plan(session, select(walk).where(walk.is_not(None)))  # first, then next
            assert plan.count(f"using {index}") == 2 and "Seq Scan" not in plan, plan
            rows = select(ReviewItem.id).where(
                ReviewItem.scan_id == scan.scan_id, among(target, ["MIT", scan.spdx])
            )
            plan = _plan(session, rows)
            assert index in plan and LONG_TEXT_INDEX in plan and "Seq Scan" not in plan, plan
        named = session.scalars(
            text("SELECT stxname FROM pg_statistic_ext WHERE stxname LIKE 'st_review_items_%'")
        )
        assert sorted(named) == sorted(statistics_name(c) for c in LONG_TEXT_COLUMNS)
        session.rollback()
    scan.db.dispose()


def _incompressible_path(size: int) -> str:
    """A path of ``size`` bytes that does not compress: hex digests, 60 to a directory."""
    parts: list[str] = []
    while len("/".join(parts)) < size:
        parts.append(hashlib.sha256(str(len(parts)).encode()).hexdigest()[:60])
    return "/".join(parts)[: size - 2] + ".c"


def _import_path(db_url: str, tmp_path: Path, path: str) -> int:
    scan_file = tmp_path / "scan.json"
    files = [_file("src/ok.c", "mit", "MIT"), _file(path, "mit", "MIT")]
    scan_file.write_text(json.dumps({"files": files}), encoding="utf-8")
    return main(["--db", db_url, "import", str(scan_file), "--project", "p"])


def test_a_path_that_does_not_compress_fits_up_to_2600_bytes(db_url: str, tmp_path: Path) -> None:
    path = _incompressible_path(2600)
    assert _import_path(db_url, tmp_path, path) == 0
    db = open_database(db_url)
    assert _paths(db, QueueFilter(1, text=path[-20:])) == [path]
    db.dispose()


def test_a_longer_path_that_does_not_compress_is_refused_by_postgresql(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Known limit: PostgreSQL compresses a long path before it indexes it, so the deep trees
    of real projects fit (LONG_PATH, 4 kB), but 4 kB of hex digests does not fit the path
    indexes (the unique path of the scan, the queue's order): the import is refused in one
    line and writes nothing. SQLite takes it."""
    code = _import_path(db_url, tmp_path, _incompressible_path(4000))
    db = open_database(db_url)
    with db.session() as session:
        scans = session.scalars(select(Scan.id)).all()
    db.dispose()
    if db_url.startswith("sqlite"):
        assert code == 0 and len(scans) == 1
        return
    err = capsys.readouterr().err
    assert code == 2 and not scans
    assert "index row size" in err and err.count("\n") == 1, err[:300]
