"""Policy versions in the database: loading a file, the version in force, and the history.

Every load is a new version (the newest is in force) and a ``policy.load`` audit event in the
same transaction as the rules and the re-ranked queue. Until an organisation loads its own, the
default policy is stored as a version like any other, so alerts always name a real version.
Compiled policies are cached in memory by (version, content hash), so a look-up is one small
query, not thousands of rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError, InputError, NotFoundError
from ospo_tui.models import Policy
from ospo_tui.models import PolicyRule as PolicyRuleRow
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.access.roles import require
from ospo_tui.services.policy.queue_alerts import apply_policy
from ospo_tui.services.policy.rules import (
    ALERT_OK,
    ALERTS,
    DEFAULT_POLICY_NAME,
    MAX_POLICY_BYTES,
    LicensePolicy,
    PolicyRule,
    compile_policy,
    default_policy_rules,
    default_policy_text,
    parse_policy,
    sha256_text,
)
from ospo_tui.services.trail.chain import SYSTEM_ACTOR, Actor, append_event
from ospo_tui.services.trail.digests import policy_rules_digest

_PG_POLICY_LOCK = 0x05_90_70_07  # serialises version numbering across PostgreSQL sessions
_compiled: dict[tuple[int, str | None], LicensePolicy] = {}


@dataclass(frozen=True)
class PolicySummary:
    version: int
    name: str
    is_default: bool
    rules: int
    loaded_by: str
    loaded_at: str
    source_sha256: str | None


@dataclass(frozen=True)
class LoadResult:
    policy: PolicySummary
    previous_version: int | None
    items_by_alert: dict[str, int]


def read_policy_file(path: Path) -> str:
    """The file's text, refused (InputError) when missing, too large or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_POLICY_BYTES:
            raise InputError(f"{path}: policy file is larger than {MAX_POLICY_BYTES} bytes")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such policy file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: policy file is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read policy file: {exc.strerror}") from None


def load_policy(db: Database, actor: Actor, path: Path, name: str | None = None) -> LoadResult:
    """Validate ``path`` and make it the policy in force; the queue is re-ranked at once.

    The file is fully validated before the database is touched, so a bad file leaves the
    previous policy in force.
    """
    require(db, actor, "load_policy", str(path))
    content = read_policy_file(path)
    rules = parse_policy(content, source=path.name)
    with db.session() as session:
        _lock_versions(session)
        previous = _newest(session)
        version = (previous.version if previous else 0) + 1
        summary = _store(session, actor, version, name or path.name, content, rules, False)
        counts = apply_policy(session, _compiled_for(session, summary))
        append_event(
            session,
            actor,
            "policy.load",
            "policy",
            version,
            {
                "version": version,
                "name": summary.name,
                "source_sha256": summary.source_sha256,
                "rules": len(rules),
                "is_default": False,
                "previous_version": previous.version if previous else None,
                "items_by_alert": counts,
                "rules_sha256": policy_rules_digest(session, version),
            },
            at=summary.loaded_at,
        )
    return LoadResult(summary, previous.version if previous else None, counts)


def policy_in_force(session: Session) -> LicensePolicy:
    """The newest policy, compiled; stores the default policy first if none was ever loaded."""
    newest = _newest(session)
    if newest is None:
        newest = _store_default(session)
    return _compiled_for(session, _summary(session, newest))


def settle_policy(session: Session, used: LicensePolicy, scan_id: int) -> LicensePolicy:
    """Called as a scan completes: if a policy was loaded while the scan was being written,
    judge the scan's items again under it. The version lock makes a concurrent load either
    finish first (and be seen here) or wait for this scan to commit (and re-rank it)."""
    _lock_versions(session)
    newest = _newest(session)
    if newest is None or newest.version == used.version:
        return used
    current = _compiled_for(session, _summary(session, newest))
    apply_policy(session, current, [scan_id])
    return current


def store_default_policy(db: Database) -> None:
    """Store the default policy as version 1 unless a version is stored, so what ``policy show``
    and ``policy list`` describe is a real, audited version. A stored one costs no write lock."""
    with db.reader() as session:
        if _newest(session) is not None:
            return
    with db.session() as session:
        _store_default(session)


def stored_policy(reading: Reading) -> LicensePolicy | None:
    """The policy in force without writing anything (None if none was ever stored): for readers."""
    session = reading.session
    newest = _newest(session)
    return None if newest is None else _compiled_for(session, _summary(session, newest))


def policy_version(session: Session, version: int) -> LicensePolicy:
    """A stored version, compiled (cached), to explain alerts judged under it."""
    policy = session.scalar(select(Policy).where(Policy.version == version))
    if policy is None:
        raise NotFoundError(f"no policy version {version}")
    return _compiled_for(session, _summary(session, policy))


def alert_caption(session: Session, expression: str | None, version: int | None) -> str | None:
    """What a file's alert says, naming the version it was judged under:
    ``error: gpl-2.0 (Prohibited License) · policy v2``. None when there is nothing to judge."""
    if version is None:
        return None
    verdict = policy_version(session, version).verdict(expression)
    if verdict.alert is None:
        return None
    label = f" ({verdict.label})" if verdict.label else ""
    return f"{verdict.alert}: {verdict.license_key}{label} · policy v{version}"


def _stored(session: Session, version: int | None) -> Policy | None:
    """The stored version asked for, or the one in force when none is named."""
    if version is None:
        return _newest(session)
    return session.scalar(select(Policy).where(Policy.version == version))


def policy_summary(reading: Reading, version: int | None = None) -> PolicySummary:
    """A stored version (default: the one in force); see ``store_default_policy``."""
    session = reading.session
    policy = _stored(session, version)
    if policy is None:
        raise NotFoundError(
            "no policy is stored yet" if version is None else f"no policy version {version}"
        )
    return _summary(session, policy)


def policy_rule_rows(reading: Reading, version: int | None = None) -> list[tuple[str, str, str]]:
    """A stored version's rules as (license key, alert, label), worst alert first, then by key."""
    session = reading.session
    policy = _stored(session, version)
    if policy is None:
        return []
    rows = session.execute(
        select(PolicyRuleRow.license_key, PolicyRuleRow.compliance_alert, PolicyRuleRow.label)
        .where(PolicyRuleRow.policy_id == policy.id)
        .order_by(PolicyRuleRow.license_key)
    ).all()
    order = {alert: index for index, alert in enumerate(ALERTS)}
    rules = [(key, alert or ALERT_OK, label or "") for key, alert, label in rows]
    return sorted(rules, key=lambda rule: (order.get(rule[1], len(order)), rule[0]))


def policy_history(reading: Reading) -> list[PolicySummary]:
    """Every version, newest first."""
    session = reading.session
    counts: dict[int, int] = {
        policy_id: count
        for policy_id, count in session.execute(
            select(PolicyRuleRow.policy_id, func.count()).group_by(PolicyRuleRow.policy_id)
        )
    }
    return [
        _summary(session, policy, counts.get(policy.id, 0))
        for policy in session.scalars(select(Policy).order_by(Policy.version.desc()))
    ]


def policy_content(reading: Reading, version: int | None = None) -> str:
    """A version's policies.yml as loaded (default: the one in force, or the default text)."""
    session = reading.session
    policy = _stored(session, version)
    if policy is None:
        if version is not None:
            raise NotFoundError(f"no policy version {version}")
        return default_policy_text()
    return policy.content


def _newest(session: Session) -> Policy | None:
    return session.scalar(select(Policy).order_by(Policy.version.desc()).limit(1))


def _summary(session: Session, policy: Policy, rules: int | None = None) -> PolicySummary:
    if rules is None:
        rules = (
            session.scalar(
                select(func.count())
                .select_from(PolicyRuleRow)
                .where(PolicyRuleRow.policy_id == policy.id)
            )
            or 0
        )
    return PolicySummary(
        version=policy.version,
        name=policy.name,
        is_default=policy.is_default,
        rules=rules,
        loaded_by=policy.loaded_by,
        loaded_at=policy.loaded_at,
        source_sha256=policy.source_sha256,
    )


def _lock_versions(session: Session) -> None:
    # SQLite transactions here already start with BEGIN IMMEDIATE, which serialises writers.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_POLICY_LOCK})


def _store(
    session: Session,
    actor: Actor,
    version: int,
    name: str,
    content: str,
    rules: list[PolicyRule],
    is_default: bool,
) -> PolicySummary:
    policy = Policy(
        version=version,
        name=name,
        source_sha256=sha256_text(content),
        content=content,
        is_default=is_default,
        loaded_by=actor.name,
        loaded_at=utc_now(),
    )
    session.add(policy)
    session.flush()
    rows = [
        {
            "policy_id": policy.id,
            "license_key": rule.license_key,
            "label": rule.label,
            # Stored as ScanCode.io writes it: '' for ok.
            "compliance_alert": "" if rule.alert == "ok" else rule.alert,
        }
        for rule in rules
    ]
    for start in range(0, len(rows), 5000):
        session.execute(PolicyRuleRow.__table__.insert(), rows[start : start + 5000])
    return _summary(session, policy, len(rows))


def _store_default(session: Session) -> Policy:
    """Store the default policy as version 1, in a savepoint so a concurrent first use wins once."""
    content = default_policy_text()
    rules = default_policy_rules()
    try:
        with session.begin_nested():
            _lock_versions(session)
            if _newest(session) is None:
                stored = _store(session, SYSTEM_ACTOR, 1, DEFAULT_POLICY_NAME, content, rules, True)
                append_event(
                    session,
                    SYSTEM_ACTOR,
                    "policy.load",
                    "policy",
                    1,
                    {
                        "version": 1,
                        "name": DEFAULT_POLICY_NAME,
                        "source_sha256": sha256_text(content),
                        "rules": len(rules),
                        "is_default": True,
                        "previous_version": None,
                        "rules_sha256": policy_rules_digest(session, 1),
                    },
                    at=stored.loaded_at,
                )
    except IntegrityError:
        pass  # another session stored it first; use theirs
    newest = _newest(session)
    if newest is None:
        raise ConflictError("the default policy could not be stored; retry")
    return newest


def _compiled_for(session: Session, summary: PolicySummary) -> LicensePolicy:
    cache_key = (summary.version, summary.source_sha256)
    compiled = _compiled.get(cache_key)
    if compiled is None:
        policy_id = session.scalar(select(Policy.id).where(Policy.version == summary.version))
        rows = session.execute(
            select(
                PolicyRuleRow.license_key, PolicyRuleRow.label, PolicyRuleRow.compliance_alert
            ).where(PolicyRuleRow.policy_id == policy_id)
        ).all()
        rules = [PolicyRule(key, label, alert or "ok", key) for key, label, alert in rows]
        compiled = compile_policy(rules, summary.name, summary.version)
        if len(_compiled) > 16:
            _compiled.clear()
        _compiled[cache_key] = compiled
    return compiled
