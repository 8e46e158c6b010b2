"""Reminders in conversation (issue 4).

The hub owns the reminders and their timing; the bot only words them. The hub's
scheduler sends `EXTERNAL_reminder` with the booking reference and the
reminder's kind through Rasa's trigger_intent, and `action_send_reminder` reads
the booking from the hub and says it. `action_manage_reminders` lets the holder
list them, turn them off, or ask for one more.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import dates
from bot.actions.hub_client import (
    HubError,
    HubUnavailable,
    NotFound,
    Rejected,
    call_hub,
    hub,
)
from bot.actions.reminder_requests import describe, parse

logger = logging.getLogger(__name__)


def entity(tracker: Tracker, name: str) -> str | None:
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") == name and found.get("value") not in (None, ""):
            return str(found["value"])
    return None


def local(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(dates.LOCAL_TZ)


def booking_words(booking: dict[str, Any]) -> dict[str, str]:
    """The variables every reminder response uses."""
    starts = local(booking["starts_at"])
    offering = booking.get("offering") or {}
    provider = booking.get("provider") or {}
    return {
        "reference": booking["reference"],
        "service": offering.get("name") or (booking.get("area") or {}).get("name", "booking"),
        "provider": provider.get("name", ""),
        "address": provider.get("address", "") or "see your booking",
        "day": f"{starts:%A} {starts.day} {starts:%B}",
        "time": f"{starts:%H:%M}",
    }


def _offering_details(area: dict[str, Any], booking: dict[str, Any]) -> dict[str, Any]:
    provider_code = (booking.get("provider") or {}).get("code")
    offering_code = (booking.get("offering") or {}).get("code")
    for provider in area.get("providers") or []:
        if provider.get("code") != provider_code:
            continue
        for offering in provider.get("offerings") or []:
            if offering.get("code") == offering_code:
                return dict(offering.get("details") or {})
    return {}


class ActionSendReminder(Action):
    """Words one reminder. Whatever goes wrong, the holder still gets a
    reminder with the reference: saying nothing would make the hub retry a
    reminder that the bot cannot improve on."""

    def name(self) -> str:
        return "action_send_reminder"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = entity(tracker, "booking_reference")
        kind = entity(tracker, "reminder_kind") or ""
        if not reference:
            logger.error("EXTERNAL_reminder without a booking reference")
            return []
        if reference.upper().startswith("AP-"):
            return await self._deadline(dispatcher, tracker, reference)
        try:
            client = hub()
            booking = await call_hub(
                client.booking, conversation_id=tracker.sender_id, reference=reference
            )
            area = await call_hub(client.area, area_code=booking["area"]["code"])
        except (HubError, KeyError) as exc:
            logger.warning("reminder %s:%s without details: %s", reference, kind, exc)
            dispatcher.utter_message(response="utter_reminder_generic", reference=reference)
            return []
        words = booking_words(booking)
        if kind == "evening_before":
            dispatcher.utter_message(response="utter_reminder_evening_before", **words)
        elif kind == "two_hours_before":
            dispatcher.utter_message(response="utter_reminder_two_hours_before", **words)
        else:
            dispatcher.utter_message(response="utter_reminder_upcoming", **words)
        details = booking.get("details") or {}
        if details.get("seats"):
            dispatcher.utter_message(
                response="utter_reminder_tickets",
                seats=", ".join(map(str, details["seats"])),
                ticket_code=details.get("ticket_code") or booking["reference"],
            )
        if kind == "evening_before":
            if _offering_details(area, booking).get("fasting"):
                dispatcher.utter_message(response="utter_reminder_fasting")
            items = area.get("what_to_bring") or []
            if items:
                dispatcher.utter_message(response="utter_reminder_bring", items=", ".join(items))
        return []


    @staticmethod
    async def _deadline(
        dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
    ) -> list[EventType]:
        """An application's deadline: what it is and when come with the
        reminder; the school and the child from the hub."""
        name = entity(tracker, "deadline_name") or ""
        when = entity(tracker, "deadline_at")
        try:
            record = await call_hub(
                hub().record, conversation_id=tracker.sender_id, reference=reference
            )
        except HubError as exc:
            logger.warning("deadline reminder %s without details: %s", reference, exc)
            record = {}
        if not (name and when):
            dispatcher.utter_message(response="utter_reminder_generic", reference=reference)
            return []
        moment = local(when)
        dispatcher.utter_message(
            response="utter_reminder_deadline",
            deadline=name,
            day=f"{moment:%A} {moment.day} {moment:%B}",
            time=f"{moment:%H:%M}",
            child=(record.get("child") or {}).get("name") or "your child",
            school=(record.get("school") or {}).get("name") or "the school",
            reference=reference,
        )
        return []


class ActionManageReminders(Action):
    """List, turn off, or add: "my reminders", "turn off reminders for
    TC-7K3M9Q", "remind me 3 hours before"."""

    def name(self) -> str:
        return "action_manage_reminders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        request = parse(tracker.latest_message.get("text") or "")
        reference = entity(tracker, "booking_reference")
        chosen_minutes = entity(tracker, "reminder_minutes")
        cid = tracker.sender_id
        try:
            client = hub()
            if chosen_minutes and chosen_minutes.isdigit():
                await self._add(dispatcher, client, cid, reference, int(chosen_minutes))
            elif request.action == "off":
                count = await call_hub(
                    client.turn_off_reminders, conversation_id=cid,
                    reference=None if request.every_booking else reference,
                )
                if count == 0:
                    dispatcher.utter_message(response="utter_no_reminders")
                elif reference and not request.every_booking:
                    dispatcher.utter_message(
                        response="utter_reminders_turned_off_one", reference=reference
                    )
                else:
                    dispatcher.utter_message(response="utter_reminders_turned_off_all", count=count)
            elif request.action == "extra":
                assert request.minutes_before is not None
                await self._add(dispatcher, client, cid, reference, request.minutes_before)
            else:
                await self._list(dispatcher, client, cid, reference)
        except NotFound:
            dispatcher.utter_message(response="utter_booking_not_found", reference=reference or "")
        except HubUnavailable:
            dispatcher.utter_message(response="utter_hub_unavailable")
        except Rejected as exc:
            if exc.code == "reminder_time_passed":
                dispatcher.utter_message(response="utter_reminder_too_late")
            else:
                logger.warning("reminder request rejected: %s %s", exc.code, exc.detail)
                dispatcher.utter_message(response="utter_reminder_unclear")
        return []

    @staticmethod
    async def _list(dispatcher, client, cid: str, reference: str | None) -> None:  # type: ignore[no-untyped-def]
        rows = await call_hub(client.reminders, conversation_id=cid, reference=reference)
        pending = [r for r in rows if r.get("status") == "scheduled"]
        if not pending:
            dispatcher.utter_message(response="utter_no_reminders")
            return
        lines = "\n".join(
            f"• {local(r['send_at']):%a %d %b %H:%M} — {r['booking_reference']}" for r in pending
        )
        dispatcher.utter_message(response="utter_reminders_list", lines=lines)

    @staticmethod
    async def _add(dispatcher, client, cid: str, reference: str | None, minutes: int) -> None:  # type: ignore[no-untyped-def]
        if not reference:
            upcoming = await call_hub(client.bookings, conversation_id=cid, status="confirmed")
            if not upcoming:
                dispatcher.utter_message(response="utter_no_bookings_for_reminder")
                return
            if len(upcoming) > 1:
                dispatcher.utter_message(
                    response="utter_ask_which_booking_reminder",
                    buttons=[_choice(b, minutes) for b in upcoming[:8]],
                )
                return
            reference = upcoming[0]["reference"]
        reminder = await call_hub(
            client.add_reminder, conversation_id=cid, reference=reference, minutes_before=minutes
        )
        booking = await call_hub(client.booking, conversation_id=cid, reference=reference)
        sends = local(reminder["send_at"])
        words = booking_words(booking)
        dispatcher.utter_message(
            response="utter_reminder_added",
            when=describe(minutes),
            service=words["service"],
            provider=words["provider"],
            reference=reference,
            send_day=f"{sends:%A} {sends.day} {sends:%B}",
            send_time=f"{sends:%H:%M}",
        )


def _choice(booking: dict[str, Any], minutes: int) -> dict[str, str]:
    words = booking_words(booking)
    entities = {"booking_reference": booking["reference"], "reminder_minutes": str(minutes)}
    return {
        "title": f"{words['service']} · {words['day']} {words['time']}",
        "payload": "/manage_reminders" + json.dumps(entities, separators=(",", ":")),
    }
