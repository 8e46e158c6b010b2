"""The booking engine called directly, for paths HTTP cannot reach on SQLite."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hub_support import LI

from hub.bookings import engine
from hub.db import utcnow
from hub.errors import HubError
from hub.holders.models import Holder


def _holder(session) -> Holder:
    return session.query(Holder).filter_by(card_number=LI["card_number"]).one()


def test_a_twin_that_committed_first_wins_the_idempotency_race(sessions, world, monkeypatch):
    slot_id = world.slots["tongji-1"]
    args = {"slot_id": slot_id, "offering_code": None, "quantity": 1, "details": {},
            "idempotency_key": "twin", "now": utcnow()}
    with sessions() as session:
        first, created = engine.create_booking(session, holder=_holder(session), **args)
        assert created

    # PostgreSQL lets a twin pass the "is this key used?" check before the
    # first one commits; pretend that happened and let the unique index catch it.
    real_lookup = engine._by_idempotency_key
    calls = []

    def late_lookup(session, *, holder_id, key):
        calls.append(key)
        return None if len(calls) == 1 else real_lookup(session, holder_id=holder_id, key=key)

    monkeypatch.setattr(engine, "_by_idempotency_key", late_lookup)
    with sessions() as session:
        second, created = engine.create_booking(session, holder=_holder(session), **args)
    assert not created and second.reference == first.reference
    assert world.booked("tongji-1") == 1


def test_a_reference_collision_draws_again(sessions, world, monkeypatch):
    draws = iter(["TC-AAAAAA", "TC-AAAAAA", "TC-BBBBBB"])
    monkeypatch.setattr(engine, "new_reference", lambda: next(draws))
    refs = []
    with sessions() as session:
        for key in ("a", "b"):
            booking, _ = engine.create_booking(
                session, holder=_holder(session), slot_id=world.slots["tongji-1"],
                offering_code=None, quantity=1, details={}, idempotency_key=key,
                now=utcnow(),
            )
            refs.append(booking.reference)
    assert refs == ["TC-AAAAAA", "TC-BBBBBB"]


def test_a_started_appointment_cannot_be_cancelled(sessions, world):
    with sessions() as session:
        holder = _holder(session)
        booking, _ = engine.create_booking(
            session, holder=holder, slot_id=world.slots["tongji-1"], offering_code=None,
            quantity=1, details={}, idempotency_key="k", now=utcnow(),
        )
        later = booking.slot.starts_at + timedelta(minutes=1)
        with pytest.raises(HubError) as failure:
            engine.cancel_booking(session, holder=holder, reference=booking.reference,
                                  now=later)
        assert failure.value.code == "slot_in_past"
    assert world.booked("tongji-1") == 1
