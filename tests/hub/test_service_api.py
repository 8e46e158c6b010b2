"""The service API the action server uses: catalog, availability, bookings."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hub_support import LI, ZHANG, assert_error, login, today_local

from hub.bookings.references import ALPHABET
from hub.db import utcnow

CID = LI["conversation_id"]
BOOKINGS = f"/api/v1/service/conversations/{CID}/bookings"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _book(client, service, slot_id, *, key=None, quantity=1, offering=None, cid=CID):
    headers = {**service, **(key or _key())}
    body = {"slot_id": slot_id, "offering": offering, "quantity": quantity, "details": {}}
    return client.post(f"/api/v1/service/conversations/{cid}/bookings", json=body,
                       headers=headers)


def _availability(client, service, **params):
    query = {"area": "checkup", "provider": "tongji-hospital", **params}
    return client.get("/api/v1/service/availability", params=query, headers=service)


def test_catalog_lists_active_areas_by_number(client, service):
    areas = client.get("/api/v1/service/catalog", headers=service).json()["areas"]
    assert [a["code"] for a in areas] == ["checkup", "movies"]
    assert areas[0]["what_to_bring"] == ["ID card", "Talent Card"]


def test_catalog_area_lists_its_providers_and_their_offerings(client, service):
    area = client.get("/api/v1/service/catalog/checkup", headers=service).json()
    assert area["code"] == "checkup"
    codes = {p["code"]: p for p in area["providers"]}
    assert set(codes) == {"tongji-hospital", "putuo-central"}
    assert [o["code"] for o in codes["tongji-hospital"]["offerings"]] == ["comprehensive", "basic"]
    assert_error(client.get("/api/v1/service/catalog/nope", headers=service), 404, "not_found")


def test_availability_lists_open_slots_of_the_day(client, service, world):
    day = today_local() + timedelta(days=1)
    body = _availability(client, service, date=day.isoformat()).json()
    assert body["date"] == day.isoformat()
    assert body["provider"]["code"] == "tongji-hospital"
    assert [s["slot_id"] for s in body["slots"]] == [world.slots["tongji-1"],
                                                     world.slots["tongji-1b"]]
    slot = body["slots"][0]
    assert slot["starts_at"].startswith(f"{day.isoformat()}T08:00:00") and \
        slot["starts_at"].endswith("+08:00")
    assert slot["remaining"] == 5 and slot["provider"]["name"] == "Tongji Hospital"
    assert body["alternatives"] == []


def test_availability_with_an_offering_includes_area_wide_slots(client, service, world):
    day = today_local() + timedelta(days=1)
    world.add_slot("basic-only", provider="tongji-hospital", day=day, hour=15, offering="basic")
    world.add_slot("comp-only", provider="tongji-hospital", day=day, hour=16,
                   offering="comprehensive")
    body = _availability(client, service, date=day.isoformat(), offering="comprehensive").json()
    ids = [s["slot_id"] for s in body["slots"]]
    assert world.slots["comp-only"] in ids and world.slots["tongji-1"] in ids
    assert world.slots["basic-only"] not in ids


def test_availability_offers_alternatives_when_the_day_is_full(client, service, world):
    day = today_local() + timedelta(days=3)
    world.add_slot("full", provider="tongji-hospital", day=day, hour=8, capacity=2, booked=2)
    for n in (4, 5, 6, 7):
        world.add_slot(f"later-{n}", provider="tongji-hospital",
                       day=today_local() + timedelta(days=n), hour=8)
    world.add_slot("other", provider="putuo-central", day=day, hour=10)
    body = _availability(client, service, date=day.isoformat()).json()
    assert body["slots"] == []
    alternatives = body["alternatives"]
    assert [a["slot_id"] for a in alternatives] == [
        world.slots["later-4"], world.slots["later-5"], world.slots["later-6"],
        world.slots["other"],
    ]
    assert alternatives[-1]["provider"]["code"] == "putuo-central"


def test_availability_quantity_counts_remaining_places(client, service, world):
    day = today_local() + timedelta(days=1)
    body = _availability(client, service, date=day.isoformat(), quantity=6).json()
    assert body["slots"] == []


def test_availability_rejects_past_dates_and_unknown_things(client, service):
    yesterday = (today_local() - timedelta(days=1)).isoformat()
    assert_error(_availability(client, service, date=yesterday), 422, "date_in_past")
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    assert_error(_availability(client, service, date=tomorrow, provider="nowhere"),
                 404, "not_found")
    assert_error(_availability(client, service, date=tomorrow, provider="putuo-cinema"),
                 404, "not_found")
    assert_error(_availability(client, service, date=tomorrow, offering="nope"),
                 404, "not_found")
    assert_error(_availability(client, service, date="next friday"), 422, "invalid_request")


def test_profile_by_conversation(client, service):
    body = client.get(f"/api/v1/service/conversations/{CID}/profile", headers=service).json()
    assert body["name"] == "Dr. Li Wei"
    response = client.get("/api/v1/service/conversations/nobody/profile", headers=service)
    assert_error(response, 404, "unknown_conversation")


def test_create_booking(client, service, world):
    response = _book(client, service, world.slots["tongji-1"], offering="comprehensive")
    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["status"] == "confirmed"
    assert booking["reference"].startswith("TC-") and len(booking["reference"]) == 9
    assert set(booking["reference"][3:]) <= set(ALPHABET)
    assert booking["area"] == {"code": "checkup", "name": "Physical check-ups"}
    assert booking["provider"]["address"] == "389 Xincun Road, Putuo"
    assert booking["offering"]["code"] == "comprehensive"
    assert booking["starts_at"].endswith("+08:00")
    assert world.booked("tongji-1") == 1
    mine = client.get("/api/v1/me/bookings", headers=login(client, LI)).json()["bookings"]
    assert [b["reference"] for b in mine] == [booking["reference"]]


def test_same_idempotency_key_makes_one_booking(client, service, world):
    key = _key()
    first = _book(client, service, world.slots["tongji-1"], key=key)
    again = _book(client, service, world.slots["tongji-1"], key=key)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["reference"] == again.json()["reference"]
    assert world.booked("tongji-1") == 1
    listed = client.get(BOOKINGS, headers=service).json()["bookings"]
    assert len(listed) == 1


def test_same_key_with_a_different_body_is_a_conflict(client, service, world):
    key = _key()
    _book(client, service, world.slots["tongji-1"], key=key)
    assert_error(_book(client, service, world.slots["tongji-2"], key=key),
                 409, "idempotency_conflict")
    assert_error(_book(client, service, world.slots["tongji-1"], key=key, quantity=2),
                 409, "idempotency_conflict")


def test_booking_needs_an_idempotency_key(client, service, world):
    body = {"slot_id": world.slots["tongji-1"], "offering": None, "quantity": 1, "details": {}}
    response = client.post(BOOKINGS, json=body, headers=service)
    assert_error(response, 422, "invalid_request")
    assert world.booked("tongji-1") == 0


def test_a_full_slot_gets_409_with_alternatives(client, service, world):
    day = today_local() + timedelta(days=1)
    full = world.add_slot("full", provider="tongji-hospital", day=day, hour=10,
                          capacity=1, booked=1)
    body = assert_error(_book(client, service, full), 409, "slot_full")
    ids = [a["slot_id"] for a in body["alternatives"]]
    assert ids == [world.slots["tongji-1"], world.slots["tongji-1b"]]
    assert world.booked("full") == 1
    assert client.get(BOOKINGS, headers=service).json()["bookings"] == []


def test_quantity_beyond_remaining_is_full(client, service, world):
    assert_error(_book(client, service, world.slots["tongji-1"], quantity=6), 409, "slot_full")
    assert _book(client, service, world.slots["tongji-1"], quantity=5).status_code == 201
    assert world.booked("tongji-1") == 5


def test_booking_rules_past_slots_unknown_slots_and_wrong_offerings(client, service, world):
    past = world.add_slot("past", provider="tongji-hospital", day=today_local(), hour=0,
                          starts_at=utcnow() - timedelta(hours=1))
    assert_error(_book(client, service, past), 422, "slot_in_past")
    assert_error(_book(client, service, 99999), 404, "not_found")
    basic = world.add_slot("basic", provider="tongji-hospital",
                           day=today_local() + timedelta(days=2), hour=15, offering="basic")
    assert_error(_book(client, service, basic, offering="comprehensive"), 422,
                 "invalid_offering")
    # An offering of another provider is not this slot's either.
    assert_error(_book(client, service, world.slots["central-1"], offering="basic"), 422,
                 "invalid_offering")
    assert_error(_book(client, service, world.slots["tongji-1"], cid="nobody"), 404,
                 "unknown_conversation")


def test_cancel_frees_capacity_and_twice_is_a_no_op(client, service, world):
    reference = _book(client, service, world.slots["tongji-1"], quantity=2).json()["reference"]
    assert world.booked("tongji-1") == 2
    first = client.post(f"{BOOKINGS}/{reference}/cancel", headers=service)
    assert first.status_code == 200
    assert first.json()["status"] == "cancelled" and first.json()["cancelled_at"]
    assert world.booked("tongji-1") == 0
    second = client.post(f"{BOOKINGS}/{reference}/cancel", headers=service)
    assert second.status_code == 200 and second.json()["status"] == "cancelled"
    assert world.booked("tongji-1") == 0
    confirmed = client.get(BOOKINGS, params={"status": "confirmed"}, headers=service).json()
    assert confirmed["bookings"] == []


def test_get_booking_accepts_a_loosely_typed_reference(client, service, world):
    reference = _book(client, service, world.slots["tongji-1"]).json()["reference"]
    loose = reference.lower().replace("-", " ")
    response = client.get(f"{BOOKINGS}/{loose}", headers=service)
    assert response.status_code == 200 and response.json()["reference"] == reference


def test_another_holders_booking_is_invisible(client, service, world):
    reference = _book(client, service, world.slots["tongji-1"]).json()["reference"]
    other = f"/api/v1/service/conversations/{ZHANG['conversation_id']}/bookings"
    assert_error(client.get(f"{other}/{reference}", headers=service), 404, "not_found")
    assert_error(client.post(f"{other}/{reference}/cancel", headers=service), 404, "not_found")
    assert world.booked("tongji-1") == 1
    zhang = login(client, ZHANG)
    assert client.get("/api/v1/me/bookings", headers=zhang).json() == {"bookings": []}


def test_bookings_are_listed_newest_appointment_first(client, service, world):
    early = _book(client, service, world.slots["tongji-1"]).json()["reference"]
    late = _book(client, service, world.slots["tongji-2"]).json()["reference"]
    listed = client.get(BOOKINGS, headers=service).json()["bookings"]
    assert [b["reference"] for b in listed] == [late, early]
