"""Questions, answered from the hub: what the card gives (the menu of areas,
each a button that starts it), how a service works, who may use it and what
to bring, and the card itself (number, validity, golden serial, e-card)."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.flows import payload
from bot.actions.hub_client import HubError, NotFound, call_hub, hub
from bot.actions.matching import Entry, match_entry

logger = logging.getLogger(__name__)

# The intent that starts each area's flow; any other area of kind `request`
# (a new one in the catalog too) starts the generic request form.
START_INTENT = {
    "checkup": "book_checkup",
    "medical": "book_medical_appointment",
    "school_enrollment": "enroll_child",
    "tutoring": "book_tutoring",
    "movies": "buy_movie_tickets",
    "events": "buy_event_tickets",
}
_BRING = re.compile(r"\b(bring|take along|documents?|papers?|prepare|need to have|paperwork)\b", re.IGNORECASE)
_WHO = re.compile(r"\b(who|eligib\w*|qualif\w*|allowed|entitled|can (?:i|my|we)\b.*\buse)", re.IGNORECASE)


def start_payload(area: dict[str, Any]) -> str:
    code = area["code"]
    if code in START_INTENT:
        return payload(START_INTENT[code])
    if area.get("kind") == "request":
        return payload("request_service", area=code)
    return payload("ask_service_info", area=code)


def area_entries(areas: list[dict[str, Any]]) -> list[Entry]:
    return [Entry(code=a["code"], names=(a["name"], *(a.get("aliases") or []))) for a in areas]


class ActionListServices(Action):
    def name(self) -> str:
        return "action_list_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            areas = await call_hub(hub().catalog)
        except HubError as exc:
            logger.warning("catalog unavailable: %s", exc)
            dispatcher.utter_message(response="utter_hub_unavailable")
            return []
        dispatcher.utter_message(
            response="utter_services", count=len(areas),
            lines="\n".join(f"{a['number']}. {a['name']}: {a.get('summary', '')}" for a in areas),
            buttons=[{"title": a["name"], "payload": start_payload(a)} for a in areas],
        )
        return []


class ActionServiceInfo(Action):
    """How a service works, who may use it, what to bring; which part depends
    on what was asked."""

    def name(self) -> str:
        return "action_service_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            areas = await call_hub(hub().catalog)
        except HubError as exc:
            logger.warning("catalog unavailable: %s", exc)
            dispatcher.utter_message(response="utter_hub_unavailable")
            return []
        text = (tracker.latest_message or {}).get("text") or ""
        said = [str(v) for v in tracker.get_latest_entity_values("area")]
        code = next((c for t in [*said, text] if (c := match_entry(t, area_entries(areas)))), None)
        if code is None:
            dispatcher.utter_message(
                response="utter_ask_which_service",
                buttons=[{"title": a["name"], "payload": payload("ask_service_info", area=a["code"])}
                         for a in areas],
            )
            return []
        area = next(a for a in areas if a["code"] == code)
        words = {"service": area["name"], "department": area.get("department", "")}
        bring = ", ".join(area.get("what_to_bring") or [])
        asked_bring, asked_who = bool(_BRING.search(text)), bool(_WHO.search(text))
        if not (asked_bring or asked_who):
            dispatcher.utter_message(response="utter_service_description",
                                     description=area.get("description", ""), **words)
        if asked_who or not asked_bring:
            dispatcher.utter_message(response="utter_service_eligibility",
                                     eligibility=area.get("eligibility", ""), **words)
        if bring and (asked_bring or not asked_who):
            dispatcher.utter_message(response="utter_service_bring", items=bring, **words)
        dispatcher.utter_message(
            response="utter_service_start_offer", **words,
            buttons=[{"title": area["name"], "payload": start_payload(area)}],
        )
        return []


class ActionCardInfo(Action):
    def name(self) -> str:
        return "action_card_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            card = await call_hub(hub().card, conversation_id=tracker.sender_id)
        except NotFound:
            dispatcher.utter_message(response="utter_holder_unknown")
            return []
        except HubError as exc:
            logger.warning("card unavailable: %s", exc)
            dispatcher.utter_message(response="utter_hub_unavailable")
            return []
        words = {"card_number": card["card_number"], "name": card.get("name", ""),
                 "valid_until": card.get("valid_until", ""), "issued_on": card.get("issued_on", ""),
                 "days_left": card.get("days_left", ""), "serial": card.get("serial", "")}
        status = card.get("status", "valid")
        dispatcher.utter_message(response=f"utter_card_{status}", **words)
        if card.get("golden"):
            dispatcher.utter_message(response="utter_card_golden", **words)
        dispatcher.utter_message(response="utter_card_e_card", **words)
        return []
