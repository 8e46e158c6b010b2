"""Rescheduling a booking: capacity moves, reminders move, a full or foreign
slot changes nothing, the same key twice moves once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from catalog_support import SERVICE, build_issue3_world, key, post
from hub_support import ZHANG, assert_error, today_local
from sqlalchemy import select

from hub.bookings.models import Booking
from hub.reminders.models import Reminder


@pytest.fixture(autouse=True)
def _more_world(world):
    build_issue3_world(world)


def _book(client, slot_id, **extra):
    response = post(client, "/bookings", {"slot_id": slot_id, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def _reschedule(client, reference, slot_id, headers=None, cid=None):
    return post(client, f"/bookings/{reference}/reschedule", {"slot_id": slot_id},
                headers=headers, **({"cid": cid} if cid else {}))


def _reminders(world, reference):
    with world.sessions() as s:
        booking = s.scalars(select(Booking).where(Booking.reference == reference)).one()
        return {r.kind: r for r in s.scalars(select(Reminder).where(
            Reminder.booking_id == booking.id))}


def test_reschedule_moves_capacity_keeps_the_reference_and_records_the_move(client, world):
    booking = _book(client, world.slots["tongji-1"], offering="comprehensive")
    response = _reschedule(client, booking["reference"], world.slots["tongji-2"])
    assert response.status_code == 200, response.text
    moved = response.json()
    assert moved["reference"] == booking["reference"]
    assert moved["starts_at"] != booking["starts_at"]
    assert moved["offering"]["code"] == "comprehensive"
    assert world.booked("tongji-1") == 0 and world.booked("tongji-2") == 1
    (entry,) = moved["details"]["history"]
    assert entry["from_slot_id"] == world.slots["tongji-1"]
    assert entry["to_slot_id"] == world.slots["tongji-2"]
    assert entry["to_starts_at"] == moved["starts_at"]


def test_reminders_move_with_the_booking(client, world):
    booking = _book(client, world.slots["tongji-1"])
    before = _reminders(world, booking["reference"])["two_hours_before"]
    _reschedule(client, booking["reference"], world.slots["tongji-2"])
    after = _reminders(world, booking["reference"])["two_hours_before"]
    assert after.status == "scheduled"
    assert after.due_at - before.due_at == timedelta(days=1)


def test_the_same_key_twice_moves_once_and_another_target_conflicts(client, world):
    booking = _book(client, world.slots["tongji-1"])
    headers = key()
    first = _reschedule(client, booking["reference"], world.slots["tongji-2"], headers)
    again = _reschedule(client, booking["reference"], world.slots["tongji-2"], headers)
    assert first.status_code == again.status_code == 200
    assert len(again.json()["details"]["history"]) == 1
    assert world.booked("tongji-2") == 1
    other = _reschedule(client, booking["reference"], world.slots["tongji-1b"], headers)
    assert_error(other, 409, "idempotency_conflict")


def test_a_full_slot_changes_nothing_and_offers_alternatives(client, world):
    booking = _book(client, world.slots["tongji-1"])
    full = world.add_slot("full", provider="tongji-hospital",
                          day=today_local() + timedelta(days=3), hour=8, capacity=1, booked=1)
    body = assert_error(_reschedule(client, booking["reference"], full), 409, "slot_full")
    assert all(a["slot_id"] != world.slots["tongji-1"] for a in body["alternatives"])
    assert world.booked("tongji-1") == 1 and world.booked("full") == 1
    same = client.get(f"/api/v1/service/conversations/conv-li/bookings/{booking['reference']}",
                      headers=SERVICE).json()
    assert same["starts_at"] == booking["starts_at"] and "history" not in same["details"]
    assert _reminders(world, booking["reference"])["two_hours_before"].status == "scheduled"


def test_another_provider_area_or_offering_is_refused(client, world):
    booking = _book(client, world.slots["tongji-1"], offering="comprehensive")
    ref = booking["reference"]
    assert_error(_reschedule(client, ref, world.slots["central-1"]), 422, "invalid_slot")
    assert_error(_reschedule(client, ref, world.slots["ent-tongji"]), 422, "invalid_slot")
    basic = world.add_slot("basic", provider="tongji-hospital",
                           day=today_local() + timedelta(days=2), hour=9, offering="basic")
    assert_error(_reschedule(client, ref, basic), 422, "invalid_slot")
    assert_error(_reschedule(client, ref, world.slots["tongji-1"]), 422, "same_slot")
    assert_error(_reschedule(client, ref, 999999), 404, "not_found")
    assert world.booked("tongji-1") == 1 and world.booked("central-1") == 0


def test_past_slots_started_and_cancelled_bookings_are_refused(client, world, clock):
    past = world.add_slot("past", provider="tongji-hospital",
                          day=today_local() - timedelta(days=1), hour=8)
    booking = _book(client, world.slots["tongji-1"])
    assert_error(_reschedule(client, booking["reference"], past), 422, "slot_in_past")
    cancelled = _book(client, world.slots["tongji-1b"])
    post(client, f"/bookings/{cancelled['reference']}/cancel", {})
    assert_error(_reschedule(client, cancelled["reference"], world.slots["tongji-2"]),
                 422, "booking_cancelled")
    clock.advance(timedelta(days=1, hours=12))  # tongji-1 (tomorrow 08:00) has started
    assert_error(_reschedule(client, booking["reference"], world.slots["tongji-2"]),
                 422, "slot_in_past")


def test_another_holders_booking_is_not_found(client, world):
    booking = _book(client, world.slots["tongji-1"])
    response = _reschedule(client, booking["reference"], world.slots["tongji-2"],
                           cid=ZHANG["conversation_id"])
    assert_error(response, 404, "not_found")
    assert world.booked("tongji-1") == 1


def test_reschedule_needs_a_key_and_a_slot(client, world):
    booking = _book(client, world.slots["tongji-1"])
    path = f"/api/v1/service/conversations/conv-li/bookings/{booking['reference']}/reschedule"
    assert_error(client.post(path, json={"slot_id": 1}, headers=SERVICE), 422, "invalid_request")
    assert_error(client.post(path, json={"slot_id": "x"}, headers=key()), 422, "invalid_request")
    assert_error(client.post(path, content=b"{", headers={**key(), "Content-Type": "application/json"}),
                 400, "invalid_json")


def test_a_ticket_reschedule_takes_seats_on_the_new_showtime(client, world):
    booking = _book(client, world.slots["deep-sea-19"], quantity=2)
    other = _book(client, world.slots["deep-sea-21"], quantity=3)
    moved = _reschedule(client, booking["reference"], world.slots["deep-sea-21"]).json()
    assert moved["ticket"]["code"] == booking["ticket"]["code"]
    assert set(moved["ticket"]["seats"]).isdisjoint(other["ticket"]["seats"])
    assert world.booked("deep-sea-19") == 0 and world.booked("deep-sea-21") == 5
