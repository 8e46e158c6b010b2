"""Event tickets (concerts, theatre, exhibitions): event, date and number of
tickets. The venue is the event's own; the shared search and booking are in
slot_booking.py."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.flows import (
    QUANTITY,
    ask_offering,
    fetch_area,
    match_any,
    named_in_request,
    offering_entries_of,
    offering_named,
    providers_of,
    said,
)
from bot.actions.movies import upcoming_buttons
from bot.actions.slot_booking import (
    AskConfirmation,
    BookSlot,
    Flow,
    SlotBookingValidator,
)

EVENT = "event"
FLOW = Flow(
    name="event", area="events", form="event_form",
    offering_slot=EVENT, provider_slot=None, provider_entity=None,
    tickets=True, own_slots=(EVENT,),
)


class ActionAskEvent(Action):
    def name(self) -> str:
        return "action_ask_event"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await ask_offering(dispatcher, FLOW.area, entity="event", response="utter_ask_event")


class ActionAskEventWhen(Action):
    """Which date, with the event's next performances as buttons."""

    def name(self) -> str:
        return "action_ask_event_form_when"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        buttons = await upcoming_buttons(
            area=FLOW.area, offering=tracker.get_slot(EVENT), provider=None,
            quantity=int(tracker.get_slot(QUANTITY) or 1),
        )
        dispatcher.utter_message(response="utter_ask_event_form_when", buttons=buttons)
        return []


class ValidateEventForm(SlotBookingValidator):
    flow = FLOW

    async def extract_event(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await named_in_request(tracker, slot=EVENT, intent="buy_event_tickets",
                                      area_code=FLOW.area)

    async def validate_event(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        area = await fetch_area(dispatcher, FLOW.area)
        if area is None:
            return {EVENT: None, "requested_slot": None}
        code = match_any(said(value, tracker), offering_entries_of(area))
        if code is None:
            dispatcher.utter_message(response="utter_event_unknown", value=str(value))
            return {EVENT: None}
        return {EVENT: code}


class AskEventConfirmation(AskConfirmation):
    flow = FLOW

    async def summary(self, tracker: Tracker, area: dict[str, Any]) -> dict[str, Any]:
        code = tracker.get_slot(EVENT)
        venues = providers_of(area, code)
        return {
            "event": offering_named(area, code).get("name", ""),
            "venue": venues[0]["name"] if venues else "",
            "quantity": tracker.get_slot(QUANTITY) or "1",
        }


class BookEvent(BookSlot):
    flow = FLOW
