"""Reminders through the service API: booking creates them, cancelling drops
them, the holder can list, add and turn them off — and the running scheduler's
jobs follow the rows."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from hub_support import LI, ZHANG, assert_error, login, today_local

from hub.app import create_app
from hub.catalog.models import ServiceArea
from hub.db import session_scope

CID = LI["conversation_id"]
POLICY = [
    {"id": "evening_before", "days_before": 1, "at": "19:00", "note": "fast from midnight"},
    {"id": "two_hours_before", "minutes_before": 120},
]


@pytest.fixture(autouse=True)
def checkup_policy(world):
    with session_scope(world.sessions) as s:
        s.get(ServiceArea, "checkup").reminder_policy = POLICY
    world.add_slot("far", provider="tongji-hospital", day=today_local() + timedelta(days=5), hour=14)


def book(client, service, slot_id, cid=CID) -> dict:
    response = client.post(
        f"/api/v1/service/conversations/{cid}/bookings",
        json={"slot_id": slot_id, "offering": None, "quantity": 1, "details": {}},
        headers={**service, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    return response.json()


def reminders(client, service, cid=CID, **params) -> list[dict]:
    response = client.get(
        f"/api/v1/service/conversations/{cid}/reminders", params=params, headers=service
    )
    assert response.status_code == 200, response.text
    return response.json()["reminders"]


def test_booking_plans_the_areas_reminders(client, service, world):
    ref = book(client, service, world.slots["far"])["reference"]
    rows = reminders(client, service, reference=ref)
    day = today_local() + timedelta(days=5)
    assert [(r["kind"], r["status"], r["send_at"]) for r in rows] == [
        ("evening_before", "scheduled", f"{day - timedelta(days=1)}T19:00:00+08:00"),
        ("two_hours_before", "scheduled", f"{day}T12:00:00+08:00"),
    ]
    assert rows[0]["id"] == f"{ref}:evening_before"


def test_cancelling_the_booking_cancels_its_reminders(client, service, world):
    ref = book(client, service, world.slots["far"])["reference"]
    cancel = client.post(f"/api/v1/service/conversations/{CID}/bookings/{ref}/cancel", headers=service)
    assert cancel.status_code == 200
    assert {r["status"] for r in reminders(client, service, reference=ref)} == {"cancelled"}


def test_holder_adds_an_extra_reminder_and_turns_them_off(client, service, world):
    ref = book(client, service, world.slots["far"])["reference"]
    extra = client.post(
        f"/api/v1/service/conversations/{CID}/bookings/{ref}/reminders",
        json={"minutes_before": 180}, headers=service,
    )
    assert extra.status_code == 201, extra.text
    assert extra.json()["kind"] == "extra_180m" and extra.json()["status"] == "scheduled"
    assert len(reminders(client, service, reference=ref)) == 3

    off = client.post(
        f"/api/v1/service/conversations/{CID}/reminders/off", json={"reference": ref}, headers=service
    )
    assert off.json() == {"turned_off": 3}
    rows = reminders(client, service, reference=ref)
    assert {r["status"] for r in rows} == {"cancelled"}
    assert rows[0]["status_reason"] == "turned off by the holder"


def test_extra_reminder_whose_time_passed_is_refused(client, service, world):
    ref = book(client, service, world.slots["far"])["reference"]
    response = client.post(
        f"/api/v1/service/conversations/{CID}/bookings/{ref}/reminders",
        json={"minutes_before": 7 * 24 * 60}, headers=service,
    )
    assert_error(response, 422, "reminder_time_passed")
    bad = client.post(
        f"/api/v1/service/conversations/{CID}/bookings/{ref}/reminders",
        json={"minutes_before": "soon"}, headers=service,
    )
    assert_error(bad, 422, "invalid_request")


def test_a_holder_cannot_touch_another_holders_reminders(client, service, world):
    ref = book(client, service, world.slots["far"])["reference"]
    theirs = client.post(
        f"/api/v1/service/conversations/{ZHANG['conversation_id']}/reminders/off",
        json={"reference": ref}, headers=service,
    )
    assert_error(theirs, 404, "not_found")
    assert reminders(client, service, cid=ZHANG["conversation_id"]) == []
    assert {r["status"] for r in reminders(client, service, reference=ref)} == {"scheduled"}


def test_holder_sees_their_reminders(client, service, world):
    book(client, service, world.slots["far"])
    mine = client.get("/api/v1/me/reminders", headers=login(client, LI))
    assert [r["kind"] for r in mine.json()["reminders"]] == ["evening_before", "two_hours_before"]
    assert client.get("/api/v1/me/reminders").status_code == 401


def test_the_running_scheduler_follows_bookings(settings, sessions, world, assistant, clock, service):
    app = create_app(
        dataclasses.replace(settings, scheduler_enabled=True),
        session_factory=sessions, assistant=assistant, clock=clock,
    )
    with TestClient(app) as client:
        ref = book(client, service, world.slots["far"])["reference"]
        jobs = app.state.reminders.job_ids()
        assert jobs == {f"{ref}:evening_before", f"{ref}:two_hours_before"}
        client.post(f"/api/v1/service/conversations/{CID}/bookings/{ref}/cancel", headers=service)
        assert app.state.reminders.job_ids() == set()
