"""Applications: create (idempotent, checked), list, get, withdraw, and the
status moves staff make. Status changes only by people: nothing here runs on
a timer. Writes commit their own transaction, except `advance_application`,
which the caller commits (the console may record more in the same one)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.applications import eligibility
from hub.applications.models import (
    DECLINED,
    LIVE,
    OFFERED,
    SUBMITTED,
    UNDER_REVIEW,
    WITHDRAWN,
    Application,
)
from hub.bookings.references import new_reference
from hub.catalog.models import Offering, Provider, ServiceArea
from hub.clock import local_date
from hub.errors import HubError, InvalidRequest, NotFound
from hub.holders.models import Child, Holder
from hub.holders.profile import add_child, holder_child
from hub.reminders import service as reminders
from hub.reminders.policy import DEFAULT_QUIET_HOURS, QuietHours
from hub.service_requests import workflow
from hub.service_requests.answers import validate_answers

PREFIX = "AP-"
APPLICATION_KIND = "application"
WORKFLOW = workflow.Workflow(
    noun="application",
    staff_moves={
        SUBMITTED: frozenset({UNDER_REVIEW}),
        UNDER_REVIEW: frozenset({OFFERED, DECLINED}),
    },
    live=LIVE,
)
_ATTEMPTS = 5


def application_area(session: Session, code: str) -> ServiceArea:
    area = session.get(ServiceArea, code)
    if area is None or not area.active:
        raise NotFound(f"There is no service area '{code}'.")
    if area.kind != APPLICATION_KIND:
        raise InvalidRequest(f"{area.name} does not take applications.", code="invalid_area")
    return area


def place(session: Session, *, area: ServiceArea, school: str, grade: str) -> Offering:
    provider = session.scalars(select(Provider).where(Provider.code == school)).first()
    if provider is None or area.code not in (provider.areas or []):
        raise NotFound(f"There is no school '{school}' for {area.name.lower()}.")
    offering = session.scalars(
        select(Offering).where(
            Offering.provider_id == provider.id,
            Offering.area_code == area.code,
            Offering.code == grade,
        )
    ).first()
    if offering is None or (offering.details or {}).get("withdrawn"):
        raise NotFound(f"{provider.name} takes no applications for '{grade}'.")
    return offering


def resolve_child(
    session: Session, *, holder: Holder, child_id: int | None, name: str | None,
    birth_date: date | None,
) -> Child:
    """An existing child by id or name, or a new one (name and birth date)."""
    if child_id is not None:
        return holder_child(session, holder=holder, child_id=child_id)
    if not name or not name.strip():
        raise InvalidRequest("Say which child: child_id, or child with a name.",
                             code="child_required")
    child, _ = add_child(session, holder=holder, name=name, birth_date=birth_date)
    return child


def create_application(
    session: Session,
    *,
    holder: Holder,
    area_code: str,
    school: str,
    grade: str,
    child_id: int | None,
    child_name: str | None,
    child_birth_date: date | None,
    answers: dict[str, Any],
    idempotency_key: str,
    now: datetime,
    quiet: QuietHours = DEFAULT_QUIET_HOURS,
) -> tuple[Application, bool]:
    """The application and whether it is new. Checked in this order: the
    place exists (404), the answers (422 `invalid_answers`), the child's age
    (422), a live application of the child at this school (409), places (409
    `no_places` with `alternatives`). A new child is added to the profile only
    when the application is made."""
    holder_id = holder.id
    for _ in range(_ATTEMPTS):
        existing = session.scalars(select(Application).where(
            Application.holder_id == holder_id, Application.idempotency_key == idempotency_key,
        )).first()
        try:
            area = application_area(session, area_code)
            offering = place(session, area=area, school=school, grade=grade)
            if existing is None:
                # Lock the grade's row (PostgreSQL; SQLite already holds its
                # write lock) so two applicants cannot take its last place.
                session.scalars(select(Offering.id).where(Offering.id == offering.id)
                                .with_for_update()).all()
            child = resolve_child(session, holder=holder, child_id=child_id, name=child_name,
                                  birth_date=child_birth_date)
            clean = validate_answers(list(area.fields or []), _with_choices_made(
                area, answers, child=child, offering=offering))
            if existing is not None:
                _check_same(existing, offering=offering, child=child, answers=clean)
                session.rollback()  # a new child named in a replay is already there
                return existing, False
            start = clean.get("start_date")
            verdict = eligibility.judge(
                session, child=child, offering=offering, today=local_date(now),
                start_date=date.fromisoformat(start) if start else None,
            )
            if verdict.problems:
                raise verdict.problems[0]
            application = Application(
                reference=_unused_reference(session), holder_id=holder_id,
                area_code=area.code, provider_id=offering.provider_id,
                offering_id=offering.id, child_id=child.id, answers=clean, status=SUBMITTED,
                history=[workflow.history_entry(status=SUBMITTED, now=now, by="holder")],
                idempotency_key=idempotency_key, created_at=now, updated_at=now,
            )
            session.add(application)
            session.flush()
            # A reminder before each deadline still ahead, in the same commit.
            reminders.plan_for_application(session, application=application, quiet=quiet, now=now)
            session.commit()
        except IntegrityError:
            # The twin request with this key, or a race for the same child and
            # school, committed first: look again (and answer 409 or replay).
            session.rollback()
            continue
        except BaseException:
            session.rollback()
            raise
        return application, True
    raise RuntimeError("could not store the application after several attempts")


def _with_choices_made(
    area: ServiceArea, answers: dict[str, Any], *, child: Child, offering: Offering
) -> dict[str, Any]:
    """The form's answers, with the questions the request already answered
    (which child, school, grade) filled in from it, when the form asks them."""
    made = {"child_name": child.name, "school": offering.provider.name,
            "entry_grade": offering.code}
    asked = {f["name"] for f in area.fields or []}
    return {**answers, **{k: v for k, v in made.items() if k in asked}}


def _check_same(
    existing: Application, *, offering: Offering, child: Child, answers: dict[str, Any]
) -> None:
    if (
        existing.offering_id != offering.id
        or existing.child_id != child.id
        or existing.answers != answers
    ):
        raise HubError(
            409, "idempotency_conflict",
            "This Idempotency-Key was already used for a different application.",
            reference=existing.reference,
        )


def list_applications(
    session: Session, *, holder: Holder, live_only: bool = False
) -> list[Application]:
    return workflow.holders_rows(
        session, Application, holder_id=holder.id, live=LIVE if live_only else None
    )


def get_application(session: Session, *, holder: Holder, reference: str) -> Application:
    """An application of this holder; another holder's looks exactly like none."""
    return workflow.row_by_reference(
        session, Application, reference=reference, prefix=PREFIX, noun="application",
        holder_id=holder.id,
    )


def find_application(session: Session, *, reference: str) -> Application:
    """Any holder's application (staff tools)."""
    return workflow.row_by_reference(
        session, Application, reference=reference, prefix=PREFIX, noun="application"
    )


def withdraw_application(
    session: Session, *, holder: Holder, reference: str, now: datetime, note: str = ""
) -> Application:
    """The holder withdraws (its place is free again); withdrawing twice
    changes nothing; a declined application cannot be withdrawn (409)."""
    application = get_application(session, holder=holder, reference=reference)
    if application.status == WITHDRAWN:
        return application
    if application.status not in LIVE:
        raise workflow.illegal_move("application", reference=application.reference,
                                    current=application.status, to_status=WITHDRAWN)
    try:
        workflow.move(session, model=Application, row=application, noun="application",
                      to_status=WITHDRAWN, now=now, by="holder", note=note)
        reminders.cancel_for_application(session, application=application,
                                         reason="the application was withdrawn")
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return application


def advance_application(
    session: Session,
    *,
    application: Application,
    to_status: str,
    note: str,
    now: datetime,
    by: str = "staff",
) -> Application:
    """Staff move an application on: submitted -> under_review -> offered |
    declined. Any other move is 409 `invalid_transition`; an unknown status
    422 `invalid_status`. Flushes; the caller commits."""
    WORKFLOW.check_staff_move(reference=application.reference, current=application.status,
                              to_status=to_status)
    workflow.move(session, model=Application, row=application, noun="application",
                  to_status=to_status, now=now, by=by, note=note)
    if to_status not in LIVE:
        reminders.cancel_for_application(session, application=application,
                                         reason=f"the application was {to_status}")
    return application


def _unused_reference(session: Session) -> str:
    for _ in range(_ATTEMPTS):
        reference = new_reference(PREFIX)
        if session.scalar(select(Application.id).where(Application.reference == reference)) is None:
            return reference
    return new_reference(PREFIX)  # the unique index still guards the INSERT
