"""Domain errors and the handlers that turn every failure into one JSON shape.

Every 4xx/5xx body is `{"detail": <sentence>, "code": <machine code>}` plus
fields named per error (docs/hub-api.md), so the bot and the web page can branch
on `code` and show `detail`.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


class HubError(Exception):
    """A failure the caller caused or can act on, with its HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, **self.extra}


class NotFound(HubError):
    def __init__(self, detail: str) -> None:
        super().__init__(404, "not_found", detail)


class NotAuthenticated(HubError):
    def __init__(self, detail: str = "Please log in again.") -> None:
        super().__init__(
            401, "not_authenticated", detail, headers={"WWW-Authenticate": "Bearer"}
        )


class Forbidden(HubError):
    def __init__(self, detail: str = "This token may not use this API.") -> None:
        super().__init__(403, "forbidden", detail)


class InvalidRequest(HubError):
    """A 422 the handlers did not get from pydantic (a rule pydantic cannot see)."""

    def __init__(self, detail: str, code: str = "invalid_request", **extra: Any) -> None:
        super().__init__(422, code, detail, **extra)


_HTTP_CODES = {
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
}


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    # `input` may echo a PIN or a 100 kB message, `ctx` may hold exception
    # objects: neither belongs in a response.
    return [
        {"loc": [str(part) for part in err.get("loc", ())], "msg": str(err.get("msg", "")),
         "type": str(err.get("type", ""))}
        for err in errors
    ]


def _describe(errors: list[dict[str, Any]]) -> str:
    parts = []
    for err in errors[:3]:
        loc = [p for p in err["loc"] if p not in ("body", "query", "path", "header")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {err['msg']}")
    return "The request is missing or has invalid fields (" + "; ".join(parts) + ")."


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _clean_errors(exc.errors())
    if any(err["type"] == "json_invalid" for err in errors):
        return JSONResponse(
            {"detail": "The request body is not valid JSON.", "code": "invalid_json"},
            status_code=400,
        )
    return JSONResponse(
        {"detail": _describe(errors), "code": "invalid_request", "errors": errors},
        status_code=422,
    )


async def _on_hub_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HubError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def _on_http_exception(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "The request failed."
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    if exc.status_code == 400:
        # FastAPI's own 400 is a body it could not decode (not UTF-8, ...).
        detail, code = "The request body is not valid JSON.", "invalid_json"
    return JSONResponse(
        {"detail": detail, "code": code},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Starlette re-raises after answering, so the server logs it too; this line
    # ties the traceback to the request that caused it.
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": "Something went wrong on our side. Please try again.",
         "code": "internal_error"},
        status_code=500,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HubError, _on_hub_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(Exception, _on_unexpected)
