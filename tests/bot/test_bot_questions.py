"""The form questions not covered elsewhere, each asked with the hub's own
choices as buttons, and each staying polite when the hub is down."""

from __future__ import annotations

import pytest

from bot.actions import enrollment, events, flows, reschedule, service_request, tutoring
from tests.bot.flow_support import (
    CONV,
    SERVICE,
    fake_hub,
    names,
    run,
    slot_values,
    tracker,
)

hub_fixture = pytest.fixture(name="hub_mock")(fake_hub)


def test_the_child_question_for_a_school_lists_the_profile(hub_mock) -> None:
    _, messages = run(enrollment.ActionAskEnrollmentChild(), tracker(active_loop="enrollment_form"))
    assert names(messages) == ["utter_ask_enrollment_child"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/inform{"child":"Li Xiaoming"}', '/inform{"child":"Li Xiaoyu"}']


def test_grade_then_school_questions_narrow_down(hub_mock) -> None:
    _, messages = run(enrollment.ActionAskEnrollmentGrade(),
                      tracker({"enrollment_child": "Li Xiaoming"}, active_loop="enrollment_form"))
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/inform{"grade":"primary-1"}', '/inform{"grade":"middle-6"}']
    assert messages[0]["child"] == "Li Xiaoming"
    _, messages = run(enrollment.ActionAskEnrollmentSchool(),
                      tracker({"enrollment_grade": "middle-6"}, active_loop="enrollment_form"))
    assert [b["title"] for b in messages[0]["buttons"]] == ["Zhenru Middle School"]


def test_the_event_question_lists_the_events(hub_mock) -> None:
    _, messages = run(events.ActionAskEvent(), tracker(active_loop="event_form"))
    assert messages[0]["buttons"] == [
        {"title": "Shanghai Jazz Night", "payload": '/inform{"event":"shanghai-jazz-night"}'}]


def test_the_request_area_question_lists_only_request_areas(hub_mock) -> None:
    _, messages = run(service_request.ActionAskRequestArea(), tracker(active_loop="request_form"))
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/request_service{"area":"housing"}', '/request_service{"area":"sports"}']


def test_tutoring_and_event_confirmations(hub_mock) -> None:
    slots = {"tutoring_child": "Li Xiaoyu", "tutoring_subject": "maths-primary",
             "tutoring_centre": "changshou-learning-centre",
             "booking_starts_at": "2026-11-28T09:00:00+08:00"}
    events_, messages = run(tutoring.AskTutoringConfirmation(), tracker(slots))
    assert names(messages) == ["utter_confirm_tutoring"]
    assert (messages[0]["level"], messages[0]["centre"]) == (
        "primary years 3-5", "Changshou Road Learning Centre")
    assert slot_values(events_)["booking_key"]
    slots = {"event": "shanghai-jazz-night", "quantity": "2",
             "booking_starts_at": "2026-11-28T20:00:00+08:00"}
    _, messages = run(events.AskEventConfirmation(), tracker(slots))
    assert (messages[0]["event"], messages[0]["venue"]) == (
        "Shanghai Jazz Night", "Putuo District Cultural Centre")


def test_the_reschedule_confirmation_names_old_and_new_times(hub_mock) -> None:
    hub_mock.get(f"{CONV}/records/TC-7K3M9Q", json={
        "kind": "booking", "reference": "TC-7K3M9Q", "title": "Movie tickets: Deep Sea Signal",
        "starts_at": "2026-12-04T19:00:00+08:00"})
    slots = {"reschedule_reference": "TC-7K3M9Q", "booking_starts_at": "2026-12-05T20:00:00+08:00"}
    events_, messages = run(reschedule.ActionAskRescheduleConfirmed(), tracker(slots))
    assert (messages[0]["old_time"], messages[0]["time"]) == ("19:00", "20:00")
    assert slot_values(events_)["booking_key"]


def test_questions_with_the_hub_down_stop_the_form_politely(hub_mock) -> None:
    for code in ("school_enrollment", "events"):
        hub_mock.replace("GET", f"{SERVICE}/catalog/{code}", status=503)
    hub_mock.replace("GET", f"{SERVICE}/catalog", status=503)
    for action in (enrollment.ActionAskEnrollmentGrade(), events.ActionAskEvent(),
                   service_request.ActionAskRequestArea()):
        events_, messages = run(action, tracker(active_loop="event_form"))
        assert names(messages) == ["utter_hub_unavailable"]
        assert slot_values(events_) == {"requested_slot": None}


def test_forget_it_drops_every_answer() -> None:
    events_, messages = run(flows.ActionDropForm(), tracker({"movie": "deep-sea-signal", "quantity": "2"}))
    assert names(messages) == ["utter_form_dropped"]
    values = slot_values(events_)
    assert values["movie"] is None and values["quantity"] is None and values["booking_key"] is None
