"""The conversation log: every message in and out, both sides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.chat.models import ChatMessage
from hub.clock import local_iso

HOLDER = "holder"
BOT = "bot"
HISTORY_LIMIT = 200
# What Rasa may attach to a reply besides text and buttons; kept, not shown yet.
_EXTRA_KEYS = ("image", "attachment", "custom")


def log_holder_message(
    session: Session, *, holder_id: int, text: str, now: datetime
) -> ChatMessage:
    message = ChatMessage(holder_id=holder_id, sender=HOLDER, text=text, payload={},
                          created_at=now)
    session.add(message)
    session.flush()
    return message


def log_bot_replies(
    session: Session, *, holder_id: int, replies: list[dict[str, Any]], now: datetime
) -> list[ChatMessage]:
    """Rasa's replies ([{"recipient_id", "text", "buttons", ...}]) as log rows."""
    rows = [
        ChatMessage(holder_id=holder_id, sender=BOT, text=str(reply.get("text") or ""),
                    payload=_payload(reply), created_at=now)
        for reply in replies
    ]
    session.add_all(rows)
    session.flush()
    return rows


def messages_after(
    session: Session, *, holder_id: int, after: int, limit: int = HISTORY_LIMIT
) -> list[ChatMessage]:
    return list(
        session.scalars(
            select(ChatMessage)
            .where(ChatMessage.holder_id == holder_id, ChatMessage.id > after)
            .order_by(ChatMessage.id)
            .limit(limit)
        )
    )


def message_out(message: ChatMessage) -> dict[str, Any]:
    payload = message.payload or {}
    return {
        "id": message.id,
        "sender": message.sender,
        "text": message.text,
        "buttons": list(payload.get("buttons", [])),
        "created_at": local_iso(message.created_at),
    }


def _payload(reply: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    buttons = [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in reply.get("buttons") or []
        if isinstance(b, dict)
    ]
    if buttons:
        payload["buttons"] = buttons
    for key in _EXTRA_KEYS:
        if reply.get(key):
            payload[key] = reply[key]
    return payload
