"""Manage what the holder has, of every kind (bookings TC-, applications AP-,
service requests SR-): list it, check a status, cancel or withdraw one (which
one, if several; confirmed first). Moving a booking is in reschedule.py."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.flows import local_time, payload, reference_in
from bot.actions.hub_client import (
    HubError,
    HubUnavailable,
    NotFound,
    Rejected,
    call_hub,
    hub,
)

logger = logging.getLogger(__name__)

RECORD = "record_reference"
ENTITY = "booking_reference"
MAX_LISTED = 8


def status_words(status: str) -> str:
    return str(status or "").replace("_", " ")


def when_short(record: dict[str, Any]) -> str:
    when = record.get("when") or record.get("starts_at")
    return f"{local_time(when):%a %d %b %H:%M}" if when else ""


def record_line(record: dict[str, Any]) -> str:
    """One record as a line of data: reference, what, when, status."""
    when = when_short(record) if record.get("kind") == "booking" else ""
    parts = [record["reference"], record.get("title", "")]
    if when:
        parts.append(when)
    return " · ".join(parts) + f" ({status_words(record.get('status', ''))})"


def record_button(record: dict[str, Any], intent: str) -> dict[str, str]:
    return {"title": record_line(record), "payload": payload(intent, **{ENTITY: record["reference"]})}


async def _records(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, live_only: bool
) -> list[dict[str, Any]] | None:
    try:
        return await call_hub(hub().records, conversation_id=tracker.sender_id, live_only=live_only)
    except NotFound:
        dispatcher.utter_message(response="utter_holder_unknown")
    except HubError as exc:
        logger.warning("records unavailable: %s", exc)
        dispatcher.utter_message(response="utter_hub_unavailable")
    return None


async def find_record(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
) -> dict[str, Any] | None:
    try:
        return await call_hub(hub().record, conversation_id=tracker.sender_id, reference=reference)
    except NotFound:
        dispatcher.utter_message(response="utter_record_not_found", reference=reference)
    except HubError as exc:
        logger.warning("record %s unavailable: %s", reference, exc)
        dispatcher.utter_message(response="utter_hub_unavailable")
    return None


def said_reference(tracker: Tracker) -> str | None:
    return reference_in(tracker, next(tracker.get_latest_entity_values(ENTITY), None))


class ActionListRecords(Action):
    """Everything live: bookings, applications and requests, soonest first."""

    def name(self) -> str:
        return "action_list_records"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        records = await _records(dispatcher, tracker, live_only=True)
        if records is None:
            return []
        if not records:
            dispatcher.utter_message(response="utter_no_records")
            return []
        shown = records[:MAX_LISTED]
        dispatcher.utter_message(
            response="utter_records_list", count=len(records),
            lines="\n".join(f"• {record_line(r)}" for r in shown),
            buttons=[record_button(r, "check_status") for r in shown],
        )
        return []


class ActionCheckStatus(Action):
    """The status of the record named, or of everything live."""

    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = said_reference(tracker)
        if reference is None:
            return await ActionListRecords().run(dispatcher, tracker, domain)
        record = await find_record(dispatcher, tracker, reference)
        if record is None:
            return []
        words = {"reference": record["reference"], "title": record.get("title", ""),
                 "status": status_words(record.get("status", ""))}
        if record.get("kind") == "booking":
            starts = local_time(record["starts_at"])
            dispatcher.utter_message(response="utter_status_booking", **words,
                                     day=f"{starts:%A %d %B %Y}", time=f"{starts:%H:%M}")
        else:
            dispatcher.utter_message(response="utter_status_request", **words)
        return []


class ActionStartCancel(Action):
    """Which record to cancel: the one named, the only one, or a question
    with each as a button; then the confirmation."""

    def name(self) -> str:
        return "action_start_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = said_reference(tracker)
        if reference is None:
            records = await _records(dispatcher, tracker, live_only=True)
            if records is None:
                return [SlotSet(RECORD, None)]
            if not records:
                dispatcher.utter_message(response="utter_nothing_to_cancel")
                return [SlotSet(RECORD, None)]
            if len(records) > 1:
                dispatcher.utter_message(
                    response="utter_ask_which_to_cancel",
                    buttons=[record_button(r, "cancel_booking") for r in records[:MAX_LISTED]],
                )
                return [SlotSet(RECORD, None)]
            reference = records[0]["reference"]
        record = await find_record(dispatcher, tracker, reference)
        if record is None:
            return [SlotSet(RECORD, None)]
        if not record.get("live"):
            dispatcher.utter_message(response="utter_record_not_live", reference=record["reference"],
                                     status=status_words(record.get("status", "")))
            return [SlotSet(RECORD, None)]
        dispatcher.utter_message(
            response="utter_confirm_cancel", line=record_line(record),
            buttons=[{"title": "Yes, cancel it", "payload": "/affirm"},
                     {"title": "No, keep it", "payload": "/deny"}],
        )
        return [SlotSet(RECORD, record["reference"])]


class ActionCancelRecord(Action):
    """On "yes": cancel the booking or withdraw the application or request."""

    def name(self) -> str:
        return "action_cancel_record"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = tracker.get_slot(RECORD)
        if not reference:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
            return []
        try:
            record = await call_hub(hub().cancel_record, conversation_id=tracker.sender_id,
                                    reference=reference)
        except HubUnavailable:
            dispatcher.utter_message(response="utter_hub_unavailable")
            return [SlotSet(RECORD, None)]
        except (Rejected, NotFound) as exc:
            logger.warning("cancel %s refused: %s", reference, exc)
            dispatcher.utter_message(response="utter_cancel_refused", reference=reference)
            return [SlotSet(RECORD, None)]
        dispatcher.utter_message(
            response="utter_record_cancelled", reference=record["reference"],
            title=record.get("title", ""), status=status_words(record.get("status", "")),
        )
        return [SlotSet(RECORD, None)]


class ActionKeepRecord(Action):
    """On "no": nothing changes."""

    def name(self) -> str:
        return "action_keep_record"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_record_kept")
        return [SlotSet(RECORD, None)]
