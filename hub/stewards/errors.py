"""What can go wrong with a steward's action: each is a `HubError`, so the app's
handlers answer with the contract's `{detail, code}` body and status."""

from __future__ import annotations

from typing import Any

from hub.errors import HubError


class StewardError(HubError):
    status = 422
    code = "invalid_request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(type(self).status, type(self).code, detail, **extra)


class NotFound(StewardError):
    status = 404
    code = "not_found"


class Forbidden(StewardError):
    status = 403
    code = "forbidden"


class InvalidTransition(StewardError):
    """The escalation is not in a state that allows this action."""

    status = 409
    code = "invalid_transition"


class InvalidInput(StewardError):
    status = 422
    code = "invalid_request"


class NotAuthenticated(StewardError):
    status = 401
    code = "not_authenticated"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.headers = {"WWW-Authenticate": "Bearer"}


class InvalidCredentials(StewardError):
    status = 401
    code = "invalid_credentials"


class AccountLocked(StewardError):
    status = 423
    code = "account_locked"
