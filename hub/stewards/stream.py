"""`GET /api/v1/staff/stream`: server-sent events that keep the console live.

The console reads the stream with `fetch` (not `EventSource`) so the staff token
travels in the Authorization header and never in a URL, where proxies and logs
would keep it. The hub polls the database about once a second: simple, and it
sees changes made by any hub process. Each poll is its own short session, so the
stream never holds a transaction (on SQLite that would hold the write lock).

Events: `queue` (the escalations this person sees changed), `message` (new
messages in their holders' conversations; data names the escalations), and
`bye` when the stream ends (token expiry or its maximum lifetime): the console
reconnects or asks to log in again.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub.auth.tokens import read_token
from hub.chat.models import ChatMessage
from hub.db import read_only_sessions
from hub.deps import SettingsDep, get_session_factory
from hub.holders.models import Steward
from hub.stewards.access import visible_to
from hub.stewards.deps import StaffBearerDep, staff_for_token
from hub.stewards.models import LIVE_STATUSES, Escalation

router = APIRouter()

POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0
# Streams end now and then so a revoked account or a deploy is picked up; the
# console reconnects at once.
MAX_STREAM_SECONDS = 15 * 60


@dataclass(frozen=True)
class Snapshot:
    active: bool
    queue: tuple[tuple[int, str], ...]
    last_message_id: int


@router.get("/stream")
async def stream(request: Request, credentials: StaffBearerDep, settings: SettingsDep) -> Any:
    factory = get_session_factory(request)
    token = credentials.credentials if credentials is not None else None

    def authenticate() -> tuple[int, float]:
        with factory() as session:
            staff = staff_for_token(session, settings=settings, token=token)
            return staff.id, float(read_token(settings=settings, token=token or "")["exp"])

    staff_id, expires = await run_in_threadpool(authenticate)
    state = request.app.state
    poll = float(getattr(state, "staff_stream_poll_seconds", POLL_SECONDS))
    lifetime = float(getattr(state, "staff_stream_max_seconds", MAX_STREAM_SECONDS))
    deadline = min(time.monotonic() + lifetime, time.monotonic() + (expires - time.time()))
    # Polls only read: on SQLite they must not queue for the write lock.
    events = staff_events(
        request, factory=read_only_sessions(factory), staff_id=staff_id,
        poll_seconds=poll, deadline=deadline,
    )
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def staff_events(
    request: Request,
    *,
    factory: sessionmaker[Session],
    staff_id: int,
    poll_seconds: float,
    deadline: float,
) -> AsyncIterator[str]:
    yield "retry: 2000\n\n"
    before: Snapshot | None = None
    last_sent = time.monotonic()
    while time.monotonic() < deadline and not await request.is_disconnected():
        now_snapshot = await run_in_threadpool(take_snapshot, factory, staff_id=staff_id)
        if not now_snapshot.active:
            break
        if before is None or now_snapshot.queue != before.queue:
            yield _event("queue", {"count": len(now_snapshot.queue)})
            last_sent = time.monotonic()
        if before is not None and now_snapshot.last_message_id > before.last_message_id:
            ids = await run_in_threadpool(
                escalations_with_messages_after, factory,
                staff_id=staff_id, after=before.last_message_id,
            )
            yield _event("message", {"escalation_ids": ids})
            last_sent = time.monotonic()
        if time.monotonic() - last_sent >= KEEPALIVE_SECONDS:
            yield ": keep-alive\n\n"
            last_sent = time.monotonic()
        before = now_snapshot
        await asyncio.sleep(poll_seconds)
    yield _event("bye", {})


def take_snapshot(factory: sessionmaker[Session], *, staff_id: int) -> Snapshot:
    with factory() as session:
        staff = session.get(Steward, staff_id)
        if staff is None or not staff.active:
            return Snapshot(active=False, queue=(), last_message_id=0)
        visible_live = select(Escalation).where(
            visible_to(staff), Escalation.status.in_(LIVE_STATUSES)
        )
        rows = session.execute(
            visible_live.with_only_columns(Escalation.id, Escalation.updated_at).order_by(
                Escalation.id
            )
        ).all()
        last = session.scalar(
            select(func.max(ChatMessage.id)).where(
                ChatMessage.holder_id.in_(visible_live.with_only_columns(Escalation.holder_id))
            )
        )
        return Snapshot(
            active=True,
            queue=tuple((row[0], row[1].isoformat()) for row in rows),
            last_message_id=last or 0,
        )


def escalations_with_messages_after(
    factory: sessionmaker[Session], *, staff_id: int, after: int
) -> list[int]:
    with factory() as session:
        staff = session.get(Steward, staff_id)
        if staff is None:
            return []
        return list(
            session.scalars(
                select(Escalation.id)
                .join(ChatMessage, ChatMessage.holder_id == Escalation.holder_id)
                .where(
                    visible_to(staff),
                    Escalation.status.in_(LIVE_STATUSES),
                    ChatMessage.id > after,
                )
                .distinct()
            )
        )


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"
