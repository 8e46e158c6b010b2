"""Hub API tests: a fresh SQLite file per test, the app from its factory with
a fake assistant instead of Rasa (see hub_support for the world they use)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hub_support import (
    LI,
    SERVICE_TOKEN,
    FakeAssistant,
    FakeClock,
    World,
    build_world,
    login,
)
from sqlalchemy.orm import Session, sessionmaker

from hub.app import create_app
from hub.config import Settings
from hub.db import make_engine, make_session_factory
from hub.models import Base


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'hub.db'}",
        secret_key="test-secret-key-that-is-long-enough-for-hs256",
        service_token=SERVICE_TOKEN,
        rasa_url="http://127.0.0.1:9",
        inventory_days_ahead=0,  # the tests build their own slots
        scheduler_enabled=False,  # reminder tests start their own scheduler
    )


@pytest.fixture
def sessions(settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def world(sessions) -> World:
    return build_world(sessions)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def assistant() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture
def client(settings, sessions, world, assistant, clock) -> Iterator[TestClient]:
    app = create_app(settings, session_factory=sessions, assistant=assistant, clock=clock)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def li_headers(client) -> dict[str, str]:
    return login(client, LI)


@pytest.fixture
def service() -> dict[str, str]:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}"}
