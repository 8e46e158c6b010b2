"""Opening escalations: who gets them, and one live story per holder."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hub.db import session_scope
from hub.holders.models import Holder, Steward
from hub.stewards import service
from hub.stewards.errors import InvalidInput
from hub.stewards.models import AuditEntry, Escalation

from .conftest import escalation, open_for


def test_goes_to_the_holders_own_steward(world, staff, clock):
    esc = escalation(world.sessions, open_for(world.sessions, staff.holders["li"], clock=clock))
    assert esc.steward_id == staff.ids["wang"]
    assert esc.status == "open"
    assert esc.response_due_at >= esc.created_at


def test_no_steward_means_the_shared_queue(world, staff, clock):
    esc = escalation(world.sessions, open_for(world.sessions, staff.holders["orphan"], clock=clock))
    assert esc.steward_id is None


def test_inactive_steward_means_the_shared_queue(world, staff, clock):
    with session_scope(world.sessions) as s:
        s.get_one(Steward, staff.ids["zhao"]).active = False
    esc = escalation(world.sessions, open_for(world.sessions, staff.holders["sun"], clock=clock))
    assert esc.steward_id is None


def test_away_steward_means_the_shared_queue(world, staff, clock):
    with session_scope(world.sessions) as s:
        zhao = s.get_one(Steward, staff.ids["zhao"])
        service.set_away(s, steward=zhao, away=True, staff=zhao, now=clock())
    esc = escalation(world.sessions, open_for(world.sessions, staff.holders["sun"], clock=clock))
    assert esc.steward_id is None


def test_second_escalation_is_added_to_the_live_one(world, staff, clock):
    first = open_for(world.sessions, staff.holders["li"], clock=clock,
                     summary="Wants a specialist", context={"area": "clinic"})
    second = open_for(world.sessions, staff.holders["li"], clock=clock, reason="complaint",
                      priority="high", summary="Says nobody answers")
    assert second == first
    with world.sessions() as s:
        rows = s.scalars(select(Escalation).where(Escalation.holder_id == staff.holders["li"]))
        (esc,) = rows.all()
        assert esc.priority == "high"  # raised, never lowered
        assert "Wants a specialist" in esc.summary and "Says nobody answers" in esc.summary
        assert esc.context["area"] == "clinic"
        assert esc.context["follow_ups"][0]["reason"] == "complaint"
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.escalation_id == esc.id)
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["open", "append"]


def test_after_resolution_a_new_escalation_opens(world, staff, clock):
    first = open_for(world.sessions, staff.holders["li"], clock=clock)
    with session_scope(world.sessions) as s:
        esc = s.get_one(Escalation, first)
        wang = s.get_one(Steward, staff.ids["wang"])
        service.resolve(s, escalation=esc, staff=wang, outcome="Called back", now=clock())
    second = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert second != first
    with world.sessions() as s:
        assert service.live_escalation(s, holder_id=staff.holders["li"]).id == second


def test_the_database_refuses_two_live_escalations(world, staff, clock):
    open_for(world.sessions, staff.holders["li"], clock=clock)
    with pytest.raises(IntegrityError), session_scope(world.sessions) as s:
        s.add(Escalation(holder_id=staff.holders["li"], reason="fallback",
                         response_due_at=clock(), status="open"))


def test_unknown_reason_or_priority_is_refused(world, staff, clock):
    with world.sessions() as s:
        holder = s.get_one(Holder, staff.holders["li"])
        with pytest.raises(InvalidInput):
            service.open_escalation(s, holder=holder, reason="bored", summary="", context={},
                                    priority="normal", area_code=None, now=clock())
        with pytest.raises(InvalidInput):
            service.open_escalation(s, holder=holder, reason="requested", summary="",
                                    context={}, priority="asap", area_code=None, now=clock())


def test_holder_answer_takes_it_off_hold(world, staff, clock):
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    with session_scope(world.sessions) as s:
        esc = s.get_one(Escalation, esc_id)
        wang = s.get_one(Steward, staff.ids["wang"])
        service.claim(s, escalation=esc, staff=wang, now=clock())
        service.hold(s, escalation=esc, staff=wang, now=clock())
    with session_scope(world.sessions) as s:
        esc = s.get_one(Escalation, esc_id)
        service.note_holder_message(s, escalation=esc, now=clock())
    assert escalation(world.sessions, esc_id).status == "claimed"
