"""The holder `Profile` of docs/hub-api.md."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import HubError
from hub.holders.models import Holder


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
        "steward": None
        if steward is None
        else {"name": steward.name, "phone": steward.phone, "email": steward.email},
        "children": [
            {
                "id": child.id,
                "name": child.name,
                "birth_date": child.birth_date.isoformat(),
                "school": child.school,
                "grade": child.grade,
            }
            for child in holder.children
        ],
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
