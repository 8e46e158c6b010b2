"""The holder `Profile` of docs/hub-api.md, the card, and the children in it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import HubError, InvalidRequest, NotFound
from hub.holders.models import Child, Holder

# Where the holder's web page shows the e-card (GET, holder token).
E_CARD_PATH = "/api/v1/me/card"


def profile_out(holder: Holder) -> dict[str, Any]:
    steward = holder.steward
    return {
        "card_number": holder.card_number,
        "serial": holder.serial,
        "golden": holder.golden,
        "name": holder.name,
        "name_zh": holder.name_zh,
        "title": holder.title,
        "employer": holder.employer,
        "card_issued_on": holder.card_issued_on.isoformat(),
        "card_valid_until": holder.card_valid_until.isoformat(),
        "e_card_path": E_CARD_PATH,
        "steward": None
        if steward is None
        else {"name": steward.name, "phone": steward.phone, "email": steward.email},
        "children": [child_out(child) for child in holder.children],
    }


def holder_for_conversation(session: Session, *, conversation_id: str) -> Holder:
    holder = session.scalars(
        select(Holder).where(Holder.conversation_id == conversation_id)
    ).first()
    if holder is None:
        raise HubError(
            404, "unknown_conversation", "No card holder has this conversation id."
        )
    return holder


def child_out(child: Child) -> dict[str, Any]:
    return {
        "id": child.id,
        "name": child.name,
        "birth_date": child.birth_date.isoformat(),
        "school": child.school,
        "grade": child.grade,
    }


def holder_child(session: Session, *, holder: Holder, child_id: int) -> Child:
    child = session.get(Child, child_id)
    if child is None or child.holder_id != holder.id:
        raise NotFound("There is no such child in this holder's profile.")
    return child


def child_named(session: Session, *, holder: Holder, name: str) -> Child | None:
    wanted = " ".join(name.split()).casefold()
    for child in session.scalars(select(Child).where(Child.holder_id == holder.id)):
        if " ".join(child.name.split()).casefold() == wanted:
            return child
    return None


def add_child(
    session: Session, *, holder: Holder, name: str, birth_date: date | None,
    school: str = "", grade: str = "",
) -> tuple[Child, bool]:
    """The child and whether it is new. Children are told apart by name, so
    adding the same child again returns the first (idempotent without a key);
    the same name with another birth date is a 409 `child_conflict`. Flushes,
    does not commit."""
    existing = child_named(session, holder=holder, name=name)
    if existing is not None:
        if birth_date is not None and existing.birth_date != birth_date:
            raise HubError(
                409, "child_conflict",
                f"{existing.name} is already in the profile with another birth date.",
                child=child_out(existing),
            )
        return existing, False
    if birth_date is None:
        raise InvalidRequest(
            f"{name.strip()} is not in the profile yet: the birth date is needed.",
            code="birth_date_required",
        )
    child = Child(holder_id=holder.id, name=" ".join(name.split()), birth_date=birth_date,
                  school=school, grade=grade)
    session.add(child)
    session.flush()
    return child, True


def card_out(holder: Holder, *, today: date) -> dict[str, Any]:
    """The card itself: what the holder asks about and the e-card page shows."""
    if today < holder.card_issued_on:
        status = "not_yet_valid"
    elif today > holder.card_valid_until:
        status = "expired"
    else:
        status = "valid"
    return {
        "card_number": holder.card_number,
        "serial": holder.serial,
        "golden": holder.golden,
        "name": holder.name,
        "name_zh": holder.name_zh,
        "title": holder.title,
        "employer": holder.employer,
        "issued_on": holder.card_issued_on.isoformat(),
        "valid_until": holder.card_valid_until.isoformat(),
        "status": status,
        "days_left": max(0, (holder.card_valid_until - today).days),
        "e_card_path": E_CARD_PATH,
    }
