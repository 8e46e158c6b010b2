"""Every area, one conversation each, through the real hub, Rasa and action
server; each result is checked in the hub: the booking, application or
request exists, and cancel and reschedule free and take capacity."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from scripts.stack import Stack
from tests.e2e.test_e2e_booking import Conversation, _buttons

pytestmark = pytest.mark.e2e

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Holders the other end-to-end tests do not use; each test starts with
# /restart, so a failed test leaves no form open for the next.
IYER = ("PT20260058", "579135")
HOLDER_96 = ("PT20260096", "918273")
WATANABE = ("PT20260131", "370426")
# A steward-handled request (housing) hands the conversation to the steward:
# this holder is used for nothing after it.
HOLDER_148 = ("PT20260148", "602915")
BOOKING_REF = re.compile(r"\bTC-[A-Z0-9]{6}\b")
APPLICATION_REF = re.compile(r"\bAP-[A-Z0-9]{6}\b")
REQUEST_REF = re.compile(r"\bSR-[A-Z0-9]{6}\b")


class Holder_:
    """A logged-in holder: the web chat, and the hub's view of their records."""

    def __init__(self, http: requests.Session, stack: Stack, card: tuple[str, str]) -> None:
        login = http.post(f"{stack.hub_url}/api/v1/auth/login",
                          json={"card_number": card[0], "pin": card[1]}, timeout=30)
        assert login.status_code == 200, login.text
        self.http, self.stack, self.card = http, stack, card[0]
        self.headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        self.chat = Conversation(http, stack, login.json()["access_token"])
        # A fresh conversation; Rasa answers a restart with no words.
        restart = http.post(f"{stack.hub_url}/api/v1/chat/messages", json={"text": "/restart"},
                            headers=self.headers, timeout=120)
        assert restart.status_code == 200, restart.text

    def say(self, text: str) -> list[dict[str, Any]]:
        return self.chat.say(text)

    def mine(self, what: str) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.stack.hub_url}/api/v1/me/{what}", headers=self.headers,
                                 timeout=30)
        assert response.status_code == 200, response.text
        return list(response.json()[what.replace("-", "_")])

    def record(self, reference: str) -> dict[str, Any]:
        response = self.http.get(f"{self.stack.hub_url}/api/v1/me/records/{reference}",
                                 headers=self.headers, timeout=30)
        assert response.status_code == 200, self.chat.failure(response.text)
        return response.json()

    def reference(self, replies: list[dict[str, Any]], pattern: re.Pattern[str]) -> str:
        found = pattern.search(" ".join(m["text"] for m in replies))
        assert found, self.chat.failure(f"no reference like {pattern.pattern} in the reply")
        return found.group(0)

    def press(self, replies: list[dict[str, Any]], contains: str = "") -> list[dict[str, Any]]:
        """Press the first button whose title or payload contains `contains`."""
        buttons = [b for b in _buttons(replies) if contains in b["payload"] or contains in b["title"]]
        assert buttons, self.chat.failure(f"no button with {contains!r}")
        return self.say(buttons[0]["payload"])

    def confirm(self, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        assert "/affirm" in [b["payload"] for b in _buttons(replies)], self.chat.failure(
            "no confirmation with a yes button")
        return self.say("/affirm")


def _service(stack: Stack) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.secrets.service_token}"}


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _weekday_ahead(weekday: int, at_least: int = 2) -> date:
    day = _today() + timedelta(days=at_least)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def _remaining(http: requests.Session, stack: Stack, *, area: str, offering: str, day: str,
               provider: str) -> dict[str, int]:
    """slot_id -> places left, for one provider's showings of an offering that day."""
    response = http.get(f"{stack.hub_url}/api/v1/service/showtimes", headers=_service(stack),
                        params={"area": area, "offering": offering, "provider": provider,
                                "date": day}, timeout=30)
    assert response.status_code == 200, response.text
    return {s["slot_id"]: s["remaining"] for s in response.json()["showtimes"]}


# -- specialist appointment -----------------------------------------------------


def test_a_symptom_becomes_a_specialist_appointment(stack: Stack, http: requests.Session) -> None:
    holder = Holder_(http, stack, IYER)
    day = _weekday_ahead(1)  # a Tuesday: ENT at Tongji runs Monday to Friday
    replies = holder.say("my son has an ear infection")
    replies = holder.press(replies, '"ent"')
    replies = holder.press(replies, "tongji-hospital")
    replies = holder.say(f"{day.isoformat()} afternoon")
    replies = holder.confirm(replies)
    reference = holder.reference(replies, BOOKING_REF)
    booking = holder.record(reference)
    assert booking["status"] == "confirmed"
    assert (booking["area"]["code"], booking["offering"]["code"]) == ("medical", "ent")
    assert booking["starts_at"] == f"{day.isoformat()}T13:30:00+08:00"


# -- movie tickets, with an answer changed at the confirmation, then moved and cancelled --


def test_movie_tickets_changed_moved_and_cancelled(stack: Stack, http: requests.Session) -> None:
    holder = Holder_(http, stack, IYER)
    day = _today() + timedelta(days=2)
    area = {"area": "movies", "offering": "deep-sea-signal", "provider": "global-harbor-cinema"}
    before = _remaining(http, stack, day=day.isoformat(), **area)

    replies = holder.say(f"2 tickets for Deep Sea on {day.isoformat()} after 7pm at Global Harbor cinema")
    assert "/affirm" in [b["payload"] for b in _buttons(replies)], holder.chat.failure(
        "four answers in one message should lead straight to the confirmation")
    replies = holder.say("actually make it 3 tickets")
    replies = holder.confirm(replies)
    reference = holder.reference(replies, BOOKING_REF)
    booking = holder.record(reference)
    assert booking["quantity"] == 3 and booking["starts_at"] == f"{day.isoformat()}T20:00:00+08:00"
    assert len(booking["ticket"]["seats"]) == 3 and booking["ticket"]["code"]
    taken = {k: v for k, v in _remaining(http, stack, day=day.isoformat(), **area).items()}
    slot_id = next(k for k, v in before.items() if taken.get(k) == v - 3)

    # Move it to the 14:00 showing the same day: the old seats come back.
    replies = holder.say(f"reschedule {reference}")
    replies = holder.say(f"{day.isoformat()} at 2pm")
    replies = holder.confirm(replies)
    assert reference in " ".join(m["text"] for m in replies), holder.chat.failure("no reference")
    moved = holder.record(reference)
    assert moved["starts_at"] == f"{day.isoformat()}T14:00:00+08:00"
    after_move = _remaining(http, stack, day=day.isoformat(), **area)
    assert after_move[slot_id] == before[slot_id]
    new_slot = next(k for k, v in after_move.items() if v == before[k] - 3)

    # Cancel it: confirmed first, then the seats are free again.
    replies = holder.say(f"cancel {reference}")
    replies = holder.confirm(replies)
    assert reference in " ".join(m["text"] for m in replies), holder.chat.failure("no reference")
    assert holder.record(reference)["status"] == "cancelled"
    assert _remaining(http, stack, day=day.isoformat(), **area)[new_slot] == before[new_slot]


# -- event tickets --------------------------------------------------------------------


def test_event_tickets_with_the_buttons(stack: Stack, http: requests.Session) -> None:
    holder = Holder_(http, stack, HOLDER_96)
    replies = holder.say("tickets for the jazz night")
    replies = holder.press(replies, "date")  # the next performance, offered as buttons
    replies = holder.say('/inform{"quantity":"2"}')
    replies = holder.confirm(replies)
    reference = holder.reference(replies, BOOKING_REF)
    booking = holder.record(reference)
    assert booking["offering"]["code"] == "shanghai-jazz-night"
    assert booking["quantity"] == 2 and booking["ticket"]["code"]


# -- tutoring -----------------------------------------------------------------------------


def test_weekly_tutoring_for_a_child_on_the_card(stack: Stack, http: requests.Session) -> None:
    holder = Holder_(http, stack, WATANABE)  # Watanabe Yuki, 10
    replies = holder.say("my kid needs maths tutoring")
    replies = holder.press(replies, "Watanabe Yuki")
    if "subject" in " ".join(b["payload"] for b in _buttons(replies)):
        replies = holder.say('/inform{"subject":"maths-primary"}')
    replies = holder.say("saturdays at 9")
    replies = holder.confirm(replies)
    reference = holder.reference(replies, BOOKING_REF)
    booking = holder.record(reference)
    assert booking["offering"]["code"] == "maths-primary"
    starts = datetime.fromisoformat(booking["starts_at"])
    assert (starts.weekday(), starts.strftime("%H:%M")) == (5, "09:00")
    assert booking["details"]["child"] == "Watanabe Yuki"


# -- school enrollment ------------------------------------------------------------------


def test_a_school_application_for_a_new_child(stack: Stack, http: requests.Session) -> None:
    holder = Holder_(http, stack, WATANABE)
    born = date(_today().year - 6, 3, 1)  # six on the next 1 September
    holder.say("school place for my daughter")
    holder.say("Hana Watanabe")
    replies = holder.say(born.isoformat())
    replies = holder.press(replies, "primary-1")
    replies = holder.press(replies, "caoyang-no6-primary")
    replies = holder.confirm(replies)
    reference = holder.reference(replies, APPLICATION_REF)
    application = holder.record(reference)
    assert application["status"] == "submitted"
    assert application["child"]["name"] == "Hana Watanabe"
    assert (application["school"]["code"], application["grade"]["code"]) == (
        "caoyang-no6-primary", "primary-1")
    replies = holder.say(f"status of {reference}")
    assert "submitted" in " ".join(m["text"] for m in replies), holder.chat.failure("no status")


# -- a request from the catalog's fields ------------------------------------------------


def test_a_housing_request_asks_the_catalogs_questions(stack: Stack, http: requests.Session) -> None:
    holder = Holder_(http, stack, HOLDER_148)
    replies = holder.say("i need a talent apartment")
    assert "How many people" in " ".join(m["text"] for m in replies), holder.chat.failure(
        "the first question of the catalog's housing fields")
    holder.say("3")
    replies = holder.say("2")
    move_in = _today() + timedelta(days=30)
    replies = holder.say(move_in.isoformat())
    replies = holder.press(replies, "Skip")
    replies = holder.confirm(replies)
    reference = holder.reference(replies, REQUEST_REF)
    request = holder.record(reference)
    assert request["area"]["code"] == "housing" and request["status"] == "submitted"
    assert request["answers"] == {"household_size": 3, "bedrooms": "2",
                                  "move_in_date": move_in.isoformat()}
    # Housing is steward-handled: the hub opened an escalation with the request.
    assert request["needs_steward"] is True


# -- asking -----------------------------------------------------------------------------------


def test_the_menu_and_the_card(stack: Stack, http: requests.Session) -> None:
    holder = Holder_(http, stack, HOLDER_96)
    replies = holder.say("what does my card give me")
    payloads = [b["payload"] for b in _buttons(replies)]
    assert len(payloads) == 12 and "/buy_movie_tickets" in payloads, holder.chat.failure("menu")
    replies = holder.say("when does my card expire")
    assert HOLDER_96[0] in " ".join(m["text"] for m in replies), holder.chat.failure("card")
    replies = holder.say("book me a flight to beijing")
    assert "Talent Card covers" in " ".join(m["text"] for m in replies), holder.chat.failure("oos")


def test_my_bookings_lists_what_was_made(stack: Stack, http: requests.Session) -> None:
    holder = Holder_(http, stack, HOLDER_96)
    replies = holder.say("my bookings")
    text = " ".join(m["text"] for m in replies)
    live = [r["reference"] for r in holder.mine("records") if r["live"]]
    if not live:
        assert "nothing booked" in text, holder.chat.failure("an empty list should say so")
    assert all(ref in text for ref in live[:8]), holder.chat.failure("not every live record listed")
