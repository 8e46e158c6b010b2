"""A small world for reminder tests: one area with a policy, one holder, and
bookings made on demand; the bot is a fake channel that records what it was
asked to say."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from hub.bookings.models import Booking, InventorySlot
from hub.catalog.models import Provider, ServiceArea
from hub.db import make_engine, make_session_factory, session_scope
from hub.holders.models import Holder
from hub.models import Base
from hub.reminders.delivery import DeliveryError
from hub.reminders.policy import QuietHours

# Quiet hours that never bite unless a test wants them (00:00-00:01 UTC+8).
NO_QUIET = QuietHours(time(0, 0), time(0, 1))


class FakeChannel:
    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.down = False

    def say_reminder(self, *, conversation_id, reference, kind, note, extra=None):
        if self.down:
            raise DeliveryError("connection refused")
        self.calls.append({"conversation_id": conversation_id, "reference": reference, "kind": kind})
        return [{"text": f"Reminder: {reference} ({kind})"}]

    def close(self) -> None:
        pass


class World:
    def __init__(self, session_factory) -> None:
        self.sessions = session_factory
        with session_scope(session_factory) as s:
            s.add(
                ServiceArea(
                    code="checkup", number=4, name="Physical check-ups", kind="appointment",
                    department="Health Commission",
                    reminder_policy=[
                        {"id": "evening_before", "days_before": 1, "at": "19:00"},
                        {"id": "two_hours_before", "minutes_before": 120},
                    ],
                )
            )
            s.add(Provider(code="tongji-hospital", kind="hospital", areas=["checkup"], name="Tongji Hospital"))
            s.add(
                Holder(
                    card_number="PT20260007", serial=7, name="Li Wei", pin_hash="x",
                    card_issued_on=date(2026, 1, 1), card_valid_until=date(2029, 1, 1),
                    conversation_id="conv-li",
                )
            )
        self._n = 0

    def book(self, starts_at: datetime, *, status: str = "confirmed") -> int:
        """A booking for an appointment at `starts_at`; returns its id."""
        self._n += 1
        with session_scope(self.sessions) as s:
            provider = s.query(Provider).one()
            holder = s.query(Holder).one()
            slot = InventorySlot(
                provider_id=provider.id, area_code="checkup", starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=3), capacity=5, booked=1,
            )
            s.add(slot)
            s.flush()
            booking = Booking(
                reference=f"TC-TEST{self._n:02d}", holder_id=holder.id, area_code="checkup",
                provider_id=provider.id, slot_id=slot.id, quantity=1, status=status,
                idempotency_key=f"k{self._n}",
            )
            s.add(booking)
            s.flush()
            return booking.id


@pytest.fixture
def db(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    Base.metadata.create_all(engine)
    yield engine, make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def world(db):
    return World(db[1])


@pytest.fixture
def channel():
    return FakeChannel()
