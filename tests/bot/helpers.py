"""Shared fixtures for the action tests: a catalog the way the hub serves it,
and builders for trackers, the way rasa_sdk's own tests build them."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

HUB = "http://hub.test"
CONVERSATION = "conv-7"

CHECKUP_SLOTS = (
    "checkup_hospital",
    "checkup_package",
    "checkup_date",
    "checkup_slot_id",
    "checkup_starts_at",
    "checkup_booking_key",
)

# Only what the actions read from the domain: the form's required slots.
DOMAIN: dict[str, Any] = {
    "forms": {
        "checkup_form": {
            "required_slots": ["checkup_hospital", "checkup_package", "checkup_date"]
        }
    },
    "slots": {name: {"type": "any", "mappings": [{"type": "custom"}]} for name in CHECKUP_SLOTS},
    "responses": {},
}


def _packages() -> list[dict[str, Any]]:
    return [
        {"code": "basic", "area_code": "checkup", "name": "Essential check-up",
         "aliases": ["basic", "standard", "regular"], "details": {"fasting": True}},
        {"code": "comprehensive", "area_code": "checkup", "name": "Comprehensive check-up",
         "aliases": ["comprehensive", "full", "complete"], "details": {"fasting": True}},
        {"code": "executive", "area_code": "checkup", "name": "Executive check-up",
         "aliases": ["executive", "premium", "VIP"],
         "details": {"fasting": True, "bowel_preparation": True}},
    ]  # fmt: skip


def _hospital(code: str, name: str, aliases: list[str]) -> dict[str, Any]:
    return {
        "code": code, "kind": "hospital", "name": name, "name_zh": "", "aliases": aliases,
        "address": f"1 {name} Road", "phone": "021-0000", "areas": ["checkup"],
        "offerings": _packages(),
    }  # fmt: skip


CATALOG: dict[str, Any] = {
    "code": "checkup",
    "number": 4,
    "name": "Physical check-ups",
    "kind": "appointment",
    "what_to_bring": ["Talent Card", "ID card or passport"],
    "providers": [
        _hospital("putuo-central-hospital", "Putuo District Central Hospital",
                  ["Putuo Central", "Central Hospital"]),
        _hospital("tongji-hospital", "Tongji Hospital", ["Tongji"]),
        _hospital("putuo-peoples-hospital", "Putuo District People's Hospital",
                  ["People's Hospital", "Putuo People's"]),
        _hospital("liqun-hospital", "Liqun Hospital", ["Liqun"]),
        _hospital("putuo-tcm-hospital", "Putuo District Hospital of TCM",
                  ["TCM Hospital", "Chinese medicine hospital"]),
    ],
}


def slot(slot_id: int, day: str, provider: str = "tongji-hospital", name: str = "Tongji Hospital") -> dict[str, Any]:
    return {
        "slot_id": slot_id,
        "provider": {"code": provider, "name": name},
        "offering": None,
        "starts_at": f"{day}T07:30:00+08:00",
        "ends_at": f"{day}T10:30:00+08:00",
        "capacity": 10,
        "remaining": 4,
    }


def booking(reference: str = "TC-7K3M9Q", day: str = "2026-12-04") -> dict[str, Any]:
    return {
        "reference": reference,
        "status": "confirmed",
        "area": {"code": "checkup", "name": "Physical check-ups"},
        "provider": {"code": "tongji-hospital", "name": "Tongji Hospital", "address": "389 Xincun Road"},
        "offering": {"code": "comprehensive", "name": "Comprehensive check-up"},
        "starts_at": f"{day}T07:30:00+08:00",
        "ends_at": f"{day}T10:30:00+08:00",
        "quantity": 1,
        "details": {},
        "created_at": "2026-11-27T12:00:00+08:00",
        "cancelled_at": None,
    }


def tracker(
    slots: dict[str, Any] | None = None,
    *,
    candidates: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    active_loop: str | None = "checkup_form",
) -> Tracker:
    """A tracker whose events end with `candidates` as SlotSet events, which is
    how Rasa's FormAction hands freshly extracted values to the validator."""
    all_slots = {name: None for name in CHECKUP_SLOTS}
    all_slots["requested_slot"] = None
    all_slots.update(slots or {})
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
    ]
    for name, value in (candidates or {}).items():
        events.append({"event": "slot", "name": name, "value": value})
        all_slots[name] = value
    return Tracker(
        CONVERSATION,
        all_slots,
        {"intent": {"name": intent, "confidence": 0.99}, "entities": [], "text": text},
        events,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def run(action: Action, tracker_: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run an action as the action server would; return (events, messages)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, DOMAIN))
    return events, dispatcher.messages


def responses_of(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") for m in messages]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
