"""Login, lockout, and who may call what."""

from __future__ import annotations

from datetime import timedelta

import jwt
from hub_support import LI, ZHANG, assert_error, login

from hub.db import utcnow


def _login(client, card, pin):
    return client.post("/api/v1/auth/login", json={"card_number": card, "pin": pin})


def test_login_returns_a_holder_token_and_profile(client):
    response = _login(client, LI["card_number"], LI["pin"])
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_at"].endswith("+08:00")
    assert body["holder"]["name"] == "Dr. Li Wei"
    assert body["holder"]["golden"] is True
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["typ"] == "holder" and "exp" in claims


def test_card_number_ignores_case_spaces_and_dashes(client):
    assert _login(client, " pt2026-0007 ", LI["pin"]).status_code == 200


def test_wrong_pin_and_unknown_card_get_the_same_answer(client):
    wrong = assert_error(_login(client, LI["card_number"], "000000"), 401, "invalid_credentials")
    unknown = assert_error(_login(client, "PT99999999", "000000"), 401, "invalid_credentials")
    assert wrong["detail"] == unknown["detail"]


def test_five_wrong_pins_lock_the_card_for_fifteen_minutes(client, clock):
    for _ in range(4):
        assert_error(_login(client, LI["card_number"], "000000"), 401, "invalid_credentials")
    locked = assert_error(_login(client, LI["card_number"], "000000"), 423, "card_locked")
    assert locked["locked_until"].endswith("+08:00")
    # Even the right PIN is refused while locked.
    assert_error(_login(client, LI["card_number"], LI["pin"]), 423, "card_locked")
    # Another card is not affected.
    assert _login(client, ZHANG["card_number"], ZHANG["pin"]).status_code == 200

    clock.advance(timedelta(minutes=14))
    assert_error(_login(client, LI["card_number"], LI["pin"]), 423, "card_locked")
    clock.advance(timedelta(minutes=2))
    assert _login(client, LI["card_number"], LI["pin"]).status_code == 200


def test_a_right_pin_resets_the_failure_count(client):
    for _ in range(4):
        _login(client, LI["card_number"], "000000")
    assert _login(client, LI["card_number"], LI["pin"]).status_code == 200
    for _ in range(4):
        assert_error(_login(client, LI["card_number"], "000000"), 401, "invalid_credentials")


def test_after_a_lock_expires_the_holder_gets_five_fresh_tries(client, clock):
    for _ in range(5):
        _login(client, LI["card_number"], "000000")
    clock.advance(timedelta(minutes=16))
    for _ in range(4):
        assert_error(_login(client, LI["card_number"], "000000"), 401, "invalid_credentials")
    assert_error(_login(client, LI["card_number"], "000000"), 423, "card_locked")


def test_me_needs_a_holder_token(client):
    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/me/bookings"), 401, "not_authenticated")


def test_me_returns_the_profile(client):
    headers = login(client, LI)
    profile = client.get("/api/v1/me", headers=headers).json()
    assert profile["card_number"] == "PT20260007"
    assert profile["steward"]["name"] == "Wang Fang"
    assert profile["children"][0]["birth_date"] == "2019-05-04"
    assert client.get("/api/v1/me/bookings", headers=headers).json() == {"bookings": []}


def test_wrong_garbage_and_expired_tokens_get_401(client, settings):
    for token in ["garbage", "a.b.c", jwt.encode({"sub": "1", "typ": "holder"}, "other-key")]:
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "not_authenticated")
    expired = jwt.encode(
        {"sub": "1", "typ": "holder", "exp": utcnow() - timedelta(minutes=1)},
        settings.secret_key, algorithm="HS256",
    )
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert_error(response, 401, "not_authenticated")
    response = client.get("/api/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_error(response, 401, "not_authenticated")


def test_a_token_for_a_vanished_holder_gets_401(client, settings):
    token = jwt.encode(
        {"sub": "999", "typ": "holder", "exp": utcnow() + timedelta(hours=1)},
        settings.secret_key, algorithm="HS256",
    )
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "not_authenticated")


def test_service_api_refuses_holder_tokens_and_missing_tokens(client, service):
    holder = login(client, LI)
    assert_error(client.get("/api/v1/service/catalog", headers=holder), 403, "forbidden")
    assert_error(client.get("/api/v1/service/catalog"), 401, "not_authenticated")
    wrong = {"Authorization": "Bearer not-the-service-token"}
    assert_error(client.get("/api/v1/service/catalog", headers=wrong), 401, "not_authenticated")
    assert client.get("/api/v1/service/catalog", headers=service).status_code == 200


def test_service_token_is_not_a_holder_token(client, service):
    assert_error(client.get("/api/v1/me", headers=service), 401, "not_authenticated")


def test_a_signed_token_with_an_absurd_subject_gets_401(client, settings):
    for sub in ["99999999999999999999999", "-1", "li"]:
        token = jwt.encode(
            {"sub": sub, "typ": "holder", "exp": utcnow() + timedelta(hours=1)},
            settings.secret_key, algorithm="HS256",
        )
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "not_authenticated")
