"""Who sees which escalation, in which order, and what the detail shows."""

from __future__ import annotations

from datetime import timedelta

from hub_support import LI, assert_error, login

from hub.chat.models import ChatMessage
from hub.db import session_scope

from .conftest import open_for


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()["escalations"]]


def test_steward_sees_own_holders_and_the_shared_queue(client, world, staff, clock, wang, zhao):
    own = open_for(world.sessions, staff.holders["li"], clock=clock)
    other = open_for(world.sessions, staff.holders["sun"], clock=clock)
    shared = open_for(world.sessions, staff.holders["orphan"], clock=clock)

    assert set(ids(client.get("/api/v1/staff/escalations", headers=wang))) == {own, shared}
    assert set(ids(client.get("/api/v1/staff/escalations", headers=zhao))) == {other, shared}


def test_steward_cannot_open_or_act_on_another_stewards_escalation(
    client, world, staff, clock, wang
):
    other = open_for(world.sessions, staff.holders["sun"], clock=clock)
    base = f"/api/v1/staff/escalations/{other}"
    assert_error(client.get(base, headers=wang), 403, "forbidden")
    for action, body in [("claim", None), ("hold", None), ("resolve", {"outcome": "x"}),
                         ("reply", {"text": "hello"}), ("bookings/TC-AAAAAA/cancel", None)]:
        assert_error(client.post(f"{base}/{action}", json=body, headers=wang), 403, "forbidden")


def test_supervisor_sees_everything(client, world, staff, clock, chen):
    made = {open_for(world.sessions, staff.holders[h], clock=clock)
            for h in ("li", "sun", "orphan")}
    assert set(ids(client.get("/api/v1/staff/escalations", headers=chen))) == made
    for esc_id in made:
        assert client.get(f"/api/v1/staff/escalations/{esc_id}", headers=chen).status_code == 200


def test_queue_is_sorted_by_urgency_then_time_waiting(client, world, staff, clock, chen):
    old_normal = open_for(world.sessions, staff.holders["li"], clock=clock)
    clock.advance(timedelta(minutes=5))
    new_normal = open_for(world.sessions, staff.holders["zhang"], clock=clock)
    clock.advance(timedelta(minutes=5))
    urgent = open_for(world.sessions, staff.holders["sun"], clock=clock, priority="urgent")
    low = open_for(world.sessions, staff.holders["orphan"], clock=clock, priority="low")

    response = client.get("/api/v1/staff/escalations", headers=chen)
    assert ids(response) == [urgent, old_normal, new_normal, low]
    first = response.json()["escalations"][1]
    assert first["waiting_seconds"] >= 600
    assert first["holder"]["name"] == "Dr. Li Wei"
    assert first["created_at"].endswith("+08:00")


def test_status_filter(client, world, staff, clock, wang):
    claimed = open_for(world.sessions, staff.holders["li"], clock=clock)
    waiting = open_for(world.sessions, staff.holders["zhang"], clock=clock)
    client.post(f"/api/v1/staff/escalations/{claimed}/claim", headers=wang)
    client.post(f"/api/v1/staff/escalations/{waiting}/claim", headers=wang)
    client.post(f"/api/v1/staff/escalations/{waiting}/hold", headers=wang)
    client.post(f"/api/v1/staff/escalations/{waiting}/resolve", json={"outcome": "done"},
                headers=wang)

    url = "/api/v1/staff/escalations"
    assert ids(client.get(url, headers=wang)) == [claimed]
    assert ids(client.get(f"{url}?status=resolved", headers=wang)) == [waiting]
    assert set(ids(client.get(f"{url}?status=all", headers=wang))) == {claimed, waiting}
    assert set(ids(client.get(f"{url}?status=claimed&status=resolved", headers=wang))) == {
        claimed, waiting}
    assert_error(client.get(f"{url}?status=bogus", headers=wang), 422, "invalid_request")


def test_detail_tells_the_whole_story(client, world, staff, clock, wang, assistant):
    holder = login(client, LI)
    client.post("/api/v1/chat/messages", json={"text": "I need a specialist"}, headers=holder)
    with session_scope(world.sessions) as s:
        s.add(ChatMessage(holder_id=staff.holders["li"], sender="system", text="Reminder sent"))
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock,
                      summary="Wants a cardiology appointment\nSoon, please",
                      context={"slots": {"area": "clinic"}, "last_messages": ["help"]})
    client.post(f"/api/v1/staff/escalations/{esc_id}/reply", json={"text": "I am on it"},
                headers=wang)

    response = client.get(f"/api/v1/staff/escalations/{esc_id}", headers=wang)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["holder"]["card_number"] == LI["card_number"]
    assert body["holder"]["children"][0]["name"] == "Li Xiaoming"
    assert body["bookings"] == []
    senders = [m["sender"] for m in body["messages"]]
    assert senders == ["holder", "bot", "bot", "system", "steward"]
    assert body["messages"][2]["buttons"][0]["title"] == "Book a check-up"
    assert body["messages"][-1]["steward_name"] == "Wang Fang"
    esc = body["escalation"]
    assert esc["headline"] == "Wants a cardiology appointment"
    assert esc["context"]["slots"] == {"area": "clinic"}
    assert esc["status"] == "claimed"
    assert "hold" in esc["allowed_actions"] and "reassign" not in esc["allowed_actions"]
    assert [a["action"] for a in body["audit"]] == ["open", "claim", "reply"]


def test_unknown_escalation_is_404(client, staff, wang):
    assert_error(client.get("/api/v1/staff/escalations/999", headers=wang), 404, "not_found")


def test_stewards_list_shows_workload(client, world, staff, clock, chen):
    open_for(world.sessions, staff.holders["li"], clock=clock)
    response = client.get("/api/v1/staff/stewards", headers=chen)
    load = {s["username"]: s["live_escalations"] for s in response.json()["stewards"]}
    assert load == {"wang": 1, "zhao": 0, "chen": 0}
