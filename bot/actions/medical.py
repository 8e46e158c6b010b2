"""Green-channel specialist appointments: department (or a symptom the hub
maps to departments), hospital, day and time; nearest free sessions when the
wished one is full. The shared slot search and booking are in slot_booking.py.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.flows import (
    ask_offering,
    fetch_area,
    match_any,
    offering_entries_of,
    offering_named,
    payload,
    provider_named,
    providers_of,
    said,
)
from bot.actions.hub_client import HubError, call_hub, hub
from bot.actions.slot_booking import (
    AskConfirmation,
    BookSlot,
    Flow,
    SlotBookingValidator,
)

logger = logging.getLogger(__name__)

DEPARTMENT, HOSPITAL = "medical_department", "medical_hospital"
FLOW = Flow(
    name="medical", area="medical", form="medical_form",
    offering_slot=DEPARTMENT, provider_slot=HOSPITAL, provider_entity="hospital",
    tickets=False, own_slots=(DEPARTMENT, HOSPITAL),
)
MAX_SUGGESTIONS = 3


def _symptom_text(tracker: Tracker) -> str:
    """The message that asked for a doctor: it may describe the symptom."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            text = event.get("text") or ""
            if intent == "book_medical_appointment" and not text.startswith("/"):
                return text
    return ""


async def _suggest(text: str) -> list[dict[str, Any]]:
    if not text.strip():
        return []
    try:
        return (await call_hub(hub().departments, symptom=text))[:MAX_SUGGESTIONS]
    except HubError as exc:
        logger.info("symptom search failed: %s", exc)
        return []


class ActionAskMedicalDepartment(Action):
    """Which department: the hub's suggestions for the symptom the holder
    described, else every department, as buttons."""

    def name(self) -> str:
        return "action_ask_medical_department"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        suggested = await _suggest(_symptom_text(tracker))
        if suggested:
            buttons = [{"title": d["name"], "payload": payload(department=d["code"])}
                       for d in suggested]
            dispatcher.utter_message(
                response="utter_medical_department_suggested", buttons=buttons,
                departments=", ".join(d["name"] for d in suggested),
            )
            return []
        return await ask_offering(dispatcher, FLOW.area, entity="department",
                                  response="utter_ask_medical_department")


class ActionAskMedicalHospital(Action):
    """Which hospital, listing those with the chosen department."""

    def name(self) -> str:
        return "action_ask_medical_hospital"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = await fetch_area(dispatcher, FLOW.area)
        if area is None:
            return [SlotSet("requested_slot", None)]
        department = tracker.get_slot(DEPARTMENT)
        buttons = [{"title": p["name"], "payload": payload(hospital=p["code"])}
                   for p in providers_of(area, department)]
        dispatcher.utter_message(
            response="utter_ask_medical_hospital", buttons=buttons,
            department=offering_named(area, department).get("name", ""),
        )
        return []


class ValidateMedicalForm(SlotBookingValidator):
    flow = FLOW

    async def validate_medical_department(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        area = await fetch_area(dispatcher, FLOW.area)
        if area is None:
            return {DEPARTMENT: None, "requested_slot": None}
        code = match_any(said(value, tracker), offering_entries_of(area))
        if code is None:
            # Not a department's name: perhaps a symptom ("my ear hurts").
            suggested = await _suggest(" ".join(said(value, tracker)))
            if suggested:
                buttons = [{"title": d["name"], "payload": payload(department=d["code"])}
                           for d in suggested]
                dispatcher.utter_message(
                    response="utter_medical_department_suggested", buttons=buttons,
                    departments=", ".join(d["name"] for d in suggested),
                )
            else:
                dispatcher.utter_message(response="utter_medical_department_unknown",
                                         value=str(value))
            return {DEPARTMENT: None}
        result: dict[str, Any] = {DEPARTMENT: code}
        hospital = tracker.get_slot(HOSPITAL)
        if hospital and provider_named(area, hospital) not in providers_of(area, code):
            result[HOSPITAL] = None  # that hospital has no such clinic: ask again
        return result

    async def validate_medical_hospital(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.check_provider(
            value, dispatcher, tracker, unknown="utter_hospital_unknown",
            not_offered_there="utter_medical_not_at_hospital",
            provider_word="hospital", offering_word="department",
        )


class AskMedicalConfirmation(AskConfirmation):
    flow = FLOW

    async def summary(self, tracker: Tracker, area: dict[str, Any]) -> dict[str, Any]:
        return {
            "department": offering_named(area, tracker.get_slot(DEPARTMENT)).get("name", ""),
            "hospital": provider_named(area, tracker.get_slot(HOSPITAL)).get("name", ""),
        }


class BookMedical(BookSlot):
    flow = FLOW
