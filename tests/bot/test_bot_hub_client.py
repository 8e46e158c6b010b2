"""The hub client: errors mapped to the four exceptions, a timeout on every
call, and retries only where repeating is safe (checked against a real local
HTTP server, since `responses` replaces the retrying transport)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
import requests
import responses

from bot.actions.config import BotSettings, ConfigError
from bot.actions.hub_client import (
    HubUnavailable,
    NotFound,
    Rejected,
    SlotFull,
    build_hub_client,
    get_hub_client,
    hub,
)

HUB = "http://hub.test"
SETTINGS = BotSettings(hub_url=HUB, service_token="svc", read_timeout_seconds=4.0, retries=2)
AVAILABILITY = f"{HUB}/api/v1/service/availability"
BOOKINGS = f"{HUB}/api/v1/service/conversations/c1/bookings"


def book(client):
    return client.create_booking(conversation_id="c1", slot_id=5, offering="basic", idempotency_key="k-1")


@responses.activate
def test_every_call_carries_the_token_and_a_connect_read_timeout() -> None:
    responses.get(AVAILABILITY, json={"slots": [], "alternatives": []})
    client = build_hub_client(SETTINGS)

    client.availability(area="checkup", provider="tongji-hospital", date="2026-12-04")

    call = responses.calls[0]
    assert call.request.headers["Authorization"] == "Bearer svc"
    assert call.request.req_kwargs["timeout"] == (3.05, 4.0)


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (409, {"detail": "full", "code": "slot_full", "alternatives": [{"slot_id": 9}]}, SlotFull),
        (409, {"detail": "other body", "code": "idempotency_conflict"}, Rejected),
        (404, {"detail": "no such holder", "code": "unknown_conversation"}, NotFound),
        (422, {"detail": "too late", "code": "slot_in_past"}, Rejected),
        (401, {"detail": "bad token", "code": "not_authenticated"}, HubUnavailable),
        (403, {"detail": "wrong kind", "code": "forbidden"}, HubUnavailable),
        (500, {"detail": "boom", "code": "internal"}, HubUnavailable),
    ],
)
@responses.activate
def test_http_errors_map_to_the_four_exceptions(status, body, error) -> None:
    responses.post(BOOKINGS, status=status, json=body)

    with pytest.raises(error) as raised:
        book(build_hub_client(SETTINGS.__class__(hub_url=HUB, service_token="svc", retries=0)))

    if error is SlotFull:
        assert raised.value.alternatives == [{"slot_id": 9}]
    if error in (Rejected, NotFound):
        assert raised.value.code == body["code"]


@pytest.mark.parametrize(
    "failure", [requests.ConnectTimeout("slow"), requests.ReadTimeout("slow"), requests.ConnectionError("no")]
)
@responses.activate
def test_transport_failures_are_hub_unavailable(failure) -> None:
    responses.get(AVAILABILITY, body=failure)

    with pytest.raises(HubUnavailable):
        build_hub_client(SETTINGS).availability(area="checkup", provider="x", date="2026-12-04")


@responses.activate
def test_a_non_json_answer_is_hub_unavailable() -> None:
    responses.get(AVAILABILITY, body="<html>proxy error</html>", status=200)

    with pytest.raises(HubUnavailable):
        build_hub_client(SETTINGS).availability(area="checkup", provider="x", date="2026-12-04")


def test_missing_service_token_reads_as_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TCC_SERVICE_TOKEN", raising=False)
    get_hub_client.cache_clear()
    try:
        with pytest.raises(HubUnavailable):
            hub()
    finally:
        get_hub_client.cache_clear()


def test_settings_from_the_environment() -> None:
    settings = BotSettings.from_env(
        {"TCC_SERVICE_TOKEN": "t", "TCC_HUB_URL": "http://127.0.0.1:8001/", "TCC_HUB_TIMEOUT_SECONDS": "7"}
    )
    assert settings.hub_url == "http://127.0.0.1:8001"
    assert settings.timeout == (3.05, 7.0)
    assert BotSettings.from_env({"TCC_SERVICE_TOKEN": "t"}).timeout == (3.05, 5.0)
    with pytest.raises(ConfigError):
        BotSettings.from_env({"TCC_SERVICE_TOKEN": "t", "TCC_HUB_TIMEOUT_SECONDS": "soon"})


# -- retries, against a real server ----------------------------------------------


class FlakyHub(BaseHTTPRequestHandler):
    """Answers 503 to the first request on each path, then 200/201."""

    seen: ClassVar[list[tuple[str, str, str | None]]] = []

    def _answer(self) -> None:
        method, path = self.command, self.path.split("?")[0]
        FlakyHub.seen.append((method, path, self.headers.get("Idempotency-Key")))
        if self.headers.get("Content-Length"):
            self.rfile.read(int(self.headers["Content-Length"]))
        first = sum(1 for m, p, _ in FlakyHub.seen if (m, p) == (method, path)) == 1
        status = 503 if first else (201 if method == "POST" else 200)
        body = json.dumps({"detail": "busy", "code": "unavailable"} if first else {"reference": "TC-AAAAAA"})
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@pytest.fixture
def flaky_hub() -> Iterator[str]:
    FlakyHub.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_gets_and_keyed_posts_are_retried_with_the_same_key(flaky_hub: str) -> None:
    client = build_hub_client(BotSettings(hub_url=flaky_hub, service_token="svc", retries=2))

    assert book(client)["reference"] == "TC-AAAAAA"
    assert client.booking(conversation_id="c1", reference="TC-AAAAAA")["reference"] == "TC-AAAAAA"

    posts = [key for method, _, key in FlakyHub.seen if method == "POST"]
    assert posts == ["k-1", "k-1"]  # repeated, and with the same key
    assert [m for m, _, _ in FlakyHub.seen].count("GET") == 2


def test_an_unkeyed_post_is_sent_once(flaky_hub: str) -> None:
    client = build_hub_client(BotSettings(hub_url=flaky_hub, service_token="svc", retries=2))

    with pytest.raises(HubUnavailable):
        client.cancel_booking(conversation_id="c1", reference="TC-AAAAAA")

    assert len(FlakyHub.seen) == 1


def test_retry_policy_per_session() -> None:
    client = build_hub_client(SETTINGS)
    repeatable = client._repeatable.get_adapter(HUB).max_retries
    once = client._once.get_adapter(HUB).max_retries

    assert (repeatable.connect, repeatable.read, repeatable.status) == (2, 1, 2)
    assert set(repeatable.status_forcelist) == {502, 503, 504}
    assert once.total == 0
