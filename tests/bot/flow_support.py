"""Shared fixtures for the issue-3 action tests: a catalog the way the hub
serves it (a small slice of hub/seed), and a tracker builder for any form,
the way rasa_sdk's own tests build them."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
import responses
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import dates
from bot.actions.hub_client import get_hub_client
from tests.bot.helpers import CONVERSATION, HUB

TODAY = date(2026, 11, 27)  # a Friday

SERVICE = f"{HUB}/api/v1/service"
CONV = f"{SERVICE}/conversations/{CONVERSATION}"

FORMS: dict[str, list[str]] = {
    "medical_form": ["medical_department", "medical_hospital", "when", "confirmed"],
    "tutoring_form": ["tutoring_child", "tutoring_subject", "when", "confirmed"],
    "movie_form": ["movie", "cinema", "when", "quantity", "confirmed"],
    "event_form": ["event", "when", "quantity", "confirmed"],
    "enrollment_form": ["enrollment_child", "enrollment_child_birth_date", "enrollment_grade",
                        "enrollment_school", "confirmed"],
    "request_form": ["request_area", "request_answer", "confirmed"],
    "reschedule_form": ["when", "confirmed"],
}
SLOTS = sorted({s for slots in FORMS.values() for s in slots} | {
    "tutoring_centre", "request_answers", "reschedule_reference", "record_reference",
    "booking_slot_id", "booking_starts_at", "booking_key", "requested_slot",
})
# What the actions read from the domain: the forms' required slots; slots
# are mapped to a form so rasa_sdk treats them as the form's own.
DOMAIN: dict[str, Any] = {
    "forms": {name: {"required_slots": slots} for name, slots in FORMS.items()},
    "slots": {name: {"type": "any", "mappings": [{"type": "from_text", "conditions": [
        {"active_loop": "any_form"}]}]} for name in SLOTS},
    "responses": {},
}


def offering(code: str, area: str, name: str, aliases: list[str], **details: Any) -> dict[str, Any]:
    return {"code": code, "area_code": area, "name": name, "aliases": aliases,
            "description": "", "details": details}


def provider(code: str, name: str, aliases: list[str], area: str,
             offerings: list[dict[str, Any]]) -> dict[str, Any]:
    return {"code": code, "kind": "x", "name": name, "name_zh": "", "aliases": aliases,
            "address": f"1 {name} Road", "phone": "021", "areas": [area], "offerings": offerings}


def area(code: str, name: str, kind: str, providers: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"code": code, "number": extra.pop("number", 1), "name": name, "name_zh": "",
            "aliases": extra.pop("aliases", []), "kind": kind, "department": f"{name} Bureau",
            "summary": f"{name} for card holders.", "description": f"How {name} works.",
            "eligibility": "Valid Talent Card.", "what_to_bring": ["Talent Card"],
            "fields": extra.pop("fields", []), "steward_handled": extra.pop("steward_handled", False),
            "providers": providers}


ENT = offering("ent", "medical", "ENT (ear, nose and throat)", ["ENT", "ear nose throat"])
CARDIO = offering("cardiology", "medical", "Cardiology", ["heart", "cardiologist"])
MEDICAL = area("medical", "Green-channel specialist appointments", "appointment", [
    provider("tongji-hospital", "Tongji Hospital", ["Tongji"], "medical", [ENT, CARDIO]),
    provider("liqun-hospital", "Liqun Hospital", ["Liqun"], "medical", [CARDIO]),
])
MOVIES = area("movies", "Movie tickets", "ticket", [
    provider("global-harbor-cinema", "Global Harbor IMAX Cinema", ["Global Harbor cinema"], "movies", [
        offering("deep-sea-signal", "movies", "Deep Sea Signal", ["Deep Sea"]),
        offering("little-panda-big-trip", "movies", "Little Panda's Big Trip", ["Little Panda"]),
    ]),
    provider("changfeng-joy-cinema", "Changfeng Joy City Cinema", ["Changfeng cinema"], "movies", [
        offering("deep-sea-signal", "movies", "Deep Sea Signal", ["Deep Sea"]),
    ]),
], number=5)
EVENTS = area("events", "Event tickets", "ticket", [
    provider("putuo-cultural-centre", "Putuo District Cultural Centre", ["Cultural Centre"], "events", [
        offering("shanghai-jazz-night", "events", "Shanghai Jazz Night", ["jazz", "jazz night"]),
    ]),
], number=6)
TUTORING = area("tutoring", "After-school tutoring", "appointment", [
    provider("changshou-learning-centre", "Changshou Road Learning Centre", [], "tutoring", [
        offering("maths-primary", "tutoring", "Primary mathematics", ["maths", "math"],
                 level="primary years 3-5", ages="8-11"),
        offering("programming", "tutoring", "Programming with Python", ["coding", "python"],
                 level="beginners", ages="10-15"),
    ]),
], number=2)
SCHOOLS = area("school_enrollment", "Children's school enrollment", "application", [
    provider("caoyang-no6-primary", "Caoyang New Village No. 6 Primary School", ["Caoyang No. 6"],
             "school_enrollment", [offering("primary-1", "school_enrollment", "Primary year 1",
                                            ["primary 1", "first grade"])]),
    provider("zhenru-middle-school", "Zhenru Middle School", ["Zhenru Middle"], "school_enrollment",
             [offering("middle-6", "school_enrollment", "Middle year 6", ["grade 6"])]),
], number=1)
HOUSING = area("housing", "Talent housing", "request", [], number=7, steward_handled=True,
               aliases=["housing", "apartment", "flat"], fields=[
    {"name": "household_size", "question": "How many people will live in the apartment?",
     "question_zh": "", "type": "number", "choices": [], "required": True},
    {"name": "bedrooms", "question": "How many bedrooms do you need?", "question_zh": "",
     "type": "choice", "choices": ["1", "2", "3"], "required": True},
    {"name": "move_in_date", "question": "When would you like to move in?", "question_zh": "",
     "type": "date", "choices": [], "required": True},
    {"name": "preferred_area", "question": "Is there a neighbourhood you prefer?",
     "question_zh": "", "type": "text", "choices": [], "required": False},
])
SPORTS = area("sports", "Sports and fitness facilities", "request", [
    provider("putuo-sports-centre", "Putuo Sports Centre", [], "sports", [
        offering("badminton", "sports", "Badminton courts", ["badminton"]),
    ]),
], number=12, aliases=["sports", "exercise"], fields=[
    {"name": "facility", "question": "Which facility would you like?", "question_zh": "",
     "type": "text", "choices": [], "required": True},
])
AREAS = [SCHOOLS, TUTORING, MEDICAL, MOVIES, EVENTS, HOUSING, SPORTS]

PROFILE = {
    "card_number": "PT20260007", "serial": 7, "golden": True, "name": "Dr. Li Wei",
    "children": [
        {"id": 1, "name": "Li Xiaoming", "birth_date": "2019-05-04", "school": "", "grade": ""},
        {"id": 2, "name": "Li Xiaoyu", "birth_date": "2015-09-18", "school": "", "grade": ""},
    ],
}


def catalog_list() -> dict[str, Any]:
    return {"areas": [{k: v for k, v in a.items() if k != "providers"} for a in AREAS]}


def fake_hub(monkeypatch: pytest.MonkeyPatch):
    """The hub faked with `responses`: the catalog and profile answer; each
    test adds what it needs. Test modules make it their `hub_mock` fixture."""
    monkeypatch.setenv("TCC_HUB_URL", HUB)
    monkeypatch.setenv("TCC_SERVICE_TOKEN", "service-token")
    monkeypatch.setenv("TCC_HUB_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("TCC_HUB_RETRIES", "0")
    monkeypatch.setattr(dates, "local_today", lambda: TODAY)
    get_hub_client.cache_clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{SERVICE}/catalog", json=catalog_list())
        for a in AREAS:
            mock.get(f"{SERVICE}/catalog/{a['code']}", json=a)
        mock.get(f"{CONV}/profile", json=PROFILE)
        yield mock
    get_hub_client.cache_clear()


def slot(slot_id: int, starts: str, provider_code: str = "tongji-hospital",
         provider_name: str = "Tongji Hospital", remaining: int = 4) -> dict[str, Any]:
    return {"slot_id": slot_id, "provider": {"code": provider_code, "name": provider_name},
            "offering": None, "starts_at": f"{starts}:00+08:00", "ends_at": f"{starts}:00+08:00",
            "capacity": 10, "remaining": remaining}


def tracker(
    slots: dict[str, Any] | None = None,
    *,
    candidates: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    events: list[dict[str, Any]] | None = None,
    ranking: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose last events are `candidates` as SlotSet events: how
    Rasa's FormAction hands freshly extracted values to the validator."""
    values: dict[str, Any] = {name: None for name in SLOTS}
    values.update(slots or {})
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
             "text": text, "intent_ranking": ranking or []}
    history: list[dict[str, Any]] = list(events or []) + [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": parse},
    ]
    for name, value in (candidates or {}).items():
        history.append({"event": "slot", "name": name, "value": value})
        values[name] = value
    return Tracker(CONVERSATION, values, parse, history, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run(action: Action, tracker_: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, DOMAIN))
    return events, dispatcher.messages


def names(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") for m in messages]


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
