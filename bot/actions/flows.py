"""What every service flow shares: the slots common to them, button payloads,
reading days, times and numbers, fetching the catalog, and dropping a form.

The flows themselves live one per module (medical.py, movies.py, ...); this
module has no Rasa actions of its own except the one that drops any form.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import dates
from bot.actions.hub_client import HubError, call_hub, hub
from bot.actions.matching import Entry, match_entry, provider_entries

logger = logging.getLogger(__name__)

# Slots every booking flow shares (one flow runs at a time).
WHEN = "when"  # dates.encode_when of what the holder said about the day and time
QUANTITY = "quantity"  # tickets
CONFIRMED = "confirmed"  # the last question of every form: True / False
SLOT_ID = "booking_slot_id"  # the hub slot found for the answers
STARTS_AT = "booking_starts_at"
BOOKING_KEY = "booking_key"  # Idempotency-Key, minted when the confirmation is asked
SHARED_SLOTS = (WHEN, QUANTITY, CONFIRMED, SLOT_ID, STARTS_AT, BOOKING_KEY)

# Every slot of every flow in this package, for "forget it" and clean ends.
FLOW_SLOTS = SHARED_SLOTS + (
    "medical_department", "medical_hospital",
    "tutoring_child", "tutoring_subject", "tutoring_centre",
    "movie", "cinema", "event",
    "enrollment_child", "enrollment_child_birth_date", "enrollment_grade", "enrollment_school",
    "request_area", "request_answer", "request_answers",
    "reschedule_reference", "record_reference",
)  # fmt: skip

MAX_TICKETS = 4  # the catalog's limit per showing, for movies and events
_NUMBER_WORDS = {
    "one": 1, "a": 1, "an": 1, "single": 1, "two": 2, "couple": 2, "pair": 2, "three": 3,
    "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
REFERENCE = re.compile(r"\b(?:TC|AP|SR)-?[0-9A-HJKMNP-TV-Z]{6}\b", re.IGNORECASE)


def reset(names: tuple[str, ...] = FLOW_SLOTS) -> list[EventType]:
    return [SlotSet(name, None) for name in names]


def payload(intent: str = "inform", **entities: Any) -> str:
    """A button payload that sets entities, the same way NLU would."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, separators=(",", ":"), ensure_ascii=False)


def local_time(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(dates.LOCAL_TZ)


def day_words(day: date) -> str:
    # "Friday 4 December 2026": the English variant's format; the ISO date is
    # passed alongside for other languages.
    return f"{day:%A} {day.day} {day:%B %Y}"


def when_words(iso: str) -> dict[str, str]:
    """The variables every response about a time takes."""
    starts = local_time(iso)
    return {"day": day_words(starts.date()), "date": f"{starts:%Y-%m-%d}", "time": f"{starts:%H:%M}"}


def slot_title(slot: dict[str, Any], *, with_provider: bool) -> str:
    starts = local_time(slot["starts_at"])
    title = f"{starts:%a %d %b %H:%M}"
    if with_provider:
        title += f" · {(slot.get('provider') or {}).get('name', '')}"
    return title


def slot_button(
    slot: dict[str, Any], *, provider: str | None = None, provider_entity: str | None = None
) -> dict[str, str]:
    """A free time as a button; one at another provider also switches to it."""
    starts = local_time(slot["starts_at"])
    entities = {"date": f"{starts:%Y-%m-%d %H:%M}"}
    other = (slot.get("provider") or {}).get("code")
    elsewhere = bool(provider_entity and other and other != provider)
    if elsewhere:
        entities = {provider_entity: other, **entities}
    return {"title": slot_title(slot, with_provider=elsewhere), "payload": payload(**entities)}


def said(value: Any, tracker: Tracker) -> list[str]:
    """What to match: the extracted value, then the whole message, since the
    NLU sometimes tags only part of a name."""
    texts = [str(value)] if value not in (None, "") else []
    latest = (tracker.latest_message or {}).get("text") or ""
    if latest and not latest.startswith("/") and latest not in texts:
        texts.append(latest)
    return texts


def match_any(texts: list[str], entries: list[Entry]) -> str | None:
    return next((code for text in texts if (code := match_entry(text, entries))), None)


def offering_entries_of(area: dict[str, Any]) -> list[Entry]:
    """Every offering of an area (merged by code across providers)."""
    names: dict[str, list[str]] = {}
    for provider in area.get("providers") or []:
        for offering in provider.get("offerings") or []:
            bucket = names.setdefault(offering["code"], [])
            for name in [offering.get("name", ""), *(offering.get("aliases") or [])]:
                if name and name not in bucket:
                    bucket.append(name)
    return [Entry(code=code, names=tuple(n)) for code, n in names.items()]


def providers_of(area: dict[str, Any], offering: str | None = None) -> list[dict[str, Any]]:
    """The area's providers, only those offering `offering` when given."""
    return [
        p for p in area.get("providers") or []
        if offering is None or any(o.get("code") == offering for o in p.get("offerings") or [])
    ]


def provider_named(area: dict[str, Any], code: str | None) -> dict[str, Any]:
    return next((p for p in area.get("providers") or [] if p.get("code") == code), {})


def offering_named(area: dict[str, Any], code: str | None) -> dict[str, Any]:
    for provider in area.get("providers") or []:
        for offering in provider.get("offerings") or []:
            if offering.get("code") == code:
                return offering
    return {}


async def fetch_area(dispatcher: CollectingDispatcher, code: str) -> dict[str, Any] | None:
    """The catalog area with its providers, or None after telling the holder
    the hub is down."""
    try:
        return await call_hub(hub().area, area_code=code)
    except HubError as exc:
        logger.warning("catalog area %s unavailable: %s", code, exc)
        dispatcher.utter_message(response="utter_hub_unavailable")
        return None


def parse_quantity(text: str) -> int | None:
    """"2", "two tickets", "a pair", "for 3 of us" -> the number; None if none."""
    lowered = text.lower()
    if match := re.search(r"\b(\d{1,3})\b", lowered):
        return int(match.group(1))
    for word in re.findall(r"[a-z]+", lowered):
        if word in _NUMBER_WORDS and word not in ("a", "an"):
            return _NUMBER_WORDS[word]
    return None


def reference_in(tracker: Tracker, value: Any = None) -> str | None:
    """A TC-/AP-/SR- reference in the entity value or the message."""
    for text in [str(value or ""), (tracker.latest_message or {}).get("text") or ""]:
        if match := REFERENCE.search(text):
            found = match.group(0).upper()
            return found if "-" in found else f"{found[:2]}-{found[2:]}"
    return None


def read_when(
    texts: list[str], dispatcher: CollectingDispatcher
) -> dates.When | None:
    """The day and time the texts name, or None after saying why not. The
    first text that names a day wins; a definite verdict (past, impossible)
    stands."""
    found: list[dates.When] = []
    first_error: dates.DateError | None = None
    for text in texts:
        try:
            found.append(dates.parse_when(text, today=dates.local_today()))
        except (dates.PastDate, dates.ImpossibleDate) as exc:
            if not found:
                first_error = exc
                break
        except dates.DateError as exc:
            first_error = first_error or exc
    if found:
        # The NLU may tag "friday" of "friday after 7pm", or "at 2pm" of
        # "2026-11-29 at 2pm": a later text (the whole message) that says
        # more about the same day wins.
        best = found[0]
        for other in found[1:]:
            if best.dated and other.dated and other.day != best.day:
                continue
            if (other.dated, other.has_time) > (best.dated, best.has_time):
                best = other
        return best
    shown = texts[-1] if texts else ""
    if isinstance(first_error, dates.PastDate):
        dispatcher.utter_message(response="utter_when_past")
    elif isinstance(first_error, dates.ImpossibleDate):
        dispatcher.utter_message(response="utter_when_impossible", value=shown)
    else:
        dispatcher.utter_message(response="utter_when_unclear", value=shown)
    return None


async def named_in_request(
    tracker: Tracker, *, slot: str, intent: str, area_code: str, providers: bool = False
) -> dict[str, Any]:
    """The offering (or provider) the message that started a flow names, when
    the NLU did not tag it ("tickets for the jazz night"): the `extract_<slot>`
    of a form validator, so the form does not ask what was already said."""
    latest = tracker.latest_message or {}
    text = latest.get("text") or ""
    if tracker.get_slot(slot) or (latest.get("intent") or {}).get("name") != intent:
        return {}
    if not text or text.startswith("/"):
        return {}
    try:
        area = await call_hub(hub().area, area_code=area_code)
    except HubError:
        return {}
    entries = provider_entries(area) if providers else offering_entries_of(area)
    code = match_entry(text, entries)
    return {slot: code} if code else {}


async def profile_children(tracker: Tracker) -> list[dict[str, Any]] | None:
    """The holder's children from their profile in the hub; None when the hub
    cannot be reached."""
    try:
        profile = await call_hub(hub().profile, conversation_id=tracker.sender_id)
    except HubError as exc:
        logger.warning("profile unavailable: %s", exc)
        return None
    return list(profile.get("children") or [])


async def ask_offering(
    dispatcher: CollectingDispatcher,
    area_code: str,
    *,
    entity: str,
    response: str,
    **variables: Any,
) -> list[EventType]:
    """Ask which film, event, department or grade, with one button for each
    the catalog has; a hub that cannot be reached ends the question (the
    fetch has said so)."""
    area = await fetch_area(dispatcher, area_code)
    if area is None:
        return [SlotSet("requested_slot", None)]
    buttons = [{"title": e.names[0], "payload": payload(**{entity: e.code})}
               for e in offering_entries_of(area)]
    dispatcher.utter_message(response=response, buttons=buttons, **variables)
    return []


class ActionDropForm(Action):
    """"Forget it" or "no" in the middle of any of these forms: nothing is
    booked, every answer is forgotten."""

    def name(self) -> str:
        return "action_drop_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_form_dropped")
        return reset()
