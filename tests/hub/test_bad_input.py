"""Bad input gets a clear 4xx in the one error shape, never a 500."""

from __future__ import annotations

import pytest
from hub_support import LI, assert_error

LOGIN = "/api/v1/auth/login"
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{", 400, "invalid_json"),
        (b"card_number=PT20260007", 400, "invalid_json"),
        (b"\xff\xfe\xfd", 400, "invalid_json"),
        (b"{}", 422, "invalid_request"),
        (b'{"card_number": "PT20260007"}', 422, "invalid_request"),
        (b'{"card_number": null, "pin": "1"}', 422, "invalid_request"),
        (b'{"card_number": "", "pin": ""}', 422, "invalid_request"),
        (b"[]", 422, "invalid_request"),
        (b'"just a string"', 422, "invalid_request"),
        (b'{"card_number": "' + b"9" * 100_000 + b'", "pin": "1"}', 422, "invalid_request"),
        (b'{"card_number": "PT00000000", "pin": "1234"}', 401, "invalid_credentials"),
    ],
)
def test_login_bad_input(client, body, status, code):
    assert_error(client.post(LOGIN, content=body, headers=JSON), status, code)


def test_validation_errors_name_the_missing_field_without_echoing_input(client):
    body = assert_error(client.post(LOGIN, json={"card_number": "PT20260007"}),
                        422, "invalid_request")
    assert "pin" in body["detail"]
    assert body["errors"][0]["loc"] == ["body", "pin"]
    assert all("input" not in err for err in body["errors"])


def test_a_body_that_is_not_declared_json_is_still_an_invalid_request(client):
    response = client.post(LOGIN, content=b'{"card_number": "x", "pin": "1"}',
                           headers={"Content-Type": "text/plain"})
    assert response.status_code in (400, 415, 422)
    assert response.json()["code"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{oops", 400, "invalid_json"),
        (b"{}", 422, "invalid_request"),
        (b'{"slot_id": "first"}', 422, "invalid_request"),
        (b'{"slot_id": 1, "quantity": 0}', 422, "invalid_request"),
        (b'{"slot_id": 1, "quantity": 1000}', 422, "invalid_request"),
        (b'{"slot_id": 1, "details": "text"}', 422, "invalid_request"),
        (b'{"slot_id": 1, "details": {"note": "' + b"n" * 5000 + b'"}}', 422,
         "invalid_request"),
        (b'{"slot_id": 99999999999999999999999}', 422, "invalid_request"),
    ],
)
def test_booking_bad_input(client, service, body, status, code):
    headers = {**service, **JSON, "Idempotency-Key": "k-1"}
    url = f"/api/v1/service/conversations/{LI['conversation_id']}/bookings"
    assert_error(client.post(url, content=body, headers=headers), status, code)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"area": "checkup", "provider": "tongji-hospital", "date": "2026-02-30"},
        {"area": "checkup", "provider": "tongji-hospital", "date": "tomorrow"},
        {"area": "checkup", "provider": "tongji-hospital", "date": "2099-01-01",
         "quantity": "-1"},
    ],
)
def test_availability_bad_input(client, service, query):
    response = client.get("/api/v1/service/availability", params=query, headers=service)
    assert_error(response, 422, "invalid_request")


def test_chat_history_bad_after(client, li_headers):
    response = client.get("/api/v1/chat/messages", params={"after": "x"}, headers=li_headers)
    assert_error(response, 422, "invalid_request")
    for after in (-1, 10**30):
        response = client.get("/api/v1/chat/messages", params={"after": after},
                              headers=li_headers)
        assert_error(response, 422, "invalid_request")


def test_unknown_routes_and_methods_use_the_error_shape(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.get(LOGIN), 405, "method_not_allowed")
