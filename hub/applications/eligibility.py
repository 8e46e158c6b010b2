"""Who may apply where: the child's age, places left, one live application
per child per school.

The rules, as the district states them (catalog `eligibility`, offering
`details`):
- age: the child's age in whole years on 1 September of the school year the
  place is for must be within the grade's `age_min`..`age_max`. That school
  year is the one containing the answer `start_date` when given, else the one
  starting on the next 1 September (today, if today is 1 September).
- places: the grade's `details.places` (card-holder places) minus the live
  applications for it (submitted, under review, offered): a place is held from
  the moment of applying, so the bureau never has more applicants than places.
- duplicates: one live application per child per school.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.applications.models import LIVE, Application
from hub.catalog.models import Offering
from hub.errors import HubError, InvalidRequest
from hub.holders.models import Child

MAX_ALTERNATIVES = 3


@dataclass(frozen=True)
class Verdict:
    age: int
    on: date
    places_left: int | None  # None: the grade sets no limit
    problems: list[HubError]


def school_year_start(*, today: date, start_date: date | None) -> date:
    if start_date is not None:
        year = start_date.year if start_date.month >= 9 else start_date.year - 1
        return date(year, 9, 1)
    this_year = date(today.year, 9, 1)
    return this_year if today <= this_year else date(today.year + 1, 9, 1)


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def places_left(session: Session, *, offering: Offering) -> int | None:
    places = (offering.details or {}).get("places")
    if places is None:
        return None
    live = session.scalar(
        select(func.count(Application.id)).where(
            Application.offering_id == offering.id, Application.status.in_(LIVE)
        )
    )
    return max(0, int(places) - int(live or 0))


def live_application(session: Session, *, child: Child, provider_id: int) -> Application | None:
    return session.scalars(
        select(Application).where(
            Application.child_id == child.id,
            Application.provider_id == provider_id,
            Application.status.in_(LIVE),
        )
    ).first()


def judge(
    session: Session,
    *,
    child: Child,
    offering: Offering,
    today: date,
    start_date: date | None,
) -> Verdict:
    """Every reason the child cannot apply for this place (empty: eligible)."""
    on = school_year_start(today=today, start_date=start_date)
    age = age_on(child.birth_date, on)
    details = offering.details or {}
    problems: list[HubError] = []
    age_min, age_max = details.get("age_min"), details.get("age_max")
    bounds = {"age": age, "on": on.isoformat(), "age_min": age_min, "age_max": age_max}
    if age_min is not None and age < int(age_min):
        problems.append(InvalidRequest(
            f"{child.name} will be {age} on {on.isoformat()}; {offering.name} "
            f"takes children from {age_min}.", code="child_too_young", **bounds))
    if age_max is not None and age > int(age_max):
        problems.append(InvalidRequest(
            f"{child.name} will be {age} on {on.isoformat()}; {offering.name} "
            f"takes children up to {age_max}.", code="child_too_old", **bounds))
    existing = live_application(session, child=child, provider_id=offering.provider_id)
    if existing is not None:
        problems.append(HubError(
            409, "duplicate_application",
            f"{child.name} already has a live application at this school ({existing.reference}).",
            reference=existing.reference))
    left = places_left(session, offering=offering)
    if left is not None and left <= 0:
        problems.append(HubError(
            409, "no_places", f"{offering.name} has no places left for card holders.",
            alternatives=alternatives(session, offering=offering)))
    return Verdict(age=age, on=on, places_left=left, problems=problems)


def alternatives(session: Session, *, offering: Offering) -> list[dict[str, Any]]:
    """The same grade at other schools that still have places."""
    found = []
    others = session.scalars(
        select(Offering).where(
            Offering.area_code == offering.area_code,
            Offering.code == offering.code,
            Offering.id != offering.id,
        ).order_by(Offering.id)
    )
    for other in others:
        if (other.details or {}).get("withdrawn"):
            continue
        left = places_left(session, offering=other)
        if left is None or left > 0:
            found.append({
                "school": {"code": other.provider.code, "name": other.provider.name},
                "grade": {"code": other.code, "name": other.name},
                "places_left": left,
            })
        if len(found) == MAX_ALTERNATIVES:
            break
    return found
