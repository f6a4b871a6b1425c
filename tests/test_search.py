"""Global search: the same hits on SQLite and PostgreSQL, the CLI's rows, and who may search."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, insert, make_url, select, text, update

from ospo_tui.cli import main
from ospo_tui.db import Database, open_database
from ospo_tui.errors import InputError, PermissionDenied
from ospo_tui.models import CopyrightStatement, LicenseReference, ReviewItem
from ospo_tui.models.search import DEFERRED_TABLE, SEARCHED_COLUMNS, fts_table
from ospo_tui.services.access.members import add_member
from ospo_tui.services.access.reading import reading
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.review.inspector import load_file_review
from ospo_tui.services.review.search import SearchHit, first_file_with_license, search
from ospo_tui.services.trail.chain import Actor
from tests.conftest import TEST_ADMIN, admin_reading, pg_server_url
from tests.tui_support import import_sample

# Cases, non-ASCII letters, LIKE wildcards and quotes: each must give the same hits on both
# backends.
QUERIES = [
    "permission is hereby",
    "PERMISSION IS HEREBY",
    "hynek",
    "six",
    ".py",
    "été",
    "ÉTÉ",
    "100%",
    "a_b",
    '"quoted"',
    "\\back",
    "ÖSTERREICH",
    "Licensed under the Apache License",
    "nowhere-to-be-found",
    # PostgreSQL searches with a regular expression: its special characters are plain text.
    "(c) 2020",
    "c++ [x]",
    "{1} $5 ^ |",
    "? * + .",
    "a.b",
    "b \\d",
]
ODD_VALUES = [
    "Copyright (c) 2020 Été Société",
    "Copyright 2021 ÉTÉ Labs, 100% owned",
    'Copyright a_b "quoted" \\back',
    "Copyright Österreich GmbH",
    "Copyright c++ [x] {1} $5 ^ | ? * + . (C) 2020 a-b \\d",
]


def _fill(db: Database) -> None:
    scan_id = import_sample(db)
    with db.session() as session:
        file_id = session.scalar(select(ReviewItem.file_id).order_by(ReviewItem.id).limit(1))
        session.execute(
            insert(CopyrightStatement),
            [{"file_id": file_id, "kind": "copyright", "value": v} for v in ODD_VALUES],
        )
        session.execute(
            insert(LicenseReference),
            [{"scan_id": scan_id, "key": "mit", "name": "MIT", "text": "Permission is hereby ok"}],
        )


def _hits(db: Database, phrase: str) -> list[SearchHit]:
    with admin_reading(db) as snapshot:
        return search(snapshot, phrase)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Database]]:
    """The sample plus odd copyrights in one SQLite and one PostgreSQL database."""
    server = make_url(pg_server_url())
    name = f"ospo_search_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    sqlite = open_database(f"sqlite:///{tmp_path_factory.mktemp('search') / 'review.sqlite'}")
    pg = open_database(server.set(database=name).render_as_string(hide_password=False))
    for db in (sqlite, pg):
        _fill(db)
    yield {"sqlite": sqlite, "postgresql": pg}
    sqlite.dispose()
    pg.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def test_both_backends_give_the_same_hits(both: dict[str, Database]) -> None:
    for phrase in QUERIES:
        sqlite, pg = (_hits(both[name], phrase) for name in ("sqlite", "postgresql"))
        assert sqlite == pg, phrase
    # A-Z fold, other letters as typed: "été" finds "Été"'s tail but not "ÉTÉ".
    values = [h.snippet for h in _hits(both["sqlite"], "été")]
    assert values == ["copyright: Copyright (c) 2020 Été Société"]
    assert len(_hits(both["sqlite"], "ÉTÉ")) == 1
    # Regular-expression characters match only themselves.
    assert len(_hits(both["postgresql"], "c++ [x]")) == 1
    assert _hits(both["postgresql"], "a.b") == []  # "." is not "any character": "a-b" is no hit
    assert len(_hits(both["postgresql"], "b \\d")) == 1  # a backslash and a d, not a digit


def test_sqlite_indexes_stay_whole(sqlite_db: Database) -> None:
    """The import indexes its rows in bulk, later rows go through the triggers, and FTS5's own
    integrity check finds every index equal to its table."""
    _fill(sqlite_db)
    with sqlite_db.session() as session:
        session.execute(delete(CopyrightStatement).where(CopyrightStatement.value == ODD_VALUES[0]))
        session.execute(update(ReviewItem).where(ReviewItem.id == 1).values(path="renamed/x.c"))
    with sqlite_db.engine.begin() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {DEFERRED_TABLE}")).scalar() == 0
        for kind in SEARCHED_COLUMNS:
            fts = fts_table(kind)
            conn.execute(text(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)"))
    assert [h.path for h in _hits(sqlite_db, "renamed/")] == ["renamed/x.c"]
    assert _hits(sqlite_db, "Société") == []


def test_search_finds_each_field(db: Database) -> None:
    _fill(db)
    hits = _hits(db, "permission is hereby")
    assert {(h.kind, h.path) for h in hits} >= {
        ("matched", "attrs/LICENSE"),
        ("matched", "six/six.py"),
        ("license", "mit"),
    }
    assert all(h.review_item_id is not None for h in hits if h.kind == "matched")
    holders = [h for h in _hits(db, "HYNEK schlawack") if h.kind == "copyright"]
    assert [h.snippet for h in holders] == [
        "copyright: Copyright (c) 2015 Hynek Schlawack",
        "holder: Hynek Schlawack",
    ]
    with admin_reading(db) as snapshot:
        (mit,) = [h for h in hits if h.kind == "license"]
        item = first_file_with_license(snapshot, mit.scan_id, "mit")
        assert item is not None and load_file_review(snapshot, item, read_source=False).matches
        only_paths = search(snapshot, "six", kinds=("path",))
        assert {h.kind for h in only_paths} == {"path"}
        assert "six/six.py" in {h.path for h in only_paths}
        with pytest.raises(InputError, match="unknown search field"):
            search(snapshot, "six", kinds=("paths",))
        with pytest.raises(InputError, match="type something"):
            search(snapshot, "  ")
        with pytest.raises(InputError, match="at least 3 characters"):
            search(snapshot, "py")


def test_a_guest_may_not_search(sqlite_db: Database) -> None:
    import_sample(sqlite_db)
    add_member(sqlite_db, Actor("tester", "admin"), "tester", "admin")
    with pytest.raises(PermissionDenied), reading(sqlite_db, "mallory", "the search index"):
        pass


def test_cli_prints_tab_separated_rows(
    sqlite_db: Database, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import_sample(sqlite_db)
    capsys.readouterr()
    assert main(["--db", sqlite_url, "search", "Hynek", "--in", "copyright,path"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "field\tproject\tscan\tpath\ttext"
    assert lines[1:] == [
        "copyright\tsample\t1\tattrs/LICENSE\tcopyright: Copyright (c) 2015 Hynek Schlawack",
        "copyright\tsample\t1\tattrs/LICENSE\tholder: Hynek Schlawack",
    ]
    assert main(["--db", sqlite_url, "search", "xyz", "--in", "nowhere"]) == 2
    assert "unknown search field 'nowhere'" in capsys.readouterr().err


def _search_triggers(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'search%' ORDER BY name"
            )
        )
        return [(name, sql) for name, sql in rows]


def test_an_import_leaves_the_search_triggers_as_they_were(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """The import drops the insert triggers for speed and creates them again from their own SQL;
    an import that fails half-way rolls the drop back with the rest."""
    before = _search_triggers(sqlite_db)
    assert len(before) == 3 * len(SEARCHED_COLUMNS)
    import_sample(sqlite_db)
    assert _search_triggers(sqlite_db) == before
    broken = tmp_path / "broken.json"
    broken.write_text('{"files": [{"path": "a.c", "type": "file"}, {"path": 7}]}')
    with pytest.raises(InputError):
        import_scan_file(sqlite_db, broken, project="other", actor=TEST_ADMIN)
    assert _search_triggers(sqlite_db) == before
