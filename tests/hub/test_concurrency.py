"""Twenty holders' requests race for a slot of five places over real HTTP."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
import uvicorn
from hub_support import LI, SERVICE_TOKEN, FakeAssistant, today_local

from hub.app import create_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_hub(settings, sessions, world):
    """A real uvicorn server on a free port, in a thread of this process."""
    app = create_app(settings, session_factory=sessions, assistant=FakeAssistant())
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the hub did not start"
        assert thread.is_alive(), "the hub crashed on start-up"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_twenty_concurrent_bookings_for_five_places(live_hub, world):
    slot_id = world.add_slot("rush", provider="tongji-hospital",
                             day=today_local() + timedelta(days=2), hour=8, capacity=5)
    url = f"{live_hub}/api/v1/service/conversations/{LI['conversation_id']}/bookings"
    start = threading.Barrier(20)

    def book(_: int) -> tuple[int, str]:
        headers = {"Authorization": f"Bearer {SERVICE_TOKEN}",
                   "Idempotency-Key": str(uuid.uuid4())}
        with httpx.Client(timeout=60) as http:
            start.wait()
            response = http.post(url, json={"slot_id": slot_id, "quantity": 1},
                                 headers=headers)
        return response.status_code, response.json().get("code", "")

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(book, range(20)))

    assert Counter(results) == {(201, ""): 5, (409, "slot_full"): 15}
    assert world.booked("rush") == 5
    with httpx.Client(timeout=10) as http:
        listed = http.get(url, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}).json()
    assert len(listed["bookings"]) == 5
    assert len({b["reference"] for b in listed["bookings"]}) == 5


def test_the_same_request_sent_twice_at_once_makes_one_booking(live_hub, world):
    slot_id = world.slots["tongji-1"]
    url = f"{live_hub}/api/v1/service/conversations/{LI['conversation_id']}/bookings"
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": "retry-1"}
    start = threading.Barrier(8)

    def book(_: int) -> tuple[int, str]:
        with httpx.Client(timeout=60) as http:
            start.wait()
            response = http.post(url, json={"slot_id": slot_id}, headers=headers)
        return response.status_code, response.json()["reference"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(book, range(8)))

    assert sorted(status for status, _ in results) == [200] * 7 + [201]
    assert len({reference for _, reference in results}) == 1
    assert world.booked("tongji-1") == 1
