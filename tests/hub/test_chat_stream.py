"""The live stream pushes logged messages the holder did not ask for just now
(a reminder, a steward's reply), from the id they already have."""

from __future__ import annotations

import asyncio
import json

from hub_support import LI
from sqlalchemy import select

from hub.chat.models import ChatMessage
from hub.chat.stream import holder_events
from hub.db import session_scope
from hub.holders.models import Holder


class _Request:
    """Connected for `polls` polls, then gone."""

    def __init__(self, polls: int) -> None:
        self.polls = polls

    async def is_disconnected(self) -> bool:
        self.polls -= 1
        return self.polls < 0


def _log(sessions, holder_id: int, sender: str, text: str) -> int:
    with session_scope(sessions) as s:
        message = ChatMessage(holder_id=holder_id, sender=sender, text=text, payload={})
        s.add(message)
        s.flush()
        return message.id


def _events(sessions, holder_id: int, after: int, polls: int) -> list[tuple[str, dict]]:
    async def collect() -> list[str]:
        out = []
        async for chunk in holder_events(
            _Request(polls), factory=sessions, holder_id=holder_id, after=after, poll_seconds=0.01
        ):
            out.append(chunk)
        return out

    events = []
    for chunk in asyncio.run(collect()):
        lines = dict(line.split(": ", 1) for line in chunk.strip().splitlines() if ": " in line)
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_stream_sends_messages_after_the_given_id(sessions, world):
    with sessions() as s:
        li = s.scalars(select(Holder).where(Holder.card_number == LI["card_number"])).one()
    seen = _log(sessions, li.id, "holder", "hi")
    _log(sessions, li.id, "bot", "Reminder: your check-up is tomorrow at 07:30.")
    _log(sessions, li.id, "steward", "Hello, this is Wang Fang.")
    events = _events(sessions, li.id, after=seen, polls=2)
    assert [(name, data["sender"], data["text"]) for name, data in events] == [
        ("message", "bot", "Reminder: your check-up is tomorrow at 07:30."),
        ("message", "steward", "Hello, this is Wang Fang."),
    ]


def test_stream_shows_nothing_of_another_holder(sessions, world):
    with sessions() as s:
        holders = s.scalars(select(Holder).order_by(Holder.id)).all()
    _log(sessions, holders[1].id, "bot", "not yours")
    assert _events(sessions, holders[0].id, after=0, polls=2) == []


def test_stream_needs_a_holder_token(client):
    assert client.get("/api/v1/chat/stream").status_code == 401
    assert client.get("/api/v1/chat/stream", headers={"Authorization": "Bearer x"}).status_code == 401
