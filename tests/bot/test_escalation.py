"""Escalation actions, rasa_sdk style: a real Tracker and CollectingDispatcher,
the hub faked with `responses`."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import responses
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import escalation
from bot.actions.hub_client import get_hub_client
from tests.bot.helpers import CONVERSATION, HUB, responses_of, run

ESCALATIONS = f"{HUB}/api/v1/service/conversations/{CONVERSATION}/escalations"


def conversation(*turns: tuple[str, str], slots: dict[str, Any] | None = None,
                 active_loop: str | None = None) -> Tracker:
    """`turns` are (text, intent) of the holder's messages, oldest first."""
    events: list[dict[str, Any]] = []
    for n, (text, intent) in enumerate(turns):
        events.append({"event": "action", "name": "action_listen"})
        events.append({"event": "user", "text": text, "timestamp": 1000.0 + n,
                       "parse_data": {"intent": {"name": intent}}})
    text, intent = turns[-1]
    return Tracker(
        CONVERSATION, {"requested_slot": None, **(slots or {})},
        {"intent": {"name": intent, "confidence": 0.9}, "entities": [], "text": text},
        events, False, None, {"name": active_loop} if active_loop else {}, "action_listen",
    )


def answer(steward: str | None = "Wang Fang", staffed: bool = True) -> dict[str, Any]:
    return {
        "escalation": {"id": 1, "status": "open", "priority": "normal", "reason": "requested",
                       "appended": False, "steward": {"name": steward} if steward else None,
                       "response_due_at": "2026-11-27T10:30:00+08:00"},
        "staffed_now": staffed,
        "next_staffed_at": "2026-11-30T09:00:00+08:00",
    }


@pytest.fixture(autouse=True)
def hub_mock(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TCC_HUB_URL", HUB)
    monkeypatch.setenv("TCC_SERVICE_TOKEN", "service-token")
    monkeypatch.setenv("TCC_HUB_RETRIES", "0")
    get_hub_client.cache_clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
    get_hub_client.cache_clear()


def test_request_for_a_person_opens_an_escalation_with_the_story(hub_mock):
    call = hub_mock.post(ESCALATIONS, status=201, json=answer())
    tracker = conversation(
        ("book a check-up at tongji", "book_checkup"),
        ("/inform{\"package\":\"basic\"}", "inform"),
        ("I want to talk to a person", "request_human"),
        slots={"checkup_hospital": "tongji-hospital", "checkup_package": "basic"},
        active_loop="checkup_form",
    )
    events, messages = run(escalation.ActionEscalate(), tracker)
    sent = json.loads(call.calls[0].request.body)
    assert sent["reason"] == "requested"
    assert sent["context"]["slots"] == {"checkup_hospital": "tongji-hospital", "checkup_package": "basic"}
    # Button payloads are not what the holder said.
    assert sent["context"]["last_messages"] == ["book a check-up at tongji", "I want to talk to a person"]
    assert sent["context"]["active_form"] == "checkup_form"
    assert call.calls[0].request.headers["Idempotency-Key"]
    assert responses_of(messages) == ["utter_escalated"]
    assert messages[0]["steward"] == "Wang Fang"
    # The form stops; its slots stay for when the bot takes over again.
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert not any(e.get("event") == "slot" and e.get("name") != "requested_slot" for e in events)


def test_the_key_is_stable_for_a_retried_action(hub_mock):
    call = hub_mock.post(ESCALATIONS, status=201, json=answer())
    tracker = conversation(("human please", "request_human"))
    run(escalation.ActionEscalate(), tracker)
    run(escalation.ActionEscalate(), tracker)
    keys = {c.request.headers["Idempotency-Key"] for c in call.calls}
    assert len(keys) == 1


def test_complaint_after_hours_to_the_shared_queue(hub_mock):
    call = hub_mock.post(ESCALATIONS, status=201, json=answer(steward=None, staffed=False))
    _, messages = run(escalation.ActionEscalate(), conversation(("this is useless", "complain")))
    assert json.loads(call.calls[0].request.body)["reason"] == "complaint"
    assert responses_of(messages) == ["utter_complaint_heard", "utter_escalated_team_after_hours"]
    assert messages[1]["when"] == "Monday 30 November at 09:00"


def test_own_steward_after_hours(hub_mock):
    hub_mock.post(ESCALATIONS, status=201, json=answer(staffed=False))
    _, messages = run(escalation.ActionEscalate(), conversation(("steward", "request_human")))
    assert responses_of(messages) == ["utter_escalated_after_hours"]


def test_hub_down_says_so_and_nothing_is_claimed(hub_mock):
    hub_mock.post(ESCALATIONS, status=503)
    events, messages = run(escalation.ActionEscalate(), conversation(("human", "request_human")))
    assert responses_of(messages) == ["utter_escalation_failed"]
    assert events == []


def test_two_misunderstood_messages_bring_in_a_person(hub_mock):
    call = hub_mock.post(ESCALATIONS, status=201, json=answer())
    tracker = conversation(("asdf qwer", "nlu_fallback"), ("zxcv uiop", "nlu_fallback"))
    events, messages = run(escalation.ActionDefaultFallback(), tracker)
    assert json.loads(call.calls[0].request.body)["reason"] == "fallback"
    assert responses_of(messages) == ["utter_fallback_escalating", "utter_escalated"]
    assert events[-1] == {"event": "rewind", "timestamp": None}


def test_a_single_unsure_turn_only_asks_to_rephrase(hub_mock):
    events, messages = run(escalation.ActionDefaultFallback(),
                           conversation(("book a check-up", "book_checkup"), ("hmm", "nlu_fallback")))
    assert responses_of(messages) == ["utter_default"]
    assert len(hub_mock.calls) == 0
    assert events == [{"event": "rewind", "timestamp": None}]



def _after_failure(tracker: Tracker, area_code: str) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        escalation.escalate_after_failure(dispatcher, tracker, area_code=area_code)
    )
    return events, dispatcher.messages


def test_a_failing_backend_becomes_an_escalation_with_what_was_collected(hub_mock):
    call = hub_mock.post(ESCALATIONS, status=201, json=answer())
    tracker = conversation(("2 tickets for deep sea tonight", "buy_movie_tickets"),
                           slots={"movie": "deep-sea", "quantity": 2}, active_loop="movie_form")
    events, messages = _after_failure(tracker, "movies")
    sent = json.loads(call.calls[0].request.body)
    assert sent["reason"] == "backend_failure" and sent["area_code"] == "movies"
    assert sent["context"]["slots"] == {"movie": "deep-sea", "quantity": 2}
    assert responses_of(messages) == ["utter_backend_failed_escalated"]
    assert messages[0]["steward"] == "Wang Fang"
    assert {"event": "active_loop", "name": None, "timestamp": None} in events


def test_when_even_the_escalation_fails_the_holder_is_told_to_try_again(hub_mock):
    hub_mock.post(ESCALATIONS, status=503)
    events, messages = _after_failure(conversation(("yes book it", "affirm")), "movies")
    assert events == []
    assert responses_of(messages) == ["utter_hub_unavailable"]
