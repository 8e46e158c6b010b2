"""Records: bookings, applications and service requests of a holder in one
list, found and cancelled by any reference."""

from __future__ import annotations

import pytest
from catalog_support import born_aged, build_issue3_world, get, post
from hub_support import LI, ZHANG, assert_error, login


@pytest.fixture(autouse=True)
def _more_world(world):
    build_issue3_world(world)


@pytest.fixture
def three(client, world):
    """One of each kind for Li."""
    booking = post(client, "/bookings", {"slot_id": world.slots["deep-sea-19"],
                                         "quantity": 2}).json()
    child = post(client, "/children", {"name": "Li Xiaohua",
                                       "birth_date": born_aged(6).isoformat()}).json()
    application = post(client, "/applications", {"school": "caoyang-primary",
                                                 "grade": "primary-1",
                                                 "child_id": child["id"]}).json()
    request = post(client, "/service-requests", {"area": "training", "answers": {
        "topic": "leadership", "format": "online"}}).json()
    return {"booking": booking, "application": application, "request": request}


def test_records_list_every_kind_with_a_title(client, three):
    records = get(client, "/records").json()["records"]
    by_ref = {r["reference"]: r for r in records}
    booking = by_ref[three["booking"]["reference"]]
    assert booking["kind"] == "booking" and booking["live"] is True
    assert booking["title"] == "Movie tickets: Deep Sea Signal at Putuo Cinema"
    assert booking["when"] == three["booking"]["starts_at"]
    application = by_ref[three["application"]["reference"]]
    assert application["kind"] == "application"
    assert application["title"] == ("Children's school enrollment: Li Xiaohua, "
                                    "Primary year 1 at Caoyang No. 6 Primary School")
    assert application["provider"]["code"] == "caoyang-primary"
    request = by_ref[three["request"]["reference"]]
    assert request["kind"] == "service_request" and request["title"] == "Professional training"
    assert request["provider"] is None and request["status"] == "submitted"


def test_live_filter_and_order(client, three):
    post(client, f"/records/{three['request']['reference']}/cancel", {})
    records = get(client, "/records").json()["records"]
    assert [r["live"] for r in records] == [True, True, False]
    live = get(client, "/records", status="live").json()["records"]
    assert {r["reference"] for r in live} == {three["booking"]["reference"],
                                              three["application"]["reference"]}
    assert_error(get(client, "/records", status="everything"), 422, "invalid_request")


def test_any_reference_finds_its_record_even_typed_loosely(client, three):
    for item in three.values():
        reference = item["reference"]
        body = get(client, f"/records/{reference.lower().replace('-', ' ')}").json()
        assert body["reference"] == reference and body["title"]
        bare = get(client, f"/records/{reference[3:]}").json()
        assert bare["reference"] == reference
    booking = get(client, f"/records/{three['booking']['reference']}").json()
    assert booking["kind"] == "booking" and booking["ticket"]["seats"] == ["A1", "A2"]
    assert_error(get(client, "/records/TC-ZZZZZZ"), 404, "not_found")
    assert_error(get(client, "/records/hello"), 404, "not_found")


def test_cancel_works_for_every_kind_and_twice_is_a_no_op(client, world, three):
    assert world.booked("deep-sea-19") == 2
    expected = {"booking": "cancelled", "application": "withdrawn", "request": "withdrawn"}
    for kind, item in three.items():
        done = post(client, f"/records/{item['reference']}/cancel", {})
        assert done.status_code == 200, done.text
        assert done.json()["status"] == expected[kind] and done.json()["live"] is False
        again = post(client, f"/records/{item['reference']}/cancel", {})
        assert again.json()["status"] == expected[kind]
    assert world.booked("deep-sea-19") == 0


def test_another_holder_sees_nothing_and_cancels_nothing(client, world, three):
    zhang = ZHANG["conversation_id"]
    assert get(client, "/records", cid=zhang).json()["records"] == []
    for item in three.values():
        assert_error(get(client, f"/records/{item['reference']}", cid=zhang), 404, "not_found")
        assert_error(post(client, f"/records/{item['reference']}/cancel", {}, cid=zhang),
                     404, "not_found")
    assert world.booked("deep-sea-19") == 2
    assert all(r["live"] for r in get(client, "/records").json()["records"])


def test_the_holder_reads_their_records(client, three):
    headers = login(client, LI)
    mine = client.get("/api/v1/me/records", headers=headers).json()["records"]
    assert len(mine) == 3
    one = client.get(f"/api/v1/me/records/{three['request']['reference']}", headers=headers)
    assert one.json()["answers"] == {"topic": "leadership", "format": "online"}
    requests = client.get("/api/v1/me/service-requests", headers=headers).json()
    assert len(requests["service_requests"]) == 1
    zhang = login(client, ZHANG)
    assert_error(client.get(f"/api/v1/me/records/{three['request']['reference']}",
                            headers=zhang), 404, "not_found")
    assert_error(client.get("/api/v1/me/records"), 401, "not_authenticated")
