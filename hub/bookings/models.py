from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.catalog.models import Offering, Provider
from hub.db import Base, UTCDateTime, utcnow
from hub.holders.models import Holder


class InventorySlot(Base):
    """A bookable unit of a provider's time: a check-up morning, a clinic
    session, a showtime. `booked` never exceeds `capacity` (a CHECK backs the
    conditional UPDATE the booking engine uses)."""

    __tablename__ = "inventory_slots"
    __table_args__ = (
        UniqueConstraint("provider_id", "area_code", "offering_id", "starts_at"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("service_areas.code"))
    # NULL when the slot is for the provider's whole area (a check-up morning is
    # shared by all packages); NULLs never collide in the unique constraint, so
    # the inventory generator checks before it inserts.
    offering_id: Mapped[int | None] = mapped_column(ForeignKey("offerings.id"), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)

    provider: Mapped[Provider] = relationship()
    offering: Mapped[Offering | None] = relationship()

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (UniqueConstraint("holder_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("service_areas.code"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"))
    # The chosen package / department / film, when the area has them.
    offering_id: Mapped[int | None] = mapped_column(ForeignKey("offerings.id"), nullable=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("inventory_slots.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="confirmed")  # confirmed | cancelled
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    holder: Mapped[Holder] = relationship()
    provider: Mapped[Provider] = relationship()
    offering: Mapped[Offering | None] = relationship()
    slot: Mapped[InventorySlot] = relationship()
