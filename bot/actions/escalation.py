"""Handing a conversation to the holder's steward (issue 5).

`action_escalate` runs when the holder asks for a person or complains;
`action_default_fallback` replaces Rasa's default at the end of the two-stage
fallback: after the bot has failed to understand twice in a row, a person takes
over instead of a third guess. `escalate()` is also for other actions whose
backend keeps failing: the request becomes an escalation with all it collected.

While the escalation is live the hub sends the holder's messages to the steward,
not to Rasa; the tracker is left as it is (slots intact) for when the bot takes
the conversation back.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import dates
from bot.actions.hub_client import HubError, call_hub, hub

logger = logging.getLogger(__name__)

LAST_MESSAGES = 10
# Keys that are plumbing, not what the holder asked for.
_PRIVATE_SLOTS = {"requested_slot", "session_started_metadata"}
_KEY_NAMESPACE = uuid.UUID("0b7d5e0c-54a4-4c43-9a0e-3c2f1e8f6a55")


def conversation_summary(tracker: Tracker) -> tuple[str, dict[str, Any]]:
    """What a steward needs at a glance: what they wanted, what the bot had
    collected, and their last messages."""
    said = [
        str(e.get("text"))
        for e in tracker.events
        if e.get("event") == "user" and e.get("text") and not str(e.get("text")).startswith("/")
    ][-LAST_MESSAGES:]
    filled = {
        name: value
        for name, value in tracker.current_slot_values().items()
        if value not in (None, "", []) and name not in _PRIVATE_SLOTS
    }
    loop = (tracker.active_loop or {}).get("name")
    wanted = f"In the middle of {loop.replace('_', ' ')}" if loop else ""
    summary = "; ".join(part for part in (wanted, said[-1] if said else "") if part)
    context = {
        "last_messages": said,
        "slots": filled,
        "active_form": loop,
        "last_intent": (tracker.latest_message.get("intent") or {}).get("name"),
    }
    return summary[:4000], context


def idempotency_key(tracker: Tracker, reason: str) -> str:
    """Stable for one holder message, so a retried action escalates once."""
    last = tracker.get_last_event_for("user") or {}
    basis = f"{tracker.sender_id}|{last.get('timestamp')}|{last.get('text')}|{reason}"
    return str(uuid.uuid5(_KEY_NAMESPACE, basis))


async def escalate(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    *,
    reason: str,
    area_code: str | None = None,
) -> list[EventType]:
    """Open (or add to) the holder's escalation and tell them who answers when.
    Returns the events that leave any form, keeping its slots."""
    summary, context = conversation_summary(tracker)
    try:
        answer = await call_hub(
            hub().escalate,
            conversation_id=tracker.sender_id,
            reason=reason,
            summary=summary,
            context=context,
            idempotency_key=idempotency_key(tracker, reason),
            area_code=area_code,
        )
    except HubError as exc:
        logger.warning("escalation failed: %s", exc)
        dispatcher.utter_message(response="utter_escalation_failed")
        return []
    steward = ((answer.get("escalation") or {}).get("steward") or {}).get("name")
    when = _when_words(answer.get("next_staffed_at"))
    if steward:
        if answer.get("staffed_now"):
            dispatcher.utter_message(response="utter_escalated", steward=steward)
        else:
            dispatcher.utter_message(response="utter_escalated_after_hours", steward=steward, when=when)
    elif answer.get("staffed_now"):
        dispatcher.utter_message(response="utter_escalated_team")
    else:
        dispatcher.utter_message(response="utter_escalated_team_after_hours", when=when)
    if tracker.active_loop.get("name"):
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
    return []


async def escalate_after_failure(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, area_code: str | None = None
) -> list[EventType]:
    """A write to the hub kept failing after its retries: nothing was made, but
    the holder's request is not dropped. It becomes an escalation carrying all
    the form collected, and the holder is told a steward will finish it. When
    even that cannot reach the hub, the holder is told to try again."""
    summary, context = conversation_summary(tracker)
    try:
        answer = await call_hub(
            hub().escalate,
            conversation_id=tracker.sender_id,
            reason="backend_failure",
            summary=f"The booking system did not answer; please complete this. {summary}",
            context=context,
            idempotency_key=idempotency_key(tracker, "backend_failure"),
            area_code=area_code,
        )
    except HubError as exc:
        logger.warning("backend failure, and the escalation failed too: %s", exc)
        dispatcher.utter_message(response="utter_hub_unavailable")
        return []
    steward = ((answer.get("escalation") or {}).get("steward") or {}).get("name")
    dispatcher.utter_message(
        response="utter_backend_failed_escalated", steward=steward or "a steward"
    )
    if tracker.active_loop.get("name"):
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
    return []


def _when_words(iso: str | None) -> str:
    if not iso:
        return "the next working day"
    moment = datetime.fromisoformat(iso).astimezone(dates.LOCAL_TZ)
    return f"{moment:%A} {moment.day} {moment:%B} at {moment:%H:%M}"


class ActionEscalate(Action):
    def name(self) -> str:
        return "action_escalate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "complain":
            dispatcher.utter_message(response="utter_complaint_heard")
            return await escalate(dispatcher, tracker, reason="complaint")
        return await escalate(dispatcher, tracker, reason="requested")


class ActionDefaultFallback(Action):
    """Rasa runs this when the two-stage fallback gives up (two misunderstood
    messages in a row) and when the dialogue policy is unsure. The first is the
    bot failing the holder twice: a person takes over. The second only asks to
    rephrase."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if _misunderstood_twice(tracker):
            dispatcher.utter_message(response="utter_fallback_escalating")
            return [*await escalate(dispatcher, tracker, reason="fallback"), UserUtteranceReverted()]
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted()]


def _misunderstood_twice(tracker: Tracker) -> bool:
    intents = [
        (e.get("parse_data") or {}).get("intent", {}).get("name")
        for e in tracker.events
        if e.get("event") == "user"
    ]
    # Two misunderstood messages, possibly with a "no, that's not it" (which
    # the two-stage fallback records as out_of_scope) in between.
    return bool(intents) and intents[-1] == "nlu_fallback" and "nlu_fallback" in intents[-3:-1]
