"""Statuses that move on, shared by applications and service requests.

Each status change is a conditional UPDATE on the status it expects, so two
people moving the same record at once cannot both win, and every change is
appended to the record's `history` with who made it and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from hub.clock import local_iso
from hub.errors import HubError

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
