"""Rolling inventory: turn the providers' weekly schedules into bookable slots.

Schedules are kept with the rows the loader writes (`Provider.details["schedules"]`
maps an area code to its area-wide schedules, shared by every offering there;
`Offering.details["schedules"]` lists one offering's own), so this runs from the
database alone: at start-up and again each day to keep the horizon rolling.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hub.bookings.models import InventorySlot
from hub.catalog.models import Offering, Provider, ServiceArea
from hub.config import LOCAL_TZ
from hub.seed.schema import WEEKDAYS

SlotKey = tuple[int, str, int | None, datetime]


@dataclass(frozen=True)
class _Plan:
    provider_id: int
    area_code: str
    offering_id: int | None  # None: the slot serves the whole area
    schedule: dict[str, Any]


def ensure_inventory(session: Session, *, today: date, days_ahead: int) -> int:
    """Create the missing slots from `today` through `today + days_ahead`.

    Returns how many were created. Existing slots are never touched: their
    `booked` counts are real bookings, and a schedule edit applies to new days.
    """
    plans = list(_plans(session))
    if not plans or days_ahead < 0:
        return 0
    window_start = datetime.combine(today, time.min, LOCAL_TZ)
    window_end = datetime.combine(today + timedelta(days=days_ahead + 1), time.min, LOCAL_TZ)
    # One query for what exists: the unique constraint cannot catch duplicates
    # of area-wide slots, because their NULL offering_id never collides.
    existing: set[SlotKey] = {
        (row.provider_id, row.area_code, row.offering_id, row.starts_at)
        for row in session.execute(
            select(
                InventorySlot.provider_id,
                InventorySlot.area_code,
                InventorySlot.offering_id,
                InventorySlot.starts_at,
            ).where(
                InventorySlot.starts_at >= window_start,
                InventorySlot.starts_at < window_end,
            )
        )
    }
    rows: list[dict[str, Any]] = []
    for offset in range(days_ahead + 1):
        day = today + timedelta(days=offset)
        weekday = WEEKDAYS[day.weekday()]
        for plan in plans:
            if weekday not in plan.schedule["days"]:
                continue
            for clock in plan.schedule["times"]:
                hour, minute = (int(part) for part in clock.split(":"))
                starts_at = datetime.combine(day, time(hour, minute), LOCAL_TZ).astimezone(timezone.utc)
                key = (plan.provider_id, plan.area_code, plan.offering_id, starts_at)
                if key in existing:
                    continue
                existing.add(key)  # two schedules may name the same time
                rows.append(
                    {
                        "provider_id": plan.provider_id,
                        "area_code": plan.area_code,
                        "offering_id": plan.offering_id,
                        "starts_at": starts_at,
                        "ends_at": starts_at + timedelta(minutes=plan.schedule["duration_minutes"]),
                        "capacity": plan.schedule["capacity"],
                        "booked": 0,
                    }
                )
    if rows:
        # A bulk INSERT (executemany): thousands of slots in well under a second.
        session.execute(insert(InventorySlot), rows)
    return len(rows)


def _plans(session: Session) -> Iterator[_Plan]:
    active = set(session.scalars(select(ServiceArea.code).where(ServiceArea.active)))
    for provider in session.scalars(select(Provider).order_by(Provider.id)):
        for area_code, schedules in (provider.details or {}).get("schedules", {}).items():
            if area_code in active:
                for schedule in schedules:
                    yield _Plan(provider.id, area_code, None, schedule)
    for offering in session.scalars(select(Offering).order_by(Offering.id)):
        if offering.area_code in active:
            for schedule in (offering.details or {}).get("schedules", []):
                yield _Plan(offering.provider_id, offering.area_code, offering.id, schedule)
