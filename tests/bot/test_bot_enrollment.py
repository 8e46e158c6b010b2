"""School applications: the child from the profile or a new one, the hub's
eligibility check before the confirmation, the application with its status."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.actions import enrollment
from tests.bot.flow_support import (
    CONV,
    fake_hub,
    names,
    run,
    slot_values,
    tracker,
)

hub_fixture = pytest.fixture(name="hub_mock")(fake_hub)

FORM = "enrollment_form"
ELIGIBILITY = f"{CONV}/applications/eligibility"


def validate(t):
    return run(enrollment.ValidateEnrollmentForm(), t)


def verdict(problems=(), alternatives=()):
    return {"eligible": not problems, "school": {"code": "caoyang-no6-primary", "name": "Caoyang No. 6"},
            "grade": {"code": "primary-1", "name": "Primary year 1"}, "age": 7, "places_left": 3,
            "problems": list(problems), "alternatives": list(alternatives)}


def test_a_child_from_the_profile_brings_the_birth_date(hub_mock) -> None:
    events, _ = validate(tracker(candidates={"enrollment_child": "Xiaoming"}, text="Xiaoming",
                                 active_loop=FORM))
    values = slot_values(events)
    assert values["enrollment_child"] == "Li Xiaoming"
    assert values["enrollment_child_birth_date"] == "2019-05-04"


def test_a_new_child_is_named_and_the_birth_date_asked(hub_mock) -> None:
    events, messages = validate(tracker(candidates={"enrollment_child": "Anna Li"}, text="Anna Li",
                                        active_loop=FORM))
    values = slot_values(events)
    assert values["enrollment_child"] == "Anna Li" and values["enrollment_child_birth_date"] is None
    assert names(messages) == ["utter_enrollment_new_child"]


def test_not_a_name(hub_mock) -> None:
    _, messages = validate(tracker(candidates={"enrollment_child": "??? 42"}, text="??? 42",
                                   active_loop=FORM))
    assert names(messages) == ["utter_child_unknown"]


def test_birth_dates() -> None:
    today = date(2026, 11, 27)
    assert enrollment.parse_birth_date("2019-05-04", today=today) == date(2019, 5, 4)
    assert enrollment.parse_birth_date("4 May 2019", today=today) == date(2019, 5, 4)
    assert enrollment.parse_birth_date("2027-01-01", today=today) is None
    assert enrollment.parse_birth_date("1990-01-01", today=today) is None
    assert enrollment.parse_birth_date("soon", today=today) is None


def test_grade_and_school_by_name(hub_mock) -> None:
    hub_mock.get(ELIGIBILITY, json=verdict())
    base = {"enrollment_child": "Li Xiaoming", "enrollment_child_birth_date": "2019-05-04"}
    events, messages = validate(tracker(base, candidates={"enrollment_grade": "first grade",
                                                          "enrollment_school": "Caoyang No. 6"},
                                        text="first grade at Caoyang No. 6", active_loop=FORM))
    values = slot_values(events)
    assert values["enrollment_grade"] == "primary-1"
    assert values["enrollment_school"] == "caoyang-no6-primary"
    assert messages == []
    assert "child_id=1" in hub_mock.calls[-1].request.url


def test_a_school_without_the_grade_is_refused(hub_mock) -> None:
    _, messages = validate(tracker({"enrollment_grade": "primary-1"},
                                   candidates={"enrollment_school": "Zhenru Middle"},
                                   text="Zhenru Middle", active_loop=FORM))
    assert names(messages) == ["utter_school_has_no_grade"]


def _ready() -> dict:
    return {"enrollment_child": "Anna Li", "enrollment_child_birth_date": "2020-03-01",
            "enrollment_grade": "primary-1"}


def test_too_young_asks_for_another_grade(hub_mock) -> None:
    hub_mock.get(ELIGIBILITY, json=verdict([{"status": 422, "code": "child_too_young", "detail": "x"}]))
    events, messages = validate(tracker(_ready(), candidates={"enrollment_school": "caoyang-no6-primary"},
                                        text="/inform", active_loop=FORM))
    assert names(messages) == ["utter_enrollment_child_too_young"]
    assert slot_values(events)["enrollment_grade"] is None
    assert "birth_date=2020-03-01" in hub_mock.calls[-1].request.url


def test_no_places_offers_other_schools(hub_mock) -> None:
    hub_mock.get(ELIGIBILITY, json=verdict(
        [{"status": 409, "code": "no_places", "detail": "x"}],
        [{"school": {"code": "changfeng-international-primary", "name": "Changfeng"},
          "grade": {"code": "primary-1"}, "places_left": 2}]))
    events, messages = validate(tracker(_ready(), candidates={"enrollment_school": "caoyang-no6-primary"},
                                        text="/inform", active_loop=FORM))
    assert names(messages) == ["utter_enrollment_no_places"]
    assert messages[0]["buttons"][0]["payload"] == '/inform{"school":"changfeng-international-primary"}'
    assert slot_values(events)["enrollment_school"] is None


def test_a_duplicate_ends_the_form_with_the_reference(hub_mock) -> None:
    hub_mock.get(ELIGIBILITY, json=verdict([{"status": 409, "code": "duplicate_application",
                                              "detail": "x", "reference": "AP-3K7M9Q"}]))
    events, messages = validate(tracker(_ready(), candidates={"enrollment_school": "caoyang-no6-primary"},
                                        text="/inform", active_loop=FORM))
    assert messages[0]["reference"] == "AP-3K7M9Q"
    assert slot_values(events)["requested_slot"] is None


def test_the_application_is_made_with_its_reference_and_status(hub_mock) -> None:
    hub_mock.post(f"{CONV}/applications", status=201, json={
        "reference": "AP-3K7M9Q", "status": "submitted", "child": {"name": "Anna Li"},
        "school": {"name": "Caoyang No. 6"}, "grade": {"name": "Primary year 1"}})
    slots = {**_ready(), "enrollment_school": "caoyang-no6-primary", "confirmed": True,
             "booking_key": "k"}
    _, messages = run(enrollment.ActionSubmitEnrollment(), tracker(slots))
    assert names(messages) == ["utter_enrollment_submitted", "utter_bring"]
    assert messages[0]["reference"] == "AP-3K7M9Q" and messages[0]["status"] == "submitted"
    body = json.loads(hub_mock.calls[-2].request.body if hub_mock.calls[-1].request.method == "GET"
                      else hub_mock.calls[-1].request.body)
    assert body["child"] == {"name": "Anna Li", "birth_date": "2020-03-01"}


def test_a_refused_application(hub_mock) -> None:
    hub_mock.post(f"{CONV}/applications", status=422, json={"code": "invalid_answers", "detail": "x"})
    slots = {**_ready(), "enrollment_school": "caoyang-no6-primary", "confirmed": True,
             "booking_key": "k"}
    _, messages = run(enrollment.ActionSubmitEnrollment(), tracker(slots))
    assert names(messages) == ["utter_enrollment_refused"]


def test_the_confirmation_names_child_grade_and_school(hub_mock) -> None:
    _, messages = run(enrollment.ActionAskEnrollmentConfirmed(),
                      tracker({**_ready(), "enrollment_school": "caoyang-no6-primary"}))
    assert (messages[0]["child"], messages[0]["grade"]) == ("Anna Li", "Primary year 1")


def test_names_lose_their_lead_in() -> None:
    assert enrollment._new_child_name("it's for Hana Watanabe") == "Hana Watanabe"
    assert enrollment._new_child_name("my daughter Anna") == "Anna"
