"""A booking's reminder fires in the real hub, the real bot words it, and it
arrives in the holder's conversation: in the log for later, and on the live
stream of an open web chat."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import select

from hub.bookings.models import InventorySlot
from hub.catalog.models import Provider
from hub.db import make_engine, make_session_factory, session_scope
from hub.holders.models import Holder
from scripts.stack import Stack

pytestmark = pytest.mark.e2e

CARD, PIN = "PT20260023", "864200"


def _slot_in_ten_minutes(stack: Stack, seconds: float) -> tuple[int, str]:
    """A check-up slot starting `seconds` after ten minutes from now (the
    earliest an extra reminder may be), and the holder's conversation id."""
    engine = make_engine(f"sqlite:///{stack.state_dir / 'hub.db'}")
    try:
        with session_scope(make_session_factory(engine)) as s:
            provider = s.scalars(select(Provider).where(Provider.code == "tongji-hospital")).one()
            start = datetime.now(timezone.utc) + timedelta(minutes=10, seconds=seconds)
            slot = InventorySlot(provider_id=provider.id, area_code="checkup", starts_at=start,
                                 ends_at=start + timedelta(hours=1), capacity=3)
            s.add(slot)
            s.flush()
            cid = s.scalars(select(Holder.conversation_id).where(Holder.card_number == CARD)).one()
            return slot.id, cid
    finally:
        engine.dispose()


def test_reminder_is_worded_by_the_bot_and_reaches_log_and_stream(stack: Stack, http):
    login = http.post(f"{stack.hub_url}/api/v1/auth/login", json={"card_number": CARD, "pin": PIN},
                      timeout=30)
    holder = {"Authorization": f"Bearer {login.json()['access_token']}"}
    service = {"Authorization": f"Bearer {stack.secrets.service_token}"}
    before = http.get(f"{stack.hub_url}/api/v1/chat/messages", headers=holder, timeout=30).json()
    last_id = max((m["id"] for m in before["messages"]), default=0)

    # An open web chat: read the live stream in the background.
    pushed: list[dict] = []

    def listen() -> None:
        with requests.get(f"{stack.hub_url}/api/v1/chat/stream", params={"after": last_id},
                          headers=holder, stream=True, timeout=60) as stream:
            for line in stream.iter_lines(decode_unicode=True):
                if line and line.startswith("data: ") and '"sender"' in line:
                    pushed.append(json.loads(line[len("data: "):]))
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()

    slot_id, cid = _slot_in_ten_minutes(stack, seconds=8)
    made = http.post(f"{stack.hub_url}/api/v1/service/conversations/{cid}/bookings",
                     json={"slot_id": slot_id, "offering": "comprehensive"},
                     headers={**service, "Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    assert made.status_code == 201, made.text
    reference = made.json()["reference"]
    extra = http.post(f"{stack.hub_url}/api/v1/service/conversations/{cid}/bookings/{reference}/reminders",
                      json={"minutes_before": 10}, headers=service, timeout=30)
    assert extra.status_code == 201, extra.text

    deadline = time.monotonic() + 90
    reminders: list[dict] = []
    while time.monotonic() < deadline:
        reminders = http.get(f"{stack.hub_url}/api/v1/chat/messages", params={"after": last_id},
                             headers=holder, timeout=30).json()["messages"]
        if any(reference in m["text"] for m in reminders):
            break
        time.sleep(1)
    worded = [m for m in reminders if reference in m["text"]]
    assert len(worded) == 1, reminders
    assert worded[0]["sender"] == "bot"
    assert "Reminder" in worded[0]["text"] and "Tongji" in worded[0]["text"]
    listener.join(timeout=30)
    assert pushed and pushed[0]["id"] == worded[0]["id"]
    rows = http.get(f"{stack.hub_url}/api/v1/service/conversations/{cid}/reminders",
                    params={"reference": reference}, headers=service, timeout=30).json()["reminders"]
    assert {r["kind"]: r["status"] for r in rows}["extra_10m"] == "delivered"

    # Cancelling the booking leaves no reminder pending.
    http.post(f"{stack.hub_url}/api/v1/service/conversations/{cid}/bookings/{reference}/cancel",
              headers=service, timeout=30)
    rows = http.get(f"{stack.hub_url}/api/v1/service/conversations/{cid}/reminders",
                    params={"reference": reference}, headers=service, timeout=30).json()["reminders"]
    assert "scheduled" not in {r["status"] for r in rows}
