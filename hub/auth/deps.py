"""Who is calling: a holder with a bearer token, or the action server."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.auth.tokens import HOLDER, holder_id_from, read_token
from hub.deps import SessionDep, SettingsDep
from hub.errors import Forbidden, NotAuthenticated
from hub.holders.models import Holder

_bearer = HTTPBearer(auto_error=False, description="Holder token from /api/v1/auth/login")
_service_bearer = HTTPBearer(
    auto_error=False, scheme_name="ServiceToken", description="TCC_SERVICE_TOKEN"
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
ServiceBearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_service_bearer)]


def current_holder(
    credentials: BearerDep, settings: SettingsDep, session: SessionDep
) -> Holder:
    if credentials is None:
        raise NotAuthenticated("Please log in first.")
    claims = read_token(settings=settings, token=credentials.credentials)
    holder = session.get(Holder, holder_id_from(claims))
    if holder is None:
        raise NotAuthenticated()
    # End the read transaction now rather than at the end of the request: on
    # SQLite every transaction holds the write lock (BEGIN IMMEDIATE, see
    # hub.db), and the chat route awaits Rasa, whose actions write through the
    # service API meanwhile. The holder stays usable (expire_on_commit=False).
    session.commit()
    return holder


def service_caller(credentials: ServiceBearerDep, settings: SettingsDep) -> None:
    """Admit the action server; a holder's own token is refused, not just
    unknown, so a leaked holder token cannot act for other conversations."""
    if credentials is None:
        raise NotAuthenticated("A service token is required.")
    given = credentials.credentials.encode()
    if hmac.compare_digest(given, settings.service_token.encode()):
        return
    try:
        claims = read_token(settings=settings, token=credentials.credentials)
    except NotAuthenticated:
        raise NotAuthenticated("The service token is not valid.") from None
    if claims.get("typ") == HOLDER:
        raise Forbidden("A holder token cannot use the service API.")
    raise Forbidden()


HolderDep = Annotated[Holder, Depends(current_holder)]
