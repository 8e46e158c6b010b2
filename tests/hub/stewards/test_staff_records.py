"""A steward moves the holder's school applications and service requests on
from the console: the allowed next statuses only, audited, within the same
access rules as every staff action."""

from __future__ import annotations

import pytest
from catalog_support import born_aged, build_issue3_world, get, post
from hub_support import LI, ZHANG, assert_error, login
from sqlalchemy import select

from hub.stewards.models import AuditEntry

from .conftest import open_for

BASE = "/api/v1/staff/escalations"
HOUSING = {"household_size": 3, "bedrooms": "2", "move_in_date": "2027-03-01"}


@pytest.fixture(autouse=True)
def _more_world(world):
    build_issue3_world(world)


def apply(client, cid=LI["conversation_id"]) -> str:
    child = post(client, "/children", {"name": "Li Xiaohua",
                                       "birth_date": born_aged(6).isoformat()}, cid=cid)
    assert child.status_code in (200, 201), child.text
    response = post(client, "/applications", {
        "school": "caoyang-primary", "grade": "primary-1", "child_id": child.json()["id"],
        "answers": {}}, cid=cid)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def ask(client, cid=LI["conversation_id"]) -> str:
    response = post(client, "/service-requests", {"area": "housing", "answers": HOUSING}, cid=cid)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def move(client, headers, esc_id, kind, reference, status, note=""):
    return client.post(f"{BASE}/{esc_id}/{kind}/{reference}/status",
                       json={"status": status, "note": note}, headers=headers)


def moves(world, esc_id) -> list[AuditEntry]:
    with world.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(
            AuditEntry.escalation_id == esc_id,
            AuditEntry.action.in_(["move_application", "move_service_request"]),
        ).order_by(AuditEntry.id)))


def test_the_escalation_shows_applications_and_requests_with_their_next_steps(
    client, world, staff, clock, wang
):
    application = apply(client)
    request = ask(client)
    ask(client, cid=ZHANG["conversation_id"])  # someone else's: not shown
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)

    detail = client.get(f"{BASE}/{esc_id}", headers=wang).json()
    (shown_application,) = detail["applications"]
    assert shown_application["reference"] == application
    assert shown_application["status"] == "submitted"
    assert shown_application["allowed_moves"] == ["under_review"]
    assert shown_application["school"]["name"] == "Caoyang No. 6 Primary School"
    (shown_request,) = detail["service_requests"]
    assert shown_request["reference"] == request
    assert shown_request["allowed_moves"] == ["in_progress", "rejected"]
    assert {"move_application", "move_service_request"} <= set(
        detail["escalation"]["allowed_actions"])


def test_application_moves_along_its_path_and_is_audited(client, world, staff, clock, wang):
    reference = apply(client)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)

    reviewed = move(client, wang, esc_id, "applications", reference, "under_review",
                    "  Documents checked  ")
    assert reviewed.status_code == 200, reviewed.text
    body = reviewed.json()["application"]
    assert body["status"] == "under_review"
    assert body["allowed_moves"] == ["declined", "offered"]
    assert body["history"][-1]["by"] == "wang"
    assert body["history"][-1]["note"] == "Documents checked"

    offered = move(client, wang, esc_id, "applications", reference, "offered")
    assert offered.json()["application"]["allowed_moves"] == []

    first, second = moves(world, esc_id)
    assert first.action == "move_application" and first.staff_id == staff.ids["wang"]
    assert first.details == {"reference": reference, "from": "submitted", "to": "under_review",
                             "note": "Documents checked"}
    assert second.details["from"] == "under_review" and second.details["to"] == "offered"

    # What the bot reads when the holder asks for the status.
    seen = get(client, f"/applications/{reference}").json()
    assert seen["status"] == "offered" and seen["history"][-1]["by"] == "wang"


def test_request_moves_along_its_path_and_is_audited(client, world, staff, clock, wang):
    reference = ask(client)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    started = move(client, wang, esc_id, "service-requests", reference, "in_progress",
                   "Asked the housing office")
    assert started.status_code == 200, started.text
    assert started.json()["service_request"]["allowed_moves"] == ["completed", "rejected"]
    done = move(client, wang, esc_id, "service-requests", reference, "completed")
    assert done.json()["service_request"]["status"] == "completed"
    assert [(e.action, e.details["to"]) for e in moves(world, esc_id)] == [
        ("move_service_request", "in_progress"), ("move_service_request", "completed")]


def test_moves_off_the_path_are_refused_and_leave_no_trace(client, world, staff, clock, wang):
    application = apply(client)
    request = ask(client)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    assert_error(move(client, wang, esc_id, "applications", application, "offered"), 409,
                 "invalid_transition")
    assert_error(move(client, wang, esc_id, "applications", application, "withdrawn"), 422,
                 "invalid_status")
    assert_error(move(client, wang, esc_id, "service-requests", request, "completed"), 409,
                 "invalid_transition")
    assert_error(move(client, wang, esc_id, "service-requests", request, "bogus"), 422,
                 "invalid_status")
    assert_error(client.post(f"{BASE}/{esc_id}/applications/{application}/status", json={},
                             headers=wang), 422, "invalid_request")
    assert moves(world, esc_id) == []
    detail = client.get(f"{BASE}/{esc_id}", headers=wang).json()
    assert detail["applications"][0]["status"] == "submitted"
    assert detail["service_requests"][0]["status"] == "submitted"


def test_who_may_move_them(client, world, staff, clock, wang, zhao, chen):
    application = apply(client)
    request = ask(client)
    others = ask(client, cid=ZHANG["conversation_id"])
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    holder = login(client, LI)

    for headers, status, code in ((zhao, 403, "forbidden"), (holder, 403, "forbidden"),
                                  ({}, 401, "not_authenticated")):
        assert_error(move(client, headers, esc_id, "applications", application, "under_review"),
                     status, code)
        assert_error(move(client, headers, esc_id, "service-requests", request, "in_progress"),
                     status, code)
    # Only the escalation's holder's records.
    assert_error(move(client, wang, esc_id, "service-requests", others, "in_progress"), 404,
                 "not_found")
    assert moves(world, esc_id) == []

    # A supervisor may act on anything.
    assert move(client, chen, esc_id, "applications", application,
                "under_review").status_code == 200
    assert moves(world, esc_id)[0].staff_id == staff.ids["chen"]


def test_resolved_escalation_is_409(client, world, staff, clock, wang):
    application = apply(client)
    request = ask(client)
    esc_id = open_for(world.sessions, staff.holders["li"], clock=clock)
    client.post(f"{BASE}/{esc_id}/resolve", json={"outcome": "done"}, headers=wang)
    assert_error(move(client, wang, esc_id, "applications", application, "under_review"), 409,
                 "invalid_transition")
    assert_error(move(client, wang, esc_id, "service-requests", request, "in_progress"), 409,
                 "invalid_transition")
    assert moves(world, esc_id) == []
