"""Asking the bot to say a reminder: Rasa's `trigger_intent` with
`EXTERNAL_reminder`. The bot's words come back on the same call.

Synchronous on purpose: it runs in the scheduler's worker threads, never on
the web server's event loop.
"""

from __future__ import annotations

from typing import Any

import httpx

REMINDER_INTENT = "EXTERNAL_reminder"


class DeliveryError(RuntimeError):
    """The bot could not be reached or said nothing; worth retrying later."""


class RasaReminderChannel:
    def __init__(self, *, rasa_url: str, rasa_token: str, timeout: float = 30.0) -> None:
        self._url = rasa_url.rstrip("/")
        self._token = rasa_token
        self._client = httpx.Client(timeout=timeout)

    def say_reminder(
        self,
        *,
        conversation_id: str,
        reference: str,
        kind: str,
        note: str,
        extra: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        try:
            response = self._client.post(
                f"{self._url}/conversations/{conversation_id}/trigger_intent",
                params={"token": self._token},
                json={
                    "name": REMINDER_INTENT,
                    "entities": {
                        "booking_reference": reference,
                        "reminder_kind": kind,
                        **(extra or {}),
                    },
                },
            )
            response.raise_for_status()
            messages = response.json().get("messages") or []
        except (httpx.HTTPError, ValueError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        said = [m for m in messages if m.get("text")]
        if not said:
            raise DeliveryError("the bot answered the reminder with no text")
        return said

    def close(self) -> None:
        self._client.close()
