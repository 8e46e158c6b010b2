"""Service API: the catalog of areas and their providers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.auth.deps import service_caller
from hub.catalog.models import Provider, ServiceArea
from hub.catalog.serializers import area_out, provider_out
from hub.deps import SessionDep
from hub.errors import NotFound

router = APIRouter(
    prefix="/api/v1/service/catalog",
    tags=["service"],
    dependencies=[Depends(service_caller)],
)


@router.get("")
def list_areas(session: SessionDep) -> dict[str, Any]:
    areas = session.scalars(
        select(ServiceArea).where(ServiceArea.active.is_(True)).order_by(ServiceArea.number)
    )
    return {"areas": [area_out(a) for a in areas]}


@router.get("/{area_code}")
def get_area(area_code: str, session: SessionDep) -> dict[str, Any]:
    area = session.get(ServiceArea, area_code)
    if area is None or not area.active:
        raise NotFound(f"There is no service area '{area_code}'.")
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
