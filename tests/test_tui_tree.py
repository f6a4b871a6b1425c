"""Queue scope and the directory tree, driven by keyboard on the bundled sample."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from textual.widgets import Input

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.models import AuditEvent, Decision, ReviewItem
from ospo_tui.screens.decision_form import DecisionForm
from ospo_tui.screens.directory_tree import DirectoryTreeScreen
from ospo_tui.screens.queue import QueueScreen
from tests.tui_support import import_sample, open_queue, screen_text, settle, wait_until

SIZE = (160, 50)


@pytest.fixture
def sample_app(sqlite_db: Database) -> ReviewApp:
    import_sample(sqlite_db)
    return ReviewApp(sqlite_db, "tester")


def _states_under(db: Database, prefix: str) -> dict[str, int]:
    with db.session() as session:
        rows = session.execute(
            select(ReviewItem.state, func.count())
            .where(ReviewItem.path.startswith(prefix, autoescape=True))
            .group_by(ReviewItem.state)
        ).all()
    return {state: count for state, count in rows}


def test_scope_key_cycles_and_the_header_names_it(sample_app: ReviewApp) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            assert queue.flt.scope == "findings" and queue.total == 29
            assert "files with findings" in screen_text(sample_app)
            seen = []
            for _ in range(3):
                await pilot.press("s")
                await settle(pilot)
                seen.append((queue.flt.scope, queue.total, queue.sub_title))
            assert [(s, t) for s, t, _ in seen] == [("none", 14), ("all", 43), ("findings", 29)]
            assert "files without findings" in str(seen[0][2])
            assert "all files" in str(seen[1][2])
            await pilot.press("s", "s")
            await settle(pilot)
            assert "all files" in screen_text(sample_app)
            # The dashboard counts the same files and says which.
            await pilot.press("D")
            await settle(pilot)
            assert "43 files (all files)" in screen_text(sample_app)
            assert "0% decided" in screen_text(sample_app)

    asyncio.run(drive())


async def _open_tree(pilot, app: ReviewApp) -> DirectoryTreeScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await open_queue(pilot)
    await pilot.press("s", "s")  # all files
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    tree = app.screen
    assert isinstance(tree, DirectoryTreeScreen)
    return tree


def _cursor_to(tree: DirectoryTreeScreen, name: str) -> None:
    from ospo_tui.screens.directory_list import DirectoryList

    index = next(i for i, row in enumerate(tree.rows) if row is not None and row.name == name)
    tree.query_one(DirectoryList).move_to(index)


def test_tree_opens_drills_down_goes_up_and_filters_the_queue(sample_app: ReviewApp) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            tree = await _open_tree(pilot, sample_app)
            assert tree.level is not None and tree.level.path == ""
            assert tree.level.total.files == 43
            text = screen_text(sample_app)
            assert "certifi/" in text and "all files" in text
            certifi = next(r for r in tree.rows if r is not None and r.name == "certifi")
            assert (certifi.files, certifi.open, certifi.worst_alert) == (3, 3, "warning")
            _cursor_to(tree, "certifi")
            await pilot.press("enter")
            await wait_until(pilot, lambda: tree.path == "certifi", "certifi to open")
            assert tree.rows[0] is None  # ".." first
            assert tree.level is not None and tree.level.total.files == 3
            await pilot.press("backspace")
            await wait_until(pilot, lambda: tree.path == "", "the top again")
            current = tree.current
            assert current is not None and current.name == "certifi"  # lands where it left
            await pilot.press("f")
            await settle(pilot)
            queue = sample_app.screen
            assert isinstance(queue, QueueScreen)
            assert queue.flt.directory == "certifi" and queue.total == 3
            assert "under certifi/" in screen_text(sample_app)
            await pilot.press("t")  # the same tree again, where it was left
            await settle(pilot)
            # Loads: built with the queue, shown, down, up, shown again.
            assert sample_app.screen is tree and tree.path == "" and tree.loads == 5

    asyncio.run(drive())


def test_d_on_a_directory_decides_its_subtree_after_a_preview_and_u_undoes_it(
    sample_app: ReviewApp, sqlite_db: Database
) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            tree = await _open_tree(pilot, sample_app)
            _cursor_to(tree, "click")
            await pilot.press("d")
            await settle(pilot)
            form = sample_app.screen
            assert isinstance(form, DecisionForm)
            assert form.bulk_label == "every file under click/ (all files)"
            form.query_one("#decision-expression", Input).value = "BSD-3-Clause"
            await pilot.press("ctrl+s")  # first: the preview
            await settle(pilot)
            assert sample_app.screen is form and form.pending is not None
            assert form.pending[1].files == 3
            assert _states_under(sqlite_db, "click/") == {"open": 3}
            await pilot.press("ctrl+s")  # second: applied
            await settle(pilot)
            assert sample_app.screen is tree
            assert _states_under(sqlite_db, "click/") == {"decided": 3}
            with sqlite_db.session() as session:
                bulk_ids = set(session.scalars(select(Decision.bulk_id)))
                events = session.scalars(
                    select(AuditEvent.payload).where(AuditEvent.action == "decision.bulk")
                ).all()
            assert len(bulk_ids) == 1 and None not in bulk_ids
            bulk_id = bulk_ids.pop()
            assert len(events) == 3 and all(bulk_id in p for p in events)
            await wait_until(
                pilot,
                lambda: any(r and r.name == "click" and r.decided == 3 for r in tree.rows),
                "the tree to count the decisions",
            )
            await pilot.press("u")
            await settle(pilot)
            assert _states_under(sqlite_db, "click/") == {"open": 3}
            await wait_until(
                pilot,
                lambda: any(r and r.name == "click" and r.open == 3 for r in tree.rows),
                "the tree to count the undo",
            )
            assert any("undid bulk" in n.message for n in sample_app._notifications)

    asyncio.run(drive())


def test_cli_queue_scope(
    sqlite_url: str, sqlite_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from ospo_tui.cli import main

    import_sample(sqlite_db)

    def paths(*args: str) -> list[str]:
        argv = ["--db", sqlite_url, "--user", "tester", "queue", "--limit", "100", *args]
        assert main(argv) == 0
        return [line.split("\t")[2] for line in capsys.readouterr().out.splitlines()[1:]]

    findings, none, every = paths(), paths("--scope", "none"), paths("--scope", "all")
    assert (len(findings), len(none), len(every)) == (29, 14, 43)
    assert set(findings) | set(none) == set(every) and not set(findings) & set(none)
    assert paths("--all") == every
    with pytest.raises(SystemExit) as refused:
        main(["--db", sqlite_url, "queue", "--scope", "some"])
    assert refused.value.code == 2
    assert "invalid choice: 'some'" in capsys.readouterr().err


def test_the_tree_is_built_while_the_queue_shows_and_t_only_switches_to_it(
    sample_app: ReviewApp,
) -> None:
    async def drive() -> None:
        async with sample_app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            queue = await open_queue(pilot)
            await settle(pilot)
            tree = queue._tree
            # Built, laid out and counted at the queue's scope, but not shown.
            assert isinstance(tree, DirectoryTreeScreen) and tree.is_mounted
            assert tree not in sample_app.screen_stack and sample_app.screen is queue
            assert tree.size == sample_app.size
            assert tree.level is not None and tree.level.scope == "findings"
            assert tree.level.total.files == 29 and tree.loads == 1
            await pilot.press("t")
            await wait_until(pilot, lambda: tree.loads == 2, "the tree to be shown")
            assert sample_app.screen is tree
            text = screen_text(sample_app)
            assert "29 files, 29 open" in text and "certifi/" in text
            _cursor_to(tree, "certifi")  # one file with findings: "1 file", not "1 files"
            await pilot.press("enter")
            await wait_until(pilot, lambda: tree.path == "certifi", "certifi to open")
            assert "1 file, 1 open" in screen_text(sample_app)
            await pilot.press("escape")
            await wait_until(pilot, lambda: sample_app.screen is queue, "the queue again")
            # Leaving the scan removes the tree built for its queue.
            await pilot.press("escape")
            await wait_until(pilot, lambda: not tree.is_attached, "the tree to be removed")
            assert not any(
                name.startswith("directory-tree") for name in sample_app._installed_screens
            )

    asyncio.run(drive())
