"""Who is calling the staff API: a steward or supervisor with a staff token."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.deps import SessionDep, SettingsDep
from hub.holders.models import Steward
from hub.stewards.auth import staff_id_from_token
from hub.stewards.errors import NotAuthenticated
from hub.stewards.office_hours import (
    OfficeHours,
    default_office_hours,
    load_office_hours,
)

_staff_bearer = HTTPBearer(
    auto_error=False, scheme_name="StaffToken", description="Token from /api/v1/staff/login"
)
StaffBearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_staff_bearer)]


def staff_for_token(session: Session, *, settings: Settings, token: str | None) -> Steward:
    if not token:
        raise NotAuthenticated("Please log in to the staff console.")
    steward = session.get(Steward, staff_id_from_token(token, settings=settings))
    if steward is None or not steward.active:
        raise NotAuthenticated("This staff account is no longer active.")
    return steward


def current_staff(
    credentials: StaffBearerDep, settings: SettingsDep, session: SessionDep
) -> Steward:
    token = credentials.credentials if credentials is not None else None
    return staff_for_token(session, settings=settings, token=token)


def office_hours(settings: SettingsDep) -> OfficeHours:
    return _office_hours_at(settings.seed_dir / "office_hours.yml")


@cache
def _office_hours_at(path: Path) -> OfficeHours:
    # Read once per process: the district edits the file and restarts the hub.
    # A seed directory without a calendar (a test's) uses the committed one.
    return load_office_hours(path) if path.exists() else default_office_hours()


StaffDep = Annotated[Steward, Depends(current_staff)]
OfficeHoursDep = Annotated[OfficeHours, Depends(office_hours)]
