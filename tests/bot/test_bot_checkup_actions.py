"""The check-up actions, tested the way rasa_sdk tests actions: a real Tracker
and CollectingDispatcher, the hub faked with `responses`."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import date

import pytest
import requests
import responses
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import checkup, checkup_booking, dates
from bot.actions.hub_client import get_hub_client
from tests.bot.helpers import (
    CATALOG,
    CONVERSATION,
    DOMAIN,
    HUB,
    booking,
    responses_of,
    run,
    slot,
    slot_events,
    tracker,
)

CATALOG_URL = f"{HUB}/api/v1/service/catalog/checkup"
AVAILABILITY_URL = f"{HUB}/api/v1/service/availability"
BOOKINGS_URL = f"{HUB}/api/v1/service/conversations/{CONVERSATION}/bookings"
TODAY = date(2026, 11, 27)  # a Friday


@pytest.fixture(autouse=True)
def hub_env(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TCC_HUB_URL", HUB)
    monkeypatch.setenv("TCC_SERVICE_TOKEN", "service-token")
    monkeypatch.setenv("TCC_HUB_TIMEOUT_SECONDS", "2")
    monkeypatch.setattr(dates, "local_today", lambda: TODAY)
    get_hub_client.cache_clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(CATALOG_URL, json=CATALOG)
        yield mock
    get_hub_client.cache_clear()


def validate(tracker_):
    return run(checkup.ValidateCheckupForm(), tracker_)


# -- asking ----------------------------------------------------------------------


def test_hospital_question_lists_the_hubs_providers_as_buttons() -> None:
    events, messages = run(checkup.ActionAskCheckupHospital(), tracker())

    assert events == []
    assert responses_of(messages) == ["utter_ask_checkup_hospital"]
    buttons = messages[0]["buttons"]
    assert len(buttons) == 5
    assert {"title": "Tongji Hospital", "payload": '/inform{"hospital":"tongji-hospital"}'} in buttons


def test_package_question_lists_the_hospitals_packages(hub_env) -> None:
    _, messages = run(
        checkup.ActionAskCheckupPackage(), tracker({"checkup_hospital": "tongji-hospital"})
    )

    assert responses_of(messages) == ["utter_ask_checkup_package"]
    assert messages[0]["hospital"] == "Tongji Hospital"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/inform{"package":"basic"}',
        '/inform{"package":"comprehensive"}',
        '/inform{"package":"executive"}',
    ]


def test_hub_down_while_asking_stops_the_form_with_an_apology(hub_env) -> None:
    hub_env.replace(responses.GET, CATALOG_URL, body=requests.ConnectionError("refused"))

    events, messages = run(checkup.ActionAskCheckupHospital(), tracker())

    assert responses_of(messages) == ["utter_hub_unavailable"]
    assert slot_events(events) == {"requested_slot": None}


# -- validating hospital and package ---------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("tongji-hospital", "tongji-hospital"),  # a button payload, via the entity
        ("Tongji", "tongji-hospital"),
        ("tongji hosptial", "tongji-hospital"),
        ("TONGJI HOSPITAL please", "tongji-hospital"),
        ("the central hospital", "putuo-central-hospital"),
        ("putuo peoples", "putuo-peoples-hospital"),
        ("liqunn", "liqun-hospital"),
        ("chinese medicine hospital", "putuo-tcm-hospital"),
    ],
)
def test_hospital_names_aliases_and_small_typos_are_accepted(typed: str, code: str) -> None:
    events, messages = validate(tracker(candidates={"checkup_hospital": typed}))

    assert messages == []
    assert slot_events(events)["checkup_hospital"] == code


@pytest.mark.parametrize("typed", ["mars clinic", "putuo hospital", "yes"])
def test_unknown_or_ambiguous_hospital_is_asked_again(typed: str) -> None:
    events, messages = validate(tracker(candidates={"checkup_hospital": typed}))

    assert responses_of(messages) == ["utter_checkup_hospital_unknown"]
    assert messages[0]["value"] == typed
    assert slot_events(events)["checkup_hospital"] is None


@pytest.mark.parametrize(
    ("typed", "code"),
    [("comprehensive", "comprehensive"), ("the full one", "comprehensive"),
     ("VIP", "executive"), ("premum", "executive"), ("Essential check-up", "basic")],
)  # fmt: skip
def test_package_names_and_aliases_are_accepted(typed: str, code: str) -> None:
    events, messages = validate(
        tracker({"checkup_hospital": "tongji-hospital"}, candidates={"checkup_package": typed})
    )

    assert messages == []
    assert slot_events(events)["checkup_package"] == code


def test_unknown_package_is_asked_again() -> None:
    events, messages = validate(
        tracker({"checkup_hospital": "tongji-hospital"}, candidates={"checkup_package": "gold"})
    )

    assert responses_of(messages) == ["utter_checkup_package_unknown"]
    assert slot_events(events)["checkup_package"] is None


# -- validating the date and checking availability -------------------------------


FILLED = {"checkup_hospital": "tongji-hospital", "checkup_package": "comprehensive"}


def test_a_free_day_finds_the_slot(hub_env) -> None:
    hub_env.get(
        AVAILABILITY_URL,
        json={"provider": {}, "date": "2026-12-04", "slots": [slot(101, "2026-12-04")], "alternatives": []},
    )

    events, messages = validate(tracker(FILLED, candidates={"checkup_date": "next friday"}))

    assert messages == []
    assert slot_events(events) == {
        "checkup_date": "2026-12-04",
        "checkup_slot_id": 101,
        "checkup_starts_at": "2026-12-04T07:30:00+08:00",
    }
    query = hub_env.calls[-1].request.params
    assert query == {
        "area": "checkup", "provider": "tongji-hospital",
        "date": "2026-12-04", "offering": "comprehensive",
    }  # fmt: skip


def test_a_full_day_offers_the_alternatives_as_buttons(hub_env) -> None:
    hub_env.get(
        AVAILABILITY_URL,
        json={
            "provider": {},
            "date": "2026-12-04",
            "slots": [],
            "alternatives": [
                slot(102, "2026-12-05"),
                slot(201, "2026-12-04", "liqun-hospital", "Liqun Hospital"),
            ],
        },
    )

    events, messages = validate(tracker(FILLED, candidates={"checkup_date": "2026-12-04"}))

    assert responses_of(messages) == ["utter_checkup_day_full"]
    assert messages[0]["day"] == "Friday 4 December 2026"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [
        '/inform{"date":"2026-12-05"}',
        '/inform{"hospital":"liqun-hospital","date":"2026-12-04"}',
    ]
    assert slot_events(events)["checkup_date"] is None  # so the form asks again


def test_sunday_says_closed_and_offers_alternatives(hub_env) -> None:
    hub_env.get(
        AVAILABILITY_URL,
        json={"provider": {}, "date": "2026-11-29", "slots": [], "alternatives": [slot(103, "2026-11-30")]},
    )

    events, messages = validate(tracker(FILLED, candidates={"checkup_date": "sunday"}))

    assert responses_of(messages) == ["utter_checkup_closed_sunday"]
    assert slot_events(events)["checkup_date"] is None


def test_full_with_no_alternatives_says_so(hub_env) -> None:
    hub_env.get(
        AVAILABILITY_URL, json={"provider": {}, "date": "2026-12-04", "slots": [], "alternatives": []}
    )

    _, messages = validate(tracker(FILLED, candidates={"checkup_date": "2026-12-04"}))

    assert responses_of(messages) == ["utter_checkup_day_full_no_alternatives"]


@pytest.mark.parametrize(
    ("typed", "response"),
    [
        ("2026-11-20", "utter_checkup_date_past"),
        ("Feb 30", "utter_checkup_date_impossible"),
        ("whenever", "utter_checkup_date_unclear"),
    ],
)
def test_bad_dates_get_a_clear_reply_and_no_hub_call(hub_env, typed: str, response: str) -> None:
    events, messages = validate(tracker(FILLED, candidates={"checkup_date": typed}))

    assert responses_of(messages) == [response]
    assert slot_events(events)["checkup_date"] is None
    assert not [c for c in hub_env.calls if "availability" in c.request.url]


def test_hub_down_during_availability_apologises_and_stops_the_form(hub_env) -> None:
    hub_env.get(AVAILABILITY_URL, status=503, json={"detail": "down", "code": "unavailable"})

    events, messages = validate(tracker(FILLED, candidates={"checkup_date": "2026-12-04"}))

    assert responses_of(messages) == ["utter_hub_unavailable"]
    assert slot_events(events)["requested_slot"] is None


def test_everything_in_the_first_message_is_validated_at_once(hub_env) -> None:
    """ "book a comprehensive check-up at Tongji next Friday": the form is
    activated with all three slots prefilled, and checks availability once."""
    hub_env.get(
        AVAILABILITY_URL,
        json={"provider": {}, "date": "2026-12-04", "slots": [slot(101, "2026-12-04")], "alternatives": []},
    )

    events, messages = validate(
        tracker(
            candidates={
                "checkup_hospital": "tongji-hospital",
                "checkup_package": "comprehensive",
                "checkup_date": "next Friday",
            },
            intent="book_checkup",
            active_loop=None,
        )
    )

    assert messages == []
    assert slot_events(events)["checkup_slot_id"] == 101
    assert len([c for c in hub_env.calls if "availability" in c.request.url]) == 1


def test_a_date_before_the_hospital_is_kept_until_the_hospital_is_known(hub_env) -> None:
    events, messages = validate(
        tracker(candidates={"checkup_date": "the 14th"}, intent="book_checkup", active_loop=None)
    )

    assert messages == []
    assert slot_events(events) == {
        "checkup_date": "2026-12-14", "checkup_slot_id": None, "checkup_starts_at": None,
    }  # fmt: skip


# -- confirming --------------------------------------------------------------------


READY = {
    **FILLED,
    "checkup_date": "2026-12-04",
    "checkup_slot_id": 101,
    "checkup_starts_at": "2026-12-04T07:30:00+08:00",
}


def test_confirmation_summarises_in_local_time_and_mints_a_key() -> None:
    events, messages = run(checkup_booking.ActionConfirmCheckup(), tracker(READY, active_loop=None))

    assert responses_of(messages) == ["utter_confirm_checkup"]
    summary = messages[0]
    assert (summary["hospital"], summary["package"]) == ("Tongji Hospital", "Comprehensive check-up")
    assert (summary["day"], summary["time"]) == ("Friday 4 December 2026", "07:30")
    key = slot_events(events)["checkup_booking_key"]
    assert uuid.UUID(key)


def test_confirmation_after_a_stopped_form_stays_quiet_and_clears() -> None:
    events, messages = run(
        checkup_booking.ActionConfirmCheckup(), tracker({"checkup_hospital": "tongji-hospital"}, active_loop=None)
    )

    assert messages == []
    assert set(slot_events(events).values()) == {None}


# -- booking ---------------------------------------------------------------------


KEYED = {**READY, "checkup_booking_key": "5a1f6f0e-8a43-4c8e-9e3c-7d2b6c1a9f00"}


def test_yes_books_and_replies_with_the_reference_and_what_to_bring(hub_env) -> None:
    hub_env.post(BOOKINGS_URL, status=201, json=booking())

    events, messages = run(checkup_booking.ActionBookCheckup(), tracker(KEYED, intent="affirm", active_loop=None))

    assert responses_of(messages) == [
        "utter_checkup_booked",
        "utter_checkup_bring",
        "utter_checkup_fasting",
    ]
    assert messages[0]["reference"] == "TC-7K3M9Q"
    assert messages[0]["day"] == "Friday 4 December 2026"
    assert messages[1]["items"] == "Talent Card, ID card or passport"
    request = next(c for c in hub_env.calls if c.request.method == "POST").request
    assert request.headers["Idempotency-Key"] == KEYED["checkup_booking_key"]
    assert request.headers["Authorization"] == "Bearer service-token"
    assert json.loads(request.body) == {
        "slot_id": 101, "offering": "comprehensive", "quantity": 1, "details": {},
    }  # fmt: skip
    assert set(slot_events(events).values()) == {None}  # ready for the next booking


def test_a_retried_booking_reuses_the_key_and_books_once(hub_env) -> None:
    """Rasa may call the action again (a timeout on its side): the key comes
    from the slot set at confirmation, so the hub sees the same key twice and
    answers with the same booking."""
    hub_env.post(BOOKINGS_URL, status=201, json=booking())
    hub_env.post(BOOKINGS_URL, status=200, json=booking())
    confirmed = tracker(KEYED, intent="affirm", active_loop=None)

    _, first = run(checkup_booking.ActionBookCheckup(), confirmed)
    _, second = run(checkup_booking.ActionBookCheckup(), confirmed)

    keys = [c.request.headers["Idempotency-Key"] for c in hub_env.calls if c.request.method == "POST"]
    assert keys == [KEYED["checkup_booking_key"]] * 2
    assert first[0]["reference"] == second[0]["reference"] == "TC-7K3M9Q"


def test_slot_taken_meanwhile_offers_alternatives_and_asks_the_day_again(hub_env) -> None:
    hub_env.post(
        BOOKINGS_URL,
        status=409,
        json={"detail": "That slot is full.", "code": "slot_full", "alternatives": [slot(102, "2026-12-05")]},
    )

    events, messages = run(checkup_booking.ActionBookCheckup(), tracker(KEYED, intent="affirm", active_loop=None))

    assert responses_of(messages) == ["utter_checkup_slot_taken"]
    assert messages[0]["buttons"] == [
        {"title": "Sat 2026-12-05 07:30", "payload": '/inform{"date":"2026-12-05"}'}
    ]
    assert slot_events(events) == {
        "checkup_date": None, "checkup_slot_id": None,
        "checkup_starts_at": None, "checkup_booking_key": None,
    }  # fmt: skip
    assert {"event": "followup", "name": "checkup_form"} in [
        {k: e[k] for k in ("event", "name")} for e in events if e["event"] == "followup"
    ]


@pytest.mark.parametrize(
    ("reply", "response"),
    [
        ({"body": requests.ConnectionError("refused")}, "utter_hub_unavailable"),
        ({"status": 500, "json": {"detail": "boom", "code": "internal"}}, "utter_hub_unavailable"),
        ({"status": 404, "json": {"detail": "?", "code": "unknown_conversation"}}, "utter_holder_unknown"),
        ({"status": 422, "json": {"detail": "gone", "code": "slot_in_past"}}, "utter_checkup_booking_failed"),
    ],
)
def test_booking_failures_end_in_a_reply_and_nothing_half_done(hub_env, reply, response) -> None:
    hub_env.post(BOOKINGS_URL, **reply)

    events, messages = run(checkup_booking.ActionBookCheckup(), tracker(KEYED, intent="affirm", active_loop=None))

    assert responses_of(messages) == [response]
    assert set(slot_events(events).values()) == {None}


def test_yes_without_a_pending_confirmation(hub_env) -> None:
    _, messages = run(checkup_booking.ActionBookCheckup(), tracker(intent="affirm", active_loop=None))

    assert responses_of(messages) == ["utter_checkup_nothing_to_confirm"]
    assert not [c for c in hub_env.calls if c.request.method == "POST"]


def test_no_drops_everything() -> None:
    events, messages = run(checkup_booking.ActionCancelCheckup(), tracker(KEYED, intent="deny", active_loop=None))

    assert responses_of(messages) == ["utter_checkup_cancelled"]
    assert set(slot_events(events).values()) == {None}


# -- the event loop --------------------------------------------------------------


def test_a_slow_hub_does_not_stall_other_conversations(hub_env) -> None:
    """Two bookings whose hub calls each take 0.4 s finish together in about
    0.4 s, and the loop keeps ticking meanwhile: the calls run off the loop."""

    def slow(request):
        time.sleep(0.4)
        return (201, {}, json.dumps(booking()))

    hub_env.add_callback(responses.POST, BOOKINGS_URL, callback=slow)
    action = checkup_booking.ActionBookCheckup()
    confirmed = tracker(KEYED, intent="affirm", active_loop=None)

    async def scenario() -> tuple[float, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        beat = asyncio.create_task(ticker())
        started = time.monotonic()
        await asyncio.gather(
            action.run(CollectingDispatcher(), confirmed, DOMAIN),
            action.run(CollectingDispatcher(), confirmed, DOMAIN),
        )
        elapsed = time.monotonic() - started
        beat.cancel()
        return elapsed, ticks

    elapsed, ticks = asyncio.run(scenario())
    assert elapsed < 0.75
    assert ticks >= 10


def test_a_partly_tagged_name_is_matched_from_the_whole_message() -> None:
    """The NLU tagged only "hospital" of "people's hospital"; the message says more."""
    events, messages = validate(
        tracker(
            candidates={"checkup_hospital": "hospital"},
            text="can i get a health check at people's hospital",
            intent="book_checkup",
            active_loop=None,
        )
    )

    assert messages == []
    assert slot_events(events)["checkup_hospital"] == "putuo-peoples-hospital"


def test_an_impossible_date_is_not_rescued_by_a_partly_tagged_entity(hub_env) -> None:
    """The NLU tagged only "30" of "Feb 30": that must not become 30 November."""
    events, messages = validate(tracker(FILLED, candidates={"checkup_date": "30"}, text="Feb 30"))

    assert responses_of(messages) == ["utter_checkup_date_impossible"]
    assert messages[0]["value"] == "Feb 30"
    assert slot_events(events)["checkup_date"] is None


def test_a_date_is_read_from_the_whole_message_when_the_entity_is_not_a_date(hub_env) -> None:
    hub_env.get(
        AVAILABILITY_URL,
        json={"provider": {}, "date": "2026-12-03", "slots": [slot(104, "2026-12-03")], "alternatives": []},
    )

    events, _ = validate(tracker(FILLED, candidates={"checkup_date": "on"}, text="on the 3rd please"))

    assert slot_events(events)["checkup_date"] == "2026-12-03"


def test_an_alternative_at_another_hospital_switches_hospital_and_day(hub_env) -> None:
    """The button /inform{"hospital":"liqun-hospital","date":...} sets both; the
    slot is looked up at the new hospital."""
    hub_env.get(
        AVAILABILITY_URL,
        json={"provider": {}, "date": "2026-12-04", "slots": [slot(201, "2026-12-04", "liqun-hospital")], "alternatives": []},
    )

    events, messages = validate(
        tracker(
            FILLED,
            candidates={"checkup_hospital": "liqun-hospital", "checkup_date": "2026-12-04"},
            text='/inform{"hospital":"liqun-hospital","date":"2026-12-04"}',
        )
    )

    assert messages == []
    assert slot_events(events)["checkup_hospital"] == "liqun-hospital"
    assert slot_events(events)["checkup_slot_id"] == 201
    assert hub_env.calls[-1].request.params["provider"] == "liqun-hospital"


def test_booking_system_down_hands_the_request_to_the_steward_with_its_details(hub_env) -> None:
    hub_env.post(BOOKINGS_URL, status=503)
    escalation = hub_env.post(
        f"{HUB}/api/v1/service/conversations/{CONVERSATION}/escalations", status=201,
        json={"escalation": {"id": 4, "steward": {"name": "Wang Lei"}},
              "staffed_now": True, "next_staffed_at": None},
    )

    events, messages = run(checkup_booking.ActionBookCheckup(), tracker(KEYED, intent="affirm", active_loop=None))

    sent = json.loads(escalation.calls[0].request.body)
    assert sent["reason"] == "backend_failure" and sent["area_code"] == "checkup"
    assert sent["context"]["slots"]["checkup_hospital"] == KEYED["checkup_hospital"]
    assert responses_of(messages) == ["utter_backend_failed_escalated"]
    assert messages[0]["steward"] == "Wang Lei"
    assert set(slot_events(events).values()) == {None}
