"""Reminder rows for bookings: plan on booking, cancel, move, manage.

These run inside the caller's transaction, so a booking and its reminders are
committed together; the caller hands the returned ids to the scheduler after
the commit (`ReminderScheduler.sync`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub.applications.models import Application
from hub.bookings.models import Booking
from hub.catalog.models import ServiceArea
from hub.config import LOCAL_TZ
from hub.holders.models import Holder
from hub.reminders import policy
from hub.reminders.models import CANCELLED, SCHEDULED, SKIPPED, Reminder


def reminder_id(booking: Booking, kind: str) -> str:
    return f"{booking.reference}:{kind}"


def plan_for_booking(
    session: Session,
    *,
    booking: Booking,
    quiet: policy.QuietHours,
    now: datetime,
    rules: list[dict] | None = None,
) -> list[str]:
    """Create or move the reminders of a confirmed booking; returns their ids.

    `rules` defaults to the area's policy in the catalog. A reminder whose time
    has already gone when the booking is made is recorded as skipped, so the
    holder's list says why there is none.
    """
    if rules is None:
        area = session.get(ServiceArea, booking.area_code)
        # Deadline rules are about an application's calendar, not a booking.
        rules = [r for r in (area.reminder_policy if area else []) if "deadline" not in r]
    ids = []
    for planned in policy.plan(rules=rules, starts_at=booking.slot.starts_at, quiet=quiet):
        rid = reminder_id(booking, planned.kind)
        reminder = session.get(Reminder, rid) or Reminder(
            id=rid, booking_id=booking.id, holder_id=booking.holder_id, kind=planned.kind
        )
        session.add(reminder)
        _schedule(reminder, planned, now=now, late="its time had passed when booked")
        ids.append(rid)
    session.flush()
    return ids


def _schedule(reminder: Reminder, planned: policy.PlannedReminder, *, now: datetime,
              late: str) -> None:
    """(Re)arm a reminder for its planned time; one already past is recorded as
    skipped with `late` as the reason, so the holder's list says why."""
    reminder.note = planned.note
    reminder.due_at, reminder.send_at = planned.due_at, planned.send_at
    reminder.attempts, reminder.next_attempt_at, reminder.last_error = 0, None, ""
    reminder.delivered_at = None
    if planned.send_at <= now:
        reminder.status, reminder.status_reason = SKIPPED, late
    else:
        reminder.status, reminder.status_reason = SCHEDULED, ""


def _cancel_pending(session: Session, condition: Any, *, reason: str) -> list[str]:
    pending = session.scalars(
        select(Reminder).where(condition, Reminder.status == SCHEDULED)
    ).all()
    for reminder in pending:
        reminder.status, reminder.status_reason = CANCELLED, reason
    session.flush()
    return [r.id for r in pending]


def cancel_for_booking(session: Session, *, booking: Booking, reason: str) -> list[str]:
    """Cancel what is still pending for a booking; returns the ids to unschedule."""
    return _cancel_pending(session, Reminder.booking_id == booking.id, reason=reason)


def replan_for_booking(
    session: Session, *, booking: Booking, quiet: policy.QuietHours, now: datetime
) -> list[str]:
    """After a reschedule: every reminder the booking had moves with it,
    including extra ones the holder asked for; ones turned off stay off."""
    existing = session.scalars(select(Reminder).where(Reminder.booking_id == booking.id)).all()
    turned_off = {r.kind for r in existing if r.status == CANCELLED}
    area = session.get(ServiceArea, booking.area_code)
    rules = [r for r in (area.reminder_policy if area else []) if r["id"] not in turned_off]
    extras = [
        policy.extra_rule(int(r.kind.removeprefix("extra_").removesuffix("m")))
        for r in existing
        if r.kind.startswith("extra_") and r.kind not in turned_off
    ]
    return plan_for_booking(session, booking=booking, quiet=quiet, now=now, rules=rules + extras)


def plan_for_application(
    session: Session, *, application: Application, quiet: policy.QuietHours, now: datetime
) -> list[str]:
    """A reminder before each deadline of the area's calendar that is still
    ahead (rules with a `deadline` in the catalog's reminder policy)."""
    area = session.get(ServiceArea, application.area_code)
    ids = []
    for rule in area.reminder_policy if area else []:
        if "deadline" not in rule:
            continue
        deadline = datetime.strptime(rule["deadline"], "%Y-%m-%d %H:%M").replace(tzinfo=LOCAL_TZ)
        if deadline <= now:
            continue
        planned = policy.plan(rules=[rule], starts_at=deadline, quiet=quiet)[0]
        rid = f"{application.reference}:{planned.kind}"
        reminder = session.get(Reminder, rid) or Reminder(
            id=rid, application_id=application.id, holder_id=application.holder_id,
            kind=planned.kind,
        )
        session.add(reminder)
        reminder.event_name, reminder.event_at = str(rule.get("name", "")), deadline
        _schedule(reminder, planned, now=now, late="its time had passed when applied")
        ids.append(rid)
    session.flush()
    return ids


def cancel_for_application(session: Session, *, application: Application, reason: str) -> list[str]:
    """The application is withdrawn or decided: its deadlines no longer matter."""
    return _cancel_pending(session, Reminder.application_id == application.id, reason=reason)


def list_for_holder(
    session: Session, *, holder: Holder, reference: str | None = None
) -> list[Reminder]:
    query = (
        select(Reminder)
        .outerjoin(Booking, Reminder.booking_id == Booking.id)
        .outerjoin(Application, Reminder.application_id == Application.id)
        .where(Reminder.holder_id == holder.id)
        .order_by(Reminder.send_at)
    )
    if reference is not None:
        query = query.where(or_(Booking.reference == reference, Application.reference == reference))
    return list(session.scalars(query).all())


def turn_off(session: Session, *, holder: Holder, reference: str | None = None) -> list[str]:
    """The holder turns reminders off for one booking, or all of theirs."""
    pending = [r for r in list_for_holder(session, holder=holder, reference=reference)
               if r.status == SCHEDULED]
    for reminder in pending:
        reminder.status, reminder.status_reason = CANCELLED, "turned off by the holder"
    session.flush()
    return [r.id for r in pending]


def add_extra(
    session: Session,
    *,
    booking: Booking,
    minutes_before: int,
    quiet: policy.QuietHours,
    now: datetime,
) -> Reminder:
    """One more reminder the holder asked for ("remind me 3 hours before")."""
    (rid,) = plan_for_booking(
        session, booking=booking, quiet=quiet, now=now, rules=[policy.extra_rule(minutes_before)]
    )
    reminder = session.get(Reminder, rid)
    assert reminder is not None
    return reminder
