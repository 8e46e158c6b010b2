"""The one request form whose questions come from the catalog's `fields`."""

from __future__ import annotations

import asyncio
import json

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import service_request
from tests.bot.flow_support import (
    CONV,
    DOMAIN,
    SERVICE,
    area,
    catalog_list,
    fake_hub,
    names,
    run,
    slot_values,
    tracker,
)

hub_fixture = pytest.fixture(name="hub_mock")(fake_hub)

FORM = "request_form"


def validate(t):
    return run(service_request.ValidateRequestForm(), t)


def required(t) -> list[str]:
    action = service_request.ValidateRequestForm()
    return asyncio.run(action.required_slots(DOMAIN["forms"][FORM]["required_slots"],
                                             CollectingDispatcher(), t, DOMAIN))


def test_the_area_by_alias_starts_with_no_answers(hub_mock) -> None:
    events, _ = validate(tracker(candidates={"request_area": "apartment"}, text="apartment",
                                 active_loop=FORM))
    values = slot_values(events)
    assert values["request_area"] == "housing" and values["request_answers"] == {}


def test_an_offering_names_its_area(hub_mock) -> None:
    events, _ = validate(tracker(candidates={"request_area": "book a badminton court"},
                                 text="book a badminton court", active_loop=FORM))
    assert slot_values(events)["request_area"] == "sports"


def test_an_area_that_is_not_a_request_is_refused(hub_mock) -> None:
    _, messages = validate(tracker(candidates={"request_area": "movies"}, text="movies",
                                   active_loop=FORM))
    assert names(messages) == ["utter_request_area_unknown"]


def test_the_questions_are_the_catalogs_in_order(hub_mock) -> None:
    t = tracker({"request_area": "housing", "request_answers": {"household_size": 3}}, active_loop=FORM)
    _, messages = run(service_request.ActionAskRequestAnswer(), t)
    assert messages[0]["question"] == "How many bedrooms do you need?"
    assert [b["payload"] for b in messages[0]["buttons"]] == ["1", "2", "3"]
    assert required(t) == ["request_area", "request_answer", "confirmed"]


def test_an_optional_question_has_a_skip_button(hub_mock) -> None:
    answers = {"household_size": 3, "bedrooms": "2", "move_in_date": "2026-12-27"}
    _, messages = run(service_request.ActionAskRequestAnswer(),
                      tracker({"request_area": "housing", "request_answers": answers}, active_loop=FORM))
    assert messages[0]["buttons"] == [{"title": "Skip", "payload": "skip"}]


def _answer(answers: dict, text: str):
    return validate(tracker({"request_area": "housing", "request_answers": answers},
                            candidates={"request_answer": text}, text=text, active_loop=FORM))


def test_answers_are_read_by_type(hub_mock) -> None:
    events, _ = _answer({}, "three of us")
    assert slot_values(events)["request_answers"] == {"household_size": 3}
    events, _ = _answer({"household_size": 3}, "2")
    assert slot_values(events)["request_answers"]["bedrooms"] == "2"
    events, _ = _answer({"household_size": 3, "bedrooms": "2"}, "next friday")
    assert slot_values(events)["request_answers"]["move_in_date"] == "2026-12-04"
    assert slot_values(events)["request_answer"] is None


def test_a_wrong_choice_is_asked_again(hub_mock) -> None:
    events, messages = _answer({"household_size": 3}, "seven")
    assert names(messages) == ["utter_request_answer_invalid"]
    assert "request_answers" not in slot_values(events)


def test_skipping_an_optional_question_then_confirming(hub_mock) -> None:
    answers = {"household_size": 3, "bedrooms": "2", "move_in_date": "2026-12-04"}
    events, _ = _answer(answers, "no")
    done = slot_values(events)["request_answers"]
    assert done["preferred_area"] == ""
    t = tracker({"request_area": "housing", "request_answers": done}, active_loop=FORM)
    assert required(t) == ["request_area", "confirmed"]


def test_a_new_area_in_the_catalog_works_without_code(hub_mock) -> None:
    pets = area("pet_care", "Pet care", "request", [], number=13, aliases=["pets", "dog"], fields=[
        {"name": "pet", "question": "What kind of pet?", "question_zh": "", "type": "choice",
         "choices": ["dog", "cat"], "required": True}])
    listed = catalog_list()
    listed["areas"].append({k: v for k, v in pets.items() if k != "providers"})
    hub_mock.replace("GET", f"{SERVICE}/catalog", json=listed)
    hub_mock.get(f"{SERVICE}/catalog/pet_care", json=pets)
    events, _ = validate(tracker(candidates={"request_area": "pets"}, text="help with my pets",
                                 active_loop=FORM))
    assert slot_values(events)["request_area"] == "pet_care"
    _, messages = run(service_request.ActionAskRequestAnswer(),
                      tracker({"request_area": "pet_care", "request_answers": {}}, active_loop=FORM))
    assert messages[0]["question"] == "What kind of pet?"
    events, _ = validate(tracker({"request_area": "pet_care", "request_answers": {}},
                                 candidates={"request_answer": "Cat"}, text="Cat", active_loop=FORM))
    assert slot_values(events)["request_answers"] == {"pet": "cat"}


def test_the_request_is_sent_with_its_answers_and_reference(hub_mock) -> None:
    hub_mock.post(f"{CONV}/service-requests", status=201, json={
        "reference": "SR-8H2K4M", "status": "submitted", "needs_steward": True,
        "area": {"code": "housing", "name": "Talent housing", "department": "Housing Administration"}})
    answers = {"household_size": 3, "bedrooms": "2", "move_in_date": "2026-12-04", "preferred_area": ""}
    slots = {"request_area": "housing", "request_answers": answers, "confirmed": True, "booking_key": "k"}
    _events, messages = run(service_request.ActionSubmitRequest(), tracker(slots))
    assert names(messages) == ["utter_request_submitted", "utter_request_steward_follows"]
    assert messages[0]["reference"] == "SR-8H2K4M"
    body = json.loads(hub_mock.calls[-1].request.body)
    assert body == {"area": "housing", "answers": {"household_size": 3, "bedrooms": "2",
                                                    "move_in_date": "2026-12-04"}}
    assert hub_mock.calls[-1].request.headers["Idempotency-Key"] == "k"


def test_a_refused_request_and_a_declined_one(hub_mock) -> None:
    hub_mock.post(f"{CONV}/service-requests", status=422, json={"code": "invalid_answers", "detail": "x"})
    slots = {"request_area": "housing", "request_answers": {}, "confirmed": True, "booking_key": "k"}
    _, messages = run(service_request.ActionSubmitRequest(), tracker(slots))
    assert names(messages) == ["utter_request_refused"]
    _, messages = run(service_request.ActionSubmitRequest(), tracker({**slots, "confirmed": False}))
    assert names(messages) == ["utter_form_dropped"]


def test_the_confirmation_lists_the_answers(hub_mock) -> None:
    answers = {"household_size": 3, "bedrooms": "2", "move_in_date": "2026-12-04", "preferred_area": ""}
    _, messages = run(service_request.ActionAskRequestConfirmed(),
                      tracker({"request_area": "housing", "request_answers": answers}))
    assert "• How many bedrooms do you need? 2" in messages[0]["answers"]
    assert "neighbourhood" not in messages[0]["answers"]


def test_hub_down_while_choosing_the_area(hub_mock) -> None:
    hub_mock.replace("GET", f"{SERVICE}/catalog", status=503)
    _events, messages = validate(tracker(candidates={"request_area": "housing"}, text="housing",
                                        active_loop=FORM))
    assert names(messages) == ["utter_hub_unavailable"]
