"""Claim, hold, reply, resolve, reassign, cancel for the holder: the rules and
the audit trail each leaves."""

from __future__ import annotations

import uuid

from hub_support import LI, ZHANG, assert_error, login
from sqlalchemy import select

from hub.stewards.models import AuditEntry

from .conftest import escalation, open_for

BASE = "/api/v1/staff/escalations"


def post(client, headers, esc_id, action, body=None):
    return client.post(f"{BASE}/{esc_id}/{action}", json=body, headers=headers)


def audit(world, esc_id) -> list[AuditEntry]:
    with world.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.escalation_id == esc_id)
                              .order_by(AuditEntry.id)))


def test_claim_hold_resolve(client, world, staff, clock, wang):
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)

    claimed = post(client, wang, esc_id, "claim")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["escalation"]["status"] == "claimed"
    assert claimed.json()["escalation"]["claimed_by"]["username"] == "wang"

    held = post(client, wang, esc_id, "hold")
    assert held.json()["escalation"]["status"] == "waiting_holder"

    resolved = post(client, wang, esc_id, "resolve", {"outcome": "Booked a cardiologist"})
    assert resolved.status_code == 200, resolved.text
    esc = resolved.json()["escalation"]
    assert esc["status"] == "resolved" and esc["outcome"] == "Booked a cardiologist"
    assert esc["resolved_at"].endswith("+08:00")
    assert esc["allowed_actions"] == []

    entries = audit(world, esc_id)
    assert [e.action for e in entries] == ["open", "claim", "hold", "resolve"]
    assert entries[0].staff_id is None  # opened by the system (the bot)
    assert {e.staff_id for e in entries[1:]} == {staff.ids["wang"]}
    assert all(e.created_at is not None and e.holder_id == staff.holders["li"] for e in entries)
    assert entries[-1].details == {"outcome": "Booked a cardiologist"}


def test_invalid_transitions_are_409(client, world, staff, clock, wang):
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert_error(post(client, wang, esc_id, "hold"), 409, "invalid_transition")  # not claimed
    post(client, wang, esc_id, "claim")
    assert_error(post(client, wang, esc_id, "claim"), 409, "invalid_transition")  # twice
    post(client, wang, esc_id, "hold")
    assert_error(post(client, wang, esc_id, "hold"), 409, "invalid_transition")
    assert_error(post(client, wang, esc_id, "claim"), 409, "invalid_transition")
    post(client, wang, esc_id, "resolve", {"outcome": "done"})
    for action, body in [("claim", None), ("hold", None), ("resolve", {"outcome": "again"}),
                         ("reply", {"text": "hello?"})]:
        assert_error(post(client, wang, esc_id, action, body), 409, "invalid_transition")
    # Refused actions leave no trace.
    assert [e.action for e in audit(world, esc_id)] == ["open", "claim", "hold", "resolve"]


def test_resolve_needs_an_outcome(client, world, staff, clock, wang):
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert_error(post(client, wang, esc_id, "resolve", {"outcome": "   "}), 422,
                 "invalid_request")
    assert_error(post(client, wang, esc_id, "resolve", {}), 422, "invalid_request")
    assert escalation(world.sessions, esc_id).status == "open"


def test_reply_reaches_the_holders_chat(client, world, staff, clock, wang):
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    response = post(client, wang, esc_id, "reply", {"text": "Hello Dr. Li, Wang Fang here."})
    assert response.status_code == 201, response.text
    assert response.json()["message"]["sender"] == "steward"
    # Answering an open escalation claims it, and starts the response clock.
    esc = escalation(world.sessions, esc_id)
    assert esc.status == "claimed" and esc.claimed_by_id == staff.ids["wang"]
    assert esc.first_response_at is not None

    holder_view = client.get("/api/v1/chat/messages", headers=login(client, LI)).json()
    (message,) = holder_view["messages"]
    assert message["sender"] == "steward"
    assert message["text"] == "Hello Dr. Li, Wang Fang here."
    assert [e.action for e in audit(world, esc_id)] == ["open", "claim", "reply"]
    assert audit(world, esc_id)[-1].details["message_id"] == message["id"]


def test_reply_must_have_text(client, world, staff, clock, wang):
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert_error(post(client, wang, esc_id, "reply", {"text": "  \n "}), 422, "invalid_request")
    assert_error(post(client, wang, esc_id, "reply", {"text": "x" * 2001}), 422,
                 "invalid_request")


def test_shared_queue_claim_takes_it_out_of_the_shared_queue(
    client, world, staff, clock, wang, zhao
):
    esc_id = open_for(world.sessions, staff.holders["orphan"], clock=clock)
    assert post(client, zhao, esc_id, "claim").status_code == 200
    assert escalation(world.sessions, esc_id).steward_id == staff.ids["zhao"]
    listed = client.get(BASE, headers=wang).json()["escalations"]
    assert esc_id not in [e["id"] for e in listed]
    assert_error(post(client, wang, esc_id, "reply", {"text": "mine?"}), 403, "forbidden")


def test_steward_cannot_reassign(client, world, staff, clock, wang):
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert_error(post(client, wang, esc_id, "reassign", {"steward": "zhao"}), 403, "forbidden")
    assert escalation(world.sessions, esc_id).steward_id == staff.ids["wang"]


def test_supervisor_reassigns(client, world, staff, clock, wang, zhao, chen):
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    post(client, wang, esc_id, "claim")

    moved = post(client, chen, esc_id, "reassign", {"steward": "zhao"})
    assert moved.status_code == 200, moved.text
    esc = moved.json()["escalation"]
    assert esc["assigned_to"]["username"] == "zhao"
    assert esc["status"] == "open" and esc["claimed_by"] is None
    assert_error(client.get(f"{BASE}/{esc_id}", headers=wang), 403, "forbidden")
    assert client.get(f"{BASE}/{esc_id}", headers=zhao).status_code == 200

    shared = post(client, chen, esc_id, "reassign", {"steward": None})
    assert shared.json()["escalation"]["shared_queue"] is True
    assert client.get(f"{BASE}/{esc_id}", headers=wang).status_code == 200

    assert_error(post(client, chen, esc_id, "reassign", {"steward": "nobody"}), 404,
                 "not_found")
    entry = audit(world, esc_id)[-1]
    assert entry.action == "reassign" and entry.staff_id == staff.ids["chen"]
    assert entry.details == {"from": "zhao", "to": None}


def test_supervisor_may_act_on_anything(client, world, staff, clock, chen):
    esc_id = open_for(world.sessions, staff.holders["sun"], clock=clock)
    assert post(client, chen, esc_id, "reply", {"text": "Supervisor here"}).status_code == 201
    assert post(client, chen, esc_id, "resolve", {"outcome": "Handled"}).status_code == 200


# -- acting for the holder -------------------------------------------------------


def book(client, service, world, cid, slot="tongji-1", quantity=2) -> str:
    response = client.post(
        f"/api/v1/service/conversations/{cid}/bookings",
        json={"slot_id": world.slots[slot], "offering": None, "quantity": quantity,
              "details": {}},
        headers={**service, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def test_cancel_for_the_holder_frees_capacity(client, world, staff, clock, wang, service):
    reference = book(client, service, world, LI["conversation_id"])
    assert world.booked("tongji-1") == 2
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)

    response = post(client, wang, esc_id, f"bookings/{reference}/cancel")
    assert response.status_code == 200, response.text
    assert response.json()["booking"]["status"] == "cancelled"
    assert world.booked("tongji-1") == 0

    again = post(client, wang, esc_id, f"bookings/{reference}/cancel")
    assert again.status_code == 200 and world.booked("tongji-1") == 0

    entries = [e for e in audit(world, esc_id) if e.action == "cancel_booking"]
    assert len(entries) == 1
    assert entries[0].details == {"reference": reference, "quantity": 2}
    assert entries[0].staff_id == staff.ids["wang"]

    detail = client.get(f"{BASE}/{esc_id}", headers=wang).json()
    assert detail["bookings"][0]["status"] == "cancelled"


def test_cancel_only_this_holders_bookings(client, world, staff, clock, wang, service):
    others = book(client, service, world, ZHANG["conversation_id"])
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert_error(post(client, wang, esc_id, f"bookings/{others}/cancel"), 404, "not_found")
    assert world.booked("tongji-1") == 2


def test_cancel_needs_a_live_escalation(client, world, staff, clock, wang, service):
    reference = book(client, service, world, LI["conversation_id"])
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    post(client, wang, esc_id, "resolve", {"outcome": "nothing to do"})
    assert_error(post(client, wang, esc_id, f"bookings/{reference}/cancel"), 409,
                 "invalid_transition")
    assert world.booked("tongji-1") == 2


# -- away ---------------------------------------------------------------------------


def test_steward_marks_themselves_away_and_back(client, world, staff, clock, zhao, chen):
    url = "/api/v1/staff/stewards/zhao/away"
    assert client.post(url, json={"away": True}, headers=zhao).json() == {
        "username": "zhao", "away": True}
    assert client.get("/api/v1/staff/me", headers=zhao).json()["away"] is True
    listed = client.get("/api/v1/staff/stewards", headers=chen).json()["stewards"]
    assert {s["username"]: s["away"] for s in listed}["zhao"] is True

    esc_id = open_for(world.sessions, staff.holders["sun"], clock=clock)
    assert escalation(world.sessions, esc_id).steward_id is None  # shared queue

    client.post(url, json={"away": False}, headers=zhao)
    assert client.get("/api/v1/staff/me", headers=zhao).json()["away"] is False


def test_only_a_supervisor_marks_someone_else_away(client, staff, wang, chen):
    url = "/api/v1/staff/stewards/zhao/away"
    assert_error(client.post(url, json={"away": True}, headers=wang), 403, "forbidden")
    assert client.post(url, json={"away": True}, headers=chen).status_code == 200
    assert_error(client.post("/api/v1/staff/stewards/nobody/away", json={"away": True},
                             headers=chen), 404, "not_found")
