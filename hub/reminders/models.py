from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.applications.models import Application
from hub.bookings.models import Booking
from hub.db import Base, UTCDateTime, utcnow

SCHEDULED = "scheduled"
DELIVERED = "delivered"
FAILED = "failed"
SKIPPED = "skipped"
CANCELLED = "cancelled"


class Reminder(Base):
    """One reminder for one booking, or for one deadline of an application.

    The id is deterministic (`<reference>:<policy id>`), so planning the same
    booking twice updates rows instead of adding duplicates, and the
    APScheduler job of a reminder is found by the same id.
    """

    __tablename__ = "reminders"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Exactly one of the two is set.
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id"), index=True, nullable=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id"), index=True, nullable=True
    )
    # For an application: the deadline it is about (a booking's time is its
    # slot's, which moves when it is rescheduled).
    event_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    event_name: Mapped[str] = mapped_column(String(256), default="")
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    # Which rule of the area's reminder policy (or `extra_<n>m` for one the
    # holder asked for); the bot picks its wording by it.
    kind: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    # When the policy wants it, and when it goes out after quiet hours moved it.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default=SCHEDULED, index=True)
    status_reason: Mapped[str] = mapped_column(String(256), default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    booking: Mapped[Booking | None] = relationship()
    application: Mapped[Application | None] = relationship()

    @property
    def reference(self) -> str:
        subject = self.booking or self.application
        assert subject is not None, "a reminder belongs to a booking or an application"
        return subject.reference

    @property
    def run_at(self) -> datetime:
        """When its job should next run: the retry time once a try failed."""
        return self.next_attempt_at or self.send_at
