"""License policy: parsing policies.yml, alerts over expressions, versions, the default policy,
and re-ranking the queue of a real ScanCode scan on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ospo_tui.cli import main
from ospo_tui.errors import InputError, PermissionDenied
from ospo_tui.models import AuditEvent, Policy, PolicyRule, ReviewItem
from ospo_tui.services.ingest.importer import import_scan_file
from ospo_tui.services.licenses.license_db import license_catalog
from ospo_tui.services.policy.priority import Findings, base_rank, rank, with_alert
from ospo_tui.services.policy.rules import (
    DEFAULT_CATEGORY_ALERTS,
    compile_policy,
    default_policy_rules,
    default_policy_text,
    parse_policy,
)
from ospo_tui.services.policy.versions import (
    alert_caption,
    load_policy,
    policy_history,
    policy_in_force,
    policy_summary,
)
from ospo_tui.services.trail.chain import Actor, verify_chain
from tests.conftest import SCANCODE_FIXTURES, admin_reading

ADMIN = Actor("tester", "admin")
PYTHON_LIBS = SCANCODE_FIXTURES / "python-libs-boolean-license_expression-click_v32.5.0.json"

ORG_POLICY = """\
# An organisation's policy, mixing ScanCode keys, SPDX ids and LicenseRef-scancode ids.
license_policies:
  - license_key: mit
    label: Approved License
    compliance_alert: ''
  - license_key: Apache-2.0
    label: Approved License
    compliance_alert: ''
  - license_key: LicenseRef-scancode-bsd-simplified
    label: Approved License
    compliance_alert: ''
  - license_key: LGPL-2.1-only
    label: Restricted License
    compliance_alert: warning
  - license_key: gpl-2.0
    label: Prohibited License
    compliance_alert: error
  - license_key: classpath-exception-2.0
    label: Exception to review
    compliance_alert: warning
  - license_key: LicenseRef-acme-internal
    label: Our own license
    compliance_alert: ''
"""


def _policy(text: str = ORG_POLICY):  # type: ignore[no-untyped-def]
    return compile_policy(parse_policy(text), "org", 2)


# -- alerts over expressions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "alert", "deciding_key"),
    [
        ("mit", "ok", "mit"),
        ("mit AND apache-2.0", "ok", "apache-2.0"),
        ("mit AND lgpl-2.1", "warning", "lgpl-2.1"),
        # OR does not soften: the worst option decides, the reviewer makes the choice.
        ("mit OR gpl-2.0", "error", "gpl-2.0"),
        ("(mit OR lgpl-2.1) AND apache-2.0", "warning", "lgpl-2.1"),
        # Missing ranks above ok but below warning.
        ("mit AND zlib", "missing", "zlib"),
        ("zlib AND lgpl-2.1", "warning", "lgpl-2.1"),
        ("zlib OR gpl-2.0", "error", "gpl-2.0"),
        # WITH: the exception is a key like any other.
        ("mit WITH classpath-exception-2.0", "warning", "classpath-exception-2.0"),
        ("gpl-2.0 WITH classpath-exception-2.0", "error", "gpl-2.0"),
        ("apache-2.0 WITH llvm-exception", "missing", "llvm-exception"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_worst_alert_over_every_key(
    expression: str | None, alert: str | None, deciding_key: str | None
) -> None:
    verdict = _policy().verdict(expression)
    assert verdict.alert == alert
    assert verdict.license_key == deciding_key


def test_spdx_and_scancode_keys_meet() -> None:
    policy = _policy()
    # Policy says LGPL-2.1-only (SPDX); ScanCode writes lgpl-2.1, and both spellings match.
    assert policy.alert("lgpl-2.1") == "warning"
    assert policy.alert("LGPL-2.1-only") == "warning"
    assert policy.alert("LicenseRef-scancode-lgpl-2.1") == "warning"
    # Policy says gpl-2.0 (ScanCode); the SPDX expression of a file says GPL-2.0-only.
    assert policy.alert("GPL-2.0-only WITH Classpath-exception-2.0") == "error"
    # bsd-simplified has the SPDX id BSD-2-Clause; the policy named it as a LicenseRef.
    assert policy.alert("BSD-2-Clause") == "ok"
    # gpl-2.0-plus is a different license from gpl-2.0: not in the policy.
    assert policy.alert("GPL-2.0-or-later") == "missing"
    # An organisation's own LicenseRef is kept as written.
    assert policy.alert("LicenseRef-acme-internal AND mit") == "ok"
    assert policy.rule_for("Apache-2.0").license_key == "apache-2.0"  # type: ignore[union-attr]


def test_same_license_twice_under_two_spellings_is_refused() -> None:
    text = ORG_POLICY + "  - license_key: GPL-2.0-only\n    compliance_alert: warning\n"
    with pytest.raises(InputError, match=r"line \d+ .*'GPL-2.0-only' is the same license as"):
        parse_policy(text, "policies.yml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("license_policies: [mit\n", r"policies.yml: invalid YAML at line 2"),
        ("- license_key: mit\n", r"expected a mapping with a 'license_policies' list"),
        ("license_policies: []\n", r"'license_policies' must be a non-empty list"),
        ("license_policies:\n  - mit\n", r"line 2 \(license_policies\[0\]\): expected a mapping"),
        (
            "license_policies:\n  - label: x\n    compliance_alert: error\n",
            r"license_key is missing",
        ),
        (
            "license_policies:\n  - license_key: mit\n  - license_key: gpl-3.0\n"
            "    compliance_alert: fatal\n",
            r"line 3 \(license_policies\[1\]\) 'gpl-3.0': compliance_alert must be '', "
            r"'warning' or 'error', not 'fatal'",
        ),
        (
            "license_policies:\n  - license_key: gpl3\n    compliance_alert: error\n",
            r"unknown license key 'gpl3'",
        ),
    ],
)
def test_malformed_policy_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_policy(text, "policies.yml")
    assert "\n" not in str(caught.value)


# -- the default policy --------------------------------------------------------------------------


def test_default_policy_follows_scancode_categories() -> None:
    catalog = license_catalog()
    policy = compile_policy(default_policy_rules(), "default", 1)
    assert policy.alert("mit") == "ok"
    assert policy.alert("LicenseRef-scancode-public-domain") == "ok"
    assert policy.alert("LGPL-2.1-only") == "warning"
    assert policy.alert("unknown-license-reference") == "warning"
    assert policy.alert("apache-2.0 AND gpl-3.0") == "error"
    assert policy.alert("commercial-license") == "error"
    # Every license of a listed category has a rule carrying the category as its label.
    listed = [i for i in catalog.by_key.values() if i.category in DEFAULT_CATEGORY_ALERTS]
    assert len(policy.rules) == len(listed) > 2000
    assert policy.rules["gpl-2.0"].label == "Copyleft"


def test_default_policy_text_is_a_loadable_policies_yml() -> None:
    reparsed = {r.license_key: r.alert for r in parse_policy(default_policy_text())}
    assert reparsed == {r.license_key: r.alert for r in default_policy_rules()}


def test_default_policy_is_stored_once_as_version_1(db) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        first = policy_in_force(session)
    with db.session() as session:
        again = policy_in_force(session)
        stored = session.scalars(select(Policy)).all()
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "policy.load")).all()
        rules = session.scalar(select(func.count()).select_from(PolicyRule))
    assert first.version == again.version == 1
    assert [(p.version, p.is_default) for p in stored] == [(1, True)]
    assert len(events) == 1 and json.loads(events[0].payload)["is_default"] is True
    assert rules == len(first.rules)


# -- priority ------------------------------------------------------------------------------------


def test_priority_orders_alert_then_todo_then_quality() -> None:
    catalog = license_catalog()
    policy = _policy()

    def findings(expression: str, **kw: object) -> Findings:
        defaults = {"min_score": 100.0, "min_coverage": 100.0, "has_todo": False}
        defaults.update(kw)
        from ospo_tui.services.licenses.expressions import license_keys

        return Findings(
            license_keys=license_keys(expression),
            has_errors=False,
            expression=expression,
            **defaults,  # type: ignore[arg-type]
        )

    ordered = [
        findings("gpl-2.0", has_todo=True),
        findings("gpl-2.0", min_score=50.0),
        findings("gpl-2.0"),
        findings("lgpl-2.1", has_todo=True),
        findings("mit AND lgpl-2.1"),
        findings("zlib", min_coverage=40.0),
        findings("mit", has_todo=True),
        findings("mit", min_score=70.0),
        findings("mit"),
    ]
    priorities = [rank(f, catalog, policy)[0] for f in ordered]
    assert priorities == sorted(set(priorities))  # strictly increasing: no two tie
    assert rank(ordered[0], catalog, policy) == (1, "scancode todo")
    assert rank(ordered[-1], catalog) == (4, "other")  # no policy: the base rank alone
    for base in (1, 2, 3, 4):
        for alert in ("error", "warning", "missing", "ok", None):
            assert base_rank(with_alert(base, alert)) == base


# -- loading into a database with a real scan ----------------------------------------------------


def _items(session) -> dict[str, ReviewItem]:  # type: ignore[no-untyped-def]
    return {item.path: item for item in session.scalars(select(ReviewItem))}


def _write(tmp_path: Path, text: str, name: str = "policies.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_reranks_the_queue_and_audits(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import_scan_file(db, PYTHON_LIBS, project="libs", actor=ADMIN)
    with db.session() as session:
        before = {path: item.priority for path, item in _items(session).items()}
        # Imported under the default policy, stored as version 1 on first use.
        assert {item.policy_version for item in _items(session).values()} == {1}
        assert "error" in {item.policy_alert for item in _items(session).values()}
    result = load_policy(db, ADMIN, _write(tmp_path, ORG_POLICY))
    assert result.policy.version == 2 and result.previous_version == 1
    with db.session() as session:
        items = _items(session)
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "policy.load").order_by(AuditEvent.seq)
        ).all()[-1]
        assert verify_chain(session).ok
    # Every item is judged under version 2, with the alert the expression deserves.
    assert {item.policy_version for item in items.values()} == {2}
    for item in items.values():
        expected = _policy().alert(item.detected_expression or item.detected_spdx)
        assert item.policy_alert == expected, item.path
        assert base_rank(item.priority) == base_rank(before[item.path])
        assert item.priority == with_alert(base_rank(before[item.path]), expected)
    gpl_files = [
        i for i in items.values() if i.detected_expression and "gpl-2.0" in i.detected_expression
    ]
    assert gpl_files and all(i.policy_alert == "error" for i in gpl_files)
    bsd = [i for i in items.values() if i.detected_expression == "bsd-simplified"]
    assert bsd and all(i.policy_alert == "ok" for i in bsd)
    assert result.items_by_alert["error"] == len(gpl_files)
    payload = json.loads(event.payload)
    assert event.actor == "tester" and event.subject_id == "2"
    assert payload["version"] == 2 and payload["rules"] == 7 and payload["previous_version"] == 1
    with admin_reading(db) as snapshot:
        assert [s.version for s in policy_history(snapshot)] == [2, 1]
        assert policy_summary(snapshot).name == "policies.yml"


def test_malformed_policy_keeps_the_old_one(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import_scan_file(db, PYTHON_LIBS, project="libs", actor=ADMIN)
    load_policy(db, ADMIN, _write(tmp_path, ORG_POLICY))
    with db.session() as session:
        before = {
            p: (i.policy_alert, i.policy_version, i.priority) for p, i in _items(session).items()
        }
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    bad = _write(
        tmp_path,
        "license_policies:\n  - license_key: gpl-2.0\n    compliance_alert: no\n",
        "bad.yml",
    )
    with pytest.raises(InputError, match=r"bad.yml: line 2 .*compliance_alert must be"):
        load_policy(db, ADMIN, bad)
    with pytest.raises(InputError, match="no such policy file"):
        load_policy(db, ADMIN, tmp_path / "absent.yml")
    with db.session() as session:
        assert policy_in_force(session).version == 2
        after = {
            p: (i.policy_alert, i.policy_version, i.priority) for p, i in _items(session).items()
        }
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    assert after == before


def test_only_reviewers_and_admins_load_policies(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        load_policy(db, Actor("eve", "engineer"), _write(tmp_path, ORG_POLICY))
    with db.session() as session:
        assert policy_in_force(session).version == 1  # the default, nothing loaded


def test_cli_load_show_and_bad_file(sqlite_url: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--db", sqlite_url, "db", "upgrade"]) == 0  # a read never creates a database
    assert main(["--db", sqlite_url, "policy", "show"]) == 0
    assert "policy v1 (default)" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "policy", "load", str(_write(tmp_path, ORG_POLICY))]) == 0
    out = capsys.readouterr().out
    assert "loaded policy v2: policies.yml, 7 rules" in out and "replaces policy v1" in out
    bad = _write(tmp_path, "license_policies: {", "bad.yml")
    assert main(["--db", sqlite_url, "policy", "load", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ospo-tui: error: bad.yml: invalid YAML") and err.count("\n") == 1
    assert main(["--db", sqlite_url, "policy", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith("* policy v2") and listing[1].startswith("  policy v1 (default)")
    assert main(["--db", sqlite_url, "policy", "explain", "MIT OR GPL-2.0-only"]) == 0
    assert capsys.readouterr().out.strip() == "error: gpl-2.0 (Prohibited License) under policy v2"


def test_import_judges_files_under_the_policy_in_force(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import_scan_file(db, PYTHON_LIBS, project="libs", actor=ADMIN)
    load_policy(db, ADMIN, _write(tmp_path, ORG_POLICY))
    import_scan_file(db, SCANCODE_FIXTURES / "zlib-v32rc3.json", project="zlib", actor=ADMIN)
    with db.session() as session:
        default = policy_in_force(session)  # v2, the organisation's
        first, second = (
            session.scalars(select(ReviewItem).where(ReviewItem.scan_id == scan_id)).all()
            for scan_id in (1, 2)
        )
    assert {i.policy_version for i in first} == {2} == {i.policy_version for i in second}
    zlib_alerts = {i.policy_alert for i in second if i.detected_expression}
    assert "missing" in zlib_alerts  # zlib is not in the organisation's policy
    for item in second:
        expected = default.alert(item.detected_expression or item.detected_spdx)
        assert item.policy_alert == expected
        assert item.priority == with_alert(base_rank(item.priority), expected)


def test_alert_caption_names_the_version_it_was_judged_under(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    load_policy(sqlite_db, ADMIN, _write(tmp_path, ORG_POLICY))
    with admin_reading(sqlite_db) as snapshot:
        first = policy_summary(snapshot).version
    stricter = ORG_POLICY.replace(
        "label: Approved License\n    compliance_alert: ''",
        "label: Restricted\n    compliance_alert: warning",
        1,
    )
    load_policy(sqlite_db, ADMIN, _write(tmp_path, stricter, "stricter.yml"))
    with sqlite_db.session() as session:
        assert alert_caption(session, "mit AND zlib", first) == "missing: zlib · policy v1"
        assert alert_caption(session, "mit", first) == "ok: mit (Approved License) · policy v1"
        assert alert_caption(session, "mit", first + 1) == "warning: mit (Restricted) · policy v2"
        assert alert_caption(session, "GPL-2.0-only OR mit", 2) == (
            "error: gpl-2.0 (Prohibited License) · policy v2"
        )
        assert alert_caption(session, None, 2) is None
        assert alert_caption(session, "mit", None) is None


def test_stale_decisions_stay_first_across_policy_loads(sqlite_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    import_scan_file(sqlite_db, PYTHON_LIBS, project="libs", actor=ADMIN)
    with sqlite_db.session() as session:
        bsd = [i for i in _items(session).values() if i.detected_expression == "bsd-simplified"]
        stale, fresh = bsd[0].id, bsd[1].id
        session.execute(
            update(ReviewItem).where(ReviewItem.id == stale).values(state="stale", priority=1)
        )
    load_policy(sqlite_db, ADMIN, _write(tmp_path, ORG_POLICY))
    with sqlite_db.session() as session:
        stale_item, fresh_item = session.get(ReviewItem, stale), session.get(ReviewItem, fresh)
        assert stale_item is not None and fresh_item is not None
        assert (stale_item.priority, stale_item.policy_alert, stale_item.policy_version) == (
            1,
            "ok",
            2,
        )
        assert fresh_item.priority == with_alert(base_rank(fresh_item.priority), "ok") > 12


_KEYS_BY_ALERT = {
    "ok": ["mit", "Apache-2.0", "BSD-2-Clause"],
    "warning": ["lgpl-2.1", "LGPL-2.1-only", "classpath-exception-2.0"],
    "error": ["gpl-2.0", "GPL-2.0-only"],
    "missing": ["zlib", "MPL-2.0", "llvm-exception"],
}


def test_any_compound_expression_takes_its_worst_key() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    policy = _policy()
    leaves = st.sampled_from([(k, a) for a, keys in _KEYS_BY_ALERT.items() for k in keys])

    def combine(children):  # type: ignore[no-untyped-def]
        return st.tuples(children, st.sampled_from(["AND", "OR"]), children).map(
            lambda t: (f"({t[0][0]} {t[1]} {t[2][0]})", min(t[0][1], t[2][1], key=_rank))
        )

    def _rank(alert: str) -> int:
        return ("error", "warning", "missing", "ok").index(alert)

    with_exceptions = st.tuples(leaves, leaves).map(
        lambda t: (f"{t[0][0]} WITH {t[1][0]}", min(t[0][1], t[1][1], key=_rank))
    )
    expressions = st.recursive(st.one_of(leaves, with_exceptions), combine, max_leaves=8)

    @settings(max_examples=300, deadline=None)
    @given(expressions)
    def check(case: tuple[str, str]) -> None:
        expression, worst = case
        assert policy.alert(expression) == worst, expression

    check()


def test_a_policy_loaded_during_an_import_judges_that_scan(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ospo_tui.services.ingest.writer import ScanHeader, ScanIngest

    raw = json.loads(PYTHON_LIBS.read_text(encoding="utf-8"))
    with db.session() as session:
        ingest = ScanIngest(
            session, project_name="libs", source="import", header=ScanHeader(), actor=ADMIN
        )
        assert ingest.policy.version == 1  # the default, stored as the import began
        for entry in raw["files"]:
            ingest.add_file(entry)
        # Another session loads a policy before this import completes (on SQLite it waits
        # for nothing: the import is simulated by loading in between, in the same session).
        rules = parse_policy(ORG_POLICY)
        from ospo_tui.services.policy.versions import _store

        _store(session, ADMIN, 2, "org", ORG_POLICY, rules, False)
        scan = ingest.finish()
        items = session.scalars(select(ReviewItem).where(ReviewItem.scan_id == scan.id)).all()
    assert {i.policy_version for i in items} == {2}
    gpl = [i for i in items if i.detected_expression and "gpl-2.0" in i.detected_expression]
    assert gpl and all(i.policy_alert == "error" for i in gpl)
