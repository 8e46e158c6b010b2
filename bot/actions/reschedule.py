"""Move a booking to another time: which booking (the one named, the only
one, or a question with each as a button), then the new day and time, checked
for room at the same provider (the nearest free times offered when there is
none), confirmed, and moved in one transaction by the hub. The reference stays.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import dates
from bot.actions.flows import (
    BOOKING_KEY,
    CONFIRMED,
    SLOT_ID,
    STARTS_AT,
    WHEN,
    day_words,
    local_time,
    read_when,
    reset,
    said,
    slot_button,
    when_words,
)
from bot.actions.hub_client import (
    HubError,
    HubUnavailable,
    NotFound,
    Rejected,
    SlotFull,
    call_hub,
    hub,
)
from bot.actions.manage import (
    MAX_LISTED,
    _records,
    find_record,
    record_button,
    record_line,
    said_reference,
)

logger = logging.getLogger(__name__)

REFERENCE = "reschedule_reference"
FORM = "reschedule_form"
ALL_SLOTS = (REFERENCE, WHEN, CONFIRMED, SLOT_ID, STARTS_AT, BOOKING_KEY)
TICKET_AREAS = ("movies", "events")  # the hub's areas of kind `ticket`


class ActionStartReschedule(Action):
    """Pick the booking; a rule starts the form once `reschedule_reference` is set."""

    def name(self) -> str:
        return "action_start_reschedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = said_reference(tracker)
        if reference is None:
            records = await _records(dispatcher, tracker, live_only=True)
            if records is None:
                return [SlotSet(REFERENCE, None), SlotSet(WHEN, None)]
            bookings = [r for r in records if r.get("kind") == "booking"]
            if not bookings:
                dispatcher.utter_message(response="utter_nothing_to_reschedule")
                return [SlotSet(REFERENCE, None), SlotSet(WHEN, None)]
            if len(bookings) > 1:
                dispatcher.utter_message(
                    response="utter_ask_which_to_reschedule",
                    buttons=[record_button(r, "reschedule_booking") for r in bookings[:MAX_LISTED]],
                )
                return [SlotSet(REFERENCE, None), SlotSet(WHEN, None)]
            reference = bookings[0]["reference"]
        record = await find_record(dispatcher, tracker, reference)
        if record is None:
            return [SlotSet(REFERENCE, None), SlotSet(WHEN, None)]
        if record.get("kind") != "booking" or not record.get("live"):
            dispatcher.utter_message(response="utter_cannot_reschedule", reference=record["reference"])
            return [SlotSet(REFERENCE, None), SlotSet(WHEN, None)]
        dispatcher.utter_message(response="utter_rescheduling", line=record_line(record))
        return [SlotSet(REFERENCE, record["reference"])]


async def _booking(tracker: Tracker) -> dict[str, Any]:
    return await call_hub(hub().record, conversation_id=tracker.sender_id,
                          reference=tracker.get_slot(REFERENCE))


class ValidateRescheduleForm(FormValidationAction):
    def name(self) -> str:
        return "validate_reschedule_form"

    async def validate_when(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        when = read_when(said(value, tracker), dispatcher)
        if when is None:
            return {WHEN: None}
        return {WHEN: dates.encode_when(when), SLOT_ID: None, STARTS_AT: None, CONFIRMED: None}

    def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {CONFIRMED: bool(value)}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        slots = {**tracker.slots, **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}
        if not slots.get(WHEN) or slots.get(SLOT_ID) is not None:
            return events
        return events + await self._find_slot(dispatcher, tracker, dates.decode_when(slots[WHEN]))

    async def _find_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, when: dates.When
    ) -> list[EventType]:
        try:
            booking = await _booking(tracker)
            area = booking["area"]["code"]
            provider = booking["provider"]["code"]
            offering = (booking.get("offering") or {}).get("code")
            quantity = int(booking.get("quantity") or 1)
            if area in TICKET_AREAS:
                found = await call_hub(
                    hub().showtimes, area=area, provider=provider, offering=offering,
                    date=when.day.isoformat(), quantity=quantity,
                )
                same_day = found.get("showtimes") or []
                others = found.get("alternatives") or []
            else:
                found = await call_hub(hub().availability, area=area, provider=provider,
                                       date=when.day.isoformat(), offering=offering,
                                       quantity=quantity)
                same_day = found.get("slots") or []
                others = found.get("alternatives") or []
        except Rejected as exc:
            if exc.code in ("date_in_past", "slot_in_past"):
                dispatcher.utter_message(response="utter_when_past")
                return [SlotSet(WHEN, None)]
            logger.warning("reschedule search rejected: %s", exc)
            dispatcher.utter_message(response="utter_hub_unavailable")
            return [SlotSet("requested_slot", None)]
        except HubError as exc:
            logger.warning("reschedule search failed: %s", exc)
            dispatcher.utter_message(response="utter_hub_unavailable")
            return [SlotSet("requested_slot", None)]
        current = booking.get("starts_at")
        same_day = [s for s in same_day if s["starts_at"] != current]
        others = [s for s in others if s["starts_at"] != current or s["provider"]["code"] != provider]
        free = [s for s in same_day if when.fits(local_time(s["starts_at"]))]
        if free:
            return [SlotSet(SLOT_ID, free[0]["slot_id"]), SlotSet(STARTS_AT, free[0]["starts_at"])]
        # Only this provider's times: a booking moves in time, not elsewhere.
        offer = [s for s in same_day + others if s["provider"]["code"] == provider][:6]
        words = {"day": day_words(when.day), "date": when.day.isoformat()}
        if offer:
            dispatcher.utter_message(response="utter_no_time_then", buttons=[slot_button(s) for s in offer], **words)
        else:
            dispatcher.utter_message(response="utter_no_time_then_none", **words)
        return [SlotSet(WHEN, None)]


class ActionAskRescheduleConfirmed(Action):
    def name(self) -> str:
        return "action_ask_reschedule_form_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            booking = await _booking(tracker)
        except HubError:
            dispatcher.utter_message(response="utter_hub_unavailable")
            return [SlotSet("requested_slot", None)]
        old = when_words(booking["starts_at"])
        dispatcher.utter_message(
            response="utter_confirm_reschedule",
            buttons=[{"title": "Yes, move it", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
            title=booking.get("title", ""), reference=booking["reference"],
            old_day=old["day"], old_time=old["time"], **when_words(tracker.get_slot(STARTS_AT)),
        )
        return [SlotSet(BOOKING_KEY, str(uuid.uuid4()))]


class ActionMoveBooking(Action):
    """On "yes": move it; the reference stays the same."""

    def name(self) -> str:
        return "action_move_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done = reset(ALL_SLOTS)
        if tracker.get_slot(CONFIRMED) is False:
            dispatcher.utter_message(response="utter_reschedule_dropped")
            return done
        reference, slot_id, key = (tracker.get_slot(n) for n in (REFERENCE, SLOT_ID, BOOKING_KEY))
        if tracker.get_slot(CONFIRMED) is not True or not (reference and slot_id and key):
            return done
        try:
            moved = await call_hub(hub().reschedule, conversation_id=tracker.sender_id,
                                   reference=reference, slot_id=int(slot_id), idempotency_key=key)
        except SlotFull as full:
            buttons = [slot_button(s) for s in full.alternatives[:6]]
            dispatcher.utter_message(response="utter_slot_taken", buttons=buttons)
            return done
        except HubUnavailable:
            dispatcher.utter_message(response="utter_hub_unavailable")
            return done
        except (Rejected, NotFound) as exc:
            logger.warning("reschedule %s refused: %s", reference, exc)
            dispatcher.utter_message(response="utter_reschedule_refused", reference=reference)
            return done
        dispatcher.utter_message(
            response="utter_rescheduled", reference=moved["reference"],
            provider=(moved.get("provider") or {}).get("name", ""), **when_words(moved["starts_at"]),
        )
        seats = (moved.get("ticket") or {}).get("seats")
        if seats:
            dispatcher.utter_message(response="utter_tickets_seats", seats=", ".join(seats),
                                     ticket_code=moved["ticket"].get("code", ""))
        return done
