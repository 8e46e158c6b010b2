"""Children's school enrollment: which child (from the profile, or a new one
with a birth date), grade, school; the hub checks age, places and duplicates
before the holder confirms, and the result is an application (AP-) whose
status the bureau moves on (submitted -> under review -> offered / declined).
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import date, datetime
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
    ask_offering,
    fetch_area,
    match_any,
    offering_entries_of,
    offering_named,
    payload,
    profile_children,
    provider_named,
    providers_of,
    reset,
    said,
)
from bot.actions.hub_client import (
    HubUnavailable,
    NotFound,
    Rejected,
    call_hub,
    hub,
)
from bot.actions.matching import Entry, provider_entries

logger = logging.getLogger(__name__)

AREA, FORM = "school_enrollment", "enrollment_form"
CHILD, BIRTH_DATE = "enrollment_child", "enrollment_child_birth_date"
GRADE, SCHOOL = "enrollment_grade", "enrollment_school"
ALL_SLOTS = (CHILD, BIRTH_DATE, GRADE, SCHOOL, CONFIRMED, BOOKING_KEY)
MAX_CHILD_AGE = 20


def _profile_child(children: list[dict[str, Any]], name: str | None) -> dict[str, Any] | None:
    return next((c for c in children if c["name"] == name), None)


def parse_birth_date(text: str, *, today: date) -> date | None:
    """A birth date: a full date in the past, at most MAX_CHILD_AGE years ago."""
    import dateparser  # slow to import; only this question needs it

    cleaned = text.strip()
    try:
        found = date.fromisoformat(cleaned)
    except ValueError:
        parsed = dateparser.parse(
            cleaned, languages=["en"],
            settings={"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["day", "month", "year"],
                      "RELATIVE_BASE": datetime(today.year, today.month, today.day)},
        )
        found = parsed.date() if parsed else None
    if found is None or found >= today or today.year - found.year > MAX_CHILD_AGE:
        return None
    return found


def _new_child_name(text: str) -> str | None:
    """A name as typed ("Li Xiaohua", "for Anna"), or None if it is not one."""
    name = re.sub(r"^(?:(?:for|it'?s|its|it is|my (?:son|daughter|child|kid)|(?:she|he) is|named|called)\s+)+",
                  "", text.strip(), flags=re.IGNORECASE)
    words = name.split()
    if not 1 <= len(words) <= 4 or not all(re.fullmatch(r"[^\W\d_][\w'\-.]*", w) for w in words):
        return None
    return " ".join(words)


class ActionAskEnrollmentChild(Action):
    def name(self) -> str:
        return "action_ask_enrollment_child"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        children = await profile_children(tracker) or []
        buttons = [{"title": c["name"], "payload": payload(child=c["name"])} for c in children]
        dispatcher.utter_message(response="utter_ask_enrollment_child", buttons=buttons)
        return []


class ActionAskEnrollmentGrade(Action):
    def name(self) -> str:
        return "action_ask_enrollment_grade"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await ask_offering(dispatcher, AREA, entity="grade",
                                  response="utter_ask_enrollment_grade",
                                  child=tracker.get_slot(CHILD) or "")


class ActionAskEnrollmentSchool(Action):
    def name(self) -> str:
        return "action_ask_enrollment_school"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = await fetch_area(dispatcher, AREA)
        if area is None:
            return [SlotSet("requested_slot", None)]
        grade = tracker.get_slot(GRADE)
        buttons = [{"title": p["name"], "payload": payload(school=p["code"])}
                   for p in providers_of(area, grade)]
        dispatcher.utter_message(response="utter_ask_enrollment_school", buttons=buttons,
                                 grade=offering_named(area, grade).get("name", ""))
        return []


class ValidateEnrollmentForm(FormValidationAction):
    def name(self) -> str:
        return "validate_enrollment_form"

    async def validate_enrollment_child(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        children = await profile_children(tracker)
        if children is None:
            dispatcher.utter_message(response="utter_hub_unavailable")
            return {CHILD: None, "requested_slot": None}
        entries = [Entry(code=c["name"], names=(c["name"], c["name"].split()[-1])) for c in children]
        name = match_any(said(value, tracker), entries)
        if name is not None:
            child = _profile_child(children, name) or {}
            return {CHILD: name, BIRTH_DATE: child.get("birth_date"), CONFIRMED: None}
        new_name = _new_child_name(str(value))
        if new_name is None:
            dispatcher.utter_message(response="utter_child_unknown", value=str(value))
            return {CHILD: None}
        dispatcher.utter_message(response="utter_enrollment_new_child", child=new_name)
        return {CHILD: new_name, BIRTH_DATE: None, CONFIRMED: None}

    async def validate_enrollment_child_birth_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        born = next((d for t in said(value, tracker)
                     if (d := parse_birth_date(t, today=dates.local_today()))), None)
        if born is None:
            dispatcher.utter_message(response="utter_birth_date_unclear", value=str(value))
            return {BIRTH_DATE: None}
        return {BIRTH_DATE: born.isoformat(), CONFIRMED: None}

    async def validate_enrollment_grade(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        area = await fetch_area(dispatcher, AREA)
        if area is None:
            return {GRADE: None, "requested_slot": None}
        code = match_any(said(value, tracker), offering_entries_of(area))
        if code is None:
            dispatcher.utter_message(response="utter_grade_unknown", value=str(value))
            return {GRADE: None}
        result: dict[str, Any] = {GRADE: code, CONFIRMED: None}
        school = tracker.get_slot(SCHOOL)
        if school and provider_named(area, school) not in providers_of(area, code):
            result[SCHOOL] = None
        return result

    async def validate_enrollment_school(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        area = await fetch_area(dispatcher, AREA)
        if area is None:
            return {SCHOOL: None, "requested_slot": None}
        code = match_any(said(value, tracker), provider_entries(area))
        if code is None:
            dispatcher.utter_message(response="utter_school_unknown", value=str(value))
            return {SCHOOL: None}
        grade = tracker.get_slot(GRADE)
        if grade and provider_named(area, code) not in providers_of(area, grade):
            dispatcher.utter_message(
                response="utter_school_has_no_grade", school=provider_named(area, code)["name"],
                grade=offering_named(area, grade).get("name", grade),
            )
            return {SCHOOL: None}
        return {SCHOOL: code, CONFIRMED: None}

    def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {CONFIRMED: bool(value)}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Once child, grade and school are known, ask the hub whether the
        child may apply there, before asking the holder to confirm."""
        events = await super().get_validation_events(dispatcher, tracker, domain)
        changed = {e["name"] for e in events if e.get("event") == "slot"} & {CHILD, BIRTH_DATE, GRADE, SCHOOL}
        slots = {**tracker.slots, **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}
        if not changed or not all(slots.get(n) for n in (CHILD, BIRTH_DATE, GRADE, SCHOOL)):
            return events
        return events + await self._check(dispatcher, tracker, slots)

    async def _check(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, slots: dict[str, Any]
    ) -> list[EventType]:
        children = await profile_children(tracker) or []
        child = _profile_child(children, slots[CHILD])
        try:
            verdict = await call_hub(
                hub().eligibility, conversation_id=tracker.sender_id, school=slots[SCHOOL],
                grade=slots[GRADE], child_id=child["id"] if child else None,
                birth_date=None if child else slots[BIRTH_DATE],
            )
        except (HubUnavailable, Rejected, NotFound) as exc:
            logger.warning("eligibility check failed: %s", exc)
            dispatcher.utter_message(response="utter_hub_unavailable")
            return [SlotSet("requested_slot", None)]
        problems = verdict.get("problems") or []
        if not problems:
            return []
        problem = problems[0]
        words = {"child": slots[CHILD], "school": verdict["school"]["name"],
                 "grade": verdict["grade"]["name"], "age": verdict.get("age"),
                 "reference": problem.get("reference", "")}
        code = problem.get("code")
        if code in ("child_too_young", "child_too_old"):
            dispatcher.utter_message(response=f"utter_enrollment_{code}", **words)
            return [SlotSet(GRADE, None), SlotSet(SCHOOL, None)]
        if code == "duplicate_application":
            dispatcher.utter_message(response="utter_enrollment_duplicate", **words)
            return [*reset(ALL_SLOTS), SlotSet("requested_slot", None)]
        buttons = [{"title": a["school"]["name"], "payload": payload(school=a["school"]["code"])}
                   for a in verdict.get("alternatives") or []]
        dispatcher.utter_message(response="utter_enrollment_no_places", buttons=buttons, **words)
        return [SlotSet(SCHOOL, None)]


class ActionAskEnrollmentConfirmed(Action):
    def name(self) -> str:
        return "action_ask_enrollment_form_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = await fetch_area(dispatcher, AREA)
        if area is None:
            return [SlotSet("requested_slot", None)]
        dispatcher.utter_message(
            response="utter_confirm_enrollment",
            buttons=[{"title": "Yes, apply", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
            child=tracker.get_slot(CHILD),
            grade=offering_named(area, tracker.get_slot(GRADE)).get("name", ""),
            school=provider_named(area, tracker.get_slot(SCHOOL)).get("name", ""),
        )
        return [SlotSet(BOOKING_KEY, str(uuid.uuid4()))]


class ActionSubmitEnrollment(Action):
    """On "yes": the application, with its reference and status."""

    def name(self) -> str:
        return "action_submit_enrollment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        done = reset(ALL_SLOTS)
        if tracker.get_slot(CONFIRMED) is False:
            dispatcher.utter_message(response="utter_form_dropped")
            return done
        key = tracker.get_slot(BOOKING_KEY)
        if tracker.get_slot(CONFIRMED) is not True or not key:
            return done
        children = await profile_children(tracker)
        if children is None:
            dispatcher.utter_message(response="utter_hub_unavailable")
            return done
        child = _profile_child(children, tracker.get_slot(CHILD))
        try:
            application = await call_hub(
                hub().create_application, conversation_id=tracker.sender_id,
                school=tracker.get_slot(SCHOOL), grade=tracker.get_slot(GRADE),
                idempotency_key=key, child_id=child["id"] if child else None,
                child=None if child else {"name": tracker.get_slot(CHILD),
                                          "birth_date": tracker.get_slot(BIRTH_DATE)},
            )
        except HubUnavailable:
            # Retried and still down: the request goes to a steward, not away.
            return [*await escalate_after_failure(dispatcher, tracker, area_code=AREA), *done]
        except (Rejected, NotFound) as exc:
            logger.warning("application refused for %s: %s", tracker.sender_id, exc)
            dispatcher.utter_message(response="utter_enrollment_refused", detail=exc.detail)
            return done
        dispatcher.utter_message(
            response="utter_enrollment_submitted", reference=application["reference"],
            child=application["child"]["name"], school=application["school"]["name"],
            grade=application["grade"]["name"], status=application["status"].replace("_", " "),
        )
        area = await fetch_area(CollectingDispatcher(), AREA) or {}
        if area.get("what_to_bring"):
            dispatcher.utter_message(response="utter_bring", items=", ".join(area["what_to_bring"]))
        return done
