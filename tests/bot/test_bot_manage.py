"""My bookings, status, cancel (confirmed first), reschedule, the menu,
service info, the card and the fallback's first question."""

from __future__ import annotations

import json

import pytest

from bot.actions import ask, fallback, manage, reschedule
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

RECORDS = f"{CONV}/records"


def record(reference: str, kind: str = "booking", live: bool = True, **extra) -> dict:
    return {"kind": kind, "reference": reference, "title": f"Movie tickets: {reference}",
            "status": "confirmed" if kind == "booking" else "under_review", "live": live,
            "when": "2026-12-04T19:00:00+08:00", "starts_at": "2026-12-04T19:00:00+08:00", **extra}


def booking_detail(reference: str = "TC-7K3M9Q", area: str = "movies") -> dict:
    return {**record(reference), "area": {"code": area, "name": "Movie tickets"},
            "provider": {"code": "global-harbor-cinema", "name": "Global Harbor IMAX Cinema"},
            "offering": {"code": "deep-sea-signal", "name": "Deep Sea Signal"}, "quantity": 2}


# -- list and status ---------------------------------------------------------------


def test_list_shows_live_records_with_buttons(hub_mock) -> None:
    hub_mock.get(RECORDS, json={"records": [record("TC-7K3M9Q"), record("AP-3K7M9Q", "application")]})
    _, messages = run(manage.ActionListRecords(), tracker(intent="list_bookings"))
    assert names(messages) == ["utter_records_list"]
    assert messages[0]["count"] == 2
    assert "TC-7K3M9Q · Movie tickets: TC-7K3M9Q · Fri 04 Dec 19:00 (confirmed)" in messages[0]["lines"]
    assert messages[0]["buttons"][1]["payload"] == '/check_status{"booking_reference":"AP-3K7M9Q"}'
    assert "status=live" in hub_mock.calls[-1].request.url


def test_list_with_nothing(hub_mock) -> None:
    hub_mock.get(RECORDS, json={"records": []})
    _, messages = run(manage.ActionListRecords(), tracker(intent="list_bookings"))
    assert names(messages) == ["utter_no_records"]


def test_list_with_the_hub_down(hub_mock) -> None:
    hub_mock.get(RECORDS, status=503)
    _, messages = run(manage.ActionListRecords(), tracker(intent="list_bookings"))
    assert names(messages) == ["utter_hub_unavailable"]


def test_status_of_a_reference_typed_in_lowercase(hub_mock) -> None:
    hub_mock.get(f"{RECORDS}/AP-3K7M9Q", json=record("AP-3K7M9Q", "application"))
    _, messages = run(manage.ActionCheckStatus(), tracker(text="status of ap-3k7m9q please",
                                                          intent="check_status"))
    assert names(messages) == ["utter_status_request"]
    assert messages[0]["status"] == "under review"


def test_status_of_an_unknown_reference(hub_mock) -> None:
    hub_mock.get(f"{RECORDS}/TC-ZZZZZZ", status=404, json={"code": "not_found", "detail": "x"})
    _, messages = run(manage.ActionCheckStatus(), tracker(text="TC-ZZZZZZ", intent="check_status"))
    assert names(messages) == ["utter_record_not_found"]


# -- cancel -------------------------------------------------------------------------


def test_cancel_with_several_asks_which(hub_mock) -> None:
    hub_mock.get(RECORDS, json={"records": [record("TC-7K3M9Q"), record("SR-8H2K4M", "service_request")]})
    events, messages = run(manage.ActionStartCancel(), tracker(text="cancel my booking", intent="cancel_booking"))
    assert names(messages) == ["utter_ask_which_to_cancel"]
    assert messages[0]["buttons"][0]["payload"] == '/cancel_booking{"booking_reference":"TC-7K3M9Q"}'
    assert slot_values(events) == {"record_reference": None}


def test_cancel_with_one_confirms_it(hub_mock) -> None:
    hub_mock.get(RECORDS, json={"records": [record("TC-7K3M9Q")]})
    hub_mock.get(f"{RECORDS}/TC-7K3M9Q", json=record("TC-7K3M9Q"))
    events, messages = run(manage.ActionStartCancel(), tracker(text="cancel it", intent="cancel_booking"))
    assert names(messages) == ["utter_confirm_cancel"]
    assert slot_values(events) == {"record_reference": "TC-7K3M9Q"}


def test_cancel_with_nothing_and_with_a_closed_one(hub_mock) -> None:
    hub_mock.get(RECORDS, json={"records": []})
    _, messages = run(manage.ActionStartCancel(), tracker(text="cancel", intent="cancel_booking"))
    assert names(messages) == ["utter_nothing_to_cancel"]
    hub_mock.get(f"{RECORDS}/TC-7K3M9Q", json=record("TC-7K3M9Q", live=False))
    entities = [{"entity": "booking_reference", "value": "TC-7K3M9Q"}]
    _, messages = run(manage.ActionStartCancel(), tracker(text="/cancel_booking", intent="cancel_booking",
                                                          entities=entities))
    assert names(messages) == ["utter_record_not_live"]


def test_yes_cancels_and_gives_the_reference(hub_mock) -> None:
    hub_mock.post(f"{RECORDS}/TC-7K3M9Q/cancel", json={**record("TC-7K3M9Q"), "status": "cancelled"})
    events, messages = run(manage.ActionCancelRecord(), tracker({"record_reference": "TC-7K3M9Q"}))
    assert names(messages) == ["utter_record_cancelled"]
    assert messages[0]["reference"] == "TC-7K3M9Q" and messages[0]["status"] == "cancelled"
    assert slot_values(events) == {"record_reference": None}


def test_a_cancel_the_hub_refuses(hub_mock) -> None:
    hub_mock.post(f"{RECORDS}/TC-7K3M9Q/cancel", status=422, json={"code": "slot_in_past", "detail": "x"})
    _, messages = run(manage.ActionCancelRecord(), tracker({"record_reference": "TC-7K3M9Q"}))
    assert names(messages) == ["utter_cancel_refused"]


def test_no_keeps_it(hub_mock) -> None:
    events, messages = run(manage.ActionKeepRecord(), tracker({"record_reference": "TC-7K3M9Q"}))
    assert names(messages) == ["utter_record_kept"] and slot_values(events) == {"record_reference": None}


# -- reschedule ---------------------------------------------------------------------


def test_reschedule_picks_the_only_booking(hub_mock) -> None:
    hub_mock.get(RECORDS, json={"records": [record("TC-7K3M9Q"), record("AP-3K7M9Q", "application")]})
    hub_mock.get(f"{RECORDS}/TC-7K3M9Q", json=booking_detail())
    events, messages = run(reschedule.ActionStartReschedule(), tracker(intent="reschedule_booking"))
    assert slot_values(events) == {"reschedule_reference": "TC-7K3M9Q"}
    assert names(messages) == ["utter_rescheduling"]


def test_reschedule_with_no_bookings(hub_mock) -> None:
    hub_mock.get(RECORDS, json={"records": [record("AP-3K7M9Q", "application")]})
    events, messages = run(reschedule.ActionStartReschedule(), tracker(intent="reschedule_booking"))
    assert names(messages) == ["utter_nothing_to_reschedule"]
    # A day said with the request must not wait for the next flow.
    assert slot_values(events) == {"reschedule_reference": None, "when": None}


def test_a_new_showing_is_found_at_the_same_cinema(hub_mock) -> None:
    hub_mock.get(f"{RECORDS}/TC-7K3M9Q", json=booking_detail())
    hub_mock.get(f"{SERVICE}/showtimes", json={"showtimes": [
        slot(41, "2026-12-04T19:00", "global-harbor-cinema", "Global Harbor"),
        slot(44, "2026-12-05T20:00", "global-harbor-cinema", "Global Harbor")], "alternatives": []})
    t = tracker({"reschedule_reference": "TC-7K3M9Q"}, candidates={"when": "2026-12-05 after 7pm"},
                text="2026-12-05 after 7pm", active_loop="reschedule_form")
    events, _messages = run(reschedule.ValidateRescheduleForm(), t)
    assert slot_values(events)["booking_slot_id"] == 44
    assert "quantity=2" in hub_mock.calls[-1].request.url


def test_the_current_time_is_not_offered_again(hub_mock) -> None:
    hub_mock.get(f"{RECORDS}/TC-7K3M9Q", json=booking_detail())
    hub_mock.get(f"{SERVICE}/showtimes", json={"showtimes": [
        slot(41, "2026-12-04T19:00", "global-harbor-cinema", "Global Harbor")], "alternatives": []})
    t = tracker({"reschedule_reference": "TC-7K3M9Q"}, candidates={"when": "2026-12-04 at 7pm"},
                text="2026-12-04 at 7pm", active_loop="reschedule_form")
    _events, messages = run(reschedule.ValidateRescheduleForm(), t)
    assert names(messages) == ["utter_no_time_then_none"]


def test_move_keeps_the_reference(hub_mock) -> None:
    hub_mock.post(f"{CONV}/bookings/TC-7K3M9Q/reschedule", json={
        "reference": "TC-7K3M9Q", "provider": {"name": "Global Harbor"},
        "starts_at": "2026-12-05T20:00:00+08:00", "ticket": {"code": "C", "seats": ["A1"]}})
    slots = {"reschedule_reference": "TC-7K3M9Q", "booking_slot_id": 44, "booking_key": "k",
             "confirmed": True}
    _, messages = run(reschedule.ActionMoveBooking(), tracker(slots))
    assert names(messages) == ["utter_rescheduled", "utter_tickets_seats"]
    assert messages[0]["reference"] == "TC-7K3M9Q" and messages[0]["time"] == "20:00"
    assert json.loads(hub_mock.calls[-1].request.body) == {"slot_id": 44}


def test_move_to_a_slot_gone_meanwhile(hub_mock) -> None:
    hub_mock.post(f"{CONV}/bookings/TC-7K3M9Q/reschedule", status=409,
                  json={"code": "slot_full", "detail": "x", "alternatives": []})
    slots = {"reschedule_reference": "TC-7K3M9Q", "booking_slot_id": 44, "booking_key": "k",
             "confirmed": True}
    _, messages = run(reschedule.ActionMoveBooking(), tracker(slots))
    assert names(messages) == ["utter_slot_taken"]


# -- the menu, services, the card, the fallback ---------------------------------


def test_the_menu_starts_each_area(hub_mock) -> None:
    _, messages = run(ask.ActionListServices(), tracker(intent="list_services"))
    payloads = {b["title"]: b["payload"] for b in messages[0]["buttons"]}
    assert payloads["Movie tickets"] == "/buy_movie_tickets"
    assert payloads["Talent housing"] == '/request_service{"area":"housing"}'
    assert messages[0]["count"] == 7


def test_what_to_bring_for_a_named_service(hub_mock) -> None:
    _, messages = run(ask.ActionServiceInfo(), tracker(text="what should i bring for housing",
                                                       intent="ask_service_info"))
    assert names(messages) == ["utter_service_bring", "utter_service_start_offer"]


def test_how_a_service_works(hub_mock) -> None:
    entities = [{"entity": "area", "value": "sports"}]
    _, messages = run(ask.ActionServiceInfo(), tracker(text="tell me about the sports thing",
                                                       intent="ask_service_info", entities=entities))
    assert names(messages) == ["utter_service_description", "utter_service_eligibility",
                               "utter_service_bring", "utter_service_start_offer"]


def test_which_service_when_none_is_named(hub_mock) -> None:
    _, messages = run(ask.ActionServiceInfo(), tracker(text="how does it work", intent="ask_service_info"))
    assert names(messages) == ["utter_ask_which_service"]


def test_the_card(hub_mock) -> None:
    hub_mock.get(f"{CONV}/card", json={"card_number": "PT20260007", "serial": 7, "golden": True,
                                       "name": "Dr. Li Wei", "valid_until": "2029-02-28",
                                       "issued_on": "2026-03-01", "status": "valid", "days_left": 824})
    _, messages = run(ask.ActionCardInfo(), tracker(intent="ask_card_info"))
    assert names(messages) == ["utter_card_valid", "utter_card_golden", "utter_card_e_card"]
    assert messages[1]["serial"] == 7


def test_the_card_with_the_hub_down(hub_mock) -> None:
    hub_mock.get(f"{CONV}/card", status=503)
    _, messages = run(ask.ActionCardInfo(), tracker(intent="ask_card_info"))
    assert names(messages) == ["utter_hub_unavailable"]


def test_fallback_asks_about_the_best_guess_in_words() -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "buy_movie_tickets", "confidence": 0.4}]
    _, messages = run(fallback.ActionDefaultAskAffirmation(),
                      tracker(intent="nlu_fallback", ranking=ranking))
    assert names(messages) == ["utter_ask_affirm_buy_movie_tickets"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/buy_movie_tickets", "/out_of_scope"]
    ranking = [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "greet", "confidence": 0.4}]
    _, messages = run(fallback.ActionDefaultAskAffirmation(),
                      tracker(intent="nlu_fallback", ranking=ranking))
    assert names(messages) == ["utter_ask_affirm_unsure"]
