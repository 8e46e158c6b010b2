"""The hub's side of the line to Rasa.

Async on purpose: while the hub awaits Rasa's reply, Rasa's actions call back
into the hub's service API. A blocking call here would stall the event loop
that has to serve those calls, and the hub would deadlock itself.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import httpx

from hub.errors import HubError

logger = logging.getLogger(__name__)


class AssistantUnavailable(HubError):
    def __init__(self) -> None:
        super().__init__(
            503,
            "assistant_unavailable",
            "The assistant is not available right now. Your message was kept; "
            "please try again in a moment.",
        )


class Assistant(Protocol):
    """What the chat routes need from the dialogue engine (tests fake it)."""

    async def send_message(self, sender: str, text: str) -> list[dict[str, Any]]: ...


class RasaGateway:
    def __init__(self, *, base_url: str, client: httpx.AsyncClient, token: str = "") -> None:
        self._base_url = base_url.rstrip("/")
        self._client = client
        # Rasa's HTTP API (trigger_intent, for reminders) wants the token; the
        # REST channel webhook does not.
        self._token = token

    async def send_message(self, sender: str, text: str) -> list[dict[str, Any]]:
        """Rasa's replies to one holder message, as its REST channel gives them."""
        url = f"{self._base_url}/webhooks/rest/webhook"
        try:
            response = await self._client.post(url, json={"sender": sender, "message": text})
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            logger.warning("Rasa did not answer (%s): %s", url, exc)
            raise AssistantUnavailable() from exc
        if not isinstance(replies, list):
            logger.warning("Rasa answered with %r, not a list", type(replies).__name__)
            raise AssistantUnavailable()
        return [reply for reply in replies if isinstance(reply, dict)]
