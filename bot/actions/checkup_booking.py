"""Book a physical check-up, after the form: confirm, book on "yes", drop on "no".

The idempotency key is minted when the confirmation is asked and kept in a slot,
so a retried booking action sends the same key and the hub books once.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.checkup import (
    AREA,
    BOOKING_KEY,
    DATE,
    FORM,
    HOSPITAL,
    PACKAGE,
    SLOT_ID,
    STARTS_AT,
    checkup_area,
    day_words,
    find_offering,
    find_provider,
    local_time,
    reset_slots,
    slot_button,
)
from bot.actions.escalation import escalate_after_failure
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


# -- confirming and booking --------------------------------------------------


class ActionConfirmCheckup(Action):
    """After the form: summarise and ask yes/no. The idempotency key is minted
    here, once per confirmation, so however often the booking is retried it
    makes one booking."""

    def name(self) -> str:
        return "action_confirm_checkup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        needed = (HOSPITAL, PACKAGE, SLOT_ID, STARTS_AT)
        if not all(tracker.get_slot(name) for name in needed):
            # The form stopped early (hub down) and has said so already.
            return reset_slots()
        area = await checkup_area(dispatcher)
        if area is None:
            return reset_slots()
        provider = find_provider(area, tracker.get_slot(HOSPITAL)) or {}
        offering = find_offering(provider, tracker.get_slot(PACKAGE)) or {}
        starts = local_time(tracker.get_slot(STARTS_AT))
        dispatcher.utter_message(
            response="utter_confirm_checkup",
            hospital=provider.get("name", tracker.get_slot(HOSPITAL)),
            package=offering.get("name", tracker.get_slot(PACKAGE)),
            day=day_words(starts.date()),
            date=f"{starts:%Y-%m-%d}",
            time=f"{starts:%H:%M}",
        )
        return [SlotSet(BOOKING_KEY, str(uuid.uuid4()))]


class ActionBookCheckup(Action):
    """On "yes": book through the hub and give the reference."""

    def name(self) -> str:
        return "action_book_checkup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slot_id, key = tracker.get_slot(SLOT_ID), tracker.get_slot(BOOKING_KEY)
        if slot_id is None or not key:
            dispatcher.utter_message(response="utter_checkup_nothing_to_confirm")
            return reset_slots()
        try:
            booking = await call_hub(
                hub().create_booking,
                conversation_id=tracker.sender_id,
                slot_id=int(slot_id),
                offering=tracker.get_slot(PACKAGE),
                idempotency_key=key,
            )
        except SlotFull as full:
            return self._slot_taken(dispatcher, tracker, full)
        except NotFound as exc:
            logger.warning("booking for %s: %s", tracker.sender_id, exc.code)
            response = "utter_holder_unknown" if exc.code == "unknown_conversation" else "utter_checkup_booking_failed"
            dispatcher.utter_message(response=response)
            return reset_slots()
        except Rejected as exc:
            logger.warning("booking rejected for %s: %s", tracker.sender_id, exc)
            dispatcher.utter_message(response="utter_checkup_booking_failed")
            return reset_slots()
        except HubUnavailable:
            # Retried and still down: the request goes to a steward, not away.
            return [*await escalate_after_failure(dispatcher, tracker, area_code=AREA),
                    *reset_slots()]

        self._booked(dispatcher, booking, await self._area_quietly())
        return reset_slots()

    @staticmethod
    def _slot_taken(
        dispatcher: CollectingDispatcher, tracker: Tracker, full: SlotFull
    ) -> list[EventType]:
        hospital = tracker.get_slot(HOSPITAL)
        buttons = [slot_button(s, hospital) for s in full.alternatives]
        dispatcher.utter_message(response="utter_checkup_slot_taken", buttons=buttons)
        # Back into the form: hospital and package stay, only the day is asked again.
        return [
            SlotSet(DATE, None),
            SlotSet(SLOT_ID, None),
            SlotSet(STARTS_AT, None),
            SlotSet(BOOKING_KEY, None),
            FollowupAction(FORM),
        ]

    @staticmethod
    async def _area_quietly() -> dict[str, Any]:
        # The booking is made; a catalog hiccup only costs the preparation notes.
        try:
            return await call_hub(hub().area, area_code=AREA)
        except HubError:
            return {}

    @staticmethod
    def _booked(
        dispatcher: CollectingDispatcher, booking: dict[str, Any], area: dict[str, Any]
    ) -> None:
        starts = local_time(booking["starts_at"])
        provider = booking.get("provider") or {}
        offering = booking.get("offering") or {}
        dispatcher.utter_message(
            response="utter_checkup_booked",
            reference=booking["reference"],
            hospital=provider.get("name", ""),
            address=provider.get("address", ""),
            package=offering.get("name", ""),
            day=day_words(starts.date()),
            date=f"{starts:%Y-%m-%d}",
            time=f"{starts:%H:%M}",
        )
        items = area.get("what_to_bring") or []
        if items:
            dispatcher.utter_message(response="utter_checkup_bring", items=", ".join(items))
        details = (find_offering(find_provider(area, provider.get("code")), offering.get("code")) or {}).get(
            "details"
        ) or {}
        if details.get("fasting"):
            dispatcher.utter_message(response="utter_checkup_fasting")
        if details.get("bowel_preparation"):
            dispatcher.utter_message(response="utter_checkup_bowel_preparation")


class ActionCancelCheckup(Action):
    """A "no" at the confirmation, or "forget it" during the form: nothing booked."""

    def name(self) -> str:
        return "action_cancel_checkup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_checkup_cancelled")
        return reset_slots()
