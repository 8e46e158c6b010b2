"""Movie tickets: film, cinema, showtime and number of tickets; the hub holds
the seats and gives a ticket code. "2 tickets for Deep Sea tonight at Global
Harbor" fills four answers at once; the shared search and booking are in
slot_booking.py."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.flows import (
    QUANTITY,
    ask_offering,
    fetch_area,
    match_any,
    named_in_request,
    offering_entries_of,
    offering_named,
    payload,
    provider_named,
    providers_of,
    said,
    slot_button,
)
from bot.actions.hub_client import HubError, call_hub, hub
from bot.actions.slot_booking import (
    AskConfirmation,
    BookSlot,
    Flow,
    SlotBookingValidator,
)

MOVIE, CINEMA = "movie", "cinema"
FLOW = Flow(
    name="movie", area="movies", form="movie_form",
    offering_slot=MOVIE, provider_slot=CINEMA, provider_entity="cinema",
    tickets=True, own_slots=(MOVIE, CINEMA),
)
SHOWTIMES_OFFERED = 6


class ActionAskMovie(Action):
    def name(self) -> str:
        return "action_ask_movie"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await ask_offering(dispatcher, FLOW.area, entity="movie", response="utter_ask_movie")


class ActionAskCinema(Action):
    def name(self) -> str:
        return "action_ask_cinema"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        area = await fetch_area(dispatcher, FLOW.area)
        if area is None:
            return [SlotSet("requested_slot", None)]
        movie = tracker.get_slot(MOVIE)
        buttons = [{"title": p["name"], "payload": payload(cinema=p["code"])}
                   for p in providers_of(area, movie)]
        dispatcher.utter_message(
            response="utter_ask_cinema", buttons=buttons,
            movie=offering_named(area, movie).get("name", ""),
        )
        return []


async def upcoming_buttons(
    *, area: str, offering: str | None, provider: str | None, quantity: int = 1
) -> list[dict[str, str]]:
    """The next showtimes as buttons, or none if the hub does not answer (the
    question still stands without them)."""
    try:
        found = await call_hub(hub().showtimes, area=area, offering=offering,
                               provider=provider, quantity=quantity, limit=SHOWTIMES_OFFERED)
    except HubError:
        return []
    return [slot_button(s, provider=provider) for s in found.get("showtimes") or []]


class ActionAskMovieWhen(Action):
    """Which showing, with the next ones at that cinema as buttons."""

    def name(self) -> str:
        return "action_ask_movie_form_when"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        buttons = await upcoming_buttons(
            area=FLOW.area, offering=tracker.get_slot(MOVIE), provider=tracker.get_slot(CINEMA),
            quantity=int(tracker.get_slot(QUANTITY) or 1),
        )
        dispatcher.utter_message(response="utter_ask_movie_form_when", buttons=buttons)
        return []


class ValidateMovieForm(SlotBookingValidator):
    flow = FLOW

    async def extract_movie(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await named_in_request(tracker, slot=MOVIE, intent="buy_movie_tickets",
                                      area_code=FLOW.area)

    async def extract_cinema(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await named_in_request(tracker, slot=CINEMA, intent="buy_movie_tickets",
                                      area_code=FLOW.area, providers=True)

    async def validate_movie(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        area = await fetch_area(dispatcher, FLOW.area)
        if area is None:
            return {MOVIE: None, "requested_slot": None}
        code = match_any(said(value, tracker), offering_entries_of(area))
        if code is None:
            dispatcher.utter_message(response="utter_movie_unknown", value=str(value))
            return {MOVIE: None}
        result: dict[str, Any] = {MOVIE: code}
        cinema = tracker.get_slot(CINEMA)
        if cinema and provider_named(area, cinema) not in providers_of(area, code):
            result[CINEMA] = None  # not showing there: ask where
        return result

    async def validate_cinema(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return await self.check_provider(
            value, dispatcher, tracker, unknown="utter_cinema_unknown",
            not_offered_there="utter_movie_not_showing_there",
            provider_word="cinema", offering_word="movie",
        )


class AskMovieConfirmation(AskConfirmation):
    flow = FLOW

    async def summary(self, tracker: Tracker, area: dict[str, Any]) -> dict[str, Any]:
        return {
            "movie": offering_named(area, tracker.get_slot(MOVIE)).get("name", ""),
            "cinema": provider_named(area, tracker.get_slot(CINEMA)).get("name", ""),
            "quantity": tracker.get_slot(QUANTITY) or "1",
        }


class BookMovie(BookSlot):
    flow = FLOW
