"""`Area` and `Provider` as docs/hub-api.md shows them."""

from __future__ import annotations

from typing import Any

from hub.catalog.models import Offering, Provider, ServiceArea


def area_out(area: ServiceArea) -> dict[str, Any]:
    return {
        "code": area.code,
        "number": area.number,
        "name": area.name,
        "name_zh": area.name_zh,
        "aliases": list(area.aliases or []),
        "kind": area.kind,
        "department": area.department,
        "summary": area.summary,
        "description": area.description,
        "eligibility": area.eligibility,
        "what_to_bring": list(area.what_to_bring or []),
        "fields": [field_out(f) for f in area.fields or []],
        "steward_handled": area.steward_handled,
    }


def field_out(field: dict[str, Any]) -> dict[str, Any]:
    """A form question with every key present, whatever the stored row lacks."""
    return {
        "name": field["name"],
        "question": field.get("question", ""),
        "question_zh": field.get("question_zh", ""),
        "type": field.get("type", "text"),
        "choices": list(field.get("choices") or []),
        "required": bool(field.get("required", True)),
    }


def offering_out(offering: Offering) -> dict[str, Any]:
    return {
        "code": offering.code,
        "area_code": offering.area_code,
        "name": offering.name,
        "aliases": list(offering.aliases or []),
        "description": offering.description,
        "details": offering.details or {},
    }


def provider_out(provider: Provider, *, area_code: str | None = None) -> dict[str, Any]:
    """With `area_code`, only the offerings of that area."""
    return {
        "code": provider.code,
        "kind": provider.kind,
        "name": provider.name,
        "name_zh": provider.name_zh,
        "aliases": list(provider.aliases or []),
        "address": provider.address,
        "phone": provider.phone,
        "areas": list(provider.areas or []),
        "offerings": [
            offering_out(o)
            for o in provider.offerings
            if area_code is None or o.area_code == area_code
        ],
    }
