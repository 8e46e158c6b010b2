"""School applications: eligibility by age and places, one live application
per child per school, statuses that move only by people."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from catalog_support import (
    SERVICE,
    born_aged,
    build_issue3_world,
    get,
    key,
    post,
    school_year_start,
)
from hub_support import ZHANG, assert_error, login

from hub.applications import service
from hub.applications.models import Application
from hub.db import utcnow

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _more_world(world):
    build_issue3_world(world)


def _child(client, name, years):
    response = post(client, "/children", {"name": name, "birth_date": born_aged(years).isoformat()})
    assert response.status_code in (200, 201), response.text
    return response.json()


def _apply(client, *, child_id=None, child=None, school="caoyang-primary", grade="primary-1",
           headers=None, cid="conv-li", **answers):
    body = {"school": school, "grade": grade, "answers": answers}
    if child_id is not None:
        body["child_id"] = child_id
    if child is not None:
        body["child"] = child
    return post(client, "/applications", body, headers=headers, cid=cid)


def _advance(world, reference, to_status, note=""):
    with world.sessions() as s:
        application = service.find_application(s, reference=reference)
        service.advance_application(s, application=application, to_status=to_status,
                                    note=note, now=utcnow())
        s.commit()


def test_an_eligible_child_gets_a_submitted_application(client):
    child = _child(client, "Li Xiaohua", 6)
    response = _apply(client, child_id=child["id"], start_date=school_year_start().isoformat())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reference"].startswith("AP-") and len(body["reference"]) == 9
    assert body["status"] == "submitted" and body["live"] is True
    assert body["school"]["code"] == "caoyang-primary" and body["grade"]["code"] == "primary-1"
    assert body["child"]["name"] == "Li Xiaohua"
    assert body["answers"]["entry_grade"] == "primary-1"
    assert body["answers"]["child_name"] == "Li Xiaohua"
    assert [h["status"] for h in body["history"]] == ["submitted"]


def test_a_new_child_is_added_to_the_profile_with_the_application(client):
    child = {"name": "Li Xiaolan", "birth_date": born_aged(7).isoformat()}
    body = _apply(client, child=child, grade="primary-transfer").json()
    assert body["child"]["name"] == "Li Xiaolan"
    names = [c["name"] for c in get(client, "/children").json()["children"]]
    assert "Li Xiaolan" in names
    # By name, the child is the same one next time.
    again = _apply(client, child={"name": "li  xiaolan"}, school="experimental-school",
                   grade="primary-1")
    assert again.json()["child"]["id"] == body["child"]["id"]
    other_birthday = {"name": "Li Xiaolan", "birth_date": born_aged(6).isoformat()}
    assert_error(_apply(client, child=other_birthday), 409, "child_conflict")


def test_a_refused_application_adds_no_child(client):
    response = _apply(client, child={"name": "Baby Li", "birth_date": born_aged(3).isoformat()})
    body = assert_error(response, 422, "child_too_young")
    assert body["age"] == 3 and body["age_min"] == 6
    names = [c["name"] for c in get(client, "/children").json()["children"]]
    assert "Baby Li" not in names


def test_too_old_and_a_new_child_without_birth_date(client):
    child = _child(client, "Li Dada", 9)
    assert_error(_apply(client, child_id=child["id"]), 422, "child_too_old")
    assert_error(_apply(client, child={"name": "Nobody Yet"}), 422, "birth_date_required")
    assert_error(_apply(client), 422, "child_required")


def test_one_live_application_per_child_per_school(client):
    child = _child(client, "Li Xiaohua", 7)
    first = _apply(client, child_id=child["id"]).json()
    body = assert_error(_apply(client, child_id=child["id"], grade="primary-transfer"),
                        409, "duplicate_application")
    assert body["reference"] == first["reference"]
    # Another school is fine; after withdrawing, the same school again too.
    assert _apply(client, child_id=child["id"], school="experimental-school").status_code == 201
    post(client, f"/applications/{first['reference']}/withdraw", {})
    assert _apply(client, child_id=child["id"], grade="primary-transfer").status_code == 201


def test_no_places_left_offers_other_schools(client):
    for n in range(2):  # caoyang primary-1 has 2 places
        child = _child(client, f"Child {n}", 6)
        assert _apply(client, child_id=child["id"]).status_code == 201
    late = _child(client, "Late Li", 6)
    body = assert_error(_apply(client, child_id=late["id"]), 409, "no_places")
    assert body["alternatives"] == [{
        "school": {"code": "experimental-school", "name": "Putuo Experimental School"},
        "grade": {"code": "primary-1", "name": "Primary year 1 (bilingual)"},
        "places_left": 5,
    }]


def test_eligibility_can_be_checked_before_applying(client):
    young = _child(client, "Li Xiaohua", 5)
    body = get(client, "/applications/eligibility", school="caoyang-primary",
               grade="primary-1", child_id=young["id"]).json()
    assert body["eligible"] is False and body["age"] == 5 and body["places_left"] == 2
    assert [p["code"] for p in body["problems"]] == ["child_too_young"]
    ok = get(client, "/applications/eligibility", school="caoyang-primary", grade="primary-1",
             birth_date=born_aged(6).isoformat()).json()
    assert ok["eligible"] is True and ok["problems"] == []
    assert_error(get(client, "/applications/eligibility", school="caoyang-primary",
                     grade="primary-1"), 422, "child_required")


def test_unknown_school_grade_child_or_answer(client):
    child = _child(client, "Li Xiaohua", 6)
    assert_error(_apply(client, child_id=child["id"], school="tongji-hospital"), 404, "not_found")
    assert_error(_apply(client, child_id=child["id"], grade="middle-6"), 404, "not_found")
    assert_error(_apply(client, child_id=999999), 404, "not_found")
    body = assert_error(_apply(client, child_id=child["id"], start_date="soon"),
                        422, "invalid_answers")
    assert body["field"] == "start_date"
    body = assert_error(_apply(client, child_id=child["id"], shoe_size="30"),
                        422, "invalid_answers")
    assert body["field"] == "shoe_size"
    # Another holder's child is not found.
    zhang = ZHANG["conversation_id"]
    assert_error(_apply(client, child_id=child["id"], cid=zhang), 404, "not_found")


def test_the_same_key_twice_applies_once(client, world):
    child = _child(client, "Li Xiaohua", 6)
    headers = key()
    first = _apply(client, child_id=child["id"], headers=headers)
    again = _apply(client, child_id=child["id"], headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]
    other = _apply(client, child_id=child["id"], grade="primary-transfer", headers=headers)
    assert_error(other, 409, "idempotency_conflict")
    with world.sessions() as s:
        assert s.query(Application).count() == 1


def test_statuses_move_only_along_the_allowed_path(client, world):
    child = _child(client, "Li Xiaohua", 6)
    reference = _apply(client, child_id=child["id"]).json()["reference"]
    with pytest.raises(Exception) as illegal:
        _advance(world, reference, "offered")
    assert getattr(illegal.value, "code", "") == "invalid_transition"
    with pytest.raises(Exception) as unknown:
        _advance(world, reference, "accepted")
    assert getattr(unknown.value, "code", "") == "invalid_status"
    _advance(world, reference, "under_review", "documents checked")
    _advance(world, reference, "offered", "place in class 1B")
    body = get(client, f"/applications/{reference}").json()
    assert body["status"] == "offered"
    assert [(h["status"], h["note"]) for h in body["history"]] == [
        ("submitted", ""), ("under_review", "documents checked"), ("offered", "place in class 1B")]
    with pytest.raises(Exception) as after_offer:
        _advance(world, reference, "declined")
    assert getattr(after_offer.value, "code", "") == "invalid_transition"


def test_withdraw_is_idempotent_and_refused_once_declined(client, world):
    child = _child(client, "Li Xiaohua", 6)
    first = _apply(client, child_id=child["id"]).json()["reference"]
    done = post(client, f"/applications/{first}/withdraw", {})
    again = post(client, f"/applications/{first}/withdraw", {})
    assert done.json()["status"] == again.json()["status"] == "withdrawn"
    assert len(again.json()["history"]) == 2
    second = _apply(client, child_id=child["id"], school="experimental-school").json()["reference"]
    _advance(world, second, "under_review")
    _advance(world, second, "declined", "no place in the bilingual class")
    assert_error(post(client, f"/applications/{second}/withdraw", {}), 409, "invalid_transition")


def test_lists_and_holder_isolation(client):
    child = _child(client, "Li Xiaohua", 6)
    reference = _apply(client, child_id=child["id"]).json()["reference"]
    listed = get(client, "/applications").json()["applications"]
    assert [a["reference"] for a in listed] == [reference]
    assert get(client, "/applications", status="live").json()["applications"]
    # "ap 7k3m9q" as typed finds it.
    typed = reference.lower().replace("-", " ")
    assert get(client, f"/applications/{typed}").json()["reference"] == reference
    zhang = ZHANG["conversation_id"]
    assert_error(get(client, f"/applications/{reference}", cid=zhang), 404, "not_found")
    assert_error(post(client, f"/applications/{reference}/withdraw", {}, cid=zhang),
                 404, "not_found")
    assert get(client, "/applications", cid=zhang).json()["applications"] == []


def test_the_holder_sees_their_applications(client):
    child = _child(client, "Li Xiaohua", 6)
    _apply(client, child_id=child["id"])
    from hub_support import LI
    mine = client.get("/api/v1/me/applications", headers=login(client, LI)).json()
    assert len(mine["applications"]) == 1


def test_applications_need_the_service_token_and_a_key(client):
    body = {"school": "caoyang-primary", "grade": "primary-1", "child_id": 1}
    path = "/api/v1/service/conversations/conv-li/applications"
    assert_error(client.post(path, json=body, headers={"Idempotency-Key": "k"}),
                 401, "not_authenticated")
    assert_error(client.post(path, json=body, headers=SERVICE), 422, "invalid_request")


def test_python_m_hub_application_status(tmp_path, settings, client, world):
    child = _child(client, "Li Xiaohua", 6)
    reference = _apply(client, child_id=child["id"]).json()["reference"]
    env = {"TCC_DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "hub", "application-status", reference, "under_review",
         "--note", "checking documents"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "under_review" in done.stdout
    assert get(client, f"/applications/{reference}").json()["status"] == "under_review"
    refused = subprocess.run(
        [sys.executable, "-m", "hub", "application-status", reference, "submitted"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert refused.returncode == 1 and "cannot become" in refused.stderr
