"""Escalations, messages and audit entries as the staff API shows them.

Times are ISO 8601 in Asia/Shanghai (+08:00), as everywhere a person looks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.bookings import engine
from hub.bookings.serializers import booking_out
from hub.chat.models import ChatMessage
from hub.clock import local_iso
from hub.holders.models import Holder, Steward
from hub.holders.profile import profile_out
from hub.stewards import audit, records
from hub.stewards.access import is_supervisor, may_act
from hub.stewards.models import AuditEntry, Escalation

# The console shows the whole story; this cap only guards against a
# pathological log, and `messages_truncated` says when it applied.
MAX_MESSAGES = 1000


def staff_out(steward: Steward | None) -> dict[str, Any] | None:
    if steward is None:
        return None
    return {"id": steward.id, "username": steward.username, "name": steward.name,
            "role": steward.role}


def queue_item_out(escalation: Escalation, *, now: datetime) -> dict[str, Any]:
    holder = escalation.holder
    return {
        "id": escalation.id,
        "status": escalation.status,
        "priority": escalation.priority,
        "reason": escalation.reason,
        "area_code": escalation.area_code,
        "headline": _headline(escalation.summary),
        "holder": {"id": holder.id, "name": holder.name, "name_zh": holder.name_zh,
                   "card_number": holder.card_number, "golden": holder.golden},
        "assigned_to": staff_out(escalation.steward),
        "shared_queue": escalation.steward_id is None,
        "claimed_by": staff_out(escalation.claimed_by),
        "created_at": local_iso(escalation.created_at),
        "waiting_seconds": int((now - escalation.created_at).total_seconds()),
        "response_due_at": local_iso(escalation.response_due_at),
        "overdue": escalation.first_response_at is None
        and escalation.live
        and escalation.response_due_at < now,
    }


def escalation_out(escalation: Escalation, *, staff: Steward, now: datetime) -> dict[str, Any]:
    return {
        **queue_item_out(escalation, now=now),
        "summary": escalation.summary,
        "context": escalation.context,
        "claimed_at": local_iso(escalation.claimed_at),
        "first_response_at": local_iso(escalation.first_response_at),
        "resolved_at": local_iso(escalation.resolved_at),
        "outcome": escalation.outcome,
        "allowed_actions": allowed_actions(escalation, staff=staff),
    }


def allowed_actions(escalation: Escalation, *, staff: Steward) -> list[str]:
    """What the console should offer; the service functions enforce the same."""
    if not may_act(staff, escalation) or not escalation.live:
        return []
    actions = ["reply", "resolve", "cancel_booking", "reschedule_booking",
               "move_application", "move_service_request"]
    if escalation.status == "open":
        actions.append("claim")
    if escalation.status == "claimed":
        actions.append("hold")
    if is_supervisor(staff):
        actions.append("reassign")
    return sorted(actions)


def detail_out(
    session: Session, escalation: Escalation, *, staff: Steward, now: datetime
) -> dict[str, Any]:
    holder = escalation.holder
    messages = list(
        session.scalars(
            select(ChatMessage)
            .where(ChatMessage.holder_id == holder.id)
            .order_by(ChatMessage.id.desc())
            .limit(MAX_MESSAGES + 1)
        )
    )
    truncated = len(messages) > MAX_MESSAGES
    messages = list(reversed(messages[:MAX_MESSAGES]))
    return {
        "escalation": escalation_out(escalation, staff=staff, now=now),
        "holder": holder_out(holder),
        "bookings": [booking_out(session, b) for b in engine.list_bookings(session, holder=holder)],
        "applications": [records.staff_application_out(session, a)
                         for a in records.holder_applications(session, holder=holder)],
        "service_requests": [records.staff_request_out(session, r)
                             for r in records.holder_requests(session, holder=holder)],
        "messages": [message_out(m) for m in messages],
        "messages_truncated": truncated,
        "audit": [audit_out(e) for e in audit.trail(session, escalation_id=escalation.id)],
    }


def holder_out(holder: Holder) -> dict[str, Any]:
    # The holder's own Profile plus what a steward needs to reach them.
    return {**profile_out(holder), "id": holder.id, "phone": holder.phone,
            "email": holder.email, "preferred_language": holder.preferred_language}


def message_out(message: ChatMessage) -> dict[str, Any]:
    payload = message.payload or {}
    steward = payload.get("steward") if message.sender == "steward" else None
    return {
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "buttons": payload.get("buttons", []),
        "steward_name": steward.get("name") if isinstance(steward, dict) else None,
        "created_at": local_iso(message.created_at),
    }


def audit_out(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "action": entry.action,
        "by": staff_out(entry.staff),
        "details": entry.details,
        "at": local_iso(entry.created_at),
    }


def _headline(summary: str) -> str:
    first = summary.strip().splitlines()[0] if summary.strip() else ""
    return first if len(first) <= 120 else first[:119] + "…"
