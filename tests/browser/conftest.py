"""A real hub (uvicorn on a free loopback port, a temporary SQLite file) with a
holder who asked for a person, and a headless Chromium to drive the console."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from hub.app import create_app
from hub.applications.models import Application
from hub.auth.secrets import hash_secret
from hub.bookings.models import Booking, InventorySlot
from hub.catalog.models import Offering, Provider, ServiceArea
from hub.chat.models import ChatMessage
from hub.config import Settings
from hub.db import make_engine, make_session_factory, session_scope, utcnow
from hub.holders.models import Child, Holder, Steward
from hub.models import Base
from hub.service_requests.models import ServiceRequest
from hub.stewards import service
from hub.stewards.wiring import include_stewards

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "console test password"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the staff console in headless Chromium")


@dataclass
class Hub:
    base_url: str
    sessions: Any
    escalation_id: int
    holder_id: int
    # The free cardiology session the console test moves the booking to.
    later_slot_id: int


class NoAssistant:
    async def send_message(self, sender: str, text: str) -> list[dict[str, Any]]:
        return []


def _prepare(sessions: Any) -> tuple[int, int, int]:
    now = utcnow()
    with session_scope(sessions) as s:
        s.add(ServiceArea(code="clinic", number=2, name="Fast-track medical care",
                          kind="appointment", department="Putuo Health Commission"))
        s.add(ServiceArea(code="school_enrollment", number=1, name="Children's school enrollment",
                          kind="application", department="Putuo Education Bureau"))
        s.add(ServiceArea(code="housing", number=7, name="Talent housing", kind="request",
                          department="Putuo Housing Administration", steward_handled=True))
        school = Provider(code="caoyang-primary", kind="school", areas=["school_enrollment"],
                          name="Caoyang No. 6 Primary School")
        s.add(school)
        hospital = Provider(code="tongji-hospital", kind="hospital", areas=["clinic"],
                            name="Tongji Hospital", address="389 Xincun Road, Putuo")
        s.add(hospital)
        s.flush()
        cardiology = Offering(provider_id=hospital.id, area_code="clinic", code="cardiology",
                              name="Cardiology")
        s.add(cardiology)
        wang = Steward(username="wang.lei", name="Wang Lei", password_hash=hash_secret(PASSWORD),
                       phone="021-52564002")
        s.add_all([wang, Steward(username="chen.jing", name="Chen Jing", role="supervisor",
                                 password_hash=hash_secret(PASSWORD))])
        s.flush()
        li = Holder(card_number="PT20260007", serial=7, name="Dr. Li Wei", name_zh="李伟",
                    title="Chief Scientist", employer="Zhenru Biopharma Research Institute",
                    phone="13801620007", email="li.wei@example.cn",
                    pin_hash=hash_secret("246810"), card_issued_on=date(2026, 3, 1),
                    card_valid_until=date(2029, 2, 28), conversation_id="conv-li",
                    steward_id=wang.id)
        s.add(li)
        s.flush()
        child = Child(holder_id=li.id, name="Li Xiaoyu", birth_date=date(2015, 9, 18))
        transfer = Offering(provider_id=school.id, area_code="school_enrollment",
                            code="primary-transfer", name="Primary transfer")
        s.add_all([child, transfer])
        s.flush()
        s.add(Application(reference="AP-4RT8WX", holder_id=li.id, area_code="school_enrollment",
                          provider_id=school.id, offering_id=transfer.id, child_id=child.id,
                          status="submitted", idempotency_key="a1",
                          history=[{"status": "submitted", "at": now.isoformat(),
                                    "by": "holder", "note": ""}]))
        s.add(ServiceRequest(reference="SR-9HJ2KD", holder_id=li.id, area_code="housing",
                             answers={"household_size": 3, "bedrooms": "2"}, needs_steward=True,
                             status="submitted", idempotency_key="r1",
                             history=[{"status": "submitted", "at": now.isoformat(),
                                       "by": "holder", "note": ""}]))
        starts = (now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
        slot = InventorySlot(provider_id=hospital.id, area_code="clinic",
                             offering_id=cardiology.id, starts_at=starts,
                             ends_at=starts + timedelta(hours=1), capacity=4, booked=1)
        # Two hours later the same day: where the console test moves the booking.
        later = InventorySlot(provider_id=hospital.id, area_code="clinic",
                              offering_id=cardiology.id, starts_at=starts + timedelta(hours=2),
                              ends_at=starts + timedelta(hours=3), capacity=4, booked=0)
        s.add_all([slot, later])
        s.flush()
        s.add(Booking(reference="TC-7K3M9Q", holder_id=li.id, area_code="clinic",
                      provider_id=hospital.id, offering_id=cardiology.id, slot_id=slot.id,
                      quantity=1, idempotency_key="k1"))
        for sender, text, payload in [
            ("holder", "I need a cardiologist next week, my chest has been hurting.", {}),
            ("bot", "I can book a cardiology visit. Which hospital do you prefer?",
             {"buttons": [{"title": "Tongji Hospital", "payload": "/choose"}]}),
            ("holder", "This is urgent, can a person call me?", {}),
            ("bot", "I am handing you over to your steward, Wang Lei.", {}),
        ]:
            s.add(ChatMessage(holder_id=li.id, sender=sender, text=text, payload=payload))
        s.flush()
        opening = service.open_escalation(
            s, holder=li, reason="requested", priority="high", area_code="clinic", now=now,
            summary="Wants an urgent cardiology visit and a call back",
            context={"slots": {"area": "clinic", "department": "cardiology"},
                     "last_messages": ["This is urgent, can a person call me?"]},
        )
        return opening.escalation.id, li.id, later.id


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[Hub]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'hub.db'}",
        secret_key="browser-test-secret-key-long-enough-for-hs256",
        service_token="browser-test-service-token",
        rasa_url="http://127.0.0.1:9",
        inventory_days_ahead=0,
    )
    engine = make_engine(settings.database_url)
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    escalation_id, holder_id, later_slot_id = _prepare(sessions)

    app = create_app(settings, session_factory=sessions, assistant=NoAssistant())
    if not any(getattr(r, "path", "") == "/api/v1/staff/login" for r in app.routes):
        include_stewards(app)
    app.state.staff_stream_poll_seconds = 0.25
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the hub did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Hub(f"http://127.0.0.1:{port}", sessions, escalation_id, holder_id, later_slot_id)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture
def browser_page() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            yield page
        finally:
            browser.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    # TCC_SCREENSHOT_DIR keeps them for a person to look at; else the test's tmp dir.
    target = Path(os.environ.get("TCC_SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target
