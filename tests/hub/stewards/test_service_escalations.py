"""The bot's way in: open an escalation for a conversation, ask for the live one."""

from __future__ import annotations

from hub_support import LI, assert_error, login

URL = f"/api/v1/service/conversations/{LI['conversation_id']}"


def test_bot_opens_an_escalation(client, staff, service, wang):
    response = client.post(f"{URL}/escalations", headers=service, json={
        "reason": "requested", "summary": "Asked for a person about school places",
        "context": {"slots": {"child": "Li Xiaoyu"}, "last_messages": ["I want a person"]},
        "area_code": "schooling",
    })
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["escalation"]["appended"] is False
    assert body["escalation"]["priority"] == "normal"
    assert body["escalation"]["steward"] == {"name": "Wang Fang"}
    assert isinstance(body["staffed_now"], bool)
    assert body["next_staffed_at"].endswith("+08:00")

    (item,) = client.get("/api/v1/staff/escalations", headers=wang).json()["escalations"]
    assert item["id"] == body["escalation"]["id"]
    assert item["area_code"] == "schooling"


def test_complaint_defaults_to_high_priority(client, staff, service):
    response = client.post(f"{URL}/escalations", headers=service,
                           json={"reason": "complaint", "summary": "Unhappy"})
    assert response.json()["escalation"]["priority"] == "high"


def test_second_request_is_appended_not_duplicated(client, staff, service, wang):
    first = client.post(f"{URL}/escalations", headers=service,
                        json={"reason": "fallback", "summary": "Not understood twice"})
    second = client.post(f"{URL}/escalations", headers=service,
                         json={"reason": "requested", "summary": "Asked for a person"})
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["escalation"]["appended"] is True
    assert second.json()["escalation"]["id"] == first.json()["escalation"]["id"]
    assert len(client.get("/api/v1/staff/escalations", headers=wang).json()["escalations"]) == 1


def test_same_idempotency_key_changes_nothing(client, staff, service, wang):
    headers = {**service, "Idempotency-Key": "retry-1"}
    body = {"reason": "backend_failure", "summary": "Booking service kept failing"}
    assert client.post(f"{URL}/escalations", headers=headers, json=body).status_code == 201
    again = client.post(f"{URL}/escalations", headers=headers, json=body)
    assert again.status_code == 200
    esc_id = again.json()["escalation"]["id"]
    detail = client.get(f"/api/v1/staff/escalations/{esc_id}", headers=wang).json()
    assert [a["action"] for a in detail["audit"]] == ["open"]


def test_current_escalation(client, staff, service):
    assert client.get(f"{URL}/escalation", headers=service).json()["escalation"] is None
    client.post(f"{URL}/escalations", headers=service, json={"reason": "requested"})
    live = client.get(f"{URL}/escalation", headers=service).json()["escalation"]
    assert live["status"] == "open"


def test_access_and_input_rules(client, staff, service):
    body = {"reason": "requested"}
    assert_error(client.post(f"{URL}/escalations", json=body), 401, "not_authenticated")
    assert_error(client.post(f"{URL}/escalations", json=body, headers=login(client, LI)), 403,
                 "forbidden")
    assert_error(client.post("/api/v1/service/conversations/nobody/escalations", json=body,
                             headers=service), 404, "unknown_conversation")
    assert_error(client.post(f"{URL}/escalations", json={"reason": "bored"}, headers=service),
                 422, "invalid_request")
    assert_error(client.post(f"{URL}/escalations", json={"reason": "requested",
                                                          "priority": "asap"},
                             headers=service), 422, "invalid_request")
