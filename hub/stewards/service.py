"""The life of an escalation: opened by the bot, claimed, answered, put on hold,
resolved. Every change writes an audit entry in the same transaction.

Functions take the caller's Session and never commit: the request (or the CLI)
owns the unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.chat.models import ChatMessage
from hub.holders.models import Holder, Steward
from hub.stewards import audit
from hub.stewards.access import is_supervisor, require_may_act
from hub.stewards.errors import Forbidden, InvalidInput, InvalidTransition
from hub.stewards.models import (
    LIVE_STATUSES,
    PRIORITIES,
    REASONS,
    Escalation,
    StewardPresence,
)
from hub.stewards.office_hours import OfficeHours, response_due_at

MAX_REPLY_CHARS = 2000
MAX_OUTCOME_CHARS = 2000

_DEFAULT_PRIORITY = {
    "complaint": "high",
    "backend_failure": "high",
    "requested": "normal",
    "fallback": "normal",
    "judgement": "normal",
}


class Opening(NamedTuple):
    escalation: Escalation
    appended: bool  # True when the holder already had a live one


def default_priority(reason: str) -> str:
    return _DEFAULT_PRIORITY.get(reason, "normal")


def steward_is_away(session: Session, *, steward_id: int) -> bool:
    presence = session.get(StewardPresence, steward_id)
    return presence is not None and presence.away


def set_away(
    session: Session, *, steward: Steward, away: bool, staff: Steward, now: datetime
) -> None:
    """Mark a steward away or back: themselves, or anyone for a supervisor.
    Escalations already assigned stay put; a supervisor reassigns them."""
    if staff.id != steward.id and not is_supervisor(staff):
        raise Forbidden("Only a supervisor can mark another steward away.")
    presence = session.get(StewardPresence, steward.id)
    if presence is None:
        presence = StewardPresence(steward_id=steward.id)
        session.add(presence)
    presence.away = away
    presence.updated_at = now
    presence.updated_by_id = staff.id
    audit.record(session, action="away" if away else "back", staff=staff, now=now,
                 details={"steward": steward.username})


def assignee_for(session: Session, *, holder: Holder) -> Steward | None:
    """The holder's own steward, or None (the shared queue) when they have none
    or theirs is away or no longer active."""
    steward = holder.steward
    if steward is None or not steward.active:
        return None
    if steward_is_away(session, steward_id=steward.id):
        return None
    return steward


def live_escalation(session: Session, *, holder_id: int) -> Escalation | None:
    """The holder's open/claimed/waiting escalation: while there is one, the chat
    gateway sends their messages to the steward instead of the bot."""
    return session.scalars(
        select(Escalation).where(
            Escalation.holder_id == holder_id, Escalation.status.in_(LIVE_STATUSES)
        )
    ).first()


def open_escalation(
    session: Session,
    *,
    holder: Holder,
    reason: str,
    summary: str,
    context: dict[str, Any],
    priority: str,
    area_code: str | None,
    now: datetime,
    office_hours: OfficeHours | None = None,
) -> Opening:
    """Hand the holder's request to a person. A holder who already has a live
    escalation gets this one added to it: one story, one steward."""
    if reason not in REASONS:
        raise InvalidInput(f"Unknown reason {reason!r}.", allowed=list(REASONS))
    if priority not in PRIORITIES:
        raise InvalidInput(f"Unknown priority {priority!r}.", allowed=list(PRIORITIES))
    due = response_due_at(now, priority=priority, hours=office_hours)

    existing = live_escalation(session, holder_id=holder.id)
    if existing is not None:
        _append(existing, reason=reason, summary=summary, context=context,
                priority=priority, area_code=area_code, due=due, now=now)
        audit.record(session, action="append", escalation=existing, now=now,
                     details={"reason": reason, "priority": existing.priority})
        return Opening(existing, appended=True)

    assignee = assignee_for(session, holder=holder)
    escalation = Escalation(
        holder_id=holder.id,
        steward_id=assignee.id if assignee is not None else None,
        status="open",
        priority=priority,
        reason=reason,
        area_code=area_code,
        summary=summary.strip(),
        context=context,
        response_due_at=due,
        created_at=now,
        updated_at=now,
    )
    session.add(escalation)
    session.flush()
    audit.record(
        session, action="open", escalation=escalation, now=now,
        details={
            "reason": reason,
            "priority": priority,
            "assigned_to": assignee.username if assignee is not None else None,
        },
    )
    return Opening(escalation, appended=False)


def claim(session: Session, *, escalation: Escalation, staff: Steward, now: datetime) -> None:
    """Take it on. Claiming from the shared queue assigns it to the claimer, so
    it leaves the other stewards' queues."""
    require_may_act(staff, escalation)
    if escalation.status != "open":
        raise InvalidTransition(
            f"Only an open escalation can be claimed; this one is {escalation.status}.",
            escalation_status=escalation.status,
        )
    from_shared = escalation.steward_id is None
    _take(escalation, staff=staff, now=now)
    audit.record(session, action="claim", escalation=escalation, staff=staff, now=now,
                 details={"from_shared_queue": from_shared})


def hold(session: Session, *, escalation: Escalation, staff: Steward, now: datetime) -> None:
    """Waiting for the holder: the clock is theirs until they answer."""
    require_may_act(staff, escalation)
    if escalation.status != "claimed":
        raise InvalidTransition(
            f"Only a claimed escalation can be put on hold; this one is {escalation.status}.",
            escalation_status=escalation.status,
        )
    escalation.status = "waiting_holder"
    escalation.updated_at = now
    audit.record(session, action="hold", escalation=escalation, staff=staff, now=now)


def resolve(
    session: Session, *, escalation: Escalation, staff: Steward, outcome: str, now: datetime
) -> None:
    """Done: the bot takes the conversation back (its Rasa state was never touched)."""
    require_may_act(staff, escalation)
    outcome = outcome.strip()
    if not outcome or len(outcome) > MAX_OUTCOME_CHARS:
        raise InvalidInput(f"Say what the outcome was (1 to {MAX_OUTCOME_CHARS} characters).")
    _require_live(escalation, "resolved")
    escalation.status = "resolved"
    escalation.outcome = outcome
    escalation.resolved_at = now
    escalation.updated_at = now
    if escalation.claimed_by_id is None:
        escalation.claimed_by = staff
    audit.record(session, action="resolve", escalation=escalation, staff=staff, now=now,
                 details={"outcome": outcome})


def reassign(
    session: Session,
    *,
    escalation: Escalation,
    staff: Steward,
    to_steward: Steward | None,
    now: datetime,
) -> None:
    """Supervisor only: give it to another steward, or to the shared queue (None).
    It goes back to open so the new assignee claims it knowingly."""
    if not is_supervisor(staff):
        raise Forbidden("Only a supervisor can reassign an escalation.")
    if to_steward is not None and not to_steward.active:
        raise InvalidInput(f"{to_steward.name} is not an active steward.")
    _require_live(escalation, "reassigned")
    before = escalation.steward.username if escalation.steward is not None else None
    escalation.steward = to_steward
    escalation.claimed_by = None
    escalation.status = "open"
    escalation.updated_at = now
    audit.record(
        session, action="reassign", escalation=escalation, staff=staff, now=now,
        details={"from": before, "to": to_steward.username if to_steward else None},
    )


def post_steward_reply(
    session: Session, *, escalation: Escalation, staff: Steward, text: str, now: datetime
) -> ChatMessage:
    """Append the steward's words to the holder's conversation log, where the web
    chat picks them up live or when the holder comes back. Answering an open
    escalation claims it: a person is now talking to the holder."""
    require_may_act(staff, escalation)
    text = text.strip()
    if not text or len(text) > MAX_REPLY_CHARS:
        raise InvalidInput(f"A reply is 1 to {MAX_REPLY_CHARS} characters.")
    _require_live(escalation, "answered")
    if escalation.status == "open":
        _take(escalation, staff=staff, now=now)
        audit.record(session, action="claim", escalation=escalation, staff=staff, now=now,
                     details={"by_reply": True})
    message = ChatMessage(
        holder_id=escalation.holder_id,
        sender="steward",
        text=text,
        payload={"escalation_id": escalation.id, "steward": {"id": staff.id, "name": staff.name}},
        created_at=now,
    )
    session.add(message)
    session.flush()
    if escalation.first_response_at is None:
        escalation.first_response_at = now
    escalation.updated_at = now
    audit.record(session, action="reply", escalation=escalation, staff=staff, now=now,
                 details={"message_id": message.id, "chars": len(text)})
    return message


def note_holder_message(session: Session, *, escalation: Escalation, now: datetime) -> None:
    """For the chat gateway, after it logs a holder message routed to a steward:
    an answer to a steward's question takes the escalation off hold."""
    escalation.updated_at = now
    if escalation.status == "waiting_holder":
        escalation.status = "claimed"
        audit.record(session, action="holder_replied", escalation=escalation, now=now)


def _take(escalation: Escalation, *, staff: Steward, now: datetime) -> None:
    # Relationships, not ids, so the loaded objects stay in step before a flush.
    if escalation.steward_id is None:
        escalation.steward = staff
    escalation.claimed_by = staff
    escalation.claimed_at = escalation.claimed_at or now
    escalation.status = "claimed"
    escalation.updated_at = now


def _require_live(escalation: Escalation, verb: str) -> None:
    if escalation.status not in LIVE_STATUSES:
        raise InvalidTransition(
            f"This escalation is already resolved and cannot be {verb}.",
            escalation_status=escalation.status,
        )


def _append(
    escalation: Escalation,
    *,
    reason: str,
    summary: str,
    context: dict[str, Any],
    priority: str,
    area_code: str | None,
    due: datetime,
    now: datetime,
) -> None:
    summary = summary.strip()
    if summary and summary not in escalation.summary:
        escalation.summary = f"{escalation.summary}\n\n{summary}".strip()
    # A new dict, not an in-place change: the JSON column tracks assignment only.
    follow_ups = [*escalation.context.get("follow_ups", []),
                  {"at": now.isoformat(), "reason": reason, "summary": summary,
                   "context": context}]
    escalation.context = {**escalation.context, "follow_ups": follow_ups}
    if PRIORITIES.index(priority) > PRIORITIES.index(escalation.priority):
        escalation.priority = priority
    escalation.response_due_at = min(escalation.response_due_at, due)
    escalation.area_code = escalation.area_code or area_code
    if escalation.status == "waiting_holder":
        escalation.status = "claimed"
    escalation.updated_at = now
