"""Specialist appointments (and the slot-booking base they share with
tutoring, movies and events): rasa_sdk-style, the hub faked with `responses`."""

from __future__ import annotations

import json

import pytest
import responses

from bot.actions import medical
from tests.bot.flow_support import (
    CONV,
    SERVICE,
    fake_hub,
    names,
    run,
    slot,
    slot_values,
    tracker,
)

hub_fixture = pytest.fixture(name="hub_mock")(fake_hub)

DEPARTMENTS = f"{SERVICE}/medical/departments"
AVAILABILITY = f"{SERVICE}/availability"
FORM = "medical_form"
READY = {"medical_department": "ent", "medical_hospital": "tongji-hospital"}


def validate(t):
    return run(medical.ValidateMedicalForm(), t)


def test_the_symptom_in_the_request_becomes_suggested_departments(hub_mock) -> None:
    hub_mock.get(DEPARTMENTS, json={"departments": [
        {"code": "ent", "name": "ENT (ear, nose and throat)"},
        {"code": "pediatrics", "name": "Pediatrics"},
    ]})
    t = tracker(text="my son has an ear infection", intent="book_medical_appointment",
                active_loop=FORM)
    _events, messages = run(medical.ActionAskMedicalDepartment(), t)
    assert names(messages) == ["utter_medical_department_suggested"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/inform{"department":"ent"}', '/inform{"department":"pediatrics"}']
    assert "symptom=my+son+has+an+ear+infection" in hub_mock.calls[-1].request.url


def test_no_symptom_lists_every_department(hub_mock) -> None:
    t = tracker(text="/book_medical_appointment", intent="book_medical_appointment", active_loop=FORM)
    _, messages = run(medical.ActionAskMedicalDepartment(), t)
    assert names(messages) == ["utter_ask_medical_department"]
    assert len(messages[0]["buttons"]) == 2


def test_hospital_question_lists_only_hospitals_with_the_department(hub_mock) -> None:
    _, messages = run(medical.ActionAskMedicalHospital(),
                      tracker({"medical_department": "ent"}, active_loop=FORM))
    assert [b["title"] for b in messages[0]["buttons"]] == ["Tongji Hospital"]


def test_a_department_by_name(hub_mock) -> None:
    events, messages = validate(tracker(candidates={"medical_department": "heart"}, text="heart",
                                        active_loop=FORM))
    assert slot_values(events)["medical_department"] == "cardiology"
    assert messages == []


def test_a_symptom_as_the_answer_offers_departments(hub_mock) -> None:
    hub_mock.get(DEPARTMENTS, json={"departments": [{"code": "ent", "name": "ENT"}]})
    events, messages = validate(tracker(candidates={"medical_department": "my ear hurts"},
                                        text="my ear hurts", active_loop=FORM))
    assert slot_values(events)["medical_department"] is None
    assert names(messages) == ["utter_medical_department_suggested"]


def test_an_unknown_department_with_no_suggestion(hub_mock) -> None:
    hub_mock.get(DEPARTMENTS, json={"departments": []})
    _events, messages = validate(tracker(candidates={"medical_department": "xyz"}, text="xyz",
                                        active_loop=FORM))
    assert names(messages) == ["utter_medical_department_unknown"]


def test_a_hospital_without_the_department_is_refused(hub_mock) -> None:
    events, messages = validate(tracker({"medical_department": "ent"},
                                        candidates={"medical_hospital": "liqun"}, text="liqun",
                                        active_loop=FORM))
    assert slot_values(events)["medical_hospital"] is None
    assert names(messages) == ["utter_medical_not_at_hospital"]


def test_the_session_in_the_wished_window_is_found(hub_mock) -> None:
    hub_mock.get(AVAILABILITY, json={"slots": [slot(7, "2026-11-28T08:30"), slot(8, "2026-11-28T13:30")],
                                     "alternatives": []})
    events, messages = validate(tracker(READY, candidates={"when": "tomorrow afternoon"},
                                        text="tomorrow afternoon", active_loop=FORM))
    values = slot_values(events)
    assert values["when"] == "2026-11-28 12:00-18:00"
    assert values["booking_slot_id"] == 8
    assert messages == []
    url = hub_mock.calls[-1].request.url
    assert "area=medical" in url and "provider=tongji-hospital" in url and "offering=ent" in url


def test_no_session_in_the_window_offers_the_others_that_day(hub_mock) -> None:
    hub_mock.get(AVAILABILITY, json={"slots": [slot(7, "2026-11-28T08:30")], "alternatives": []})
    events, messages = validate(tracker(READY, candidates={"when": "tomorrow afternoon"},
                                        text="tomorrow afternoon", active_loop=FORM))
    assert slot_values(events)["when"] is None
    assert names(messages) == ["utter_no_time_then"]
    assert messages[0]["buttons"][0]["payload"] == '/inform{"date":"2026-11-28 08:30"}'


def test_a_full_day_offers_the_hubs_nearest_sessions_elsewhere_too(hub_mock) -> None:
    hub_mock.get(AVAILABILITY, json={"slots": [], "alternatives": [
        slot(9, "2026-11-30T08:30"), slot(10, "2026-11-28T08:30", "liqun-hospital", "Liqun Hospital")]})
    _events, messages = validate(tracker(READY, candidates={"when": "tomorrow"}, text="tomorrow",
                                        active_loop=FORM))
    buttons = messages[0]["buttons"]
    assert json.loads(buttons[1]["payload"][len("/inform"):]) == {
        "hospital": "liqun-hospital", "date": "2026-11-28 08:30"}
    assert "Liqun Hospital" in buttons[1]["title"]


def test_nothing_near_says_so(hub_mock) -> None:
    hub_mock.get(AVAILABILITY, json={"slots": [], "alternatives": []})
    _, messages = validate(tracker(READY, candidates={"when": "tomorrow"}, text="tomorrow",
                                   active_loop=FORM))
    assert names(messages) == ["utter_no_time_then_none"]


def test_a_past_day_is_refused_before_asking_the_hub(hub_mock) -> None:
    events, messages = validate(tracker(READY, candidates={"when": "2026-11-01"}, text="2026-11-01",
                                        active_loop=FORM))
    assert slot_values(events)["when"] is None
    assert names(messages) == ["utter_when_past"]


def test_hub_down_stops_the_form_with_a_reply(hub_mock) -> None:
    hub_mock.get(AVAILABILITY, status=503, json={"detail": "down"})
    events, messages = validate(tracker(READY, candidates={"when": "tomorrow"}, text="tomorrow",
                                        active_loop=FORM))
    assert names(messages) == ["utter_hub_unavailable"]
    assert slot_values(events)["requested_slot"] is None


def test_a_changed_answer_means_a_new_search_and_a_new_confirmation(hub_mock) -> None:
    hub_mock.get(AVAILABILITY, json={"slots": [slot(11, "2026-11-28T08:30")], "alternatives": []})
    before = {**READY, "when": "2026-11-28", "booking_slot_id": 8, "confirmed": None}
    events, _ = validate(tracker(before, candidates={"medical_hospital": "Tongji"}, text="Tongji",
                                 active_loop=FORM))
    assert slot_values(events)["booking_slot_id"] == 11


def test_confirmation_summarises_and_mints_a_key(hub_mock) -> None:
    t = tracker({**READY, "booking_starts_at": "2026-11-28T13:30:00+08:00"}, active_loop=FORM)
    events, messages = run(medical.AskMedicalConfirmation(), t)
    assert names(messages) == ["utter_confirm_medical"]
    assert messages[0]["department"] == "ENT (ear, nose and throat)"
    assert messages[0]["time"] == "13:30" and messages[0]["day"] == "Saturday 28 November 2026"
    assert slot_values(events)["booking_key"]


def _confirmed() -> dict:
    return {**READY, "when": "2026-11-28", "booking_slot_id": 8, "confirmed": True,
            "booking_starts_at": "2026-11-28T13:30:00+08:00", "booking_key": "key-1"}


def test_yes_books_with_the_key_and_gives_the_reference(hub_mock) -> None:
    hub_mock.post(f"{CONV}/bookings", status=201, json={
        "reference": "TC-7K3M9Q", "provider": {"name": "Tongji Hospital", "address": "389 Xincun Road"},
        "offering": {"name": "ENT"}, "starts_at": "2026-11-28T13:30:00+08:00", "quantity": 1,
        "ticket": None})
    events, messages = run(medical.BookMedical(), tracker(_confirmed()))
    assert names(messages) == ["utter_medical_booked"]
    assert messages[0]["reference"] == "TC-7K3M9Q"
    request = hub_mock.calls[-1].request
    assert request.headers["Idempotency-Key"] == "key-1"
    assert json.loads(request.body) == {"slot_id": 8, "offering": "ent", "quantity": 1, "details": {}}
    assert all(v is None for v in slot_values(events).values())


def test_no_at_the_confirmation_books_nothing(hub_mock) -> None:
    _, messages = run(medical.BookMedical(), tracker({**_confirmed(), "confirmed": False}))
    assert names(messages) == ["utter_form_dropped"]
    assert not [c for c in hub_mock.calls if c.request.method == "POST"]


def test_a_slot_taken_meanwhile_goes_back_to_the_time_question(hub_mock) -> None:
    hub_mock.post(f"{CONV}/bookings", status=409, json={
        "code": "slot_full", "detail": "full", "alternatives": [slot(9, "2026-11-30T08:30")]})
    events, messages = run(medical.BookMedical(), tracker(_confirmed()))
    assert names(messages) == ["utter_slot_taken"]
    assert any(e["event"] == "followup" and e["name"] == FORM for e in events)
    assert slot_values(events)["when"] is None


def test_hub_down_at_booking_says_nothing_was_booked(hub_mock) -> None:
    hub_mock.post(f"{CONV}/bookings", body=responses.ConnectionError("down"))
    _, messages = run(medical.BookMedical(), tracker(_confirmed()))
    assert names(messages) == ["utter_hub_unavailable"]


def test_an_unknown_conversation_is_explained(hub_mock) -> None:
    hub_mock.post(f"{CONV}/bookings", status=404, json={"code": "unknown_conversation", "detail": "x"})
    _, messages = run(medical.BookMedical(), tracker(_confirmed()))
    assert names(messages) == ["utter_holder_unknown"]
