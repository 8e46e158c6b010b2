"""POST /api/v1/auth/login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hub.auth.login import authenticate_holder
from hub.auth.tokens import HOLDER, issue_token
from hub.clock import local_iso
from hub.deps import NowDep, SessionDep, SettingsDep
from hub.holders.profile import profile_out

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginRequest(BaseModel):
    card_number: str = Field(min_length=1, max_length=64)
    pin: str = Field(min_length=1, max_length=64)


@router.post("/login")
def login(
    body: LoginRequest, session: SessionDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    holder = authenticate_holder(
        session,
        card_number=body.card_number,
        pin=body.pin,
        now=now,
        max_failures=settings.max_pin_failures,
        lockout=timedelta(minutes=settings.pin_lockout_minutes),
    )
    token, expires_at = issue_token(settings=settings, subject=holder.id, typ=HOLDER, now=now)
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_at": local_iso(expires_at),
        "holder": profile_out(holder),
    }
