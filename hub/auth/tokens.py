"""Signed bearer tokens (JWT, HS256).

`typ` says who the token speaks for; today only holders log in, the staff
console adds `staff` tokens later without touching holder checks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import jwt

from hub.config import Settings
from hub.db import MAX_DB_INT
from hub.errors import NotAuthenticated

HOLDER = "holder"
_ALGORITHM = "HS256"


def issue_token(
    *, settings: Settings, subject: int, typ: str, now: datetime
) -> tuple[str, datetime]:
    expires_at = now + timedelta(minutes=settings.token_ttl_minutes)
    claims = {"sub": str(subject), "typ": typ, "iat": now, "exp": expires_at}
    return jwt.encode(claims, settings.secret_key, algorithm=_ALGORITHM), expires_at


def read_token(*, settings: Settings, token: str) -> dict[str, Any]:
    """The verified claims, or NotAuthenticated for anything forged, expired
    or malformed."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[_ALGORITHM],
            options={"require": ["sub", "typ", "exp"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("Your session has expired. Please log in again.") from exc
    except jwt.InvalidTokenError as exc:
        raise NotAuthenticated() from exc
    return claims


def holder_id_from(claims: dict[str, Any]) -> int:
    if claims.get("typ") != HOLDER:
        raise NotAuthenticated()
    try:
        holder_id = int(claims["sub"])
    except (TypeError, ValueError) as exc:
        raise NotAuthenticated() from exc
    if not 0 < holder_id <= MAX_DB_INT:
        raise NotAuthenticated()
    return holder_id
