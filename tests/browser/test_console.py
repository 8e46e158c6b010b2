"""The staff console in a real browser: log in, open the escalation, read the
conversation, reply, resolve; then check through the API what happened."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from hub.applications.models import Application
from hub.bookings.models import Booking, InventorySlot
from hub.chat.models import ChatMessage
from hub.config import LOCAL_TZ
from hub.db import session_scope, utcnow
from hub.holders.models import Holder
from hub.service_requests.models import ServiceRequest
from hub.stewards import service
from hub.stewards.models import AuditEntry

from .conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_steward_handles_an_escalation_in_the_console(hub, browser_page, screenshots):
    from playwright.sync_api import expect

    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{hub.base_url}/console")
    page.fill("#username", "wang.lei")
    page.fill("#password", PASSWORD)
    page.click("#login-button")

    item = page.locator(f'.q-item[data-id="{hub.escalation_id}"]')
    expect(item).to_contain_text("Dr. Li Wei")
    expect(item).to_contain_text("Wants an urgent cardiology visit")
    item.click()

    messages = page.locator("#messages .msg")
    expect(messages).to_have_count(4)
    expect(messages.nth(0)).to_have_class("msg holder")
    expect(messages.nth(0)).to_contain_text("my chest has been hurting")
    expect(messages.nth(1)).to_have_class("msg bot")
    expect(page.locator("#bookings")).to_contain_text("TC-7K3M9Q")
    expect(page.locator("#holder-facts")).to_contain_text("PT20260007")
    page.screenshot(path=str(screenshots / "console-escalation.png"))

    page.fill("#reply-text", "Good afternoon Dr. Li, Wang Lei here. I will call you in 5 minutes.")
    page.click("#send")
    expect(messages).to_have_count(5)
    expect(messages.nth(4)).to_have_class("msg steward")
    expect(messages.nth(4)).to_contain_text("Wang Lei here")
    expect(page.locator("#esc-chips")).to_contain_text("Claimed")

    # The holder answers in the web chat: the console shows it without a reload.
    with session_scope(hub.sessions) as s:
        s.add(ChatMessage(holder_id=hub.holder_id, sender="holder", text="Thank you, I'm free now."))
    expect(messages).to_have_count(6, timeout=10_000)
    expect(messages.nth(5)).to_contain_text("I'm free now")

    page.fill("#outcome", "Called back; booked cardiology at Tongji for Monday 09:00")
    page.click("#resolve")
    expect(page.locator("#esc-chips")).to_contain_text("Resolved")
    expect(page.locator("#composer")).to_be_hidden()
    expect(page.locator("#audit")).to_contain_text("Wang Lei resolved it")
    page.screenshot(path=str(screenshots / "console-resolved.png"))

    # A new request arrives while the console is open: the queue updates live.
    with session_scope(hub.sessions) as s:
        holder = s.get_one(Holder, hub.holder_id)
        service.open_escalation(s, holder=holder, reason="complaint", priority="urgent",
                                summary="Says the hospital refused the booking", context={},
                                area_code=None, now=utcnow())
    expect(page.locator(".q-item")).to_have_count(1, timeout=10_000)
    expect(page.locator(".q-item").first).to_contain_text("Says the hospital refused")
    page.screenshot(path=str(screenshots / "console-live-queue.png"))
    assert errors == []

    # What the browser did, as the API and the conversation log see it.
    token = httpx.post(f"{hub.base_url}/api/v1/staff/login",
                       json={"username": "wang.lei", "password": PASSWORD}).json()["access_token"]
    detail = httpx.get(f"{hub.base_url}/api/v1/staff/escalations/{hub.escalation_id}",
                       headers={"Authorization": f"Bearer {token}"}).json()
    assert detail["escalation"]["status"] == "resolved"
    assert detail["escalation"]["outcome"].startswith("Called back")
    assert [a["action"] for a in detail["audit"]] == ["open", "claim", "reply", "resolve"]
    with hub.sessions() as s:
        texts = s.scalars(select(ChatMessage.text).where(ChatMessage.sender == "steward")).all()
    assert texts == ["Good afternoon Dr. Li, Wang Lei here. I will call you in 5 minutes."]


def test_supervisor_sees_reassign_and_a_wrong_password_is_explained(hub, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{hub.base_url}/console")
    page.fill("#username", "chen.jing")
    page.fill("#password", "not the password")
    page.click("#login-button")
    expect(page.locator("#banner")).to_contain_text("Unknown username or wrong password")

    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.locator(f'.q-item[data-id="{hub.escalation_id}"]').click()
    expect(page.locator("#reassign-form")).to_be_visible()
    page.select_option("#reassign-to", "")
    page.click("#reassign")
    expect(page.locator("#esc-chips")).to_contain_text("Shared queue")

    page.click("#away")
    expect(page.locator("#away")).to_have_text("Away · I'm back")
    expect(page.locator("#banner")).to_contain_text("shared queue")


def test_steward_reschedules_and_moves_records_in_the_console(hub, browser_page, screenshots):
    """Pick a day, see its free times, pick one, confirm: the booking moves and
    the audit says so; an application and a request move on from the same screen."""
    from playwright.sync_api import expect

    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    with hub.sessions() as s:
        later = s.get_one(InventorySlot, hub.later_slot_id).starts_at.astimezone(LOCAL_TZ)

    page.goto(f"{hub.base_url}/console")
    page.fill("#username", "wang.lei")
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.locator(f'.q-item[data-id="{hub.escalation_id}"]').click()

    booking = page.locator('#bookings li[data-reference="TC-7K3M9Q"]')
    expect(booking.locator("[data-cancel]")).to_be_visible()
    booking.locator("[data-reschedule]").click()
    page.fill('#bookings .picker input[type="date"]', later.date().isoformat())
    time_button = booking.locator(f'button.time[data-slot-id="{hub.later_slot_id}"]')
    expect(time_button).to_have_text(later.strftime("%H:%M"))
    time_button.click()
    expect(time_button).to_have_class("time chosen")
    confirm = booking.locator("[data-confirm-move]")
    expect(confirm).to_be_enabled()
    expect(confirm).to_contain_text(later.strftime("%H:%M"))

    records = page.locator("#records")
    expect(records).to_contain_text("AP-4RT8WX")
    expect(records).to_contain_text("SR-9HJ2KD")
    page.select_option('[data-move="AP-4RT8WX"] select', "under_review")
    page.fill('[data-move="AP-4RT8WX"] input', "Transfer documents received")
    page.screenshot(path=str(screenshots / "console-reschedule.png"))

    confirm.click()
    expect(page.locator("#banner")).to_contain_text("TC-7K3M9Q moved to")
    expect(booking.locator(".picker")).to_have_count(0)
    expect(booking.locator(".meta")).to_contain_text(later.strftime("%H:%M"))
    expect(page.locator("#audit")).to_contain_text("Wang Lei moved booking TC-7K3M9Q")
    # The note typed before the move survived the re-render.
    expect(page.locator('[data-move="AP-4RT8WX"] input')).to_have_value(
        "Transfer documents received")

    page.click('[data-move="AP-4RT8WX"] button')
    expect(records.locator('li[data-reference="AP-4RT8WX"] .chip')).to_have_text("Under review")
    page.select_option('[data-move="SR-9HJ2KD"] select', "in_progress")
    page.click('[data-move="SR-9HJ2KD"] button')
    expect(records.locator('li[data-reference="SR-9HJ2KD"] .chip')).to_have_text("In progress")
    expect(page.locator("#audit")).to_contain_text("moved application AP-4RT8WX to under review")
    page.screenshot(path=str(screenshots / "console-moved.png"))
    assert errors == []

    with hub.sessions() as s:
        moved = s.scalars(select(Booking).where(Booking.reference == "TC-7K3M9Q")).one()
        assert moved.slot_id == hub.later_slot_id
        assert s.get_one(InventorySlot, hub.later_slot_id).booked == 1
        application = s.scalars(select(Application)).one()
        assert application.status == "under_review"
        assert application.history[-1]["note"] == "Transfer documents received"
        assert s.scalars(select(ServiceRequest.status)).one() == "in_progress"
        actions = s.scalars(select(AuditEntry.action).where(
            AuditEntry.escalation_id == hub.escalation_id).order_by(AuditEntry.id)).all()
    assert actions == ["open", "reschedule_booking", "move_application", "move_service_request"]
