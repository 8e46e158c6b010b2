"""Where and when there is room: open slots and alternatives when full.

Local days (Asia/Shanghai) are turned into UTC bounds here; "open" means not
started yet and with room for the requested quantity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload

from hub.bookings.models import InventorySlot
from hub.catalog.models import Offering, Provider, ServiceArea
from hub.clock import local_date, local_day_bounds
from hub.errors import InvalidRequest, NotFound

MAX_ALTERNATIVES = 3


@dataclass(frozen=True)
class Availability:
    provider: Provider
    day: date
    slots: list[InventorySlot]
    alternatives: list[InventorySlot]


def availability(
    session: Session,
    *,
    area_code: str,
    provider_code: str,
    day: date,
    offering_code: str | None = None,
    quantity: int = 1,
    now: datetime,
) -> Availability:
    if day < local_date(now):
        raise InvalidRequest("That date has already passed.", code="date_in_past")
    require_quantity(quantity)
    provider = _provider_in_area(session, area_code=area_code, provider_code=provider_code)
    offering = (
        _offering(session, provider=provider, area_code=area_code, code=offering_code)
        if offering_code
        else None
    )
    start, end = local_day_bounds(day)
    slots = list(
        session.scalars(
            _open_slots(area_code=area_code, quantity=quantity, now=now, offering=offering)
            .where(InventorySlot.provider_id == provider.id)
            .where(InventorySlot.starts_at >= start, InventorySlot.starts_at < end)
        )
    )
    alternatives = (
        []
        if slots
        else _alternatives(
            session,
            area_code=area_code,
            provider=provider,
            offering=offering,
            day=day,
            quantity=quantity,
            now=now,
        )
    )
    return Availability(provider=provider, day=day, slots=slots, alternatives=alternatives)


def require_quantity(quantity: int) -> None:
    if quantity < 1:
        raise InvalidRequest("The quantity must be at least 1.")


def _provider_in_area(session: Session, *, area_code: str, provider_code: str) -> Provider:
    if session.get(ServiceArea, area_code) is None:
        raise NotFound(f"There is no service area '{area_code}'.")
    provider = session.scalars(select(Provider).where(Provider.code == provider_code)).first()
    if provider is None or area_code not in (provider.areas or []):
        raise NotFound(f"There is no provider '{provider_code}' for this service.")
    return provider


def _offering(session: Session, *, provider: Provider, area_code: str, code: str) -> Offering:
    offering = find_offering(
        session, provider_id=provider.id, area_code=area_code, code=code
    )
    if offering is None:
        raise NotFound(f"{provider.name} does not offer '{code}'.")
    return offering


def find_offering(
    session: Session, *, provider_id: int, area_code: str, code: str
) -> Offering | None:
    return session.scalars(
        select(Offering).where(
            Offering.provider_id == provider_id,
            Offering.area_code == area_code,
            Offering.code == code,
        )
    ).first()


def _open_slots(
    *, area_code: str, quantity: int, now: datetime, offering: Offering | None
) -> Select[tuple[InventorySlot]]:
    """Slots of an area that have not started and have room for `quantity`;
    with an offering, its own slots plus the provider's area-wide ones."""
    stmt = (
        select(InventorySlot)
        .where(
            InventorySlot.area_code == area_code,
            InventorySlot.starts_at > now,
            InventorySlot.capacity - InventorySlot.booked >= quantity,
        )
        .options(joinedload(InventorySlot.provider), joinedload(InventorySlot.offering))
        .order_by(InventorySlot.starts_at, InventorySlot.id)
    )
    if offering is not None:
        stmt = stmt.where(
            or_(InventorySlot.offering_id == offering.id, InventorySlot.offering_id.is_(None))
        )
    return stmt


def _alternatives(
    session: Session,
    *,
    area_code: str,
    provider: Provider,
    offering: Offering | None,
    day: date,
    quantity: int,
    now: datetime,
    exclude_slot_id: int | None = None,
) -> list[InventorySlot]:
    """The first free slot on each of the next dates at this provider, then
    the same date at other providers of the area that offer the same thing."""
    start, end = local_day_bounds(day)
    later = session.scalars(
        _open_slots(area_code=area_code, quantity=quantity, now=now, offering=offering)
        .where(InventorySlot.provider_id == provider.id, InventorySlot.starts_at >= end)
        .limit(500)
    )
    found = _first_per(later, key=lambda s: local_date(s.starts_at))

    stmt = (
        select(InventorySlot)
        .where(
            InventorySlot.area_code == area_code,
            InventorySlot.provider_id != provider.id,
            InventorySlot.starts_at > now,
            InventorySlot.starts_at >= start,
            InventorySlot.starts_at < end,
            InventorySlot.capacity - InventorySlot.booked >= quantity,
        )
        .options(joinedload(InventorySlot.provider), joinedload(InventorySlot.offering))
        .order_by(InventorySlot.starts_at, InventorySlot.id)
    )
    if offering is not None:
        # Another hospital's slot only helps if it has the same package.
        same_code = select(Offering.id).where(
            Offering.area_code == area_code, Offering.code == offering.code
        )
        offering_providers = select(Offering.provider_id).where(
            Offering.area_code == area_code, Offering.code == offering.code
        )
        stmt = stmt.where(
            or_(
                InventorySlot.offering_id.in_(same_code),
                InventorySlot.offering_id.is_(None)
                & InventorySlot.provider_id.in_(offering_providers),
            )
        )
    found += _first_per(session.scalars(stmt.limit(500)), key=lambda s: s.provider_id)
    return [s for s in found if s.id != exclude_slot_id]


def _first_per(slots: Any, *, key: Any) -> list[InventorySlot]:
    picked: dict[Any, InventorySlot] = {}
    for slot in slots:
        picked.setdefault(key(slot), slot)
        if len(picked) == MAX_ALTERNATIVES:
            break
    return list(picked.values())


def alternatives_for_full_slot(
    session: Session,
    *,
    slot: InventorySlot,
    offering: Offering | None,
    quantity: int,
    now: datetime,
) -> Sequence[InventorySlot]:
    """Other times for a request that found its slot full: the same day at the
    same provider first, else the usual alternatives."""
    day = local_date(slot.starts_at)
    start, end = local_day_bounds(day)
    same_day = [
        s
        for s in session.scalars(
            _open_slots(area_code=slot.area_code, quantity=quantity, now=now, offering=offering)
            .where(InventorySlot.provider_id == slot.provider_id)
            .where(InventorySlot.starts_at >= start, InventorySlot.starts_at < end)
        )
        if s.id != slot.id
    ]
    if same_day:
        return same_day[:MAX_ALTERNATIVES]
    return _alternatives(
        session, area_code=slot.area_code, provider=slot.provider, offering=offering,
        day=day, quantity=quantity, now=now, exclude_slot_id=slot.id,
    )
