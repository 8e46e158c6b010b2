"""The one client the actions use to talk to the hub's service API (docs/hub-api.md).

Every call has a (connect, read) timeout. Only calls that are safe to repeat are
retried: GETs, and POSTs that carry an Idempotency-Key (the hub answers a repeated
key with the booking it already made). Every failure becomes one of four
exceptions, which the actions turn into replies from domain.yml.

The client is blocking (`requests`); actions call it through `call_hub`, which
runs it on a worker thread so the action server's event loop keeps serving other
conversations meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from bot.actions.config import BotSettings, ConfigError

logger = logging.getLogger(__name__)

T = TypeVar("T")

CATALOG_TTL_SECONDS = 60.0


class HubError(Exception):
    """Base of everything the client raises."""


class HubUnavailable(HubError):
    """The hub did not answer usefully: down, slow, 5xx, or misconfigured."""


class NotFound(HubError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class SlotFull(HubError):
    def __init__(self, alternatives: list[dict[str, Any]], detail: str = "") -> None:
        super().__init__(detail or "slot full")
        self.alternatives = alternatives


class Rejected(HubError):
    """A 4xx the holder's request caused (date in the past, conflicting key...)."""

    def __init__(
        self, code: str, detail: str, status: int = 400, body: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.code = code
        self.detail = detail
        self.status = status
        # The whole error body: some refusals carry what to offer instead
        # (`alternatives` of a school with no places, the `field` at fault).
        self.body = body or {}


def _session(*, token: str, retries: int) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
    if retries:
        retry = Retry(
            total=retries,
            connect=retries,
            # A read timeout means the hub is slow, not gone: one more try, not
            # several, or the holder's message outlives the hub's wait for Rasa.
            read=min(retries, 1),
            status=retries,
            backoff_factor=0.2,
            status_forcelist=(502, 503, 504),
            # Only sessions for repeatable calls get this adapter, so POST is
            # listed on purpose: those POSTs carry an Idempotency-Key.
            allowed_methods=frozenset({"GET", "POST"}),
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
    else:
        adapter = HTTPAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class HubClient:
    """Calls the hub for one deployment. Thread-safe enough for our use: the
    sessions keep no cookies and urllib3's connection pools are thread-safe."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: tuple[float, float],
        repeatable: requests.Session,
        once: requests.Session,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._repeatable = repeatable
        self._once = once
        self._catalog: dict[str, tuple[float, dict[str, Any]]] = {}
        self._catalog_lock = threading.Lock()

    # -- transport ---------------------------------------------------------

    def _request(
        self,
        session: requests.Session,
        method: str,
        path: str,
        **kwargs: Any,
    ) -> Any:
        url = f"{self._base_url}{path}"
        try:
            response = session.request(method, url, timeout=self._timeout, **kwargs)
        except requests.RequestException as exc:
            logger.warning("hub %s %s failed: %s", method, path, exc)
            raise HubUnavailable(str(exc)) from exc
        try:
            response.raise_for_status()
        except requests.HTTPError as exc:
            raise self._error_for(response, method, path) from exc
        try:
            return response.json()
        except ValueError as exc:
            logger.error("hub %s %s answered non-JSON", method, path)
            raise HubUnavailable("hub answered non-JSON") from exc

    @staticmethod
    def _error_for(response: requests.Response, method: str, path: str) -> HubError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        status = response.status_code
        code = str(body.get("code") or status)
        detail = str(body.get("detail") or response.reason or "")
        if status >= 500:
            logger.warning("hub %s %s answered %s", method, path, status)
            return HubUnavailable(f"{status} {detail}")
        if status in (401, 403):
            # Our token is wrong: nothing the holder can fix, so it reads as
            # "unavailable" to them and as an error in the log for us.
            logger.error("hub refused the service token on %s %s: %s", method, path, code)
            return HubUnavailable(f"{status} {code}")
        if status == 404:
            return NotFound(code, detail)
        if status == 409 and code == "slot_full":
            return SlotFull(list(body.get("alternatives") or []), detail)
        return Rejected(code, detail, status, body)

    # -- catalog -----------------------------------------------------------

    def area(self, area_code: str) -> dict[str, Any]:
        """The area with its providers and their offerings in it; cached
        briefly, since every question in a form needs it."""
        now = time.monotonic()
        with self._catalog_lock:
            cached = self._catalog.get(area_code)
            if cached and now - cached[0] < CATALOG_TTL_SECONDS:
                return cached[1]
        area = self._request(self._repeatable, "GET", f"/api/v1/service/catalog/{area_code}")
        with self._catalog_lock:
            self._catalog[area_code] = (now, area)
        return area

    # -- availability and bookings ----------------------------------------

    def availability(
        self,
        *,
        area: str,
        provider: str,
        date: str,
        offering: str | None = None,
        quantity: int = 1,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"area": area, "provider": provider, "date": date}
        if offering:
            params["offering"] = offering
        if quantity != 1:
            params["quantity"] = quantity
        return self._request(
            self._repeatable, "GET", "/api/v1/service/availability", params=params
        )

    def create_booking(
        self,
        *,
        conversation_id: str,
        slot_id: int,
        offering: str | None,
        idempotency_key: str,
        quantity: int = 1,
        details: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Book; safe to retry because the hub deduplicates on the key."""
        return self._request(
            self._repeatable,
            "POST",
            f"/api/v1/service/conversations/{conversation_id}/bookings",
            json={
                "slot_id": slot_id,
                "offering": offering,
                "quantity": quantity,
                "details": details or {},
            },
            headers={"Idempotency-Key": idempotency_key},
        )

    def bookings(self, *, conversation_id: str, status: str | None = None) -> list[dict[str, Any]]:
        params = {"status": status} if status else None
        body = self._request(
            self._repeatable,
            "GET",
            f"/api/v1/service/conversations/{conversation_id}/bookings",
            params=params,
        )
        return list(body.get("bookings") or [])

    def booking(self, *, conversation_id: str, reference: str) -> dict[str, Any]:
        return self._request(
            self._repeatable,
            "GET",
            f"/api/v1/service/conversations/{conversation_id}/bookings/{reference}",
        )

    def cancel_booking(self, *, conversation_id: str, reference: str) -> dict[str, Any]:
        # No key on this POST, so it is sent once; the caller may check the
        # booking's status afterwards instead of retrying blindly.
        return self._request(
            self._once,
            "POST",
            f"/api/v1/service/conversations/{conversation_id}/bookings/{reference}/cancel",
        )

    def profile(self, *, conversation_id: str) -> dict[str, Any]:
        return self._request(
            self._repeatable, "GET", f"/api/v1/service/conversations/{conversation_id}/profile"
        )


    # -- reminders (issue 4) -------------------------------------------------

    def reminders(
        self, *, conversation_id: str, reference: str | None = None
    ) -> list[dict[str, Any]]:
        params = {"reference": reference} if reference else None
        body = self._request(
            self._repeatable, "GET",
            f"/api/v1/service/conversations/{conversation_id}/reminders", params=params,
        )
        return list(body.get("reminders") or [])

    def turn_off_reminders(self, *, conversation_id: str, reference: str | None = None) -> int:
        # Turning off what is already off changes nothing: safe to repeat.
        body = self._request(
            self._repeatable, "POST",
            f"/api/v1/service/conversations/{conversation_id}/reminders/off",
            json={"reference": reference},
        )
        return int(body.get("turned_off") or 0)

    def add_reminder(
        self, *, conversation_id: str, reference: str, minutes_before: int
    ) -> dict[str, Any]:
        # The hub names an extra reminder by its offset, so a repeat updates
        # the same one: safe to repeat.
        return self._request(
            self._repeatable, "POST",
            f"/api/v1/service/conversations/{conversation_id}/bookings/{reference}/reminders",
            json={"minutes_before": minutes_before},
        )

    # -- escalations (issue 5) -----------------------------------------------

    def escalate(
        self,
        *,
        conversation_id: str,
        reason: str,
        summary: str,
        context: dict[str, Any],
        idempotency_key: str,
        area_code: str | None = None,
    ) -> dict[str, Any]:
        """Hand the conversation to the holder's steward; the key makes a
        retried call add nothing."""
        return self._request(
            self._repeatable, "POST",
            f"/api/v1/service/conversations/{conversation_id}/escalations",
            json={"reason": reason, "summary": summary, "context": context,
                  "area_code": area_code},
            headers={"Idempotency-Key": idempotency_key},
        )

    # -- issue 3: every area, records of every kind, the card ----------------

    def catalog(self) -> list[dict[str, Any]]:
        """The active areas, by number; cached like `area` (under the key "")."""
        now = time.monotonic()
        with self._catalog_lock:
            cached = self._catalog.get("")
            if cached and now - cached[0] < CATALOG_TTL_SECONDS:
                return list(cached[1]["areas"])
        body = self._request(self._repeatable, "GET", "/api/v1/service/catalog")
        with self._catalog_lock:
            self._catalog[""] = (now, body)
        return list(body.get("areas") or [])

    def showtimes(
        self,
        *,
        area: str,
        provider: str | None = None,
        offering: str | None = None,
        date: str | None = None,
        after: str | None = None,
        before: str | None = None,
        quantity: int = 1,
        limit: int = 20,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"area": area, "quantity": quantity, "limit": limit}
        for name, value in (("provider", provider), ("offering", offering), ("date", date),
                            ("after", after), ("before", before)):
            if value:
                params[name] = value
        return self._request(self._repeatable, "GET", "/api/v1/service/showtimes", params=params)

    def reschedule(
        self, *, conversation_id: str, reference: str, slot_id: int, idempotency_key: str
    ) -> dict[str, Any]:
        """Move a booking; the hub deduplicates on the key, so it is retried."""
        return self._request(
            self._repeatable, "POST",
            f"/api/v1/service/conversations/{conversation_id}/bookings/{reference}/reschedule",
            json={"slot_id": slot_id}, headers={"Idempotency-Key": idempotency_key},
        )

    def records(self, *, conversation_id: str, live_only: bool = False) -> list[dict[str, Any]]:
        body = self._request(
            self._repeatable, "GET", f"/api/v1/service/conversations/{conversation_id}/records",
            params={"status": "live"} if live_only else None,
        )
        return list(body.get("records") or [])

    def record(self, *, conversation_id: str, reference: str) -> dict[str, Any]:
        return self._request(
            self._repeatable, "GET",
            f"/api/v1/service/conversations/{conversation_id}/records/{reference}",
        )

    def cancel_record(self, *, conversation_id: str, reference: str) -> dict[str, Any]:
        # Cancelling twice is a no-op at the hub, but the POST carries no key,
        # so it is sent once, like cancel_booking.
        return self._request(
            self._once, "POST",
            f"/api/v1/service/conversations/{conversation_id}/records/{reference}/cancel",
        )

    def departments(self, *, symptom: str) -> list[dict[str, Any]]:
        body = self._request(
            self._repeatable, "GET", "/api/v1/service/medical/departments",
            params={"symptom": symptom[:500]},
        )
        return list(body.get("departments") or [])

    def card(self, *, conversation_id: str) -> dict[str, Any]:
        return self._request(
            self._repeatable, "GET", f"/api/v1/service/conversations/{conversation_id}/card"
        )

    def eligibility(
        self,
        *,
        conversation_id: str,
        school: str,
        grade: str,
        child_id: int | None = None,
        birth_date: str | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"school": school, "grade": grade}
        if child_id is not None:
            params["child_id"] = child_id
        if birth_date:
            params["birth_date"] = birth_date
        return self._request(
            self._repeatable, "GET",
            f"/api/v1/service/conversations/{conversation_id}/applications/eligibility",
            params=params,
        )

    def create_application(
        self,
        *,
        conversation_id: str,
        school: str,
        grade: str,
        idempotency_key: str,
        child_id: int | None = None,
        child: dict[str, Any] | None = None,
        answers: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"school": school, "grade": grade, "answers": answers or {}}
        if child_id is not None:
            body["child_id"] = child_id
        if child:
            body["child"] = child
        return self._request(
            self._repeatable, "POST",
            f"/api/v1/service/conversations/{conversation_id}/applications",
            json=body, headers={"Idempotency-Key": idempotency_key},
        )

    def create_service_request(
        self, *, conversation_id: str, area: str, answers: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]:
        return self._request(
            self._repeatable, "POST",
            f"/api/v1/service/conversations/{conversation_id}/service-requests",
            json={"area": area, "answers": answers}, headers={"Idempotency-Key": idempotency_key},
        )


def build_hub_client(settings: BotSettings) -> HubClient:
    return HubClient(
        base_url=settings.hub_url,
        timeout=settings.timeout,
        repeatable=_session(token=settings.service_token, retries=settings.retries),
        once=_session(token=settings.service_token, retries=0),
    )


@functools.lru_cache(maxsize=1)
def get_hub_client() -> HubClient:
    """The process's client, built on first use (never at import time).
    Tests call `get_hub_client.cache_clear()` after changing the environment."""
    return build_hub_client(BotSettings.from_env())


async def call_hub(method: Callable[..., T], /, **kwargs: Any) -> T:
    """Run a blocking client call on a worker thread, off the event loop, so
    one slow hub answer never stalls the other conversations."""
    return await asyncio.to_thread(method, **kwargs)


def hub() -> HubClient:
    """The client, or HubUnavailable if the action server is misconfigured."""
    try:
        return get_hub_client()
    except ConfigError as exc:
        logger.error("cannot build the hub client: %s", exc)
        raise HubUnavailable(str(exc)) from exc
