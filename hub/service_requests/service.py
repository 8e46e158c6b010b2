"""Service requests: create (idempotent, answers checked against the
catalog), list, get, withdraw, and the status moves staff make. Any active
area of kind `request` works, including one added to the catalog later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.bookings.references import new_reference
from hub.catalog.models import ServiceArea
from hub.errors import HubError, InvalidRequest, NotFound
from hub.holders.models import Holder
from hub.service_requests import workflow
from hub.service_requests.answers import validate_answers
from hub.service_requests.models import (
    COMPLETED,
    IN_PROGRESS,
    LIVE,
    REJECTED,
    SUBMITTED,
    WITHDRAWN,
    ServiceRequest,
)
from hub.stewards.service import open_escalation

PREFIX = "SR-"
REQUEST_KIND = "request"
WORKFLOW = workflow.Workflow(
    noun="request",
    staff_moves={
        SUBMITTED: frozenset({IN_PROGRESS, REJECTED}),
        IN_PROGRESS: frozenset({COMPLETED, REJECTED}),
    },
    live=LIVE,
)
_ATTEMPTS = 5


def request_area(session: Session, code: str) -> ServiceArea:
    area = session.get(ServiceArea, code)
    if area is None or not area.active:
        raise NotFound(f"There is no service area '{code}'.")
    if area.kind != REQUEST_KIND:
        raise InvalidRequest(
            f"{area.name} is not served by a request form.", code="invalid_area", kind=area.kind
        )
    return area


def create_request(
    session: Session,
    *,
    holder: Holder,
    area_code: str,
    answers: dict[str, Any],
    idempotency_key: str,
    now: datetime,
) -> tuple[ServiceRequest, bool]:
    """The request and whether it is new; the same key again returns the
    first one made with it (409 `idempotency_conflict` when it differs)."""
    holder_id = holder.id
    for _ in range(_ATTEMPTS):
        try:
            area = request_area(session, area_code)
            clean = validate_answers(list(area.fields or []), answers)
            existing = session.scalars(select(ServiceRequest).where(
                ServiceRequest.holder_id == holder_id,
                ServiceRequest.idempotency_key == idempotency_key,
            )).first()
            if existing is not None:
                if existing.area_code != area.code or existing.answers != clean:
                    raise HubError(
                        409, "idempotency_conflict",
                        "This Idempotency-Key was already used for a different request.",
                        reference=existing.reference,
                    )
                return existing, False
            row = ServiceRequest(
                reference=_unused_reference(session), holder_id=holder_id, area_code=area.code,
                answers=clean, status=SUBMITTED, needs_steward=area.steward_handled,
                history=[workflow.history_entry(status=SUBMITTED, now=now, by="holder")],
                idempotency_key=idempotency_key, created_at=now, updated_at=now,
            )
            session.add(row)
            session.flush()
            if area.steward_handled:
                _hand_to_steward(session, holder=holder, area=area, row=row, now=now)
            session.commit()
        except IntegrityError:
            session.rollback()  # the twin request with this key committed first
            continue
        except BaseException:
            session.rollback()
            raise
        return row, True
    raise RuntimeError("could not store the request after several attempts")


def _hand_to_steward(
    session: Session, *, holder: Holder, area: ServiceArea, row: ServiceRequest, now: datetime
) -> None:
    """An area that needs judgement (housing, subsidies): the request goes to
    the holder's steward in the same commit, with what the holder answered."""
    open_escalation(
        session, holder=holder, reason="judgement",
        summary=f"{area.name}: request {row.reference} needs a steward's decision",
        context={"service_request": row.reference, "answers": row.answers},
        priority="normal", area_code=area.code, now=now,
    )


def list_requests(
    session: Session, *, holder: Holder, live_only: bool = False
) -> list[ServiceRequest]:
    return workflow.holders_rows(
        session, ServiceRequest, holder_id=holder.id, live=LIVE if live_only else None
    )


def get_request(session: Session, *, holder: Holder, reference: str) -> ServiceRequest:
    """A request of this holder; another holder's looks exactly like none."""
    return workflow.row_by_reference(
        session, ServiceRequest, reference=reference, prefix=PREFIX, noun="request",
        holder_id=holder.id,
    )


def find_request(session: Session, *, reference: str) -> ServiceRequest:
    """Any holder's request (staff tools)."""
    return workflow.row_by_reference(
        session, ServiceRequest, reference=reference, prefix=PREFIX, noun="request"
    )


def withdraw_request(
    session: Session, *, holder: Holder, reference: str, now: datetime, note: str = ""
) -> ServiceRequest:
    """Withdrawing twice changes nothing; a finished request cannot be (409)."""
    row = get_request(session, holder=holder, reference=reference)
    if row.status == WITHDRAWN:
        return row
    if row.status not in LIVE:
        raise workflow.illegal_move("request", reference=row.reference, current=row.status,
                                    to_status=WITHDRAWN)
    try:
        workflow.move(session, model=ServiceRequest, row=row, noun="request",
                      to_status=WITHDRAWN, now=now, by="holder", note=note)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return row


def advance_request(
    session: Session,
    *,
    request: ServiceRequest,
    to_status: str,
    note: str,
    now: datetime,
    by: str = "staff",
) -> ServiceRequest:
    """Staff move a request on: submitted -> in_progress -> completed, or
    rejected from either. Other moves are 409 `invalid_transition`. Flushes;
    the caller commits."""
    WORKFLOW.check_staff_move(reference=request.reference, current=request.status,
                              to_status=to_status)
    workflow.move(session, model=ServiceRequest, row=request, noun="request",
                  to_status=to_status, now=now, by=by, note=note)
    return request


def _unused_reference(session: Session) -> str:
    for _ in range(_ATTEMPTS):
        reference = new_reference(PREFIX)
        taken = session.scalar(select(ServiceRequest.id).where(ServiceRequest.reference == reference))
        if taken is None:
            return reference
    return new_reference(PREFIX)  # the unique index still guards the INSERT
