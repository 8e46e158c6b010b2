from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base


class ServiceArea(Base):
    """One of the card's service areas, loaded from `hub/seed/catalog.yml`.

    `kind` says how the area is served: `appointment` (a slot with capacity),
    `ticket`, `application` or `request` (a form whose `fields` come from the
    catalog).
    """

    __tablename__ = "service_areas"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    name_zh: Mapped[str] = mapped_column(String(64), default="")
    # Words holders use for the area ("school place", "gym"): the bot's synonyms.
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(16))
    department: Mapped[str] = mapped_column(String(256))
    summary: Mapped[str] = mapped_column(String(512), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")
    what_to_bring: Mapped[list[str]] = mapped_column(JSON, default=list)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reminder_policy: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    steward_handled: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Provider(Base):
    """A hospital, school, cinema, venue or office. One provider may serve
    several areas (a hospital does check-ups and specialist clinics); what it
    offers in each is its `offerings`, `areas` lists the codes."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # hospital, school, cinema, venue, ...
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    name: Mapped[str] = mapped_column(String(256))
    name_zh: Mapped[str] = mapped_column(String(128), default="")
    # Other names holders use for it ("Tongji", "Putuo Central"): feeds the bot's
    # synonyms so they are typed once, here.
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str] = mapped_column(String(512), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    offerings: Mapped[list[Offering]] = relationship(
        back_populates="provider", order_by="Offering.id"
    )


class Offering(Base):
    """Something a provider offers within its area: a check-up package, a clinic
    department, a film, an event, a school grade, a tutoring course."""

    __tablename__ = "offerings"
    __table_args__ = (UniqueConstraint("provider_id", "area_code", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("service_areas.code"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(256))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    provider: Mapped[Provider] = relationship(back_populates="offerings")
