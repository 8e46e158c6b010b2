"""The audit log: every action on an escalation or for a holder, with who and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.holders.models import Steward
from hub.stewards.models import AuditEntry, Escalation


def record(
    session: Session,
    *,
    action: str,
    now: datetime,
    staff: Steward | None = None,
    escalation: Escalation | None = None,
    holder_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry in the caller's transaction, so an action and its record
    are committed (or rolled back) together. `staff` None means the system."""
    if escalation is not None and escalation.id is None:
        session.flush()
    entry = AuditEntry(
        staff_id=staff.id if staff is not None else None,
        action=action,
        escalation_id=escalation.id if escalation is not None else None,
        holder_id=holder_id if holder_id is not None else (
            escalation.holder_id if escalation is not None else None
        ),
        details=details or {},
        created_at=now,
    )
    session.add(entry)
    return entry


def trail(session: Session, *, escalation_id: int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.escalation_id == escalation_id)
            .order_by(AuditEntry.id)
        )
    )
