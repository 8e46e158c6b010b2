"""Real HTTP against a real uvicorn server: racing bookings, and the hub
serving the action server while a chat request waits for Rasa."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from hub_support import LI, SERVICE_TOKEN, FakeAssistant, today_local

from hub.app import create_app

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[str]:
    """The app on a real uvicorn server, in a thread of this process."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the hub did not start"
        assert thread.is_alive(), "the hub crashed on start-up"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_hub(settings, sessions, world) -> Iterator[str]:
    app = create_app(settings, session_factory=sessions, assistant=FakeAssistant())
    with serving(app, _free_port()) as url:
        yield url


def test_twenty_concurrent_bookings_for_five_places(live_hub, world):
    slot_id = world.add_slot("rush", provider="tongji-hospital",
                             day=today_local() + timedelta(days=2), hour=8, capacity=5)
    url = f"{live_hub}/api/v1/service/conversations/{LI['conversation_id']}/bookings"
    start = threading.Barrier(20)

    def book(_: int) -> tuple[int, str]:
        headers = {**SERVICE, "Idempotency-Key": str(uuid.uuid4())}
        with httpx.Client(timeout=60) as http:
            start.wait()
            response = http.post(url, json={"slot_id": slot_id, "quantity": 1},
                                 headers=headers)
        return response.status_code, response.json().get("code", "")

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(book, range(20)))

    assert Counter(results) == {(201, ""): 5, (409, "slot_full"): 15}
    assert world.booked("rush") == 5
    listed = httpx.get(url, headers=SERVICE, timeout=10).json()["bookings"]
    assert len(listed) == 5
    assert len({b["reference"] for b in listed}) == 5


def test_the_same_request_sent_at_once_makes_one_booking(live_hub, world):
    url = f"{live_hub}/api/v1/service/conversations/{LI['conversation_id']}/bookings"
    headers = {**SERVICE, "Idempotency-Key": "retry-1"}
    start = threading.Barrier(8)

    def book(_: int) -> tuple[int, str]:
        with httpx.Client(timeout=60) as http:
            start.wait()
            response = http.post(url, json={"slot_id": world.slots["tongji-1"]},
                                 headers=headers)
        return response.status_code, response.json()["reference"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(book, range(8)))

    assert sorted(status for status, _ in results) == [200] * 7 + [201]
    assert len({reference for _, reference in results}) == 1
    assert world.booked("tongji-1") == 1


class BookingAssistant:
    """Does what Rasa's action server does while the hub waits for Rasa: calls
    back into the hub's service API and books, then replies."""

    def __init__(self, *, hub_url: str, slot_id: int) -> None:
        self.hub_url = hub_url
        self.slot_id = slot_id

    async def send_message(self, sender: str, text: str) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.post(
                f"{self.hub_url}/api/v1/service/conversations/{sender}/bookings",
                json={"slot_id": self.slot_id},
                headers={**SERVICE, "Idempotency-Key": str(uuid.uuid4())},
            )
        return [{"text": f"Booked: {response.json()['reference']}"}]


def test_the_hub_serves_the_action_server_while_it_waits_for_rasa(settings, sessions, world):
    """The deadlock the architecture warns about: the chat request is still
    open (holding no database lock) while its actions book through the hub."""
    port = _free_port()
    assistant = BookingAssistant(hub_url=f"http://127.0.0.1:{port}",
                                 slot_id=world.slots["tongji-1"])
    app = create_app(settings, session_factory=sessions, assistant=assistant)
    with serving(app, port) as url, httpx.Client(base_url=url, timeout=20) as http:
        token = http.post("/api/v1/auth/login", json={
            "card_number": LI["card_number"], "pin": LI["pin"]}).json()["access_token"]
        started = time.monotonic()
        response = http.post("/api/v1/chat/messages", json={"text": "book it"},
                             headers={"Authorization": f"Bearer {token}"})
        elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.json()["messages"][0]["text"].startswith("Booked: TC-")
    # Far below SQLite's 30 s busy timeout: nothing waited on a lock.
    assert elapsed < 5
    assert world.booked("tongji-1") == 1
