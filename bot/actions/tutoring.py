"""After-school tutoring: which child, which subject at which level (an
offering of a district-approved centre, checked against the child's age), and
the weekly time; the first session at that time is booked, with the child's
name and the weekly wish in the booking's details for the centre.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import dates
from bot.actions.flows import (
    fetch_area,
    match_any,
    offering_entries_of,
    offering_named,
    payload,
    profile_children,
    provider_named,
    providers_of,
    said,
)
from bot.actions.matching import Entry
from bot.actions.slot_booking import (
    AskConfirmation,
    BookSlot,
    Flow,
    SlotBookingValidator,
)

logger = logging.getLogger(__name__)

CHILD, SUBJECT, CENTRE = "tutoring_child", "tutoring_subject", "tutoring_centre"
FLOW = Flow(
    name="tutoring", area="tutoring", form="tutoring_form",
    offering_slot=SUBJECT, provider_slot=CENTRE, provider_entity=None,
    tickets=False, own_slots=(CHILD, SUBJECT, CENTRE),
)


def _age(birth_date: str, today: date) -> int:
    born = date.fromisoformat(birth_date)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _ages(offering: dict[str, Any]) -> tuple[int, int] | None:
    match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", str((offering.get("details") or {}).get("ages", "")))
    return (int(match[1]), int(match[2])) if match else None


def level_of(offering: dict[str, Any]) -> str:
    return str((offering.get("details") or {}).get("level", ""))


class ActionAskTutoringChild(Action):
    def name(self) -> str:
        return "action_ask_tutoring_child"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        children = await profile_children(tracker) or []
        buttons = [{"title": c["name"], "payload": payload(child=c["name"])} for c in children]
        dispatcher.utter_message(response="utter_ask_tutoring_child", buttons=buttons)
        return []


class ActionAskTutoringSubject(Action):
    """Which subject, each with its level, as buttons."""

    def name(self) -> str:
        return "action_ask_tutoring_subject"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = await fetch_area(dispatcher, FLOW.area)
        if area is None:
            return [SlotSet("requested_slot", None)]
        buttons = []
        for entry in offering_entries_of(area):
            level = level_of(offering_named(area, entry.code))
            title = f"{entry.names[0]} ({level})" if level else entry.names[0]
            buttons.append({"title": title, "payload": payload(subject=entry.code)})
        dispatcher.utter_message(response="utter_ask_tutoring_subject", buttons=buttons)
        return []


class ValidateTutoringForm(SlotBookingValidator):
    flow = FLOW

    async def validate_tutoring_child(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        children = await profile_children(tracker)
        if children is None:
            dispatcher.utter_message(response="utter_hub_unavailable")
            return {CHILD: None, "requested_slot": None}
        entries = [Entry(code=c["name"], names=(c["name"], c["name"].split()[-1]))
                   for c in children]
        name = match_any(said(value, tracker), entries)
        if name is None:
            dispatcher.utter_message(response="utter_child_unknown", value=str(value))
            return {CHILD: None}
        return {CHILD: name}

    async def validate_tutoring_subject(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        area = await fetch_area(dispatcher, FLOW.area)
        if area is None:
            return {SUBJECT: None, "requested_slot": None}
        code = match_any(said(value, tracker), offering_entries_of(area))
        if code is None:
            dispatcher.utter_message(response="utter_tutoring_subject_unknown", value=str(value))
            return {SUBJECT: None}
        offering = offering_named(area, code)
        too_young_or_old = await self._level_misfit(tracker, offering)
        if too_young_or_old:
            dispatcher.utter_message(
                response="utter_tutoring_level_misfit", subject=offering.get("name", code),
                level=level_of(offering), child=tracker.get_slot(CHILD) or "", **too_young_or_old,
            )
            return {SUBJECT: None}
        centres = providers_of(area, code)
        return {SUBJECT: code, CENTRE: centres[0]["code"] if centres else None}

    @staticmethod
    async def _level_misfit(tracker: Tracker, offering: dict[str, Any]) -> dict[str, Any]:
        """The child's age and the class's ages when they do not fit, else {}."""
        ages = _ages(offering)
        child = tracker.get_slot(CHILD)
        if ages is None or not child:
            return {}
        found = next((c for c in await profile_children(tracker) or [] if c["name"] == child), None)
        if found is None:
            return {}
        age = _age(found["birth_date"], dates.local_today())
        if ages[0] <= age <= ages[1]:
            return {}
        return {"age": age, "ages": f"{ages[0]}-{ages[1]}"}


class AskTutoringConfirmation(AskConfirmation):
    flow = FLOW

    async def summary(self, tracker: Tracker, area: dict[str, Any]) -> dict[str, Any]:
        offering = offering_named(area, tracker.get_slot(SUBJECT))
        return {
            "child": tracker.get_slot(CHILD) or "",
            "subject": offering.get("name", ""),
            "level": level_of(offering),
            "centre": provider_named(area, tracker.get_slot(CENTRE)).get("name", ""),
        }


class BookTutoring(BookSlot):
    flow = FLOW

    def details(self, tracker: Tracker) -> dict[str, Any]:
        return {"child": tracker.get_slot(CHILD) or "", "weekly": True}

    def words(self, tracker: Tracker) -> dict[str, Any]:
        return {"child": tracker.get_slot(CHILD) or ""}

    def booked(
        self, dispatcher: CollectingDispatcher, booking: dict[str, Any], tracker: Tracker
    ) -> None:
        super().booked(dispatcher, booking, tracker)
        dispatcher.utter_message(response="utter_tutoring_weekly_note")
