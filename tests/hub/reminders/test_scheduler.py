from __future__ import annotations

import time as walltime
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from hub.bookings.models import Booking
from hub.chat.models import ChatMessage
from hub.db import session_scope
from hub.reminders import service
from hub.reminders.models import Reminder
from hub.reminders.policy import QuietHours
from hub.reminders.scheduler import ReminderScheduler

from .conftest import NO_QUIET

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


def make_scheduler(db, channel, *, clock=lambda: T0, quiet=NO_QUIET, delays=(30.0, 60.0)):
    engine, sessions = db
    return ReminderScheduler(
        engine=engine, session_factory=sessions, channel=channel, quiet=quiet,
        retry_delays=delays, clock=clock,
    )


def plan(world, booking_id, *, now=T0, quiet=NO_QUIET, rules=None):
    with session_scope(world.sessions) as s:
        booking = s.get(Booking, booking_id)
        return service.plan_for_booking(s, booking=booking, quiet=quiet, now=now, rules=rules)


def reminder(world, rid) -> Reminder:
    with session_scope(world.sessions) as s:
        return s.get(Reminder, rid)


def logged(world) -> list[ChatMessage]:
    with session_scope(world.sessions) as s:
        return list(s.scalars(select(ChatMessage).order_by(ChatMessage.id)))


def test_booking_plans_policy_reminders_and_skips_passed_ones(world):
    # Appointment tomorrow 07:30 local; "evening before" 19:00 today is ahead.
    booking = world.book(datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc))
    ids = plan(world, booking)
    assert ids == ["TC-TEST01:evening_before", "TC-TEST01:two_hours_before"]
    assert reminder(world, ids[0]).status == "scheduled"
    late = world.book(T0 + timedelta(hours=1))  # in one hour: both times gone
    for rid in plan(world, late):
        assert reminder(world, rid).status == "skipped"


def test_deliver_logs_the_bots_words_once(db, world, channel):
    booking = world.book(T0 + timedelta(days=2))
    rid = plan(world, booking)[0]
    scheduler = make_scheduler(db, channel)
    scheduler.deliver(rid)
    scheduler.deliver(rid)  # a second run of the same job
    assert [c["reference"] for c in channel.calls] == ["TC-TEST01"]
    row = reminder(world, rid)
    assert row.status == "delivered" and row.delivered_at == T0
    messages = logged(world)
    assert len(messages) == 1
    assert messages[0].sender == "bot" and messages[0].payload["reminder_id"] == rid


def test_cancelled_booking_is_skipped_not_sent(db, world, channel):
    booking = world.book(T0 + timedelta(days=2))
    rid = plan(world, booking)[0]
    with session_scope(world.sessions) as s:
        s.get(Booking, booking).status = "cancelled"
    make_scheduler(db, channel).deliver(rid)
    assert channel.calls == []
    assert reminder(world, rid).status == "skipped"
    assert logged(world) == []


def test_cancel_for_booking_cancels_pending_rows(world):
    booking = world.book(T0 + timedelta(days=2))
    ids = plan(world, booking)
    with session_scope(world.sessions) as s:
        dropped = service.cancel_for_booking(s, booking=s.get(Booking, booking), reason="cancelled")
    assert dropped == ids
    assert {reminder(world, rid).status for rid in ids} == {"cancelled"}


def test_reschedule_moves_reminders(world):
    booking = world.book(T0 + timedelta(days=2))
    rid = plan(world, booking)[1]
    before = reminder(world, rid).send_at
    with session_scope(world.sessions) as s:
        b = s.get(Booking, booking)
        b.slot.starts_at = b.slot.starts_at + timedelta(days=3)
        service.replan_for_booking(s, booking=b, quiet=NO_QUIET, now=T0)
    after = reminder(world, rid)
    assert after.send_at == before + timedelta(days=3) and after.status == "scheduled"


def test_appointment_passed_while_down_is_skipped(db, world, channel):
    booking = world.book(T0 + timedelta(days=1))
    rid = plan(world, booking)[1]
    later = T0 + timedelta(days=2)
    make_scheduler(db, channel, clock=lambda: later).deliver(rid)
    assert channel.calls == []
    row = reminder(world, rid)
    assert row.status == "skipped" and "started" in row.status_reason


def test_bot_down_is_retried_with_backoff_then_delivered(db, world, channel):
    booking = world.book(T0 + timedelta(days=2))
    rid = plan(world, booking)[0]
    scheduler = make_scheduler(db, channel)
    channel.down = True
    scheduler.deliver(rid)
    row = reminder(world, rid)
    assert row.status == "scheduled" and row.attempts == 1
    assert row.next_attempt_at == T0 + timedelta(seconds=30)
    assert "connection refused" in row.last_error
    channel.down = False
    scheduler.deliver(rid)
    row = reminder(world, rid)
    assert row.status == "delivered" and row.attempts == 2
    assert len(logged(world)) == 1


def test_retries_run_out_and_the_failure_is_recorded(db, world, channel):
    booking = world.book(T0 + timedelta(days=2))
    rid = plan(world, booking)[0]
    scheduler = make_scheduler(db, channel, delays=(1.0,))
    channel.down = True
    scheduler.deliver(rid)
    scheduler.deliver(rid)
    row = reminder(world, rid)
    assert row.status == "failed" and row.attempts == 2


def test_firing_inside_quiet_hours_waits_for_them_to_end(db, world, channel):
    # The hub comes back at 23:00 local with a reminder overdue for a 14:00
    # appointment tomorrow: it goes at 07:30, not now.
    night = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)  # 23:00 local
    booking = world.book(datetime(2026, 12, 2, 6, 0, tzinfo=timezone.utc))
    rid = plan(world, booking, now=night - timedelta(days=1))[1]
    quiet = QuietHours(time(22, 0), time(7, 30))
    make_scheduler(db, channel, clock=lambda: night, quiet=quiet).deliver(rid)
    assert channel.calls == []
    row = reminder(world, rid)
    assert row.status == "scheduled"
    assert row.next_attempt_at == datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)


def _wait_for(predicate, seconds=15.0):
    deadline = walltime.monotonic() + seconds
    while walltime.monotonic() < deadline:
        if predicate():
            return True
        walltime.sleep(0.1)
    return False


def test_real_scheduler_fires_a_due_reminder(db, world, channel):
    now = datetime.now(timezone.utc)
    booking = world.book(now + timedelta(days=1))
    [rid] = plan(world, booking, now=now, rules=[{"id": "soon", "minutes_before": 24 * 60 - 0.02}])
    scheduler = make_scheduler(db, channel, clock=lambda: datetime.now(timezone.utc))
    scheduler.start()
    try:
        scheduler.sync([rid])
        assert _wait_for(lambda: reminder(world, rid).status == "delivered")
    finally:
        scheduler.shutdown()
    assert len(logged(world)) == 1


def test_restart_delivers_overdue_reminder_exactly_once_and_never_a_cancelled_one(db, world, channel):
    now = datetime.now(timezone.utc)
    rules = [{"id": "soon", "minutes_before": 24 * 60 - 0.03}]  # due in ~2 s
    kept = world.book(now + timedelta(days=1))
    dropped = world.book(now + timedelta(days=1))
    [kept_id] = plan(world, kept, now=now, rules=rules)
    [dropped_id] = plan(world, dropped, now=now, rules=rules)

    def clock() -> datetime:
        return datetime.now(timezone.utc)

    first = make_scheduler(db, channel, clock=clock)
    first.start()
    first.sync([kept_id, dropped_id])
    first.shutdown()  # the hub goes down before the reminders are due

    with session_scope(world.sessions) as s:  # cancelled while it was down
        b = s.get(Booking, dropped)
        b.status = "cancelled"
        service.cancel_for_booking(s, booking=b, reason="cancelled by the holder")
    walltime.sleep(2.5)  # their due time passes during the downtime

    second = make_scheduler(db, channel, clock=clock)
    second.start()
    try:
        assert _wait_for(lambda: reminder(world, kept_id).status == "delivered")
        walltime.sleep(0.5)
    finally:
        second.shutdown()
    assert [c["reference"] for c in channel.calls] == ["TC-TEST01"]
    assert reminder(world, dropped_id).status == "cancelled"
    assert len(logged(world)) == 1


def test_reconcile_rebuilds_a_job_lost_between_commit_and_schedule(db, world, channel):
    booking = world.book(T0 + timedelta(days=30))
    ids = plan(world, booking)  # committed, but no job was ever written
    scheduler = make_scheduler(db, channel)
    scheduler.start()
    try:
        assert scheduler.job_ids() == set(ids)
    finally:
        scheduler.shutdown()
