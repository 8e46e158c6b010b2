"""Service requests for the areas served by a form (housing, training,
startup support, subsidies, visa and residence, sports, and any area the
district adds to the catalog later): ONE form whose questions are the area's
`fields` in the catalog.

How the form is dynamic without code per area: `request_form` has three
slots. `request_area` is the catalog area. `request_answer` is one reused
slot: the question it stands for is the area's first field not yet answered
(the ask action reads it from the hub and offers the choices as buttons); its
validator checks the answer against the field's type (choice, date, number,
text), stores it in `request_answers` (a dict, field name -> answer) and
empties `request_answer`, so the form asks again until every field is
answered. `required_slots` then drops `request_answer` and the form asks
`confirmed`. Optional fields can be skipped ("skip", "no").
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import dates
from bot.actions.escalation import escalate_after_failure
from bot.actions.flows import (
    BOOKING_KEY,
    CONFIRMED,
    parse_quantity,
    payload,
    reset,
    said,
)
from bot.actions.hub_client import (
    HubError,
    HubUnavailable,
    NotFound,
    Rejected,
    call_hub,
    hub,
)
from bot.actions.matching import Entry, match_entry

logger = logging.getLogger(__name__)

AREA, ANSWER, ANSWERS = "request_area", "request_answer", "request_answers"
ALL_SLOTS = (AREA, ANSWER, ANSWERS, CONFIRMED, BOOKING_KEY)
REQUEST_KIND = "request"
SKIPPED = ""  # an optional question the holder skipped
_SKIP = re.compile(r"^\s*(?:skip|no|none|nope|nothing|n/?a|no preference|not really|pass|-)\s*[.!]*\s*$", re.IGNORECASE)


async def request_areas() -> list[dict[str, Any]]:
    """The catalog's areas served by a request form (HubError if down)."""
    return [a for a in await call_hub(hub().catalog) if a.get("kind") == REQUEST_KIND]


def area_entries(areas: list[dict[str, Any]]) -> list[Entry]:
    return [Entry(code=a["code"], names=(a["name"], *(a.get("aliases") or [])))
            for a in areas]


def next_field(area: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any] | None:
    return next((f for f in area.get("fields") or [] if f["name"] not in answers), None)


def choice_title(choice: str) -> str:
    return choice.replace("_", " ").capitalize()


def read_answer(field: dict[str, Any], text: str) -> Any:
    """The answer in the form the hub takes, or None if it does not fit."""
    kind = field.get("type", "text")
    if kind == "choice":
        entries = [Entry(code=c, names=(c, choice_title(c), c.replace("_", " "))) for c in field.get("choices") or []]
        return match_entry(text, entries)
    if kind == "number":
        return parse_quantity(text)
    if kind == "date":
        try:
            return dates.parse_date(text, today=dates.local_today()).isoformat()
        except dates.DateError:
            return None
    cleaned = text.strip()
    return cleaned[:1000] if cleaned else None


async def _area(dispatcher: CollectingDispatcher, code: str | None) -> dict[str, Any] | None:
    if not code:
        return None
    try:
        return await call_hub(hub().area, area_code=code)
    except HubError as exc:
        logger.warning("request area %s unavailable: %s", code, exc)
        dispatcher.utter_message(response="utter_hub_unavailable")
        return None


class ActionAskRequestArea(Action):
    def name(self) -> str:
        return "action_ask_request_area"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            areas = await request_areas()
        except HubError:
            dispatcher.utter_message(response="utter_hub_unavailable")
            return [SlotSet("requested_slot", None)]
        buttons = [{"title": a["name"], "payload": payload("request_service", area=a["code"])}
                   for a in areas]
        dispatcher.utter_message(response="utter_ask_request_area", buttons=buttons)
        return []


class ActionAskRequestAnswer(Action):
    """The area's next question, word for word from the catalog, with the
    choices (and "Skip" for an optional question) as buttons."""

    def name(self) -> str:
        return "action_ask_request_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = await _area(dispatcher, tracker.get_slot(AREA))
        if area is None:
            return [SlotSet("requested_slot", None)]
        field = next_field(area, tracker.get_slot(ANSWERS) or {})
        if field is None:  # answered meanwhile; the form moves on
            return []
        buttons = [{"title": choice_title(c), "payload": c} for c in field.get("choices") or []]
        if not field.get("required", True):
            buttons.append({"title": "Skip", "payload": "skip"})
        dispatcher.utter_message(response="utter_ask_request_field", buttons=buttons,
                                 question=field["question"], field=field["name"])
        return []


class ValidateRequestForm(FormValidationAction):
    def name(self) -> str:
        return "validate_request_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        code = tracker.get_slot(AREA)
        if not code:
            return [AREA, CONFIRMED]
        try:
            area = await call_hub(hub().area, area_code=code)
        except HubError:
            return [AREA, ANSWER, CONFIRMED]  # the validator says the hub is down
        if next_field(area, tracker.get_slot(ANSWERS) or {}) is None:
            return [AREA, CONFIRMED]
        return [AREA, ANSWER, CONFIRMED]

    async def validate_request_area(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        try:
            areas = await request_areas()
        except HubError:
            dispatcher.utter_message(response="utter_hub_unavailable")
            return {AREA: None, "requested_slot": None}
        texts = said(value, tracker)
        code = next((c for t in texts if (c := match_entry(t, area_entries(areas)))), None)
        if code is None:
            code = await self._by_offering(texts)
        if code is None:
            dispatcher.utter_message(response="utter_request_area_unknown", value=str(value))
            return {AREA: None}
        if code != tracker.get_slot(AREA):
            return {AREA: code, ANSWERS: {}, ANSWER: None, CONFIRMED: None}
        return {AREA: code}

    @staticmethod
    async def _by_offering(texts: list[str]) -> str | None:
        """"a badminton court" names no area, but an offering of one: sports."""
        try:
            areas = await request_areas()
            for area in areas:
                full = await call_hub(hub().area, area_code=area["code"])
                names = [Entry(code=area["code"], names=tuple(
                    n for p in full.get("providers") or [] for o in p.get("offerings") or []
                    for n in [o.get("name", ""), *(o.get("aliases") or [])] if n))]
                if names[0].names and any(match_entry(t, names) for t in texts):
                    return str(area["code"])
        except HubError:
            return None
        return None

    async def validate_request_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        area = await _area(dispatcher, tracker.get_slot(AREA))
        if area is None:
            return {ANSWER: None, "requested_slot": None}
        answers = dict(tracker.get_slot(ANSWERS) or {})
        field = next_field(area, answers)
        if field is None:
            return {ANSWER: None}
        text = str(value)
        if not field.get("required", True) and _SKIP.match(text):
            answers[field["name"]] = SKIPPED
            return {ANSWER: None, ANSWERS: answers}
        answer = read_answer(field, text)
        if answer is None:
            dispatcher.utter_message(response="utter_request_answer_invalid", value=text,
                                     choices=", ".join(choice_title(c) for c in field.get("choices") or []))
            return {ANSWER: None}
        answers[field["name"]] = answer
        return {ANSWER: None, ANSWERS: answers, CONFIRMED: None}

    def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {CONFIRMED: bool(value)}


def _summary(area: dict[str, Any], answers: dict[str, Any]) -> str:
    lines = []
    for field in area.get("fields") or []:
        answer = answers.get(field["name"])
        if answer not in (None, SKIPPED):
            shown = choice_title(answer) if field.get("type") == "choice" else answer
            lines.append(f"• {field['question']} {shown}")
    return "\n".join(lines)


class ActionAskRequestConfirmed(Action):
    def name(self) -> str:
        return "action_ask_request_form_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = await _area(dispatcher, tracker.get_slot(AREA))
        if area is None:
            return [SlotSet("requested_slot", None)]
        dispatcher.utter_message(
            response="utter_confirm_request",
            buttons=[{"title": "Yes, send it", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
            area=area["name"], department=area.get("department", ""),
            answers=_summary(area, tracker.get_slot(ANSWERS) or {}),
        )
        return [SlotSet(BOOKING_KEY, str(uuid.uuid4()))]


class ActionSubmitRequest(Action):
    """On "yes": the request, with its reference."""

    def name(self) -> str:
        return "action_submit_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done = reset(ALL_SLOTS)
        if tracker.get_slot(CONFIRMED) is False:
            dispatcher.utter_message(response="utter_form_dropped")
            return done
        key, code = tracker.get_slot(BOOKING_KEY), tracker.get_slot(AREA)
        if tracker.get_slot(CONFIRMED) is not True or not key or not code:
            return done
        answers = {k: v for k, v in (tracker.get_slot(ANSWERS) or {}).items() if v != SKIPPED}
        try:
            made = await call_hub(hub().create_service_request, conversation_id=tracker.sender_id,
                                  area=code, answers=answers, idempotency_key=key)
        except HubUnavailable:
            # Retried and still down: the request goes to a steward, not away.
            return [*await escalate_after_failure(dispatcher, tracker, area_code=code), *done]
        except (Rejected, NotFound) as exc:
            logger.warning("service request refused for %s: %s", tracker.sender_id, exc)
            dispatcher.utter_message(response="utter_request_refused")
            return done
        area = made.get("area") or {}
        dispatcher.utter_message(
            response="utter_request_submitted", reference=made["reference"],
            area=area.get("name", ""), department=area.get("department", ""),
        )
        if made.get("needs_steward"):
            dispatcher.utter_message(response="utter_request_steward_follows")
        return done
