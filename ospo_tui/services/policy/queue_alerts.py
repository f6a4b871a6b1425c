"""Re-ranking the review queue under a policy: alert, policy version and priority per item.

Set-based, because a queue holds 100,000 files but only a few hundred distinct detected
expressions: each distinct expression is judged once in Python, the verdicts go into a temporary
table, and one UPDATE joins them onto every item. The part of the priority that does not depend on
the policy (todo, detection quality, copyleft) is kept from the stored priority.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    case,
    func,
    select,
)
from sqlalchemy.orm import Session

from ospo_tui.models import STATE_STALE, ReviewItem, Scan
from ospo_tui.services.policy.priority import BASE_LEVELS, alert_level
from ospo_tui.services.policy.rules import LicensePolicy

_items = ReviewItem.__table__
_verdicts = Table(
    "ospo_policy_verdicts",
    MetaData(),
    Column("expression", Text, primary_key=True),
    Column("alert", String(16)),
    Column("level", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)


def judged_expression() -> ColumnElement[str | None]:
    """The expression a policy judges: ScanCode keys, or SPDX ids when only those were imported."""
    return func.coalesce(_items.c.detected_expression, _items.c.detected_spdx)


def apply_policy(
    session: Session, policy: LicensePolicy, scan_ids: Sequence[int] | None = None
) -> dict[str, int]:
    """Set alert, policy version and priority on the items of ``scan_ids`` (default: every
    complete scan). Returns the number of items per alert ("none" for no detected license)."""
    if scan_ids is None:
        scope = _items.c.scan_id.in_(select(Scan.id).where(Scan.state == "complete"))
    else:
        scope = _items.c.scan_id.in_(list(scan_ids))
    expressions = session.execute(select(judged_expression()).where(scope).distinct()).scalars()
    rows = []
    for expression in expressions:
        if expression is None:
            continue
        alert = policy.alert(expression)
        rows.append({"expression": expression, "alert": alert, "level": alert_level(alert)})

    connection = session.connection()
    _verdicts.create(connection, checkfirst=True)
    connection.execute(_verdicts.delete())
    for start in range(0, len(rows), 5000):
        connection.execute(_verdicts.insert(), rows[start : start + 5000])
    match = _verdicts.c.expression == judged_expression()
    level = func.coalesce(select(_verdicts.c.level).where(match).scalar_subquery(), BASE_LEVELS)
    connection.execute(
        _items.update()
        .where(scope)
        .values(
            policy_alert=select(_verdicts.c.alert).where(match).scalar_subquery(),
            policy_version=policy.version,
            # (alert level - 1) * 4 + the policy-free rank kept from the stored priority. A stale
            # decision (findings changed under it) stays first whatever the policy says.
            priority=case(
                (_items.c.state == STATE_STALE, _items.c.priority),
                else_=(level - 1) * BASE_LEVELS + (_items.c.priority - 1) % BASE_LEVELS + 1,
            ),
        )
    )
    _verdicts.drop(connection)
    counts = session.execute(
        select(_items.c.policy_alert, func.count()).where(scope).group_by(_items.c.policy_alert)
    ).all()
    return {alert or "none": count for alert, count in counts}
