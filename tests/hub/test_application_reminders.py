"""An enrollment application gets a reminder before each deadline of the
area's calendar that is still ahead; withdrawing or a decision cancels them;
the scheduler words them through the bot like any other reminder."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from catalog_support import born_aged, build_issue3_world, post, school_year_start
from hub_support import LI, login

from hub.applications import service as applications
from hub.catalog.models import ServiceArea
from hub.config import LOCAL_TZ
from hub.db import session_scope, utcnow
from hub.reminders.models import Reminder
from hub.reminders.policy import QuietHours
from hub.reminders.scheduler import ReminderScheduler

CID = LI["conversation_id"]


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


@pytest.fixture(autouse=True)
def calendar(world):
    """Two deadlines ahead and one already past, as the catalog states them."""
    build_issue3_world(world)
    now = utcnow()
    with session_scope(world.sessions) as s:
        s.get(ServiceArea, "school_enrollment").reminder_policy = [
            {"id": "registration_closes", "deadline": _local(now + timedelta(days=20)),
             "name": "Online registration closes", "days_before": 3, "at": "10:00"},
            {"id": "documents_verified", "deadline": _local(now + timedelta(days=40)),
             "name": "Documents verified at the school", "days_before": 3, "at": "10:00"},
            {"id": "last_year", "deadline": _local(now - timedelta(days=1)),
             "name": "Last year's deadline", "days_before": 3, "at": "10:00"},
        ]


def _apply(client) -> str:
    child = post(client, "/children", {"name": "Li Xiaohua", "birth_date": born_aged(6).isoformat()})
    response = post(client, "/applications", {
        "school": "caoyang-primary", "grade": "primary-1", "child_id": child.json()["id"],
        "answers": {"start_date": school_year_start().isoformat()},
    })
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def _reminders(client, service_headers, reference) -> list[dict]:
    response = client.get(f"/api/v1/service/conversations/{CID}/reminders",
                          params={"reference": reference}, headers=service_headers)
    return response.json()["reminders"]


def test_an_application_gets_a_reminder_before_each_coming_deadline(client, service):
    reference = _apply(client)
    rows = _reminders(client, service, reference)
    assert [(r["kind"], r["status"]) for r in rows] == [
        ("registration_closes", "scheduled"), ("documents_verified", "scheduled"),
    ]
    assert rows[0]["send_at"].endswith("T10:00:00+08:00")
    assert rows[0]["booking_reference"] == reference
    mine = client.get("/api/v1/me/reminders", headers=login(client, LI)).json()["reminders"]
    assert {r["booking_reference"] for r in mine} == {reference}


def test_withdrawing_cancels_them(client, service):
    reference = _apply(client)
    response = client.post(f"/api/v1/service/conversations/{CID}/applications/{reference}/withdraw",
                           headers=service)
    assert response.status_code == 200, response.text
    assert {r["status"] for r in _reminders(client, service, reference)} == {"cancelled"}


def test_a_decision_cancels_them(client, service, world):
    first = _apply(client)
    with world.sessions() as s:
        application = applications.find_application(s, reference=first)
        applications.advance_application(s, application=application, to_status="under_review",
                                         note="", now=utcnow())
        applications.advance_application(s, application=application, to_status="declined",
                                         note="no places", now=utcnow())
        s.commit()
    assert {r["status"] for r in _reminders(client, service, first)} == {"cancelled"}


def test_the_scheduler_words_a_deadline_reminder_with_its_name(client, service, world):
    reference = _apply(client)

    calls: list[dict] = []

    class Channel:
        def say_reminder(self, **kwargs):
            calls.append(kwargs)
            return [{"text": f"Reminder: {kwargs['extra']['deadline_name']}"}]

        def close(self) -> None:
            pass

    engine = world.sessions.kw["bind"]
    scheduler = ReminderScheduler(engine=engine, session_factory=world.sessions, channel=Channel(),
                                  quiet=QuietHours(*(datetime.min.time(),) * 2), retry_delays=(1,))
    scheduler.deliver(f"{reference}:registration_closes")
    [call] = calls
    assert call["reference"] == reference and call["kind"] == "registration_closes"
    assert call["extra"]["deadline_name"] == "Online registration closes"
    assert call["extra"]["deadline_at"].endswith("+08:00")
    with world.sessions() as s:
        assert s.get(Reminder, f"{reference}:registration_closes").status == "delivered"
