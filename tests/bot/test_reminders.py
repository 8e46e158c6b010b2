"""Reminder actions, rasa_sdk style: a real Tracker and CollectingDispatcher,
the hub faked with `responses`."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from rasa_sdk import Tracker

from bot.actions import reminders
from bot.actions.hub_client import get_hub_client
from tests.bot.helpers import CATALOG, CONVERSATION, HUB, booking, responses_of, run

SERVICE = f"{HUB}/api/v1/service"
CONV = f"{SERVICE}/conversations/{CONVERSATION}"


def said(text: str = "", intent: str = "manage_reminders", **entities: str) -> Tracker:
    found = [{"entity": k, "value": v} for k, v in entities.items()]
    message = {"intent": {"name": intent, "confidence": 1.0}, "entities": found, "text": text}
    return Tracker(
        CONVERSATION, {}, message,
        [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text,
                                                        "parse_data": message}],
        False, None, {}, "action_listen",
    )


@pytest.fixture(autouse=True)
def hub_mock(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TCC_HUB_URL", HUB)
    monkeypatch.setenv("TCC_SERVICE_TOKEN", "service-token")
    monkeypatch.setenv("TCC_HUB_RETRIES", "0")
    get_hub_client.cache_clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{SERVICE}/catalog/checkup", json=CATALOG)
        yield mock
    get_hub_client.cache_clear()


def reminder(ref: str = "TC-7K3M9Q", kind: str = "evening_before", status: str = "scheduled",
             send_at: str = "2026-12-03T19:00:00+08:00") -> dict[str, Any]:
    return {"id": f"{ref}:{kind}", "booking_reference": ref, "kind": kind, "send_at": send_at,
            "due_at": send_at, "status": status, "status_reason": "", "attempts": 0,
            "delivered_at": None}


# -- the hub's scheduler asks the bot to word a reminder -------------------------------


def test_evening_before_reminder_with_fasting_and_what_to_bring(hub_mock):
    hub_mock.get(f"{CONV}/bookings/TC-7K3M9Q", json=booking())
    events, messages = run(
        reminders.ActionSendReminder(),
        said(intent="EXTERNAL_reminder", booking_reference="TC-7K3M9Q", reminder_kind="evening_before"),
    )
    assert events == []
    assert responses_of(messages) == [
        "utter_reminder_evening_before", "utter_reminder_fasting", "utter_reminder_bring",
    ]
    first = messages[0]
    assert first["reference"] == "TC-7K3M9Q" and first["time"] == "07:30"
    assert first["provider"] == "Tongji Hospital" and first["service"] == "Comprehensive check-up"
    assert messages[2]["items"] == "Talent Card, ID card or passport"


def test_two_hours_before_and_ticket_details(hub_mock):
    tickets = {**booking(), "details": {"seats": ["F7", "F8"], "ticket_code": "TK-99"}}
    hub_mock.get(f"{CONV}/bookings/TC-7K3M9Q", json=tickets)
    _, messages = run(
        reminders.ActionSendReminder(),
        said(intent="EXTERNAL_reminder", booking_reference="TC-7K3M9Q", reminder_kind="two_hours_before"),
    )
    assert responses_of(messages) == ["utter_reminder_two_hours_before", "utter_reminder_tickets"]
    assert messages[1]["seats"] == "F7, F8" and messages[1]["ticket_code"] == "TK-99"


def test_hub_error_still_gives_a_reminder_with_the_reference(hub_mock):
    hub_mock.get(f"{CONV}/bookings/TC-7K3M9Q", status=503)
    _, messages = run(
        reminders.ActionSendReminder(),
        said(intent="EXTERNAL_reminder", booking_reference="TC-7K3M9Q", reminder_kind="extra_180m"),
    )
    assert responses_of(messages) == ["utter_reminder_generic"]
    assert messages[0]["reference"] == "TC-7K3M9Q"


# -- the holder manages them ------------------------------------------------------------


def test_list_only_pending_reminders(hub_mock):
    hub_mock.get(f"{CONV}/reminders", json={"reminders": [
        reminder(), reminder(kind="two_hours_before", status="skipped"),
    ]})
    _, messages = run(reminders.ActionManageReminders(), said("what reminders do I have"))
    assert responses_of(messages) == ["utter_reminders_list"]
    assert messages[0]["lines"] == "• Thu 03 Dec 19:00 — TC-7K3M9Q"


def test_list_when_there_are_none(hub_mock):
    hub_mock.get(f"{CONV}/reminders", json={"reminders": [reminder(status="delivered")]})
    _, messages = run(reminders.ActionManageReminders(), said("my reminders"))
    assert responses_of(messages) == ["utter_no_reminders"]


def test_turn_off_for_one_booking(hub_mock):
    call = hub_mock.post(f"{CONV}/reminders/off", json={"turned_off": 2})
    _, messages = run(reminders.ActionManageReminders(),
                      said("turn off reminders for TC-7K3M9Q", booking_reference="TC-7K3M9Q"))
    assert json.loads(call.calls[0].request.body) == {"reference": "TC-7K3M9Q"}
    assert responses_of(messages) == ["utter_reminders_turned_off_one"]


def test_turn_off_all(hub_mock):
    call = hub_mock.post(f"{CONV}/reminders/off", json={"turned_off": 5})
    _, messages = run(reminders.ActionManageReminders(), said("turn off all reminders"))
    assert json.loads(call.calls[0].request.body) == {"reference": None}
    assert responses_of(messages) == ["utter_reminders_turned_off_all"]
    assert messages[0]["count"] == 5


def test_extra_reminder_for_the_only_booking(hub_mock):
    hub_mock.get(f"{CONV}/bookings", json={"bookings": [booking()]})
    hub_mock.get(f"{CONV}/bookings/TC-7K3M9Q", json=booking())
    added = hub_mock.post(f"{CONV}/bookings/TC-7K3M9Q/reminders", status=201,
                          json=reminder(kind="extra_180m", send_at="2026-12-04T04:30:00+08:00"))
    _, messages = run(reminders.ActionManageReminders(), said("remind me 3 hours before"))
    assert json.loads(added.calls[0].request.body) == {"minutes_before": 180}
    assert responses_of(messages) == ["utter_reminder_added"]
    assert messages[0]["when"] == "3 hours" and messages[0]["send_time"] == "04:30"


def test_extra_reminder_asks_which_booking_when_there_are_several(hub_mock):
    hub_mock.get(f"{CONV}/bookings", json={"bookings": [
        booking(), booking("TC-ABCDEF", day="2026-12-10"),
    ]})
    _, messages = run(reminders.ActionManageReminders(), said("remind me an hour before"))
    assert responses_of(messages) == ["utter_ask_which_booking_reminder"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads[1] == '/manage_reminders{"booking_reference":"TC-ABCDEF","reminder_minutes":"60"}'


def test_button_choice_sets_the_reminder(hub_mock):
    hub_mock.get(f"{CONV}/bookings/TC-ABCDEF", json=booking("TC-ABCDEF"))
    added = hub_mock.post(f"{CONV}/bookings/TC-ABCDEF/reminders", status=201,
                          json=reminder("TC-ABCDEF", kind="extra_60m"))
    _, messages = run(reminders.ActionManageReminders(),
                      said("", booking_reference="TC-ABCDEF", reminder_minutes="60"))
    assert len(added.calls) == 1
    assert responses_of(messages) == ["utter_reminder_added"]


def test_too_late_and_unknown_booking(hub_mock):
    hub_mock.post(f"{CONV}/bookings/TC-7K3M9Q/reminders", status=422,
                  json={"code": "reminder_time_passed", "detail": "passed"})
    _, messages = run(reminders.ActionManageReminders(),
                      said("remind me 2 days before", booking_reference="TC-7K3M9Q"))
    assert responses_of(messages) == ["utter_reminder_too_late"]
    hub_mock.post(f"{CONV}/bookings/TC-ZZZZZZ/reminders", status=404,
                  json={"code": "not_found", "detail": "no"})
    _, messages = run(reminders.ActionManageReminders(),
                      said("remind me 2 hours before", booking_reference="TC-ZZZZZZ"))
    assert responses_of(messages) == ["utter_booking_not_found"]


def test_hub_down_while_managing(hub_mock):
    hub_mock.get(f"{CONV}/reminders", status=503)
    _, messages = run(reminders.ActionManageReminders(), said("my reminders"))
    assert responses_of(messages) == ["utter_hub_unavailable"]


def test_no_bookings_for_an_extra_reminder(hub_mock):
    hub_mock.get(f"{CONV}/bookings", json={"bookings": []})
    _, messages = run(reminders.ActionManageReminders(), said("remind me 1 hour before"))
    assert responses_of(messages) == ["utter_no_bookings_for_reminder"]


def test_an_application_deadline_reminder_names_the_deadline_child_and_school(hub_mock):
    hub_mock.get(f"{CONV}/records/AP-4H7K2M", json={
        "kind": "application", "reference": "AP-4H7K2M", "status": "submitted",
        "school": {"code": "caoyang-primary", "name": "Caoyang No. 1 Primary School"},
        "child": {"id": 3, "name": "Li Xiaoming"},
    })
    _, messages = run(reminders.ActionSendReminder(), said(
        intent="EXTERNAL_reminder", booking_reference="AP-4H7K2M",
        reminder_kind="registration_closes", deadline_name="Online registration closes",
        deadline_at="2027-05-10T17:00:00+08:00",
    ))
    assert responses_of(messages) == ["utter_reminder_deadline"]
    assert messages[0]["deadline"] == "Online registration closes"
    assert messages[0]["day"] == "Monday 10 May" and messages[0]["time"] == "17:00"
    assert messages[0]["child"] == "Li Xiaoming"
    assert messages[0]["school"] == "Caoyang No. 1 Primary School"
