"""Load the seed files into the hub database.

Every loader is an upsert keyed by the code a person wrote in the file (area
code, provider code, steward username, card number), so running it again
changes nothing and an edited file updates its rows in place. Rows are never
deleted here: bookings point at them. To withdraw an area set `active: false`;
an offering dropped from providers.yml keeps its row but loses its schedules
and is marked `details["withdrawn"] = true`.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.auth.secrets import hash_secret, verify_secret
from hub.catalog.models import Offering, Provider, ServiceArea
from hub.db import session_scope
from hub.holders.models import Child, Holder, Steward
from hub.seed.inventory import ensure_inventory
from hub.seed.schema import (
    HolderSeed,
    OfferingSeed,
    ProviderSeed,
    SeedError,
    read_catalog,
    read_holders,
    read_providers,
)

__all__ = [
    "SeedError",
    "demo_holders",
    "ensure_inventory",
    "load_catalog",
    "load_holders",
    "load_providers",
    "seed_database",
]


def load_catalog(session: Session, *, seed_dir: Path) -> int:
    """Upsert the service areas of catalog.yml; returns how many it holds."""
    catalog = read_catalog(seed_dir)
    rows = {a.code: a for a in session.scalars(select(ServiceArea))}
    for area in catalog.areas:
        row = rows.get(area.code)
        if row is None:
            row = ServiceArea(code=area.code)
            session.add(row)
        _assign(row, area.model_dump(mode="json", exclude={"code"}, exclude_none=True))
    session.flush()
    return len(catalog.areas)


def load_providers(session: Session, *, seed_dir: Path) -> int:
    """Upsert providers and their offerings; returns how many providers."""
    catalog = read_catalog(seed_dir)
    seeded = read_providers(seed_dir, catalog=catalog)
    rows = {p.code: p for p in session.scalars(select(Provider))}
    for seed in seeded.providers:
        row = rows.get(seed.code)
        if row is None:
            row = Provider(code=seed.code)
            session.add(row)
        _assign(row, _provider_values(seed))
        session.flush()  # new providers need their id for the offerings
        _load_offerings(session, provider=row, seed=seed)
    session.flush()
    return len(seeded.providers)


def _provider_values(seed: ProviderSeed) -> dict[str, Any]:
    details = dict(seed.details)
    schedules = {
        area: [s.model_dump() for s in service.schedule]
        for area, service in seed.services.items()
        if service.schedule
    }
    if schedules:
        details["schedules"] = schedules
    return {
        "kind": seed.kind,
        "areas": list(seed.services),
        "name": seed.name,
        "name_zh": seed.name_zh,
        "aliases": list(seed.aliases),
        "address": seed.address,
        "phone": seed.phone,
        "details": details,
    }


def _load_offerings(session: Session, *, provider: Provider, seed: ProviderSeed) -> None:
    rows = {
        (o.area_code, o.code): o
        for o in session.scalars(select(Offering).where(Offering.provider_id == provider.id))
    }
    wanted: set[tuple[str, str]] = set()
    for area_code, service in seed.services.items():
        for offering in service.offerings:
            wanted.add((area_code, offering.code))
            row = rows.get((area_code, offering.code))
            if row is None:
                row = Offering(provider_id=provider.id, area_code=area_code, code=offering.code)
                session.add(row)
            _assign(row, _offering_values(offering))
    for key, row in rows.items():
        if key not in wanted:
            # Kept for the bookings that name it, but no new slots.
            details = {k: v for k, v in (row.details or {}).items() if k != "schedules"}
            _assign(row, {"details": {**details, "withdrawn": True}})


def _offering_values(seed: OfferingSeed) -> dict[str, Any]:
    details = dict(seed.details)
    if seed.schedule:
        details["schedules"] = [s.model_dump() for s in seed.schedule]
    return {
        "name": seed.name,
        "aliases": list(seed.aliases),
        "description": seed.description,
        "details": details,
    }


def load_holders(session: Session, *, seed_dir: Path) -> int:
    """Upsert stewards and demo holders with their children; returns how many holders."""
    seeded = read_holders(seed_dir)
    stewards = {s.username: s for s in session.scalars(select(Steward))}
    for staff in seeded.stewards:
        steward = stewards.get(staff.username)
        if steward is None:
            steward = stewards[staff.username] = Steward(username=staff.username)
            session.add(steward)
        # Passwords and `active` belong to the staff console, not to this file.
        _assign(steward, staff.model_dump(include={"name", "email", "phone", "role"}))
    holders = {h.card_number: h for h in session.scalars(select(Holder))}
    for seed in seeded.holders:
        holder = holders.get(seed.card_number)
        if holder is None:
            holder = Holder(
                card_number=seed.card_number,
                # Rasa's sender id: made once, never changed, or the holder
                # would lose their conversation history.
                conversation_id=secrets.token_hex(16),
                pin_hash=hash_secret(seed.pin),
            )
            session.add(holder)
        elif not verify_secret(seed.pin, holder.pin_hash):
            # Hashing is deliberately slow: only when the PIN really changed.
            holder.pin_hash = hash_secret(seed.pin)
        _assign(holder, _holder_values(seed))
        holder.steward = stewards[seed.steward] if seed.steward else None
        _load_children(holder, seed)
    session.flush()
    return len(seeded.holders)


def _holder_values(seed: HolderSeed) -> dict[str, Any]:
    values = seed.model_dump(exclude={"card_number", "pin", "steward", "children"})
    values["serial"] = seed.serial
    return values


def _load_children(holder: Holder, seed: HolderSeed) -> None:
    by_name = {c.name: c for c in holder.children}
    for child in seed.children:
        row = by_name.get(child.name)
        if row is None:
            row = Child(name=child.name)
            holder.children.append(row)
        _assign(row, child.model_dump(exclude={"name"}))


def seed_database(
    session_factory: sessionmaker[Session], *, seed_dir: Path, today: date, days_ahead: int
) -> dict[str, int]:
    """Load all seed files and roll the inventory forward, in one transaction.

    Returns the counts: areas, providers and holders in the files, and the
    slots created now.
    """
    # Read every file first so a mistake anywhere stops the load before it starts.
    read_providers(seed_dir, catalog=read_catalog(seed_dir))
    read_holders(seed_dir)
    with session_scope(session_factory) as session:
        areas = load_catalog(session, seed_dir=seed_dir)
        providers = load_providers(session, seed_dir=seed_dir)
        holders = load_holders(session, seed_dir=seed_dir)
        slots = ensure_inventory(session, today=today, days_ahead=days_ahead)
    return {"areas": areas, "providers": providers, "holders": holders, "slots_created": slots}


def demo_holders(*, seed_dir: Path) -> list[dict[str, Any]]:
    """The demo holders' logins, for the launcher to print."""
    return [
        {"card_number": h.card_number, "pin": h.pin, "name": h.name, "golden": h.golden}
        for h in read_holders(seed_dir).holders
    ]


def _assign(row: object, values: dict[str, Any]) -> None:
    # Only set what differs, so a reload leaves unchanged rows clean (no UPDATE).
    for name, value in values.items():
        if getattr(row, name, None) != value:
            setattr(row, name, value)
