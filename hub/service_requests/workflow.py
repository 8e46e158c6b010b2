"""Statuses that move on, shared by applications and service requests.

Each status change is a conditional UPDATE on the status it expects, so two
people moving the same record at once cannot both win, and every change is
appended to the record's `history` with who made it and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from hub.bookings.references import normalise_reference
from hub.clock import local_iso
from hub.errors import HubError, NotFound

WITHDRAWN = "withdrawn"


class Tracked(Protocol):
    id: Any
    reference: Any
    status: Any
    history: Any
    updated_at: Any


@dataclass(frozen=True)
class Workflow:
    noun: str  # "application", for messages
    # Moves made by staff (the steward console, the CLI).
    staff_moves: Mapping[str, frozenset[str]]
    live: frozenset[str]  # statuses the holder may still withdraw from

    def check_staff_move(self, *, reference: str, current: str, to_status: str) -> None:
        known = set(self.staff_moves) | {s for v in self.staff_moves.values() for s in v}
        if to_status not in known or to_status == WITHDRAWN:
            raise HubError(
                422, "invalid_status",
                f"'{to_status}' is not a status staff can give an {self.noun}.",
                allowed=sorted(known - {WITHDRAWN}),
            )
        if to_status not in self.staff_moves.get(current, frozenset()):
            raise illegal_move(self.noun, reference=reference, current=current, to_status=to_status)


R = TypeVar("R")


def holders_rows(
    session: Session, model: type[R], *, holder_id: int, live: frozenset[str] | None = None
) -> list[R]:
    """A holder's applications or requests, newest first; only live ones when
    `live` names the statuses."""
    table: Any = model
    stmt = (
        select(model)
        .where(table.holder_id == holder_id)
        .order_by(table.created_at.desc(), table.id.desc())
    )
    if live is not None:
        stmt = stmt.where(table.status.in_(live))
    return list(session.scalars(stmt))


def row_by_reference(
    session: Session,
    model: type[R],
    *,
    reference: str,
    prefix: str,
    noun: str,
    holder_id: int | None = None,
) -> R:
    """One record by its reference, typed loosely ("ap 7k3m9q"). With a
    holder, another holder's record looks exactly like none (404)."""
    table: Any = model
    code = normalise_reference(reference, prefix)
    stmt = select(model).where(table.reference == code)
    if holder_id is not None:
        stmt = stmt.where(table.holder_id == holder_id)
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"There is no {noun} with the reference {code}.")
    return row


def illegal_move(noun: str, *, reference: str, current: str, to_status: str) -> HubError:
    return HubError(
        409, "invalid_transition",
        f"This {noun} is {current.replace('_', ' ')} and cannot become {to_status.replace('_', ' ')}.",
        reference=reference, current_status=current, to_status=to_status,
    )


def history_entry(*, status: str, now: datetime, by: str, note: str = "") -> dict[str, Any]:
    return {"status": status, "at": local_iso(now), "by": by, "note": note}


def move(
    session: Session,
    *,
    model: type[Any],
    row: Tracked,
    noun: str,
    to_status: str,
    now: datetime,
    by: str,
    note: str,
) -> None:
    """Set the status if it is still what `row` says; append to the history.
    Flushes, does not commit."""
    current = row.status
    history = [*(row.history or []), history_entry(status=to_status, now=now, by=by, note=note)]
    result = session.execute(
        update(model)
        .where(model.id == row.id, model.status == current)
        .values(status=to_status, history=history, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        session.refresh(row)
        raise illegal_move(noun, reference=row.reference, current=row.status, to_status=to_status)
    session.refresh(row)
