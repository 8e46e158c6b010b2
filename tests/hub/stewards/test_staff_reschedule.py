"""A steward moves a holder's booking from the console: the free times they
are offered, the move itself (capacity, reminders, audit), and who may."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from catalog_support import build_issue3_world
from hub_support import LI, ZHANG, assert_error, login, today_local
from sqlalchemy import select

from hub.bookings.models import Booking
from hub.reminders.models import Reminder
from hub.stewards.models import AuditEntry

from .conftest import open_for

BASE = "/api/v1/staff/escalations"
TOMORROW = today_local() + timedelta(days=1)


@pytest.fixture(autouse=True)
def _more_world(world):
    # Check-ups get a two-hours-before reminder, so there is a reminder to move.
    build_issue3_world(world)


class RecordingScheduler:
    """Stands in for app.state.reminders: which bookings' jobs were synced."""

    def __init__(self) -> None:
        self.synced: list[int] = []

    def sync_booking(self, booking_id: int) -> None:
        self.synced.append(booking_id)


def book(client, service, world, cid=LI["conversation_id"], slot="tongji-1", quantity=1) -> str:
    response = client.post(
        f"/api/v1/service/conversations/{cid}/bookings",
        json={"slot_id": world.slots[slot], "offering": "comprehensive", "quantity": quantity,
              "details": {}},
        headers={**service, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def free_times(client, headers, esc_id, reference, day):
    return client.get(f"{BASE}/{esc_id}/bookings/{reference}/availability",
                      params={"date": day.isoformat()}, headers=headers)


def move(client, headers, esc_id, reference, slot_id, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(f"{BASE}/{esc_id}/bookings/{reference}/reschedule",
                       json={"slot_id": slot_id}, headers={**headers, **extra})


def reschedules(world, esc_id) -> list[AuditEntry]:
    with world.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(
            AuditEntry.escalation_id == esc_id, AuditEntry.action == "reschedule_booking")))


def reminder_times(world, reference):
    with world.sessions() as s:
        booking = s.scalars(select(Booking).where(Booking.reference == reference)).one()
        return {r.kind: (r.status, r.send_at) for r in s.scalars(
            select(Reminder).where(Reminder.booking_id == booking.id))}


def slot_of(world, reference) -> int:
    with world.sessions() as s:
        return s.scalars(select(Booking.slot_id).where(Booking.reference == reference)).one()


# -- free times ------------------------------------------------------------------------


def test_free_times_are_the_same_service_at_the_same_place(client, world, staff, clock,
                                                           wang, service):
    reference = book(client, service, world)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)

    response = free_times(client, wang, esc_id, reference, TOMORROW)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["booking"]["reference"] == reference and body["date"] == TOMORROW.isoformat()
    # Not the booking's own slot, not Putuo Central's (a move stays at one hospital).
    assert [s["slot_id"] for s in body["slots"]] == [world.slots["tongji-1b"]]
    assert body["slots"][0]["starts_at"].endswith("+08:00")

    next_day = free_times(client, wang, esc_id, reference, TOMORROW + timedelta(days=1)).json()
    assert [s["slot_id"] for s in next_day["slots"]] == [world.slots["tongji-2"]]


def test_a_day_without_room_offers_the_next_free_days_there(client, world, staff, clock,
                                                            wang, service):
    reference = book(client, service, world)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    empty_day = TOMORROW + timedelta(days=5)
    later = world.add_slot("tongji-later", provider="tongji-hospital",
                           day=empty_day + timedelta(days=2), hour=8)
    body = free_times(client, wang, esc_id, reference, empty_day).json()
    assert body["slots"] == []
    assert [s["slot_id"] for s in body["alternatives"]] == [later]


def test_free_times_refuse_past_dates_and_cancelled_bookings(client, world, staff, clock,
                                                             wang, service):
    reference = book(client, service, world)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert_error(free_times(client, wang, esc_id, reference, today_local() - timedelta(days=1)),
                 422, "date_in_past")
    assert_error(client.get(f"{BASE}/{esc_id}/bookings/{reference}/availability",
                            params={"date": "2026-02-30"}, headers=wang), 422, "invalid_request")
    client.post(f"{BASE}/{esc_id}/bookings/{reference}/cancel", headers=wang)
    assert_error(free_times(client, wang, esc_id, reference, TOMORROW), 422,
                 "booking_cancelled")


# -- the move ------------------------------------------------------------------------------


def test_reschedule_moves_capacity_reminders_and_is_audited(client, world, staff, clock,
                                                            wang, service):
    reference = book(client, service, world)
    scheduler = RecordingScheduler()
    client.app.state.reminders = scheduler
    before = reminder_times(world, reference)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)

    response = move(client, wang, esc_id, reference, world.slots["tongji-2"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["moved"] is True
    assert body["booking"]["reference"] == reference
    assert body["booking"]["status"] == "confirmed"
    assert world.booked("tongji-1") == 0 and world.booked("tongji-2") == 1

    after = reminder_times(world, reference)
    assert after["two_hours_before"][0] == "scheduled"
    assert after["two_hours_before"][1] - before["two_hours_before"][1] == timedelta(days=1)
    with world.sessions() as s:
        booking_id = s.scalars(select(Booking.id).where(Booking.reference == reference)).one()
    assert scheduler.synced == [booking_id]  # the jobs follow the rows, after the commit

    (entry,) = reschedules(world, esc_id)
    assert entry.staff_id == staff.ids["wang"] and entry.holder_id == staff.holders["li"]
    assert entry.created_at is not None
    assert entry.details["reference"] == reference
    assert entry.details["from_slot_id"] == world.slots["tongji-1"]
    assert entry.details["to_slot_id"] == world.slots["tongji-2"]
    assert entry.details["to"] == body["booking"]["starts_at"]
    assert entry.details["from"].endswith("+08:00")
    assert entry.details["idempotency_key"].startswith("staff-")  # none was sent

    detail = client.get(f"{BASE}/{esc_id}", headers=wang).json()
    assert detail["bookings"][0]["starts_at"] == body["booking"]["starts_at"]
    assert detail["audit"][-1]["action"] == "reschedule_booking"
    assert "reschedule_booking" in detail["escalation"]["allowed_actions"]


def test_the_same_key_twice_moves_and_records_once(client, world, staff, clock, wang, service):
    reference = book(client, service, world, quantity=2)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    key = str(uuid.uuid4())
    first = move(client, wang, esc_id, reference, world.slots["tongji-1b"], key)
    again = move(client, wang, esc_id, reference, world.slots["tongji-1b"], key)
    assert first.status_code == again.status_code == 200
    assert again.json()["moved"] is False
    assert world.booked("tongji-1") == 0 and world.booked("tongji-1b") == 2
    assert len(reschedules(world, esc_id)) == 1
    assert_error(move(client, wang, esc_id, reference, world.slots["tongji-2"], key), 409,
                 "idempotency_conflict")
    assert len(reschedules(world, esc_id)) == 1


def test_a_full_slot_changes_nothing_and_offers_alternatives(client, world, staff, clock,
                                                             wang, service):
    reference = book(client, service, world)
    before = reminder_times(world, reference)
    full = world.add_slot("full", provider="tongji-hospital", day=TOMORROW, hour=17,
                          capacity=1, booked=1)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)

    body = assert_error(move(client, wang, esc_id, reference, full), 409, "slot_full")
    # Another free time that day at the same hospital (not the one it has).
    assert [s["slot_id"] for s in body["alternatives"]] == [world.slots["tongji-1b"]]
    assert world.booked("tongji-1") == 1 and world.booked("full") == 1
    assert slot_of(world, reference) == world.slots["tongji-1"]
    assert reminder_times(world, reference) == before
    assert reschedules(world, esc_id) == []


def test_refused_targets_change_nothing(client, world, staff, clock, wang, service):
    reference = book(client, service, world)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert_error(move(client, wang, esc_id, reference, world.slots["central-1"]), 422,
                 "invalid_slot")  # another hospital
    assert_error(move(client, wang, esc_id, reference, world.slots["tongji-1"]), 422, "same_slot")
    assert_error(move(client, wang, esc_id, reference, 999_999), 404, "not_found")
    assert_error(client.post(f"{BASE}/{esc_id}/bookings/{reference}/reschedule", json={},
                             headers=wang), 422, "invalid_request")
    assert world.booked("tongji-1") == 1
    assert reschedules(world, esc_id) == []


# -- who may ---------------------------------------------------------------------------------


def test_another_stewards_escalation_is_forbidden(client, world, staff, clock, zhao, service):
    reference = book(client, service, world)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)  # Wang's holder
    assert_error(free_times(client, zhao, esc_id, reference, TOMORROW), 403, "forbidden")
    assert_error(move(client, zhao, esc_id, reference, world.slots["tongji-2"]), 403, "forbidden")
    assert world.booked("tongji-1") == 1 and reschedules(world, esc_id) == []


def test_holder_token_and_no_token_open_nothing(client, world, staff, clock, service):
    reference = book(client, service, world)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    holder = login(client, LI)
    assert_error(free_times(client, holder, esc_id, reference, TOMORROW), 403, "forbidden")
    assert_error(move(client, holder, esc_id, reference, world.slots["tongji-2"]), 403,
                 "forbidden")
    assert_error(move(client, {}, esc_id, reference, world.slots["tongji-2"]), 401,
                 "not_authenticated")
    assert world.booked("tongji-1") == 1


def test_resolved_escalation_is_409_and_changes_nothing(client, world, staff, clock, wang,
                                                        service):
    reference = book(client, service, world)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    client.post(f"{BASE}/{esc_id}/resolve", json={"outcome": "done"}, headers=wang)
    assert_error(free_times(client, wang, esc_id, reference, TOMORROW), 409,
                 "invalid_transition")
    assert_error(move(client, wang, esc_id, reference, world.slots["tongji-2"]), 409,
                 "invalid_transition")
    assert world.booked("tongji-1") == 1 and world.booked("tongji-2") == 0
    detail = client.get(f"{BASE}/{esc_id}", headers=wang).json()
    assert "reschedule_booking" not in detail["escalation"]["allowed_actions"]


def test_only_the_escalation_holders_bookings(client, world, staff, clock, wang, service):
    others = book(client, service, world, cid=ZHANG["conversation_id"])
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert_error(free_times(client, wang, esc_id, others, TOMORROW), 404, "not_found")
    assert_error(move(client, wang, esc_id, others, world.slots["tongji-2"]), 404, "not_found")
    assert world.booked("tongji-1") == 1


def test_supervisor_and_shared_queue(client, world, staff, clock, chen, zhao, service):
    li_booking = book(client, service, world)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert move(client, chen, esc_id, li_booking, world.slots["tongji-2"]).status_code == 200
    assert reschedules(world, esc_id)[0].staff_id == staff.ids["chen"]

    # The orphan has no steward: their escalation is in the shared queue, open to Zhao.
    orphan = book(client, service, world, cid="conv-orphan", slot="tongji-1b")
    shared = open_for(world.sessions, staff.holders["orphan"], clock=clock)
    assert move(client, zhao, shared, orphan, world.slots["tongji-1"]).status_code == 200


def test_a_move_made_on_the_engines_retry_is_still_audited(client, world, staff, clock, wang,
                                                           service, monkeypatch):
    """The engine rolls back and retries when another writer moved the booking
    between its read and its write; that rollback drops the pending audit
    entry, so the steward's action records the move from the booking's history."""
    from hub.stewards import actions

    real = actions.reschedule_booking

    def after_a_lost_race(session, **kwargs):
        session.rollback()  # what the engine does on _Raced before it retries
        return real(session, **kwargs)

    monkeypatch.setattr(actions, "reschedule_booking", after_a_lost_race)
    reference = book(client, service, world)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert move(client, wang, esc_id, reference, world.slots["tongji-2"]).status_code == 200
    (entry,) = reschedules(world, esc_id)
    assert entry.details["from_slot_id"] == world.slots["tongji-1"]
    assert entry.details["to_slot_id"] == world.slots["tongji-2"]
    assert entry.staff_id == staff.ids["wang"]
