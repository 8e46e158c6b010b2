"""The holder's own view (/api/v1/me) and the service API's profile lookup."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from hub.auth.deps import HolderDep, service_caller
from hub.bookings.engine import list_bookings
from hub.bookings.serializers import booking_out
from hub.deps import SessionDep
from hub.holders.models import Holder
from hub.holders.profile import holder_for_conversation, profile_out

me_router = APIRouter(prefix="/api/v1/me", tags=["holder"])
service_router = APIRouter(
    prefix="/api/v1/service", tags=["service"], dependencies=[Depends(service_caller)]
)


@me_router.get("")
def my_profile(holder: HolderDep, session: SessionDep) -> dict[str, Any]:
    # Re-read in this session: relationships load lazily from here.
    return profile_out(session.get_one(Holder, holder.id))


@me_router.get("/bookings")
def my_bookings(holder: HolderDep, session: SessionDep) -> dict[str, Any]:
    bookings = list_bookings(session, holder=holder)
    return {"bookings": [booking_out(session, b) for b in bookings]}


@service_router.get("/conversations/{cid}/profile")
def conversation_profile(cid: str, session: SessionDep) -> dict[str, Any]:
    return profile_out(holder_for_conversation(session, conversation_id=cid))
