"""Staff login and what each kind of token may open."""

from __future__ import annotations

import io

import jwt
from hub_support import LI, assert_error, login

from hub.auth.secrets import verify_secret
from hub.db import session_scope
from hub.holders.models import Steward
from hub.stewards.cli import apply_demo_staff_password, staff_password_command

from .conftest import PASSWORD, staff_login


def test_login_gives_a_staff_token(client, staff, settings):
    response = client.post("/api/v1/staff/login", json={"username": "wang", "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["staff"] == {"id": staff.ids["wang"], "username": "wang", "name": "Wang Fang",
                             "role": "steward"}
    assert body["expires_at"].endswith("+08:00")
    claims = jwt.decode(body["access_token"], settings.secret_key, algorithms=["HS256"])
    assert claims["typ"] == "staff" and claims["role"] == "steward"


def test_wrong_password_and_unknown_user_look_the_same(client, staff):
    wrong = client.post("/api/v1/staff/login", json={"username": "wang", "password": "nope"})
    unknown = client.post("/api/v1/staff/login", json={"username": "nobody", "password": "nope"})
    assert_error(wrong, 401, "invalid_credentials")
    assert_error(unknown, 401, "invalid_credentials")
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_staff_without_a_password_cannot_log_in(client, staff, world):
    with session_scope(world.sessions) as s:
        s.get_one(Steward, staff.ids["zhao"]).password_hash = ""
    response = client.post("/api/v1/staff/login", json={"username": "zhao", "password": ""})
    assert_error(response, 422, "invalid_request")
    response = client.post("/api/v1/staff/login", json={"username": "zhao", "password": "x"})
    assert_error(response, 401, "invalid_credentials")


def test_five_wrong_passwords_lock_the_account(client, staff, clock):
    from datetime import timedelta

    for _ in range(5):
        client.post("/api/v1/staff/login", json={"username": "wang", "password": "guess"})
    locked = client.post("/api/v1/staff/login", json={"username": "wang", "password": PASSWORD})
    assert_error(locked, 423, "account_locked")
    clock.advance(timedelta(minutes=16))
    staff_login(client, "wang")


def test_a_good_login_resets_the_failure_count(client, staff):
    for _ in range(4):
        client.post("/api/v1/staff/login", json={"username": "wang", "password": "guess"})
    staff_login(client, "wang")
    for _ in range(4):
        client.post("/api/v1/staff/login", json={"username": "wang", "password": "guess"})
    staff_login(client, "wang")


def test_no_token_is_401(client, staff):
    assert_error(client.get("/api/v1/staff/escalations"), 401, "not_authenticated")


def test_holder_token_opens_nothing_in_the_staff_api(client, staff):
    holder = login(client, LI)
    for method, path in [
        ("GET", "/api/v1/staff/me"),
        ("GET", "/api/v1/staff/escalations"),
        ("GET", "/api/v1/staff/escalations/1"),
        ("POST", "/api/v1/staff/escalations/1/claim"),
        ("GET", "/api/v1/staff/stewards"),
        ("GET", "/api/v1/staff/stream"),
    ]:
        assert_error(client.request(method, path, headers=holder), 403, "forbidden")


def test_service_token_is_not_a_staff_token(client, staff, service):
    assert_error(client.get("/api/v1/staff/escalations", headers=service), 401,
                 "not_authenticated")


def test_staff_token_opens_nothing_in_the_holder_api(client, wang):
    for path in ("/api/v1/me", "/api/v1/me/bookings", "/api/v1/chat/messages"):
        response = client.get(path, headers=wang)
        assert response.status_code in (401, 403), (path, response.text)


def test_deactivated_staff_token_stops_working(client, wang, staff, world):
    with session_scope(world.sessions) as s:
        s.get_one(Steward, staff.ids["wang"]).active = False
    assert_error(client.get("/api/v1/staff/me", headers=wang), 401, "not_authenticated")


def test_forged_token_is_refused(client, staff):
    forged = jwt.encode({"sub": str(staff.ids["chen"]), "typ": "staff", "exp": 4102444800},
                        "another-key-entirely-but-long-enough", algorithm="HS256")
    response = client.get("/api/v1/staff/me", headers={"Authorization": f"Bearer {forged}"})
    assert_error(response, 401, "not_authenticated")


# -- passwords come from the environment, never from the repository -----------


def test_staff_password_command_reads_the_environment(client, staff, world):
    code = staff_password_command(
        ["zhao"], session_factory=world.sessions,
        env={"TCC_STAFF_PASSWORD": "a brand new secret"}, stderr=io.StringIO(),
    )
    assert code == 0
    staff_login(client, "zhao", "a brand new secret")


def test_staff_password_command_reads_stdin(client, staff, world):
    code = staff_password_command(
        ["zhao"], session_factory=world.sessions, env={},
        stdin=io.StringIO("from standard input\n"), stderr=io.StringIO(),
    )
    assert code == 0
    staff_login(client, "zhao", "from standard input")


def test_staff_password_command_refuses_bad_input(staff, world):
    err = io.StringIO()
    assert staff_password_command(["zhao"], session_factory=world.sessions,
                                  env={"TCC_STAFF_PASSWORD": "short"}, stderr=err) == 1
    assert staff_password_command(["nobody"], session_factory=world.sessions,
                                  env={"TCC_STAFF_PASSWORD": "long enough secret"},
                                  stderr=err) == 1
    assert staff_password_command([], session_factory=world.sessions, env={}, stderr=err) == 2


def test_demo_password_only_fills_empty_passwords(staff, world):
    with session_scope(world.sessions) as s:
        s.get_one(Steward, staff.ids["zhao"]).password_hash = ""
    with session_scope(world.sessions) as s:
        assert apply_demo_staff_password(s, env={}) == []
        changed = apply_demo_staff_password(s, env={"TCC_DEMO_STAFF_PASSWORD": "demo-pass-1234"})
    assert changed == ["zhao"]
    with world.sessions() as s:
        assert verify_secret("demo-pass-1234", s.get_one(Steward, staff.ids["zhao"]).password_hash)
        assert verify_secret(PASSWORD, s.get_one(Steward, staff.ids["wang"]).password_hash)
