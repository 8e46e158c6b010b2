from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.catalog.models import Offering, Provider
from hub.db import Base, UTCDateTime, utcnow
from hub.holders.models import Child, Holder

SUBMITTED = "submitted"
UNDER_REVIEW = "under_review"
OFFERED = "offered"
DECLINED = "declined"
WITHDRAWN = "withdrawn"
# Live: still holds (or may get) a place. Declined and withdrawn are closed.
LIVE = frozenset({SUBMITTED, UNDER_REVIEW, OFFERED})
_LIVE_SQL = text("status IN ('submitted', 'under_review', 'offered')")


class Application(Base):
    """A child's application for a place (an offering: grade or entry point)
    at a school (a provider) in an area of kind `application`."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("holder_id", "idempotency_key"),
        # One live application per child per school: the service checks first
        # and answers 409; this index is the backstop when two race.
        Index(
            "uq_applications_one_live_per_child_school",
            "child_id",
            "provider_id",
            unique=True,
            sqlite_where=_LIVE_SQL,
            postgresql_where=_LIVE_SQL,
        ),
        Index("ix_applications_offering_status", "offering_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("service_areas.code"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    offering_id: Mapped[int] = mapped_column(ForeignKey("offerings.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=SUBMITTED)
    # [{status, at, by, note}], oldest first.
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    holder: Mapped[Holder] = relationship()
    provider: Mapped[Provider] = relationship()
    offering: Mapped[Offering] = relationship()
    child: Mapped[Child] = relationship()
