"""Stewards on top of the hub test world (tests/hub/conftest.py): Wang (the
world's steward of Li and Zhang), Zhao with a holder of her own, supervisor
Chen, and a holder with no steward. Everyone's password is PASSWORD."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hub_support import LI, ZHANG
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.app import create_app
from hub.auth.secrets import hash_secret
from hub.db import session_scope
from hub.holders.models import Holder, Steward
from hub.stewards import service
from hub.stewards.models import Escalation
from hub.stewards.wiring import include_stewards

PASSWORD = "correct horse battery"
SUN = {"card_number": "PT20260058", "pin": "579135", "conversation_id": "conv-sun"}
ORPHAN = {"card_number": "PT20260096", "pin": "918273", "conversation_id": "conv-orphan"}


@dataclass
class Staff:
    ids: dict[str, int]
    holders: dict[str, int]


@pytest.fixture
def client(settings, sessions, world, assistant, clock) -> Iterator[TestClient]:
    app = create_app(settings, session_factory=sessions, assistant=assistant, clock=clock)
    # What create_app will do once the integrator wires issue 5 in.
    if not any(getattr(r, "path", "") == "/api/v1/staff/login" for r in app.routes):
        include_stewards(app)
    app.state.staff_stream_poll_seconds = 0.05
    app.state.staff_stream_max_seconds = 0.5
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def staff(world) -> Staff:
    sessions = world.sessions
    with session_scope(sessions) as s:
        wang = s.scalars(select(Steward).where(Steward.username == "wang")).one()
        wang.password_hash = hash_secret(PASSWORD)
        zhao = Steward(username="zhao", name="Zhao Min", password_hash=hash_secret(PASSWORD))
        chen = Steward(username="chen", name="Chen Jing", role="supervisor",
                       password_hash=hash_secret(PASSWORD))
        s.add_all([zhao, chen])
        s.flush()
        for who, serial, name, steward in (
            (SUN, 58, "Dr. Sun Rajesh", zhao),
            (ORPHAN, 96, "Liu Fang", None),
        ):
            s.add(Holder(
                card_number=who["card_number"], serial=serial, name=name,
                pin_hash=hash_secret(who["pin"]), card_issued_on=date(2026, 3, 1),
                card_valid_until=date(2029, 2, 28), conversation_id=who["conversation_id"],
                steward=steward,
            ))
        s.flush()
        holders = {
            h.conversation_id: h.id
            for h in s.scalars(select(Holder))
        }
        ids = {"wang": wang.id, "zhao": zhao.id, "chen": chen.id}
    return Staff(ids=ids, holders={
        "li": holders[LI["conversation_id"]], "zhang": holders[ZHANG["conversation_id"]],
        "sun": holders[SUN["conversation_id"]], "orphan": holders[ORPHAN["conversation_id"]],
    })


def staff_login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/staff/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def wang(client, staff) -> dict[str, str]:
    return staff_login(client, "wang")


@pytest.fixture
def zhao(client, staff) -> dict[str, str]:
    return staff_login(client, "zhao")


@pytest.fixture
def chen(client, staff) -> dict[str, str]:
    return staff_login(client, "chen")


def open_for(
    sessions: sessionmaker[Session],
    holder_id: int,
    *,
    clock: Any,
    reason: str = "requested",
    priority: str = "normal",
    summary: str = "Wants to talk to a person",
    context: dict[str, Any] | None = None,
) -> int:
    with session_scope(sessions) as s:
        holder = s.get_one(Holder, holder_id)
        opening = service.open_escalation(
            s, holder=holder, reason=reason, summary=summary, context=context or {},
            priority=priority, area_code=None, now=clock(),
        )
        return opening.escalation.id


def escalation(sessions: sessionmaker[Session], escalation_id: int) -> Escalation:
    with sessions() as s:
        return s.get_one(Escalation, escalation_id)
