"""Exceptions ScanCode writes outside WITH become valid SPDX, and agreeing stays one key."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select
from textual.widgets import Input, Static

from ospo_tui.app import ReviewApp
from ospo_tui.db import Database
from ospo_tui.models import ReviewItem
from ospo_tui.screens.decision_form import DecisionForm
from ospo_tui.screens.queue import QueueScreen
from ospo_tui.screens.queue_table import QueueTable
from ospo_tui.services.licenses.exceptions import attach_exceptions, exception_bases
from ospo_tui.services.licenses.spdx_validation import normalise_spdx
from ospo_tui.services.review.decision_context import decision_context
from tests.conftest import SCANCODE_FIXTURES, admin_reading
from tests.tui_support import import_sample, settle, wait_until

README = "license-expression/README.rst"


@pytest.mark.parametrize(
    "detected, corrected",
    [
        # The bundled sample: the exception sits in an AND group with the GPL it modifies.
        (
            "apache-2.0 AND (gpl-2.0-plus AND classpath-exception-2.0) AND mit",
            "apache-2.0 AND gpl-2.0-plus WITH classpath-exception-2.0 AND mit",
        ),
        # SPDX ids keep their spelling.
        (
            "GPL-2.0-or-later AND Classpath-exception-2.0",
            "GPL-2.0-or-later WITH Classpath-exception-2.0",
        ),
        # hazelcast: ScanCode's rules pair universal-foss-exception-1.0 with gpl-2.0 only.
        (
            "bsd-new AND gpl-2.0 AND mit AND universal-foss-exception-1.0",
            "bsd-new AND gpl-2.0 WITH universal-foss-exception-1.0 AND mit",
        ),
        # Alone, in an OR, or beside licenses it never modifies: a LicenseRef- naming it.
        ("Universal-FOSS-exception-1.0", "LicenseRef-scancode-universal-foss-exception-1.0"),
        ("mit OR classpath-exception-2.0", "mit OR LicenseRef-scancode-classpath-exception-2.0"),
        (
            "epl-1.0 AND apache-1.1 AND classpath-exception-2.0",
            "epl-1.0 AND apache-1.1 AND LicenseRef-scancode-classpath-exception-2.0",
        ),
        # Already attached in the group: the bare copy adds nothing.
        (
            "gpl-2.0 WITH classpath-exception-2.0 AND classpath-exception-2.0",
            "gpl-2.0 WITH classpath-exception-2.0",
        ),
        # The license may come after it; two bare copies attach once.
        (
            "classpath-exception-2.0 AND classpath-exception-2.0 AND gpl-3.0",
            "gpl-3.0 WITH classpath-exception-2.0",
        ),
    ],
)
def test_bare_exception_is_attached_or_named(detected: str, corrected: str) -> None:
    assert attach_exceptions(detected) == corrected
    assert normalise_spdx(corrected)  # what the decision form and every export accept
    assert attach_exceptions(corrected) == corrected  # idempotent


@pytest.mark.parametrize(
    "expression",
    [
        "mit",
        "gpl-2.0-plus WITH ada-linking-exception",
        "Zlib AND (MIT OR Apache-2.0)",
        "((",
        "AND",
        "",
    ],
)
def test_valid_or_unparsable_expressions_come_back_unchanged(expression: str) -> None:
    assert attach_exceptions(expression) == expression


def test_pairs_come_from_scancode_rules() -> None:
    bases = exception_bases()
    assert {"gpl-2.0", "gpl-2.0-plus"} <= bases["classpath-exception-2.0"]
    assert "mit" not in bases["classpath-exception-2.0"]


def test_every_detected_expression_of_every_fixture_becomes_valid() -> None:
    """Every file-level expression of every real scan (JSON formats), corrected, validates."""
    checked = 0
    for path in sorted(SCANCODE_FIXTURES.glob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8"))["files"]:
            for key in ("detected_license_expression", "detected_license_expression_spdx"):
                if entry.get(key):
                    assert normalise_spdx(attach_exceptions(entry[key])), (path.name, entry[key])
                    checked += 1
    assert checked > 500


def _readme_id(db: Database) -> int:
    with db.session() as session:
        found = session.scalar(select(ReviewItem.id).where(ReviewItem.path == README))
        assert found is not None
        return found


def test_form_context_shows_original_and_prefills_the_corrected(sqlite_db: Database) -> None:
    import_sample(sqlite_db)
    with admin_reading(sqlite_db) as snapshot:
        context = decision_context(snapshot, _readme_id(sqlite_db))
    assert context.detected_spdx and "AND Classpath-exception-2.0" in context.detected_spdx
    assert context.corrected_spdx == context.prefill_expression
    assert "GPL-2.0-or-later WITH Classpath-exception-2.0" in context.prefill_expression
    assert context.prefill_problem is None
    assert normalise_spdx(context.prefill_expression) == context.prefill_expression


def test_readme_is_agreed_with_d_and_enter(sqlite_db: Database) -> None:
    import_sample(sqlite_db)
    item_id = _readme_id(sqlite_db)
    app = ReviewApp(sqlite_db, "tester")

    async def drive() -> None:
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            await pilot.press("enter")  # picker -> queue
            await settle(pilot)
            assert isinstance(app.screen, QueueScreen)
            table = app.screen.query_one(QueueTable)
            await pilot.press("slash", *"license-expression/README")
            await wait_until(
                pilot,
                lambda: table.current is not None and table.current.id == item_id,
                "the search reaches README.rst",
            )
            await pilot.press("enter")  # closes the search
            await settle(pilot)
            await pilot.press("d")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, DecisionForm)
            facts = str(form.query_one("#decision-facts", Static).render())
            assert (
                "AND Classpath-exception-2.0" in facts and "WITH Classpath-exception-2.0" in facts
            )
            assert "it must follow a license" not in facts
            assert "WITH Classpath" in form.query_one("#decision-expression", Input).value
            await pilot.press("enter")
            await settle(pilot)
            assert not isinstance(app.screen, DecisionForm)

    asyncio.run(drive())
    with sqlite_db.session() as session:
        saved = session.get(ReviewItem, item_id)
        assert saved is not None and saved.state == "decided" and saved.concluded_expression
        assert "GPL-2.0-or-later WITH Classpath-exception-2.0" in saved.concluded_expression
        assert normalise_spdx(saved.concluded_expression) == saved.concluded_expression


def test_an_exception_spdx_lacks_is_not_left_after_with() -> None:
    """SPDX 2.3 allows only its own exceptions after WITH; ScanCode has many more."""
    from spdx_tools.common.spdx_licensing import spdx_licensing

    from ospo_tui.services.export.spdx_licenses import LicenseRefs

    refs = LicenseRefs({})
    for detected in ("gpl-2.0 WITH bash-exception-gpl", "mit OR gpl-2.0 WITH bash-exception-gpl"):
        expression = refs.expression(detected)
        assert "LicenseRef-scancode-bash-exception-gpl" in expression
        # spdx-tools' symbols know no LicenseRef- (the document declares them): nothing else.
        info = spdx_licensing.validate(expression)
        assert info.invalid_symbols == ["LicenseRef-scancode-bash-exception-gpl"], info.errors
        assert all(e.startswith("Unknown license key") for e in info.errors), info.errors
    assert refs.expression("mit OR gpl-2.0 WITH bash-exception-gpl") == (
        "MIT OR (GPL-2.0-only AND LicenseRef-scancode-bash-exception-gpl)"
    )
    assert "LicenseRef-scancode-bash-exception-gpl" in refs.declared
    assert refs.expression("gpl-2.0-plus WITH ada-linking-exception") == (
        "GPL-2.0-or-later WITH GNAT-exception"
    )
