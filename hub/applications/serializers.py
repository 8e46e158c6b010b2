"""`Application` as docs/hub-api.md shows it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hub.applications.models import LIVE, Application
from hub.catalog.models import ServiceArea
from hub.clock import local_iso


def application_out(session: Session, application: Application) -> dict[str, Any]:
    area = session.get(ServiceArea, application.area_code)
    school, grade, child = application.provider, application.offering, application.child
    return {
        "kind": "application",
        "reference": application.reference,
        "status": application.status,
        "live": application.status in LIVE,
        "area": {"code": application.area_code,
                 "name": area.name if area else application.area_code},
        "school": {"code": school.code, "name": school.name, "address": school.address},
        "grade": {"code": grade.code, "name": grade.name},
        "child": {"id": child.id, "name": child.name,
                  "birth_date": child.birth_date.isoformat()},
        "answers": application.answers,
        "history": application.history,
        "created_at": local_iso(application.created_at),
        "updated_at": local_iso(application.updated_at),
    }
