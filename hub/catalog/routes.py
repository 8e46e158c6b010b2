"""Service API: the catalog of areas and their providers, the questions of
each form, the symptom search and the names for the bot's NLU."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hub.auth.deps import service_caller
from hub.catalog.lookups import nlu_lookups
from hub.catalog.medical import find_departments
from hub.catalog.models import Provider, ServiceArea
from hub.catalog.serializers import area_out, field_out, provider_out
from hub.deps import SessionDep
from hub.errors import InvalidRequest, NotFound

router = APIRouter(
    prefix="/api/v1/service/catalog",
    tags=["service"],
    dependencies=[Depends(service_caller)],
)


# Mounted under /api/v1/service by hub.holders.routes (paths are relative).
search_router = APIRouter(tags=["service"], dependencies=[Depends(service_caller)])


def _active_area(session: Session, area_code: str) -> ServiceArea:
    area = session.get(ServiceArea, area_code)
    if area is None or not area.active:
        raise NotFound(f"There is no service area '{area_code}'.")
    return area


@router.get("")
def list_areas(session: SessionDep) -> dict[str, Any]:
    areas = session.scalars(
        select(ServiceArea).where(ServiceArea.active.is_(True)).order_by(ServiceArea.number)
    )
    return {"areas": [area_out(a) for a in areas]}


@router.get("/{area_code}")
def get_area(area_code: str, session: SessionDep) -> dict[str, Any]:
    area = _active_area(session, area_code)
    # `areas` is a JSON list: filtered here, the provider table is small.
    providers = [
        p
        for p in session.scalars(
            select(Provider).options(selectinload(Provider.offerings)).order_by(Provider.name)
        )
        if area_code in (p.areas or [])
    ]
    return {
        **area_out(area),
        "providers": [provider_out(p, area_code=area_code) for p in providers],
    }


@router.get("/{area_code}/fields")
def get_fields(area_code: str, session: SessionDep) -> dict[str, Any]:
    """The form's questions, in the order to ask them."""
    area = _active_area(session, area_code)
    return {
        "area": {"code": area.code, "name": area.name, "kind": area.kind,
                 "steward_handled": area.steward_handled},
        "fields": [field_out(f) for f in area.fields or []],
    }


@search_router.get("/medical/departments")
def medical_departments(
    session: SessionDep,
    symptom: Annotated[str | None, Query(max_length=500)] = None,
    q: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    text = (symptom or q or "").strip()
    if not text:
        raise InvalidRequest("Say what the symptom is (symptom=...).", code="invalid_request")
    return {"query": text, "departments": find_departments(session, text=text)}


@search_router.get("/nlu/lookups")
def lookups(session: SessionDep) -> dict[str, Any]:
    return {"entities": nlu_lookups(session)}
