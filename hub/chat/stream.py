"""`GET /api/v1/chat/stream?after=ID`: server-sent events that push what the
holder did not ask for just now — reminders, a steward's replies — to an open
web chat at once.

Every such message is in the conversation log first, so the stream only reads
the log: it polls it about once a second with a short session of its own (no
transaction held between polls; on SQLite that would hold the write lock), and
it sees messages written by any hub process or the scheduler's threads. A
holder who is offline finds the same messages with `GET /messages` later.

The page reads it with `fetch` so the token stays in the Authorization header.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub.auth.deps import HolderDep
from hub.chat.log import message_out, messages_after
from hub.db import MAX_DB_INT, read_only_sessions
from hub.deps import get_session_factory

router = APIRouter(prefix="/api/v1/chat", tags=["chat"])

POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
# Streams end now and then so an expired token is noticed; the page reconnects.
MAX_STREAM_SECONDS = 10 * 60


@router.get("/stream")
async def stream(
    request: Request,
    holder: HolderDep,
    after: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
) -> StreamingResponse:
    poll = float(getattr(request.app.state, "chat_stream_poll_seconds", POLL_SECONDS))
    events = holder_events(
        request, factory=read_only_sessions(get_session_factory(request)), holder_id=holder.id,
        after=after, poll_seconds=poll,
    )
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def holder_events(
    request: Request,
    *,
    factory: sessionmaker[Session],
    holder_id: int,
    after: int,
    poll_seconds: float,
) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    started = last_sent = time.monotonic()
    while time.monotonic() - started < MAX_STREAM_SECONDS:
        if await request.is_disconnected():
            return
        fresh = await run_in_threadpool(_read_after, factory, holder_id, after)
        for message in fresh:
            after = message["id"]
            yield _event("message", message)
            last_sent = time.monotonic()
        if time.monotonic() - last_sent >= KEEPALIVE_SECONDS:
            yield ": keep-alive\n\n"
            last_sent = time.monotonic()
        await asyncio.sleep(poll_seconds)
    yield _event("bye", {})


def _read_after(factory: sessionmaker[Session], holder_id: int, after: int) -> list[dict[str, Any]]:
    with factory() as session:
        return [message_out(m) for m in messages_after(session, holder_id=holder_id, after=after)]


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\nid: {data.get('id', '')}\n\n"
