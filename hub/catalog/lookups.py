"""The names holders use, per NLU entity, so the bot's synonyms and lookup
tables come from the hub's catalog instead of being typed twice.

For each entity: the canonical value (the code the hub's API takes) with its
display name and every synonym (name, Chinese name, aliases). Values of an
entity are merged by code across providers ("ENT" at two hospitals is one
department). Withdrawn offerings and inactive areas are left out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.catalog.models import Offering, Provider, ServiceArea

# entity -> (what it names, the areas it is drawn from)
PROVIDER_ENTITIES = {
    "hospital": ("checkup", "medical"),
    "school": ("school_enrollment",),
    "cinema": ("movies",),
    "venue": ("events",),
    "tutoring_centre": ("tutoring",),
    "sports_centre": ("sports",),
}
OFFERING_ENTITIES = {
    "checkup_package": "checkup",
    "department": "medical",
    "grade": "school_enrollment",
    "movie": "movies",
    "event": "events",
    "subject": "tutoring",
    "facility": "sports",
}


def nlu_lookups(session: Session) -> dict[str, list[dict[str, Any]]]:
    areas = list(session.scalars(
        select(ServiceArea).where(ServiceArea.active.is_(True)).order_by(ServiceArea.number)
    ))
    active = {a.code for a in areas}
    entities: dict[str, list[dict[str, Any]]] = {
        "area": [_value(a.code, a.name, [a.name, a.name_zh, *(a.aliases or [])]) for a in areas]
    }
    providers = list(session.scalars(select(Provider).order_by(Provider.name)))
    for entity, from_areas in PROVIDER_ENTITIES.items():
        entities[entity] = [
            _value(p.code, p.name, [p.name, p.name_zh, *(p.aliases or [])])
            for p in providers
            if any(a in active and a in (p.areas or []) for a in from_areas)
        ]
    for entity, area_code in OFFERING_ENTITIES.items():
        merged: dict[str, dict[str, Any]] = {}
        if area_code in active:
            for o in session.scalars(
                select(Offering).where(Offering.area_code == area_code).order_by(Offering.id)
            ):
                if (o.details or {}).get("withdrawn"):
                    continue
                value = merged.setdefault(o.code, _value(o.code, o.name, []))
                value["synonyms"] = _unique([*value["synonyms"], o.name, *(o.aliases or [])])
        entities[entity] = list(merged.values())
    return entities


def _value(code: str, name: str, synonyms: list[str]) -> dict[str, Any]:
    return {"value": code, "name": name, "synonyms": _unique(synonyms)}


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        if name and name.strip():
            seen.setdefault(name.strip().casefold(), name.strip())
    return list(seen.values())
