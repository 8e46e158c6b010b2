"""Staff login: scrypt-hashed passwords, HS256 tokens with `typ` = "staff".

Passwords never live in the repository: they are set from the environment (see
`hub.stewards.cli`). A holder token is not a staff token, whatever it carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import jwt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.auth.secrets import hash_secret, verify_secret
from hub.auth.tokens import read_token
from hub.config import Settings
from hub.holders.models import Steward
from hub.stewards import audit
from hub.stewards.errors import (
    AccountLocked,
    Forbidden,
    InvalidCredentials,
    InvalidInput,
    NotAuthenticated,
)
from hub.stewards.models import AuditEntry

TOKEN_TYPE = "staff"
MIN_PASSWORD_CHARS = 10
MAX_LOGIN_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class StaffToken:
    token: str
    expires_at: datetime


def issue_token(*, settings: Settings, steward: Steward, now: datetime) -> StaffToken:
    """Like a holder token (same key and algorithm) with `typ` = "staff" and the
    role, which the console reads to show supervisor tools. The API itself
    checks the role in the database, so a demotion takes effect at once."""
    expires_at = now + timedelta(minutes=settings.token_ttl_minutes)
    claims = {"sub": str(steward.id), "typ": TOKEN_TYPE, "role": steward.role,
              "iat": int(now.timestamp()), "exp": int(expires_at.timestamp())}
    return StaffToken(jwt.encode(claims, settings.secret_key, algorithm="HS256"), expires_at)


def staff_id_from_token(token: str, *, settings: Settings) -> int:
    """The steward id in a valid staff token. A well-signed token of another
    kind (a holder's) is refused with 403, anything forged or expired with 401."""
    claims = read_token(settings=settings, token=token)
    if claims.get("typ") != TOKEN_TYPE:
        raise Forbidden("A holder token cannot use the staff API.")
    try:
        return int(claims["sub"])
    except (TypeError, ValueError):
        raise NotAuthenticated("Log in again: the staff session is not valid.") from None


def login(
    session: Session, *, username: str, password: str, now: datetime
) -> Steward:
    """The active steward with these credentials. Unknown user and wrong password
    get the same answer and cost the same time; five failures in a row within
    15 minutes lock the account for 15 minutes (counted from the audit log).
    Commits, like the holder login: a failure must be recorded although the
    request fails."""
    steward = session.scalars(
        select(Steward).where(func.lower(Steward.username) == username.strip().lower())
    ).first()
    if steward is None or not steward.active or not steward.password_hash:
        verify_secret(password, _dummy_hash())
        raise InvalidCredentials("Unknown username or wrong password.")
    if _recent_failures(session, steward_id=steward.id, now=now) >= MAX_LOGIN_FAILURES:
        raise AccountLocked("Too many wrong passwords: try again in 15 minutes.")
    if not verify_secret(password, steward.password_hash):
        audit.record(session, action="login_failed", staff=steward, now=now)
        session.commit()
        raise InvalidCredentials("Unknown username or wrong password.")
    audit.record(session, action="login", staff=steward, now=now)
    session.commit()
    return steward


def set_staff_passwords(session: Session, passwords: dict[str, str]) -> list[str]:
    """Set (hash) the given stewards' passwords; returns the usernames set.
    All or nothing: an unknown username or a short password changes nobody."""
    stewards = {
        s.username: s
        for s in session.scalars(select(Steward).where(Steward.username.in_(passwords)))
    }
    unknown = sorted(set(passwords) - stewards.keys())
    if unknown:
        raise InvalidInput(f"No staff account named {', '.join(unknown)}.")
    for username, password in passwords.items():
        if len(password) < MIN_PASSWORD_CHARS:
            raise InvalidInput(
                f"The password for {username} is shorter than {MIN_PASSWORD_CHARS} characters."
            )
    for username, password in passwords.items():
        stewards[username].password_hash = hash_secret(password)
    return sorted(passwords)


def _recent_failures(session: Session, *, steward_id: int, now: datetime) -> int:
    recent = session.scalars(
        select(AuditEntry.action)
        .where(
            AuditEntry.staff_id == steward_id,
            AuditEntry.action.in_(("login", "login_failed")),
            AuditEntry.created_at > now - LOCKOUT,
        )
        .order_by(AuditEntry.id.desc())
        .limit(MAX_LOGIN_FAILURES)
    ).all()
    # Failures since the last success only.
    count = 0
    for action in recent:
        if action == "login":
            break
        count += 1
    return count


@cache
def _dummy_hash() -> str:
    return hash_secret("not a real password")
