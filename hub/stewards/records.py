"""A holder's applications and service requests as the steward sees and moves
them. The moves themselves are the workflows' own (`advance_application`,
`advance_request`): the same allowed next statuses as the CLI, the same
conditional UPDATE, the same history the holder reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.applications import service as applications
from hub.applications.models import Application
from hub.applications.serializers import application_out
from hub.holders.models import Holder, Steward
from hub.service_requests import service as requests
from hub.service_requests.models import ServiceRequest
from hub.service_requests.serializers import request_out
from hub.stewards import audit
from hub.stewards.actions import require_acting
from hub.stewards.models import Escalation


def holder_applications(session: Session, *, holder: Holder) -> list[Application]:
    return list(session.scalars(
        select(Application).where(Application.holder_id == holder.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
    ))


def holder_requests(session: Session, *, holder: Holder) -> list[ServiceRequest]:
    return list(session.scalars(
        select(ServiceRequest).where(ServiceRequest.holder_id == holder.id)
        .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
    ))


def staff_application_out(session: Session, application: Application) -> dict[str, Any]:
    # `allowed_moves` is what the console offers; the workflow enforces it.
    moves = applications.WORKFLOW.staff_moves.get(application.status, frozenset())
    return {**application_out(session, application), "allowed_moves": sorted(moves)}


def staff_request_out(session: Session, row: ServiceRequest) -> dict[str, Any]:
    moves = requests.WORKFLOW.staff_moves.get(row.status, frozenset())
    return {**request_out(session, row), "allowed_moves": sorted(moves)}


def move_application_for_holder(
    session: Session,
    *,
    escalation: Escalation,
    staff: Steward,
    reference: str,
    to_status: str,
    note: str,
    now: datetime,
) -> Application:
    """Flushes the move and its audit entry; the caller commits both."""
    require_acting(staff, escalation)
    application = applications.get_application(
        session, holder=escalation.holder, reference=reference
    )
    before = application.status
    applications.advance_application(
        session, application=application, to_status=to_status, note=note, now=now,
        by=staff.username,
    )
    _record(session, action="move_application", escalation=escalation, staff=staff, now=now,
            reference=application.reference, before=before, after=to_status, note=note)
    return application


def move_request_for_holder(
    session: Session,
    *,
    escalation: Escalation,
    staff: Steward,
    reference: str,
    to_status: str,
    note: str,
    now: datetime,
) -> ServiceRequest:
    """Flushes the move and its audit entry; the caller commits both."""
    require_acting(staff, escalation)
    row = requests.get_request(session, holder=escalation.holder, reference=reference)
    before = row.status
    requests.advance_request(
        session, request=row, to_status=to_status, note=note, now=now, by=staff.username
    )
    _record(session, action="move_service_request", escalation=escalation, staff=staff,
            now=now, reference=row.reference, before=before, after=to_status, note=note)
    return row


def _record(
    session: Session, *, action: str, escalation: Escalation, staff: Steward, now: datetime,
    reference: str, before: str, after: str, note: str,
) -> None:
    escalation.updated_at = now
    audit.record(session, action=action, escalation=escalation, staff=staff, now=now,
                 details={"reference": reference, "from": before, "to": after, "note": note})
