"""The channel gateway's HTTP side: a holder sends a message, gets the replies.

The POST route is `async` and does its database work in the thread pool with
short sessions of its own: nothing may block the event loop or hold a
database transaction while Rasa is thinking (see hub.chat.gateway).
"""

from __future__ import annotations

import json
import unicodedata
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from hub.auth.deps import HolderDep
from hub.chat.gateway import Assistant
from hub.chat.log import (
    HISTORY_LIMIT,
    log_bot_replies,
    log_holder_message,
    message_out,
    messages_after,
)
from hub.db import MAX_DB_INT, session_scope
from hub.deps import SessionDep, get_now, get_session_factory, get_settings
from hub.errors import HubError, InvalidRequest
from hub.stewards.service import live_escalation, note_holder_message

router = APIRouter(prefix="/api/v1/chat", tags=["chat"])

# Far above any 2000-character message, even in escaped JSON; anything bigger
# is refused before it is read into memory.
MAX_BODY_BYTES = 64 * 1024
_ALLOWED_CONTROL = {"\n", "\r", "\t"}


class ChatIn(BaseModel):
    text: str


class MessageTooLong(HubError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413, "message_too_long",
            f"That message is too long; please keep it under {limit} characters.",
            max_chars=limit,
        )


@router.post(
    "/messages",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ChatIn.model_json_schema()}},
        }
    },
)
async def post_message(request: Request, holder: HolderDep) -> dict[str, Any]:
    settings = get_settings(request)
    text = _clean_text(await _read_chat_in(request), limit=settings.max_message_chars)
    sessions = get_session_factory(request)
    holder_id, sender = holder.id, holder.conversation_id

    def _log_in() -> dict[str, Any] | None:
        """Log the message; while an escalation is live it is the steward's,
        and who that is comes back instead of None."""
        now = get_now(request)
        with session_scope(sessions) as session:
            log_holder_message(session, holder_id=holder_id, text=text, now=now)
            escalation = live_escalation(session, holder_id=holder_id)
            if escalation is None:
                return None
            note_holder_message(session, escalation=escalation, now=now)
            steward = escalation.claimed_by or escalation.steward
            return {"kind": "steward", "name": steward.name if steward else None}

    # Logged before Rasa is asked, so it is kept even when Rasa is down.
    person = await run_in_threadpool(_log_in)
    if person is not None:
        # The bot hears nothing while a person has the conversation; the
        # steward's replies reach the holder through the log and its stream.
        return {"messages": [], "handled_by": person}
    assistant: Assistant = request.app.state.assistant
    replies = await assistant.send_message(sender, text)

    def _log_out() -> list[dict[str, Any]]:
        with session_scope(sessions) as session:
            rows = log_bot_replies(
                session, holder_id=holder_id, replies=replies, now=get_now(request)
            )
            return [message_out(row) for row in rows]

    return {"messages": await run_in_threadpool(_log_out), "handled_by": {"kind": "bot"}}


@router.get("/messages")
def get_messages(
    holder: HolderDep,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
) -> dict[str, Any]:
    rows = messages_after(session, holder_id=holder.id, after=after, limit=HISTORY_LIMIT)
    return {"messages": [message_out(row) for row in rows]}


async def _read_chat_in(request: Request) -> ChatIn:
    """Read and parse the body by hand, so an oversized one is refused while
    streaming instead of after FastAPI has buffered and parsed all of it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise MessageTooLong(get_settings(request).max_message_chars)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise MessageTooLong(get_settings(request).max_message_chars)
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks))
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        raise HubError(400, "invalid_json", "The request body is not valid JSON.") from None
    try:
        return ChatIn.model_validate(data)
    except ValidationError as exc:
        errors = [{**err, "loc": ("body", *err["loc"])} for err in exc.errors()]
        raise RequestValidationError(errors) from None


def _clean_text(body: ChatIn, *, limit: int) -> str:
    text = body.text.strip()
    if not text:
        raise InvalidRequest("The message is empty.")
    if len(text) > limit:
        raise MessageTooLong(limit)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a "\ud800" escape
        raise InvalidRequest("The message contains characters that cannot be stored.") from None
    if any(
        unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROL for ch in text
    ):
        raise InvalidRequest("The message contains control characters.")
    return text
