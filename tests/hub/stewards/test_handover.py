"""Issue 5 end to end in the hub: a holder asks for a person, their steward
answers, the holder's next messages go to the steward, not the bot, and after
resolution the bot answers again. The Rasa side is the fake assistant."""

from __future__ import annotations

from hub_support import LI, login

from hub.stewards.service import live_escalation

URL = f"/api/v1/service/conversations/{LI['conversation_id']}/escalations"


def chat(client, holder, text):
    return client.post("/api/v1/chat/messages", json={"text": text}, headers=holder)


def test_holder_talks_to_the_steward_then_the_bot_again(
    client, world, staff, service, wang, assistant
):
    holder = login(client, LI)
    chat(client, holder, "I want to talk to a person")
    assert len(assistant.sent) == 1
    # The bot's escalate action asks the hub.
    opened = client.post(URL, headers=service, json={
        "reason": "requested", "summary": "Asked for a person",
        "context": {"last_messages": ["I want to talk to a person"]},
    })
    esc_id = opened.json()["escalation"]["id"]
    queue = client.get("/api/v1/staff/escalations", headers=wang).json()["escalations"]
    assert [e["id"] for e in queue] == [esc_id]

    client.post(f"/api/v1/staff/escalations/{esc_id}/reply", headers=wang,
                json={"text": "Wang Fang here, how can I help?"})
    messages = client.get("/api/v1/chat/messages", headers=holder).json()["messages"]
    assert messages[-1]["sender"] == "steward"

    # While the escalation is live the bot hears nothing.
    routed = chat(client, holder, "My daughter needs a school place")
    assert routed.json() == {"messages": [], "handled_by": {"kind": "steward", "name": "Wang Fang"}}
    assert len(assistant.sent) == 1
    detail = client.get(f"/api/v1/staff/escalations/{esc_id}", headers=wang).json()
    assert detail["messages"][-1]["text"] == "My daughter needs a school place"

    client.post(f"/api/v1/staff/escalations/{esc_id}/resolve", headers=wang,
                json={"outcome": "Applied for a school place for her"})
    with world.sessions() as s:
        assert live_escalation(s, holder_id=staff.holders["li"]) is None
    reply = chat(client, holder, "Thanks! Now book me a check-up")
    assert reply.status_code == 200
    assert len(assistant.sent) == 2
