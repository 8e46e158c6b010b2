"""Reminders survive the hub process: the real hub (`python -m hub serve`) on a
free port and a real SQLite file, stopped and started again; Rasa is a small
HTTP stand-in here so the test can count what the hub asked it to say and take
it down at will (the real bot is exercised in tests/e2e)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from hub.bookings.models import Booking, InventorySlot
from hub.catalog.models import Provider
from hub.db import make_engine, make_session_factory, session_scope
from hub.holders.models import Holder
from scripts.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVICE_TOKEN = "svc-" + uuid.uuid4().hex


class FakeRasa:
    """Answers trigger_intent like Rasa does, or 503 while `down`."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.down = False
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                entities = body.get("entities", {})
                fake.calls.append({"path": self.path, **entities})
                reply = json.dumps({"messages": [{
                    "recipient_id": self.path.split("/")[2],
                    "text": f"Reminder for {entities.get('booking_reference')}",
                }]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def references(self) -> list[str]:
        return [c["booking_reference"] for c in self.calls]


class Hub:
    def __init__(self, tmp: Path, rasa_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_url = f"sqlite:///{tmp / 'hub.db'}"
        self.log = tmp / "hub.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TCC_")},
            "TCC_DATABASE_URL": self.db_url,
            "TCC_SECRET_KEY": uuid.uuid4().hex * 2,
            "TCC_SERVICE_TOKEN": SERVICE_TOKEN,
            "TCC_RASA_URL": rasa_url,
            "TCC_RASA_TOKEN": "rasa-token",
            # No quiet hours (start == end), whatever the hour the test runs at.
            "TCC_QUIET_HOURS_START": "00:00",
            "TCC_QUIET_HOURS_END": "00:00",
            "TCC_REMINDER_RETRY_DELAYS": "1,1,1,1,1,1,1,1",
            "TCC_INVENTORY_DAYS_AHEAD": "3",
        }
        self.proc: subprocess.Popen | None = None

    def admin(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "hub", *args], cwd=ROOT, env=self.env,
                       check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hub", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            time.sleep(0.2)
        raise AssertionError("hub did not become healthy:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def service(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {SERVICE_TOKEN}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.url}/api/v1/service{path}", headers=headers,
                                timeout=30, **kwargs)


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    rasa = FakeRasa()
    yield rasa
    rasa.server.shutdown()


@pytest.fixture
def hub(tmp_path, fake_rasa) -> Iterator[Hub]:
    running = Hub(tmp_path, fake_rasa.url)
    running.admin("migrate")
    running.admin("seed")
    yield running
    running.stop()


def _slot_soon(hub: Hub, seconds_after_ten_minutes: float) -> tuple[int, list[str]]:
    """A check-up slot starting just over ten minutes from now (the earliest an
    extra reminder may be), so a "10 minutes before" reminder is due in a few
    seconds; and the conversation ids of the seeded holders."""
    engine = make_engine(hub.db_url)
    try:
        with session_scope(make_session_factory(engine)) as s:
            provider = s.scalars(select(Provider).where(Provider.code == "tongji-hospital")).one()
            start = datetime.now(timezone.utc) + timedelta(minutes=10, seconds=seconds_after_ten_minutes)
            slot = InventorySlot(provider_id=provider.id, area_code="checkup", starts_at=start,
                                 ends_at=start + timedelta(hours=1), capacity=5)
            s.add(slot)
            s.flush()
            cids = list(s.scalars(select(Holder.conversation_id).order_by(Holder.serial)))
            return slot.id, cids
    finally:
        engine.dispose()


def _book_with_extra_reminder(hub: Hub, cid: str, slot_id: int) -> str:
    made = hub.service("POST", f"/conversations/{cid}/bookings",
                       json={"slot_id": slot_id, "quantity": 1},
                       headers={"Idempotency-Key": uuid.uuid4().hex})
    assert made.status_code == 201, made.text
    ref = made.json()["reference"]
    extra = hub.service("POST", f"/conversations/{cid}/bookings/{ref}/reminders",
                        json={"minutes_before": 10})
    assert extra.status_code == 201, extra.text
    return ref


def _reminder(hub: Hub, cid: str, ref: str) -> dict:
    rows = hub.service("GET", f"/conversations/{cid}/reminders", params={"reference": ref}).json()
    return next(r for r in rows["reminders"] if r["kind"] == "extra_10m")


def _wait(predicate, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_restart_delivers_overdue_reminder_once_and_none_for_cancelled(hub, fake_rasa):
    hub.start()
    slot_id, cids = _slot_soon(hub, seconds_after_ten_minutes=6)
    kept = _book_with_extra_reminder(hub, cids[0], slot_id)
    cancelled = _book_with_extra_reminder(hub, cids[1], slot_id)
    flipped = _book_with_extra_reminder(hub, cids[2], slot_id)
    assert hub.service("POST", f"/conversations/{cids[1]}/bookings/{cancelled}/cancel").status_code == 200
    hub.stop()

    # While the hub is down: another process cancels a booking behind the
    # scheduler's back, and every reminder's time passes.
    engine = make_engine(hub.db_url)
    with session_scope(make_session_factory(engine)) as s:
        s.execute(update(Booking).where(Booking.reference == flipped).values(status="cancelled"))
    engine.dispose()
    time.sleep(8)
    assert fake_rasa.calls == []

    hub.start()
    assert _wait(lambda: _reminder(hub, cids[0], kept)["status"] == "delivered")
    assert _wait(lambda: _reminder(hub, cids[2], flipped)["status"] == "skipped")
    time.sleep(2)  # room for a duplicate to show up, if there were one
    extra_calls = [c for c in fake_rasa.calls if c["reminder_kind"] == "extra_10m"]
    assert [c["booking_reference"] for c in extra_calls] == [kept]
    assert _reminder(hub, cids[1], cancelled)["status"] == "cancelled"

    hub.stop()  # and a second restart sends nothing again
    hub.start()
    time.sleep(2)
    assert [c["booking_reference"] for c in fake_rasa.calls if c["reminder_kind"] == "extra_10m"] == [kept]


def test_rasa_down_at_fire_time_is_retried_until_it_is_back(hub, fake_rasa):
    hub.start()
    slot_id, cids = _slot_soon(hub, seconds_after_ten_minutes=4)
    fake_rasa.down = True
    ref = _book_with_extra_reminder(hub, cids[0], slot_id)
    assert _wait(lambda: _reminder(hub, cids[0], ref)["attempts"] >= 2)
    row = _reminder(hub, cids[0], ref)
    assert row["status"] == "scheduled"
    fake_rasa.down = False
    assert _wait(lambda: _reminder(hub, cids[0], ref)["status"] == "delivered")
    assert fake_rasa.references().count(ref) == 1
