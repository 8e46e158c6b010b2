"""What hub tests share: a small world built in code (not from the seed files),
a fake clock, a fake assistant instead of Rasa, and request helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from hub.auth.secrets import hash_secret
from hub.bookings.models import InventorySlot
from hub.catalog.models import Offering, Provider, ServiceArea
from hub.chat.gateway import AssistantUnavailable
from hub.config import LOCAL_TZ
from hub.db import session_scope, utcnow
from hub.holders.models import Child, Holder, Steward

SERVICE_TOKEN = "test-service-token"
LI = {"card_number": "PT20260007", "pin": "246810", "conversation_id": "conv-li"}
ZHANG = {"card_number": "PT20260142", "pin": "135790", "conversation_id": "conv-zhang"}


class FakeClock:
    """`app.state.clock`: real time unless a test moves it."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class FakeAssistant:
    """Stands in for the Rasa gateway: records what it was sent, answers
    with `replies`, or is down."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.down = False
        self.replies: list[dict[str, Any]] = [
            {"recipient_id": "x", "text": "Hello! How can I help?"},
            {
                "recipient_id": "x",
                "text": "Pick one:",
                "buttons": [
                    {"title": "Book a check-up", "payload": "/book_checkup"},
                    {"title": "Help", "payload": "/help"},
                ],
            },
        ]

    async def send_message(self, sender: str, text: str) -> list[dict[str, Any]]:
        self.sent.append((sender, text))
        if self.down:
            raise AssistantUnavailable()
        return self.replies


def local_dt(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def today_local() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


@dataclass
class World:
    """Ids of what the tests book against."""

    sessions: sessionmaker[Session]
    slots: dict[str, int] = field(default_factory=dict)

    def add_slot(
        self, name: str, *, provider: str, day: date, hour: int, capacity: int = 5,
        booked: int = 0, offering: str | None = None, starts_at: datetime | None = None,
        area: str = "checkup",
    ) -> int:
        with session_scope(self.sessions) as s:
            prov = s.query(Provider).filter_by(code=provider).one()
            off = (
                s.query(Offering).filter_by(provider_id=prov.id, area_code=area, code=offering).one()
                if offering else None
            )
            start = starts_at or local_dt(day, hour)
            slot = InventorySlot(
                provider_id=prov.id, area_code=area, offering_id=off.id if off else None,
                starts_at=start, ends_at=start + timedelta(hours=3),
                capacity=capacity, booked=booked,
            )
            s.add(slot)
            s.flush()
            self.slots[name] = slot.id
            return slot.id

    def booked(self, name: str) -> int:
        with self.sessions() as s:
            return s.get_one(InventorySlot, self.slots[name]).booked


def build_world(sessions: sessionmaker[Session]) -> World:
    with session_scope(sessions) as s:
        s.add(ServiceArea(code="checkup", number=4, name="Physical check-ups",
                          kind="appointment", department="Putuo Health Commission",
                          what_to_bring=["ID card", "Talent Card"]))
        s.add(ServiceArea(code="movies", number=5, name="Movie tickets", kind="ticket",
                          department="Putuo Culture and Tourism Bureau"))
        tongji = Provider(code="tongji-hospital", kind="hospital", areas=["checkup"],
                          name="Tongji Hospital", aliases=["Tongji"],
                          address="389 Xincun Road, Putuo")
        central = Provider(code="putuo-central", kind="hospital", areas=["checkup"],
                           name="Putuo Central Hospital", address="1291 Jiangning Road")
        cinema = Provider(code="putuo-cinema", kind="cinema", areas=["movies"],
                          name="Putuo Cinema")
        s.add_all([tongji, central, cinema])
        s.flush()
        s.add_all([
            Offering(provider_id=tongji.id, area_code="checkup", code="comprehensive",
                     name="Comprehensive check-up"),
            Offering(provider_id=tongji.id, area_code="checkup", code="basic",
                     name="Basic check-up"),
            Offering(provider_id=central.id, area_code="checkup", code="comprehensive",
                     name="Comprehensive package"),
        ])
        steward = Steward(username="wang", name="Wang Fang", phone="021-5555-0101",
                          email="wang.fang@putuo.example")
        s.add(steward)
        s.flush()
        for who, serial, name in ((LI, 7, "Dr. Li Wei"), (ZHANG, 142, "Prof. Zhang Min")):
            holder = Holder(
                card_number=who["card_number"], serial=serial, name=name,
                pin_hash=hash_secret(who["pin"]), card_issued_on=date(2026, 3, 1),
                card_valid_until=date(2029, 2, 28), conversation_id=who["conversation_id"],
                steward_id=steward.id,
            )
            s.add(holder)
        s.flush()
        li = s.query(Holder).filter_by(card_number=LI["card_number"]).one()
        s.add(Child(holder_id=li.id, name="Li Xiaoming", birth_date=date(2019, 5, 4)))

    world = World(sessions)
    tomorrow = today_local() + timedelta(days=1)
    world.add_slot("tongji-1", provider="tongji-hospital", day=tomorrow, hour=8)
    world.add_slot("tongji-1b", provider="tongji-hospital", day=tomorrow, hour=13)
    world.add_slot("tongji-2", provider="tongji-hospital", day=tomorrow + timedelta(days=1),
                   hour=8)
    world.add_slot("central-1", provider="putuo-central", day=tomorrow, hour=9)
    return world


def login(client: TestClient, who: dict[str, str]) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/login", json={"card_number": who["card_number"], "pin": who["pin"]}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}



def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]
    return body
