from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, UTCDateTime, utcnow


class Steward(Base):
    """A district staff member. Holders each have one; issue 5 adds the console."""

    __tablename__ = "stewards"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    email: Mapped[str] = mapped_column(String(256), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    role: Mapped[str] = mapped_column(String(16), default="steward")  # steward | supervisor
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    holders: Mapped[list[Holder]] = relationship(back_populates="steward")


class Holder(Base):
    __tablename__ = "holders"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_number: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    # The first 103 cards carry a golden serial number.
    serial: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(128))
    name_zh: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(256), default="")
    employer: Mapped[str] = mapped_column(String(256), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(256), default="")
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    pin_hash: Mapped[str] = mapped_column(String(256))
    card_issued_on: Mapped[date] = mapped_column(Date)
    card_valid_until: Mapped[date] = mapped_column(Date)
    # Opaque id used as Rasa's sender id, so the card number never leaves the hub.
    conversation_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    steward_id: Mapped[int | None] = mapped_column(ForeignKey("stewards.id"))
    failed_pin_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    steward: Mapped[Steward | None] = relationship(back_populates="holders")
    children: Mapped[list[Child]] = relationship(
        back_populates="holder", order_by="Child.id", cascade="all, delete-orphan"
    )

    @property
    def golden(self) -> bool:
        return self.serial <= 103


class Child(Base):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    birth_date: Mapped[date] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(256), default="")
    grade: Mapped[str] = mapped_column(String(32), default="")

    holder: Mapped[Holder] = relationship(back_populates="children")
