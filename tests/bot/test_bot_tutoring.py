"""After-school tutoring: the child from the profile, the class's level
against the child's age, the weekly time."""

from __future__ import annotations

import json

import pytest

from bot.actions import tutoring
from tests.bot.flow_support import (
    CONV,
    fake_hub,
    names,
    run,
    slot_values,
    tracker,
)

hub_fixture = pytest.fixture(name="hub_mock")(fake_hub)

FORM = "tutoring_form"


def validate(t):
    return run(tutoring.ValidateTutoringForm(), t)


def test_the_child_question_lists_the_profiles_children(hub_mock) -> None:
    _, messages = run(tutoring.ActionAskTutoringChild(), tracker(active_loop=FORM))
    assert [b["title"] for b in messages[0]["buttons"]] == ["Li Xiaoming", "Li Xiaoyu"]


def test_a_child_by_given_name(hub_mock) -> None:
    events, _ = validate(tracker(candidates={"tutoring_child": "xiaoyu"}, text="xiaoyu", active_loop=FORM))
    assert slot_values(events)["tutoring_child"] == "Li Xiaoyu"


def test_a_child_not_on_the_card(hub_mock) -> None:
    _, messages = validate(tracker(candidates={"tutoring_child": "Bob"}, text="Bob", active_loop=FORM))
    assert names(messages) == ["utter_child_unknown"]


def test_the_subject_sets_its_centre(hub_mock) -> None:
    events, _ = validate(tracker({"tutoring_child": "Li Xiaoyu"}, candidates={"tutoring_subject": "maths"},
                                 text="maths", active_loop=FORM))
    values = slot_values(events)
    assert values["tutoring_subject"] == "maths-primary"
    assert values["tutoring_centre"] == "changshou-learning-centre"


def test_a_class_for_another_age_is_refused(hub_mock) -> None:
    # Li Xiaoming is 7 on 2026-11-27; programming is for 10 to 15.
    events, messages = validate(tracker({"tutoring_child": "Li Xiaoming"},
                                        candidates={"tutoring_subject": "coding"}, text="coding",
                                        active_loop=FORM))
    assert slot_values(events)["tutoring_subject"] is None
    assert names(messages) == ["utter_tutoring_level_misfit"]
    assert messages[0]["age"] == 7 and messages[0]["ages"] == "10-15"


def test_the_subject_question_shows_levels(hub_mock) -> None:
    _, messages = run(tutoring.ActionAskTutoringSubject(), tracker(active_loop=FORM))
    assert messages[0]["buttons"][0]["title"] == "Primary mathematics (primary years 3-5)"


def test_profile_unavailable_stops_with_a_reply(hub_mock) -> None:
    hub_mock.replace("GET", f"{CONV}/profile", status=503)
    _events, messages = validate(tracker(candidates={"tutoring_child": "x"}, text="x", active_loop=FORM))
    assert names(messages) == ["utter_hub_unavailable"]


def test_booking_carries_the_child_and_the_weekly_wish(hub_mock) -> None:
    hub_mock.post(f"{CONV}/bookings", status=201, json={
        "reference": "TC-M8N9PQ", "provider": {"name": "Changshou Road Learning Centre", "address": "x"},
        "offering": {"name": "Primary mathematics"}, "starts_at": "2026-11-28T09:00:00+08:00",
        "quantity": 1, "ticket": None})
    slots = {"tutoring_child": "Li Xiaoyu", "tutoring_subject": "maths-primary",
             "tutoring_centre": "changshou-learning-centre", "booking_slot_id": 3, "booking_key": "k",
             "confirmed": True, "booking_starts_at": "2026-11-28T09:00:00+08:00"}
    _, messages = run(tutoring.BookTutoring(), tracker(slots))
    assert names(messages) == ["utter_tutoring_booked", "utter_tutoring_weekly_note"]
    assert messages[0]["child"] == "Li Xiaoyu"
    assert json.loads(hub_mock.calls[-1].request.body)["details"] == {"child": "Li Xiaoyu", "weekly": True}


def test_a_child_button_payload_names_the_child(hub_mock) -> None:
    t = tracker(candidates={"tutoring_child": "Li Xiaoyu"}, text='/inform{"child":"Li Xiaoyu"}',
                active_loop=FORM)
    events, _ = validate(t)
    assert slot_values(events)["tutoring_child"] == "Li Xiaoyu"
