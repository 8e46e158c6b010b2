"""The first stage of the two-stage fallback: "did you mean ...?" in the
holder's words (Rasa's default shows the intent's name). What happens after a
second failure is `action_default_fallback`, in escalation.py."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# Intents worth asking about; anything else goes straight to "rephrase".
# The sentence for each is the response utter_ask_affirm_<intent>.
AFFIRMABLE = frozenset({
    "list_services", "ask_service_info", "ask_card_info", "book_checkup",
    "book_medical_appointment", "enroll_child", "book_tutoring", "buy_movie_tickets",
    "buy_event_tickets", "request_service", "list_bookings", "cancel_booking",
    "reschedule_booking", "check_status", "request_human", "manage_reminders", "help",
})


class ActionDefaultAskAffirmation(Action):
    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        guess = next(
            (r.get("name") for r in ranking if r.get("name") not in ("nlu_fallback", None)), None
        )
        buttons_no = {"title": "No", "payload": "/out_of_scope"}
        if guess in AFFIRMABLE:
            dispatcher.utter_message(
                response=f"utter_ask_affirm_{guess}",
                buttons=[{"title": "Yes", "payload": f"/{guess}"}, buttons_no],
            )
        else:
            # Nothing sensible to offer: the "no" path asks to rephrase.
            dispatcher.utter_message(response="utter_ask_affirm_unsure",
                                     buttons=[{"title": "Show me the menu", "payload": "/list_services"},
                                              buttons_no])
        return []
