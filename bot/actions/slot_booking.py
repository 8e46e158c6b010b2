"""Booking a time at a provider, the part the specialist appointment, tutoring,
movie and event flows share: find the hub slot that fits the answers, offer
the nearest free ones when none does, confirm, and book with a reference.

Each flow describes itself with a `Flow`; its module subclasses the form
validator, the confirmation question and the booking action below. The
confirmation is the form's last question (slot `confirmed`), so a holder can
still change an answer there ("actually make it 3 tickets"): the validator
sees the change, finds a slot again and asks again.
"""

from __future__ import annotations

import logging
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import dates
from bot.actions.escalation import escalate_after_failure
from bot.actions.flows import (
    BOOKING_KEY,
    CONFIRMED,
    MAX_TICKETS,
    QUANTITY,
    SHARED_SLOTS,
    SLOT_ID,
    STARTS_AT,
    WHEN,
    day_words,
    fetch_area,
    local_time,
    match_any,
    offering_entries_of,
    offering_named,
    parse_quantity,
    payload,
    provider_entries,
    provider_named,
    providers_of,
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

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Flow:
    name: str  # response names: utter_<name>_booked, ...
    area: str  # the catalog area code
    form: str
    offering_slot: str  # department, subject, movie, event
    provider_slot: str | None  # hospital, centre, cinema; None: the slot's own (events)
    provider_entity: str | None  # the entity a button sets to switch provider
    tickets: bool  # showtimes, a quantity, seats and a ticket code
    own_slots: tuple[str, ...]

    @property
    def all_slots(self) -> tuple[str, ...]:
        return self.own_slots + SHARED_SLOTS


def _changed(events: list[EventType], tracker: Tracker, names: tuple[str, ...]) -> bool:
    return any(
        e.get("event") == "slot" and e["name"] in names and e["value"] is not None
        for e in events
    )


class SlotBookingValidator(FormValidationAction):
    """Validates `when` and `quantity`, then finds the slot once every answer
    is known. Subclasses validate their own slots."""

    @property
    @abstractmethod
    def flow(self) -> Flow:
        """The flow this action serves (a class attribute in subclasses)."""

    def name(self) -> str:
        return f"validate_{self.flow.form}"

    async def check_provider(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        *,
        unknown: str,
        not_offered_there: str,
        provider_word: str,
        offering_word: str,
    ) -> dict[str, Any]:
        """The provider slot (hospital, cinema) from what was said, checked
        against the catalog and against the offering already chosen: a
        hospital without that clinic, a cinema not showing that film, is asked
        again with a reply naming both."""
        slot = self.flow.provider_slot
        assert slot is not None, f"{self.flow.name} has no provider question"
        area = await fetch_area(dispatcher, self.flow.area)
        if area is None:
            return {slot: None, "requested_slot": None}
        code = match_any(said(value, tracker), provider_entries(area))
        if code is None:
            dispatcher.utter_message(response=unknown, value=str(value))
            return {slot: None}
        offering = tracker.get_slot(self.flow.offering_slot)
        if offering and provider_named(area, code) not in providers_of(area, offering):
            dispatcher.utter_message(
                response=not_offered_there,
                **{provider_word: provider_named(area, code).get("name", code),
                   offering_word: offering_named(area, offering).get("name", offering)},
            )
            return {slot: None}
        return {slot: code}

    async def validate_when(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if await self._part_of_a_name(str(value or ""), tracker):
            return {WHEN: None}  # "night" of "jazz night": not a time; ask
        when = read_when(said(value, tracker), dispatcher)
        if when is None:
            return {WHEN: None}
        return {WHEN: dates.encode_when(when)}

    async def validate_quantity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        number = next((n for t in said(value, tracker) if (n := parse_quantity(t))), None)
        if number is None:
            dispatcher.utter_message(response="utter_quantity_unclear")
            return {QUANTITY: None}
        if not 1 <= number <= MAX_TICKETS:
            dispatcher.utter_message(response="utter_quantity_too_many", most=MAX_TICKETS)
            return {QUANTITY: None}
        return {QUANTITY: str(number)}

    async def _part_of_a_name(self, value: str, tracker: Tracker) -> bool:
        """Whether the tagged time is a word of an offering's name that the
        message contains ("Shanghai Jazz Night", "Northern Lights")."""
        words = [w for w in value.lower().split() if w not in ("the", "a", "for", "at", "on")]
        text = " ".join(((tracker.latest_message or {}).get("text") or "").lower().split())
        if not words or len(words) > 3 or not text:
            return False
        try:
            area = await call_hub(hub().area, area_code=self.flow.area)
        except HubError:
            return False
        for entry in offering_entries_of(area):
            if value.strip().lower() == entry.code:
                return True  # the NLU's synonyms turned the tagged name into its code
            for name in entry.names:
                name_words = name.lower().split()
                if name.lower() in text and any(
                    name_words[i:i + len(words)] == words for i in range(len(name_words))
                ):
                    return True
        return False

    def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {CONFIRMED: bool(value)}

    def needed(self) -> tuple[str, ...]:
        """The answers a slot search needs."""
        needed = [self.flow.offering_slot, WHEN]
        if self.flow.provider_slot:
            needed.append(self.flow.provider_slot)
        if self.flow.tickets:
            needed.append(QUANTITY)
        return tuple(needed)

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        # Any changed answer means a new slot and a new confirmation.
        if _changed(events, tracker, self.flow.own_slots + (WHEN, QUANTITY)):
            events += [SlotSet(SLOT_ID, None), SlotSet(STARTS_AT, None), SlotSet(CONFIRMED, None)]
        slots = {**tracker.slots, **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}
        if slots.get(SLOT_ID) is not None or not all(slots.get(n) for n in self.needed()):
            return events
        return events + await self.find_slot(dispatcher, slots)

    async def find_slot(
        self, dispatcher: CollectingDispatcher, slots: dict[str, Any]
    ) -> list[EventType]:
        flow = self.flow
        when = dates.decode_when(slots[WHEN])
        quantity = int(slots.get(QUANTITY) or 1)
        provider = slots.get(flow.provider_slot) if flow.provider_slot else None
        try:
            if flow.tickets:
                found = await call_hub(
                    hub().showtimes, area=flow.area, provider=provider,
                    offering=slots[flow.offering_slot], date=when.day.isoformat(),
                    after=when.after.strftime("%H:%M") if when.after else None,
                    before=when.before.strftime("%H:%M") if when.before else None,
                    quantity=quantity,
                )
                free, others = found.get("showtimes") or [], found.get("alternatives") or []
                same_day: list[dict[str, Any]] = []
            else:
                found = await call_hub(
                    hub().availability, area=flow.area, provider=provider,
                    date=when.day.isoformat(), offering=slots[flow.offering_slot],
                    quantity=quantity,
                )
                same_day = found.get("slots") or []
                free = [s for s in same_day if when.fits(local_time(s["starts_at"]))]
                others = found.get("alternatives") or []
        except HubUnavailable:
            dispatcher.utter_message(response="utter_hub_unavailable")
            return [SlotSet("requested_slot", None)]
        except Rejected as exc:
            if exc.code in ("date_in_past", "slot_in_past"):
                dispatcher.utter_message(response="utter_when_past")
                return [SlotSet(WHEN, None)]
            logger.warning("%s availability rejected: %s", flow.area, exc)
            dispatcher.utter_message(response="utter_hub_unavailable")
            return [SlotSet("requested_slot", None)]
        except NotFound:
            # The catalog changed under us, or the provider does not offer it.
            dispatcher.utter_message(response="utter_not_offered_there")
            drop = flow.provider_slot or flow.offering_slot
            return [SlotSet(drop, None)]
        if free:
            slot = free[0]
            return [SlotSet(SLOT_ID, slot["slot_id"]), SlotSet(STARTS_AT, slot["starts_at"])]
        # Nothing fits: the other times that day first, then the hub's nearest.
        offer = same_day or others
        buttons = [
            slot_button(s, provider=provider, provider_entity=flow.provider_entity)
            for s in offer[:6]
        ]
        words = {"day": day_words(when.day), "date": when.day.isoformat()}
        if buttons:
            dispatcher.utter_message(response="utter_no_time_then", buttons=buttons, **words)
        else:
            dispatcher.utter_message(response="utter_no_time_then_none", **words)
        return [SlotSet(WHEN, None)]


class AskConfirmation(Action, ABC):
    """The form's last question: the summary, yes or no. The idempotency key
    is minted here, so however often the booking is retried it books once."""

    flow: Flow

    def name(self) -> str:
        return f"action_ask_{self.flow.form}_{CONFIRMED}"

    @abstractmethod
    async def summary(self, tracker: Tracker, area: dict[str, Any]) -> dict[str, Any]:
        """The response's variables that name what is booked."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = await fetch_area(dispatcher, self.flow.area)
        if area is None:
            return [SlotSet("requested_slot", None)]
        words = await self.summary(tracker, area)
        dispatcher.utter_message(
            response=f"utter_confirm_{self.flow.name}",
            buttons=[{"title": "Yes, book it", "payload": "/affirm"},
                     {"title": "No", "payload": "/deny"}],
            **when_words(tracker.get_slot(STARTS_AT)), **words,
        )
        return [SlotSet(BOOKING_KEY, str(uuid.uuid4()))]


class BookSlot(Action, ABC):
    """After the form: book on "yes", drop on "no", and end with the reference."""

    @property
    @abstractmethod
    def flow(self) -> Flow:
        """The flow this action serves (a class attribute in subclasses)."""

    def name(self) -> str:
        return f"action_book_{self.flow.name}"

    def details(self, tracker: Tracker) -> dict[str, Any]:
        """What the booking carries for the provider (a pupil's name...)."""
        return {}

    def words(self, tracker: Tracker) -> dict[str, Any]:
        """Extra variables for the flow's own "booked" response."""
        return {}

    def booked(
        self, dispatcher: CollectingDispatcher, booking: dict[str, Any], tracker: Tracker
    ) -> None:
        provider = booking.get("provider") or {}
        offering = booking.get("offering") or {}
        dispatcher.utter_message(
            response=f"utter_{self.flow.name}_booked",
            reference=booking["reference"],
            provider=provider.get("name", ""),
            address=provider.get("address", ""),
            offering=offering.get("name", ""),
            quantity=booking.get("quantity", 1),
            **when_words(booking["starts_at"]),
            **self.words(tracker),
        )
        ticket = booking.get("ticket") or {}
        if ticket.get("seats"):
            dispatcher.utter_message(
                response="utter_tickets_seats", seats=", ".join(ticket["seats"]),
                ticket_code=ticket.get("code", ""),
            )
        elif ticket.get("code"):
            dispatcher.utter_message(response="utter_tickets_code", ticket_code=ticket["code"])

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done = reset(self.flow.all_slots)
        if tracker.get_slot(CONFIRMED) is False:
            dispatcher.utter_message(response="utter_form_dropped")
            return done
        slot_id, key = tracker.get_slot(SLOT_ID), tracker.get_slot(BOOKING_KEY)
        if tracker.get_slot(CONFIRMED) is not True or slot_id is None or not key:
            # The form stopped early (hub down) and has said so already.
            return done
        offering = tracker.get_slot(self.flow.offering_slot)
        try:
            booking = await call_hub(
                hub().create_booking, conversation_id=tracker.sender_id, slot_id=int(slot_id),
                offering=offering, idempotency_key=key,
                quantity=int(tracker.get_slot(QUANTITY) or 1), details=self.details(tracker),
            )
        except SlotFull as full:
            buttons = [
                slot_button(s, provider=tracker.get_slot(self.flow.provider_slot or ""),
                            provider_entity=self.flow.provider_entity)
                for s in full.alternatives[:6]
            ]
            dispatcher.utter_message(response="utter_slot_taken", buttons=buttons)
            # Back into the form: only the time is asked again.
            return [SlotSet(n, None) for n in (WHEN, SLOT_ID, STARTS_AT, BOOKING_KEY, CONFIRMED)] + [
                FollowupAction(self.flow.form)
            ]
        except NotFound as exc:
            logger.warning("%s booking for %s: %s", self.flow.name, tracker.sender_id, exc.code)
            response = "utter_holder_unknown" if exc.code == "unknown_conversation" else "utter_booking_failed"
            dispatcher.utter_message(response=response)
            return done
        except Rejected as exc:
            logger.warning("%s booking rejected for %s: %s", self.flow.name, tracker.sender_id, exc)
            dispatcher.utter_message(response="utter_booking_failed")
            return done
        except HubUnavailable:
            # Retried and still down: the request goes to a steward, not away.
            return [*await escalate_after_failure(dispatcher, tracker, area_code=self.flow.area),
                    *done]
        self.booked(dispatcher, booking, tracker)
        return done


class ActionAskQuantity(Action):
    """How many tickets, with 1 to MAX_TICKETS as buttons (payloads with
    entities cannot live in domain.yml: Rasa reads their braces as slots)."""

    def name(self) -> str:
        return "action_ask_quantity"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        buttons = [{"title": str(n), "payload": payload(quantity=str(n))}
                   for n in range(1, MAX_TICKETS + 1)]
        dispatcher.utter_message(response="utter_ask_quantity", buttons=buttons)
        return []
