"""The console's live stream and its static page."""

from __future__ import annotations

import asyncio
import time

from hub_support import LI, assert_error, login

from hub.chat.models import ChatMessage
from hub.db import session_scope
from hub.stewards.stream import staff_events

from .conftest import open_for


class ConnectedRequest:
    async def is_disconnected(self) -> bool:
        return False


def test_stream_pushes_queue_then_message_events(world, staff, clock):
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)

    async def run() -> list[str]:
        events = staff_events(ConnectedRequest(), factory=world.sessions,  # type: ignore[arg-type]
                              staff_id=staff.ids["wang"], poll_seconds=0.01,
                              deadline=time.monotonic() + 60)
        seen = [await anext(events), await anext(events)]  # retry hint, first queue
        with session_scope(world.sessions) as s:
            s.add(ChatMessage(holder_id=staff.holders["li"], sender="holder", text="Hello?"))
        seen.append(await anext(events))
        open_for(world.sessions, staff.holders["orphan"], clock=clock)  # shared queue grows
        seen.append(await anext(events))
        await events.aclose()
        return seen

    retry, first, message, queue = asyncio.run(run())
    assert retry.startswith("retry:")
    assert first.startswith("event: queue") and '"count": 1' in first
    assert message.startswith("event: message") and f"[{esc_id}]" in message
    assert queue.startswith("event: queue") and '"count": 2' in queue


def test_stream_ignores_escalations_the_steward_cannot_see(world, staff, clock):
    async def run() -> list[str]:
        events = staff_events(ConnectedRequest(), factory=world.sessions,  # type: ignore[arg-type]
                              staff_id=staff.ids["wang"], poll_seconds=0.01,
                              deadline=time.monotonic() + 0.3)
        return [event async for event in events]

    open_for(world.sessions, staff.holders["sun"], clock=clock)  # Zhao's holder
    events = asyncio.run(run())
    assert '"count": 0' in events[1]
    assert events[-1].startswith("event: bye")
    assert not any(e.startswith("event: message") for e in events)


def test_stream_over_http(client, staff, wang):
    # The test app ends streams after half a second (see conftest).
    with client.stream("GET", "/api/v1/staff/stream", headers=wang) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        body = "".join(response.iter_text())
    assert "event: queue" in body and body.rstrip().endswith("data: {}")


def test_stream_needs_a_staff_token(client, staff):
    assert_error(client.get("/api/v1/staff/stream"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/staff/stream", headers=login(client, LI)), 403, "forbidden")


def test_console_page_and_assets(client):
    page = client.get("/console")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert 'src="/console/console.js"' in page.text
    for asset, kind in (("console.js", "javascript"), ("console.css", "css")):
        response = client.get(f"/console/{asset}")
        assert response.status_code == 200 and kind in response.headers["content-type"]
    # Nothing from elsewhere: no CDN.
    assert "http://" not in page.text and "https://" not in page.text
