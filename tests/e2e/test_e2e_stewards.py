"""Issue 5 end to end through every real process: a holder asks for a person,
the escalation appears for their steward, the steward replies, the holder gets
it, the holder's next messages reach the steward and not the bot, and once the
steward resolves it the bot answers again."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from hub.db import make_engine
from hub.holders.models import Holder
from scripts.stack import Stack

pytestmark = pytest.mark.e2e

CARD, PIN = "PT20260012", "135790"  # steward: zhao.min (Zhao Min)
STEWARD = "zhao.min"
TIMEOUT = 120


def _conversation_id(stack: Stack) -> str:
    engine = make_engine(f"sqlite:///{stack.state_dir / 'hub.db'}")
    try:
        with engine.connect() as conn:
            return conn.scalars(select(Holder.conversation_id).where(Holder.card_number == CARD)).one()
    finally:
        engine.dispose()


def _rasa_user_texts(http: requests.Session, stack: Stack, cid: str) -> list[str]:
    tracker = http.get(f"{stack.rasa_url}/conversations/{cid}/tracker",
                       params={"token": stack.secrets.rasa_token}, timeout=30)
    assert tracker.status_code == 200, tracker.text
    return [e.get("text") for e in tracker.json()["events"] if e.get("event") == "user"]


def test_a_person_takes_over_and_hands_back(stack: Stack, http, staff_password):
    hub = stack.hub_url
    login = http.post(f"{hub}/api/v1/auth/login", json={"card_number": CARD, "pin": PIN}, timeout=30)
    holder = {"Authorization": f"Bearer {login.json()['access_token']}"}

    def say(text: str) -> dict:
        response = http.post(f"{hub}/api/v1/chat/messages", json={"text": text}, headers=holder,
                             timeout=TIMEOUT)
        assert response.status_code == 200, response.text
        return response.json()

    asked = say("I want to talk to a real person please")
    texts = " ".join(m["text"] for m in asked["messages"])
    assert "Zhao Min" in texts and "person" in texts, asked

    staff_login = http.post(f"{hub}/api/v1/staff/login",
                            json={"username": STEWARD, "password": staff_password}, timeout=30)
    assert staff_login.status_code == 200, staff_login.text
    steward = {"Authorization": f"Bearer {staff_login.json()['access_token']}"}
    queue = http.get(f"{hub}/api/v1/staff/escalations", headers=steward, timeout=30).json()
    mine = [e for e in queue["escalations"] if e["holder"]["card_number"] == CARD]
    assert len(mine) == 1, queue
    esc_id = mine[0]["id"]
    # A holder token opens nothing in the staff API.
    assert http.get(f"{hub}/api/v1/staff/escalations", headers=holder, timeout=30).status_code == 403

    reply = http.post(f"{hub}/api/v1/staff/escalations/{esc_id}/reply", headers=steward,
                      json={"text": "Hello, Zhao Min here. How can I help?"}, timeout=30)
    assert reply.status_code == 201, reply.text
    log = http.get(f"{hub}/api/v1/chat/messages", headers=holder, timeout=30).json()["messages"]
    assert log[-1]["sender"] == "steward" and "Zhao Min here" in log[-1]["text"]

    cid = _conversation_id(stack)
    routed = say("My son needs a school place in Putuo, it is complicated")
    assert routed == {"messages": [], "handled_by": {"kind": "steward", "name": "Zhao Min"}}
    assert "My son needs a school place in Putuo, it is complicated" not in _rasa_user_texts(http, stack, cid)
    detail = http.get(f"{hub}/api/v1/staff/escalations/{esc_id}", headers=steward, timeout=30).json()
    assert detail["messages"][-1]["text"] == "My son needs a school place in Putuo, it is complicated"

    resolved = http.post(f"{hub}/api/v1/staff/escalations/{esc_id}/resolve", headers=steward,
                         json={"outcome": "Explained the enrollment rules; application to follow"},
                         timeout=30)
    assert resolved.status_code == 200, resolved.text
    back = say("hello")
    assert back["handled_by"] == {"kind": "bot"}
    assert back["messages"] and back["messages"][0]["sender"] == "bot"
