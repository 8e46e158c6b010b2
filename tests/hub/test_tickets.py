"""Tickets: the hub holds the seats (disjoint, even under concurrency), gives
a ticket code, and finds showtimes in one call."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from catalog_support import SERVICE, build_issue3_world, key, post
from hub_support import LI, assert_error, today_local

from hub.bookings import engine
from hub.bookings.tickets import seat_label
from hub.db import utcnow
from hub.holders.models import Holder

SHOWTIMES = "/api/v1/service/showtimes"


@pytest.fixture(autouse=True)
def _more_world(world):
    build_issue3_world(world)


def _book(client, slot_id, quantity, **extra):
    response = post(client, "/bookings", {"slot_id": slot_id, "quantity": quantity, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_seat_labels_go_row_by_row():
    assert [seat_label(i, 10) for i in (0, 9, 10, 259, 260)] == ["A1", "A10", "B1", "Z10", "AA1"]


def test_a_ticket_booking_gets_seats_in_order_and_a_ticket_code(client, world):
    first = _book(client, world.slots["deep-sea-19"], 3)
    second = _book(client, world.slots["deep-sea-19"], 9)
    assert first["ticket"]["seats"] == ["A1", "A2", "A3"]
    assert second["ticket"]["seats"][:7] == [f"A{n}" for n in range(4, 11)]
    assert second["ticket"]["seats"][7:] == ["B1", "B2"]  # putuo-cinema: 10 seats a row
    code = first["ticket"]["code"]
    assert len(code) == 9 and code[4] == "-" and code != second["ticket"]["code"]
    assert first["details"]["ticket_code"] == code
    assert world.booked("deep-sea-19") == 12


def test_freed_seats_are_given_again(client, world):
    first = _book(client, world.slots["deep-sea-19"], 2)
    _book(client, world.slots["deep-sea-19"], 2)
    post(client, f"/bookings/{first['reference']}/cancel", {})
    third = _book(client, world.slots["deep-sea-19"], 3)
    assert third["ticket"]["seats"] == ["A1", "A2", "A5"]


def test_a_timed_entry_ticket_has_a_code_and_no_seats(client, world):
    booking = _book(client, world.slots["river"], 2)
    assert booking["ticket"]["seats"] == [] and booking["ticket"]["code"]
    assert "seats" not in booking["details"]


def test_appointments_get_no_ticket(client, world):
    booking = _book(client, world.slots["tongji-1"], 1)
    assert booking["ticket"] is None and booking["details"] == {}


def test_the_same_key_again_returns_the_same_seats(client, world):
    headers = key()
    body = {"slot_id": world.slots["jazz"], "quantity": 2, "details": {"note": "aisle"}}
    first = post(client, "/bookings", body, headers=headers)
    again = post(client, "/bookings", body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ticket"] == first.json()["ticket"]
    assert world.booked("jazz") == 2


def test_callers_cannot_choose_seats_or_codes(client, world):
    for reserved in ("seats", "ticket_code", "history"):
        response = post(client, "/bookings", {"slot_id": world.slots["jazz"], "quantity": 1,
                                              "details": {reserved: ["A1"]}})
        assert_error(response, 422, "invalid_request")


def test_more_tickets_than_seats_left_is_slot_full(client, world):
    response = post(client, "/bookings", {"slot_id": world.slots["kites-20"], "quantity": 3})
    assert_error(response, 409, "slot_full")
    assert world.booked("kites-20") == 0


def test_concurrent_bookings_for_one_showtime_get_disjoint_seats(world):
    slot_id = world.slots["deep-sea-19"]
    with world.sessions() as s:
        holder_id = s.query(Holder).filter_by(card_number=LI["card_number"]).one().id
    start = threading.Barrier(6)

    def book(_: int) -> list[str]:
        with world.sessions() as session:
            holder = session.get_one(Holder, holder_id)
            session.commit()  # every SQLite transaction holds the write lock: not across the wait
            start.wait()
            booking, _ = engine.create_booking(
                session, holder=holder, slot_id=slot_id, offering_code=None, quantity=4,
                details={}, idempotency_key=str(uuid.uuid4()), now=utcnow(),
            )
            return list(booking.details["seats"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(book, range(6)))
    seats = [seat for result in results for seat in result]
    assert all(len(result) == 4 for result in results)
    assert len(seats) == len(set(seats)) == 24
    assert world.booked("deep-sea-19") == 24


# -- showtimes ----------------------------------------------------------------


def _showtimes(client, **params):
    return client.get(SHOWTIMES, params=params, headers=SERVICE)


def test_two_tickets_for_a_film_tonight_at_a_cinema_in_one_call(client, world):
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    body = _showtimes(client, area="movies", provider="putuo-cinema", offering="deep-sea",
                      date=tomorrow, after="18:00", quantity=2).json()
    assert [s["slot_id"] for s in body["showtimes"]] == [world.slots["deep-sea-19"],
                                                         world.slots["deep-sea-21"]]
    first = body["showtimes"][0]
    assert first["offering"] == {"code": "deep-sea", "name": "Deep Sea Signal"}
    assert first["provider"]["name"] == "Putuo Cinema"
    assert first["starts_at"].startswith(f"{tomorrow}T19:00:00")
    assert body["alternatives"] == []


def test_showtimes_without_a_date_are_the_upcoming_ones(client, world):
    body = _showtimes(client, area="movies").json()
    assert {s["offering"]["code"] for s in body["showtimes"]} == {"deep-sea", "paper-kites"}
    starts = [s["starts_at"] for s in body["showtimes"]]
    assert starts == sorted(starts)
    events = _showtimes(client, area="events", offering="jazz-night").json()["showtimes"]
    assert [s["slot_id"] for s in events] == [world.slots["jazz"]]


def test_showtimes_filter_by_seats_left_and_time_window(client, world):
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    kites = _showtimes(client, area="movies", offering="paper-kites", date=tomorrow,
                       quantity=3).json()
    assert kites["showtimes"] == []
    window = _showtimes(client, area="movies", date=tomorrow, after="19:30",
                        before="20:30").json()
    assert [s["slot_id"] for s in window["showtimes"]] == [world.slots["kites-20"]]


def test_no_showtime_in_the_window_offers_the_next_ones(client, world):
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    body = _showtimes(client, area="movies", provider="putuo-cinema", offering="deep-sea",
                      date=tomorrow, before="12:00").json()
    assert body["showtimes"] == []
    assert [s["slot_id"] for s in body["alternatives"]] == [world.slots["deep-sea-19"],
                                                            world.slots["deep-sea-21"]]


def test_showtimes_refuse_bad_questions(client, world):
    yesterday = (today_local() - timedelta(days=1)).isoformat()
    assert_error(_showtimes(client, area="checkup"), 422, "invalid_area")
    assert_error(_showtimes(client, area="nope"), 404, "not_found")
    assert_error(_showtimes(client, area="movies", provider="tongji-hospital"), 404, "not_found")
    assert_error(_showtimes(client, area="movies", offering="jazz-night"), 404, "not_found")
    assert_error(_showtimes(client, area="movies", date=yesterday), 422, "date_in_past")
    assert_error(_showtimes(client, area="movies", after="25:00"), 422, "invalid_request")
    assert_error(_showtimes(client, area="movies", after="18:00"), 422, "invalid_request")
    assert_error(_showtimes(client, area="movies", quantity=0), 422, "invalid_request")
    assert_error(client.get(SHOWTIMES, params={"area": "movies"}), 401, "not_authenticated")
