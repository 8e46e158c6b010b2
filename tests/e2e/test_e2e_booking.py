"""A holder books a physical check-up in conversation, through every real process."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from scripts.stack import Stack, log_tail

pytestmark = pytest.mark.e2e

CARD, PIN = "PT20260007", "246810"
HOSPITAL = "tongji-hospital"
REFERENCE = re.compile(r"\bTC-[A-Z0-9]{6}\b")
TIMEOUT = 120  # a first message waits for Rasa, which waits for the actions


def _service_headers(stack: Stack) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.secrets.service_token}"}


def _availability(http: requests.Session, stack: Stack, day: date) -> list[dict[str, Any]]:
    response = http.get(
        f"{stack.hub_url}/api/v1/service/availability",
        params={"area": "checkup", "provider": HOSPITAL, "date": day.isoformat()},
        headers=_service_headers(stack),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["slots"])


def _bookable_day(http: requests.Session, stack: Stack) -> tuple[date, list[dict[str, Any]]]:
    """A Monday-Saturday at least two days ahead (Shanghai) with free check-up slots."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    for ahead in range(2, 30):
        day = today + timedelta(days=ahead)
        if day.weekday() == 6:
            continue
        slots = _availability(http, stack, day)
        if any(s["remaining"] > 0 for s in slots):
            return day, slots
    pytest.fail(f"no free check-up slot at {HOSPITAL} in the next four weeks")


class Conversation:
    """The holder's side of the web chat, with the transcript for failure messages."""

    def __init__(self, http: requests.Session, stack: Stack, token: str) -> None:
        self.http, self.stack, self.token = http, stack, token
        self.transcript: list[str] = []

    def say(self, text: str) -> list[dict[str, Any]]:
        response = self.http.post(
            f"{self.stack.hub_url}/api/v1/chat/messages",
            json={"text": text},
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=TIMEOUT,
        )
        self.transcript.append(f"holder: {text}")
        assert response.status_code == 200, self.failure(f"{response.status_code} {response.text}")
        replies = list(response.json()["messages"])
        for m in replies:
            buttons = " ".join(f"[{b['title']} -> {b['payload']}]" for b in m.get("buttons") or [])
            self.transcript.append(f"{m['sender']}: {m['text']} {buttons}".rstrip())
        assert replies, self.failure("the bot did not reply")
        return replies

    def failure(self, what: str) -> str:
        logs = "\n".join(
            f"--- last lines of {name}.log:\n{log_tail(self.stack.log_dir / f'{name}.log', 25)}"
            for name in ("hub", "rasa", "actions")
        )
        return f"{what}\n--- conversation so far:\n" + "\n".join(self.transcript) + "\n" + logs


def _buttons(replies: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for m in replies for b in m.get("buttons") or []]


def test_book_a_checkup_in_conversation(stack: Stack, http: requests.Session) -> None:
    login = http.post(
        f"{stack.hub_url}/api/v1/auth/login", json={"card_number": CARD, "pin": PIN}, timeout=30
    )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    day, slots_before = _bookable_day(http, stack)
    chat = Conversation(http, stack, token)

    replies = chat.say("I want to book a physical check-up")
    hospital = [b for b in _buttons(replies) if HOSPITAL in b["payload"]]
    assert hospital, chat.failure(f"no hospital button for {HOSPITAL}")

    replies = chat.say(hospital[0]["payload"])
    packages = _buttons(replies)
    assert packages, chat.failure("no package buttons after choosing the hospital")

    replies = chat.say(packages[0]["payload"])
    replies = chat.say(day.isoformat())
    payloads = [b["payload"] for b in _buttons(replies)]
    assert "/affirm" in payloads, chat.failure("no confirmation with an /affirm button")

    replies = chat.say("/affirm")
    found = REFERENCE.search(" ".join(m["text"] for m in replies))
    assert found, chat.failure("no booking reference in the reply")
    reference = found.group(0)

    mine = http.get(
        f"{stack.hub_url}/api/v1/me/bookings",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert mine.status_code == 200, mine.text
    booking = next((b for b in mine.json()["bookings"] if b["reference"] == reference), None)
    assert booking is not None, chat.failure(f"{reference} is not in GET /api/v1/me/bookings")
    assert booking["status"] == "confirmed"
    assert booking["provider"]["code"] == HOSPITAL
    assert booking["starts_at"].startswith(day.isoformat())

    # The slot the booking took has exactly one place fewer.
    booked_at = datetime.fromisoformat(booking["starts_at"])
    before = next(s for s in slots_before if datetime.fromisoformat(s["starts_at"]) == booked_at)
    after = {s["slot_id"]: s["remaining"] for s in _availability(http, stack, day)}
    assert after.get(before["slot_id"], 0) == before["remaining"] - 1
