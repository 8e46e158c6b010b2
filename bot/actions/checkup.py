"""Book a physical check-up: the form's questions and checks. What follows the
form (confirmation, booking, dropping it) is in `checkup_booking.py`.

The flow: `checkup_form` fills hospital, package and date (asking with the hub's
own providers and packages as buttons); once all three are known the validator
asks the hub for a free slot that day and offers alternatives when there is
none; `action_confirm_checkup` summarises and mints the idempotency key;
`action_book_checkup` books on "yes". Every sentence is a domain.yml response.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
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
from bot.actions.matching import Entry, match_entry, offering_entries, provider_entries

logger = logging.getLogger(__name__)

AREA = "checkup"
FORM = "checkup_form"
HOSPITAL, PACKAGE, DATE = "checkup_hospital", "checkup_package", "checkup_date"
SLOT_ID, STARTS_AT, BOOKING_KEY = "checkup_slot_id", "checkup_starts_at", "checkup_booking_key"
ALL_SLOTS = (HOSPITAL, PACKAGE, DATE, SLOT_ID, STARTS_AT, BOOKING_KEY)


# -- helpers -----------------------------------------------------------------


def reset_slots() -> list[EventType]:
    return [SlotSet(name, None) for name in ALL_SLOTS]


def _inform(**entities: str) -> str:
    """A button payload that sets entities, the same way NLU would."""
    return "/inform" + json.dumps(entities, separators=(",", ":"))


def find_provider(area: dict[str, Any], code: str | None) -> dict[str, Any] | None:
    return next((p for p in area.get("providers") or [] if p.get("code") == code), None)


def find_offering(provider: dict[str, Any] | None, code: str | None) -> dict[str, Any] | None:
    offerings = (provider or {}).get("offerings") or []
    return next((o for o in offerings if o.get("code") == code), None)


def _all_offerings(area: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for p in area.get("providers") or [] for o in p.get("offerings") or []]


def local_time(starts_at: str) -> datetime:
    return datetime.fromisoformat(starts_at).astimezone(dates.LOCAL_TZ)


def day_words(day: date) -> str:
    # "Friday 4 December 2026": the English variant's format; the ISO date is
    # passed alongside for other languages.
    return f"{day:%A} {day.day} {day:%B %Y}"


def slot_button(slot: dict[str, Any], hospital: str | None) -> dict[str, str]:
    starts = local_time(slot["starts_at"])
    provider = slot.get("provider") or {}
    title = f"{starts:%a} {starts:%Y-%m-%d %H:%M}"
    if provider.get("code") and provider.get("code") != hospital:
        title += f" · {provider.get('name', provider['code'])}"
        return {"title": title, "payload": _inform(hospital=provider["code"], date=f"{starts:%Y-%m-%d}")}
    return {"title": title, "payload": _inform(date=f"{starts:%Y-%m-%d}")}


def _said(value: Any, tracker: Tracker) -> list[str]:
    """What to match: the extracted value, then the whole message, since the
    NLU sometimes tags only part of a name ("people" of "people's hospital")."""
    texts = [str(value)]
    latest = (tracker.latest_message or {}).get("text") or ""
    if latest and not latest.startswith("/") and latest != texts[0]:
        texts.append(latest)
    return texts


def _match(texts: list[str], entries: list[Entry]) -> str | None:
    return next((code for text in texts if (code := match_entry(text, entries))), None)


async def checkup_area(dispatcher: CollectingDispatcher) -> dict[str, Any] | None:
    """The check-up catalog, or None after telling the holder the hub is down."""
    try:
        return await call_hub(hub().area, area_code=AREA)
    except HubError as exc:
        logger.warning("check-up catalog unavailable: %s", exc)
        dispatcher.utter_message(response="utter_hub_unavailable")
        return None


# -- asking ------------------------------------------------------------------


class ActionAskCheckupHospital(Action):
    """Ask which hospital, with the hub's check-up providers as buttons."""

    def name(self) -> str:
        return "action_ask_checkup_hospital"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = await checkup_area(dispatcher)
        if area is None:
            # No catalog, no sensible question: stop the form; the confirm
            # step sees the missing slots and stays quiet.
            return [SlotSet("requested_slot", None)]
        buttons = [
            {"title": p["name"], "payload": _inform(hospital=p["code"])}
            for p in area.get("providers") or []
        ]
        dispatcher.utter_message(response="utter_ask_checkup_hospital", buttons=buttons)
        return []


class ActionAskCheckupPackage(Action):
    """Ask which package, listing what the chosen hospital offers."""

    def name(self) -> str:
        return "action_ask_checkup_package"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = await checkup_area(dispatcher)
        if area is None:
            return [SlotSet("requested_slot", None)]
        provider = find_provider(area, tracker.get_slot(HOSPITAL))
        offerings = (provider or {}).get("offerings") or _all_offerings(area)
        seen: set[str] = set()
        buttons = []
        for offering in offerings:
            if offering["code"] not in seen:
                seen.add(offering["code"])
                buttons.append({"title": offering["name"], "payload": _inform(package=offering["code"])})
        dispatcher.utter_message(
            response="utter_ask_checkup_package",
            buttons=buttons,
            hospital=(provider or {}).get("name", ""),
        )
        return []


# -- validating --------------------------------------------------------------


class ValidateCheckupForm(FormValidationAction):
    def name(self) -> str:
        return "validate_checkup_form"

    async def validate_checkup_hospital(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        area = await checkup_area(dispatcher)
        if area is None:
            return {HOSPITAL: None, "requested_slot": None}
        code = _match(_said(value, tracker), provider_entries(area))
        if code is None:
            dispatcher.utter_message(response="utter_checkup_hospital_unknown", value=str(value))
            return {HOSPITAL: None}
        result: dict[str, Any] = {HOSPITAL: code, SLOT_ID: None, STARTS_AT: None}
        package = tracker.get_slot(PACKAGE)
        if package and find_offering(find_provider(area, code), package) is None:
            result[PACKAGE] = None  # not offered there: ask again from its own list
        return result

    async def validate_checkup_package(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        area = await checkup_area(dispatcher)
        if area is None:
            return {PACKAGE: None, "requested_slot": None}
        provider = find_provider(area, tracker.get_slot(HOSPITAL))
        offerings = (provider or {}).get("offerings") or _all_offerings(area)
        code = _match(_said(value, tracker), offering_entries(offerings))
        if code is None:
            dispatcher.utter_message(response="utter_checkup_package_unknown", value=str(value))
            return {PACKAGE: None}
        return {PACKAGE: code, SLOT_ID: None, STARTS_AT: None}

    async def validate_checkup_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        texts = list(reversed(_said(value, tracker)))  # the whole message first
        text = texts[0]
        try:
            day = self._parse(texts)
        except dates.PastDate:
            dispatcher.utter_message(response="utter_checkup_date_past", value=text)
            return {DATE: None}
        except dates.ImpossibleDate:
            dispatcher.utter_message(response="utter_checkup_date_impossible", value=text)
            return {DATE: None}
        except dates.DateError:
            dispatcher.utter_message(response="utter_checkup_date_unclear", value=text)
            return {DATE: None}
        return {DATE: day.isoformat(), SLOT_ID: None, STARTS_AT: None}

    @staticmethod
    def _parse(texts: list[str]) -> date:
        """The day the message names. The whole message is read first: the NLU
        may tag only "30" of "Feb 30", and that must not become the 30th. A
        definite verdict (impossible, past) stands; only "no date here" lets the
        next text try."""
        first_error: dates.DateError | None = None
        for text in texts:
            try:
                return dates.parse_date(text, today=dates.local_today())
            except (dates.ImpossibleDate, dates.PastDate):
                raise
            except dates.DateError as exc:
                first_error = first_error or exc
        assert first_error is not None
        raise first_error

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate each slot, then, once hospital, package and date are all
        known (in whatever order they came), find the slot that day."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        if any(e["name"] == "requested_slot" and e["value"] is None for e in events):
            return events  # a validator stopped the form (hub down)
        slots = {**tracker.slots, **{e["name"]: e["value"] for e in events}}
        if slots.get(SLOT_ID) is not None:
            return events
        if not all(slots.get(name) for name in (HOSPITAL, PACKAGE, DATE)):
            return events
        return events + await self._find_slot(dispatcher, slots)

    async def _find_slot(
        self, dispatcher: CollectingDispatcher, slots: dict[str, Any]
    ) -> list[EventType]:
        hospital, day = slots[HOSPITAL], date.fromisoformat(slots[DATE])
        try:
            found = await call_hub(
                hub().availability,
                area=AREA,
                provider=hospital,
                date=day.isoformat(),
                offering=slots[PACKAGE],
            )
        except HubUnavailable:
            dispatcher.utter_message(response="utter_hub_unavailable")
            return [SlotSet("requested_slot", None)]
        except Rejected as exc:
            if exc.code in ("date_in_past", "slot_in_past"):
                dispatcher.utter_message(response="utter_checkup_date_past", value=day.isoformat())
                return [SlotSet(DATE, None)]
            logger.warning("availability rejected: %s", exc)
            dispatcher.utter_message(response="utter_hub_unavailable")
            return [SlotSet("requested_slot", None)]
        except NotFound:
            # The catalog changed under us: ask for the hospital again.
            dispatcher.utter_message(response="utter_checkup_hospital_unknown", value=hospital)
            return [SlotSet(HOSPITAL, None), SlotSet(PACKAGE, None)]

        free = found.get("slots") or []
        if free:
            slot = free[0]  # earliest that day: check-ups are one morning session
            return [SlotSet(SLOT_ID, slot["slot_id"]), SlotSet(STARTS_AT, slot["starts_at"])]
        buttons = [slot_button(s, hospital) for s in found.get("alternatives") or []]
        response = "utter_checkup_closed_sunday" if day.weekday() == 6 else "utter_checkup_day_full"
        if not buttons:
            response += "_no_alternatives"
        dispatcher.utter_message(
            response=response, buttons=buttons, day=day_words(day), date=day.isoformat()
        )
        return [SlotSet(DATE, None)]
