"""A review team on a real imported scan: one admin and one member per role, for the question,
member and role-enforcement tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ospo_tui.db import Database
from ospo_tui.models import LicenseDetection, ReviewItem
from ospo_tui.services.access.identity import resolve_actor
from ospo_tui.services.access.members import add_member
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.trail.chain import Actor
from tests.conftest import SCANCODE_FIXTURES

ZLIB_SCAN = SCANCODE_FIXTURES / "zlib-v32rc3.json"
ADMIN = Actor("root", "admin")
REVIEWER = Actor("rita", "reviewer")
ENGINEER = Actor("ed", "engineer")
OTHER_ENGINEER = Actor("eve", "engineer")
AUDITOR = Actor("alice", "auditor")
GUEST = Actor("mallory", "guest")


@dataclass(frozen=True)
class Team:
    scan_id: int
    item_id: int  # zlib-1.2.11/deflate.c: two detections
    path: str
    detection_ids: tuple[int, ...]
    other_item_id: int  # zlib-1.2.11/adler32.c
    other_detection_id: int


def make_team(db: Database) -> Team:
    with db.session() as session:
        assert resolve_actor(session, ADMIN.name) == ADMIN  # first user of the database
    for actor in (REVIEWER, ENGINEER, OTHER_ENGINEER, AUDITOR):
        add_member(db, ADMIN, actor.name, actor.role)
    result = import_scan_file(db, ZLIB_SCAN, project="zlib", actor=REVIEWER)
    with db.session() as session:

        def item(path: str) -> ReviewItem:
            found = session.scalar(
                select(ReviewItem).where(
                    ReviewItem.scan_id == result.scan_id, ReviewItem.path == path
                )
            )
            assert found is not None
            return found

        def detections(file_id: int) -> tuple[int, ...]:
            return tuple(
                session.scalars(
                    select(LicenseDetection.id)
                    .where(LicenseDetection.file_id == file_id)
                    .order_by(LicenseDetection.id)
                )
            )

        deflate, adler = item("zlib-1.2.11/deflate.c"), item("zlib-1.2.11/adler32.c")
        deflate_detections = detections(deflate.file_id)
        assert len(deflate_detections) == 2
        return Team(
            scan_id=result.scan_id,
            item_id=deflate.id,
            path=deflate.path,
            detection_ids=deflate_detections,
            other_item_id=adler.id,
            other_detection_id=detections(adler.file_id)[0],
        )


def denied_events(db: Database, action: str) -> int:
    from ospo_tui.models import AuditEvent

    with db.session() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "access.denied", AuditEvent.subject_id == action)
            )
            or 0
        )


def login_url(url: str, name: str, *, owner: bool = True) -> str:
    """``url`` as the login ``name``: on PostgreSQL the acting name is the login, so a test that
    acts as ``name`` connects as ``name`` (created once per server; with ``owner``, a member of
    the owning login, as an admin's login would be). SQLite URLs come back unchanged."""
    from sqlalchemy import create_engine, make_url
    from sqlalchemy.exc import DBAPIError

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    engine = create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            try:
                conn.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN')
            except DBAPIError:
                pass  # made by an earlier test (roles belong to the whole server)
            if owner:
                try:
                    conn.exec_driver_sql(f'GRANT "{parsed.username}" TO "{name}"')
                except DBAPIError:
                    pass  # granted by a concurrent test run a moment ago
    finally:
        engine.dispose()
    return parsed.set(username=name).render_as_string(hide_password=False)


def acting_as(url: str, name: str) -> list[str]:
    """The CLI's ``--db``/``--user`` for acting as ``name``: on PostgreSQL through its own login,
    since the acting name is the login there."""
    return ["--db", login_url(url, name), "--user", name]
