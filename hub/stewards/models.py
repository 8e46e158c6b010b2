from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, UTCDateTime, utcnow
from hub.holders.models import Holder, Steward

STATUSES = ("open", "claimed", "waiting_holder", "resolved")
LIVE_STATUSES = ("open", "claimed", "waiting_holder")
PRIORITIES = ("low", "normal", "high", "urgent")
REASONS = ("requested", "fallback", "judgement", "backend_failure", "complaint")


class Escalation(Base):
    """A holder's request handed to a person, with everything the bot knew.

    `steward_id` is who it is assigned to; NULL means the shared queue (the
    holder's own steward is away or they have none). At most one escalation per
    holder is live at a time (a partial unique index backs the rule), so the
    chat gateway always knows where a holder's next message goes.
    """

    __tablename__ = "escalations"
    __table_args__ = (
        Index(
            "uq_escalations_one_live_per_holder",
            "holder_id",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
        Index("ix_escalations_status_steward", "status", "steward_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    steward_id: Mapped[int | None] = mapped_column(ForeignKey("stewards.id"), nullable=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("stewards.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    reason: Mapped[str] = mapped_column(String(16))
    # A plain code, not a foreign key: the bot may name an area the catalog
    # has since retired, and the escalation must still be recorded.
    area_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # What the bot collected: slots filled, what they wanted, the last messages.
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every change, so the console's live stream can tell the queue moved.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)

    holder: Mapped[Holder] = relationship()
    steward: Mapped[Steward | None] = relationship(foreign_keys=[steward_id])
    claimed_by: Mapped[Steward | None] = relationship(foreign_keys=[claimed_by_id])

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATUSES


class AuditEntry(Base):
    """Who did what to an escalation or for a holder, and when.

    `staff_id` is NULL for what the system did on its own (the bot opening an
    escalation, a holder's reply reopening it). Rows are only ever added.
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("stewards.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    escalation_id: Mapped[int | None] = mapped_column(
        ForeignKey("escalations.id"), nullable=True, index=True
    )
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), nullable=True, index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[Steward | None] = relationship()


class StewardPresence(Base):
    """Whether a steward is away (leave, training): their holders' new
    escalations then go to the shared queue. One row per steward who has ever
    been marked; no row means present. Kept beside `stewards` rather than in it
    so the console's concerns stay in this package."""

    __tablename__ = "steward_presence"

    steward_id: Mapped[int] = mapped_column(ForeignKey("stewards.id"), primary_key=True)
    away: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("stewards.id"), nullable=True)
