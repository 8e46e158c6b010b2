"""The app around the routes: health, the web page, start-up, error safety net."""

from __future__ import annotations

import sys
import types
from datetime import date

from fastapi.testclient import TestClient
from hub_support import FakeAssistant
from sqlalchemy.exc import OperationalError

from hub.app import create_app
from hub.config import LOCAL_TZ
from hub.db import utcnow


def test_health_checks_the_database(client):
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}


def test_health_is_503_when_the_database_fails(settings):
    def broken_sessions():
        raise OperationalError("SELECT 1", {}, Exception("disk gone"))

    app = create_app(settings, session_factory=broken_sessions, assistant=FakeAssistant())
    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_the_web_page_and_its_assets_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "/static/chat.js" in page.text and "default-src 'self'" in \
        page.headers["content-security-policy"]
    script = client.get("/static/chat.js")
    assert script.status_code == 200
    # Everything comes from the API: the page calls login, history and send.
    for path in ("/api/v1/auth/login", "/api/v1/chat/messages"):
        assert path in script.text
    assert "innerHTML" not in script.text
    assert client.get("/static/chat.css").status_code == 200


def test_startup_tops_up_inventory_for_today_in_shanghai(settings, sessions, monkeypatch):
    calls = []
    loader = types.ModuleType("hub.seed.loader")

    def ensure_inventory(session, *, today, days_ahead):
        calls.append((today, days_ahead))

    loader.ensure_inventory = ensure_inventory  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hub.seed.loader", loader)
    settings = type(settings)(**{**settings.__dict__, "inventory_days_ahead": 30})
    with TestClient(create_app(settings, session_factory=sessions,
                               assistant=FakeAssistant())):
        pass
    assert calls == [(utcnow().astimezone(LOCAL_TZ).date(), 30)]
    assert isinstance(calls[0][0], date)


def test_startup_survives_a_failing_top_up(settings, sessions, monkeypatch):
    loader = types.ModuleType("hub.seed.loader")

    def ensure_inventory(session, *, today, days_ahead):
        raise FileNotFoundError("catalog.yml")

    loader.ensure_inventory = ensure_inventory  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hub.seed.loader", loader)
    settings = type(settings)(**{**settings.__dict__, "inventory_days_ahead": 30})
    with TestClient(create_app(settings, session_factory=sessions,
                               assistant=FakeAssistant())) as client:
        assert client.get("/health").status_code == 200


def test_an_unexpected_error_is_a_json_500(settings, sessions):
    app = create_app(settings, session_factory=sessions, assistant=FakeAssistant())

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
