from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, UTCDateTime, utcnow
from hub.holders.models import Holder

SUBMITTED = "submitted"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
LIVE = frozenset({SUBMITTED, IN_PROGRESS})


class ServiceRequest(Base):
    """A holder's request in an area of kind `request`; `answers` are the
    catalog form's, checked against the area's `fields` when it was made."""

    __tablename__ = "service_requests"
    __table_args__ = (UniqueConstraint("holder_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("service_areas.code"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=SUBMITTED)
    # [{status, at, by, note}], oldest first: what the holder is told on "status?".
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Copied from the area's steward_handled when made: a person must judge it.
    needs_steward: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    holder: Mapped[Holder] = relationship()
