"""`ServiceRequest` as docs/hub-api.md shows it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hub.catalog.models import ServiceArea
from hub.clock import local_iso
from hub.service_requests.models import LIVE, ServiceRequest


def request_out(session: Session, row: ServiceRequest) -> dict[str, Any]:
    area = session.get(ServiceArea, row.area_code)
    return {
        "kind": "service_request",
        "reference": row.reference,
        "status": row.status,
        "live": row.status in LIVE,
        "area": {"code": row.area_code, "name": area.name if area else row.area_code,
                 "department": area.department if area else ""},
        "answers": row.answers,
        "needs_steward": row.needs_steward,
        "history": row.history,
        "created_at": local_iso(row.created_at),
        "updated_at": local_iso(row.updated_at),
    }
