"""Service requests: one catalog-driven form for every `request` area, answers
checked against the catalog's fields, a new area served without code."""

from __future__ import annotations

import shutil

import pytest
import yaml
from catalog_support import SERVICE, build_issue3_world, get, key, post
from hub_support import ZHANG, assert_error

from hub.config import REPO_ROOT
from hub.db import session_scope, utcnow
from hub.seed.loader import load_catalog
from hub.service_requests import service
from hub.service_requests.answers import validate_answers

HOUSING = {"household_size": 3, "bedrooms": "2", "move_in_date": "2027-03-01"}


@pytest.fixture(autouse=True)
def _more_world(world):
    build_issue3_world(world)


def _request(client, area="housing", answers=None, headers=None, cid="conv-li"):
    return post(client, "/service-requests", {"area": area, "answers": answers or HOUSING},
                headers=headers, cid=cid)


def test_a_valid_request_is_submitted_with_its_answers(client):
    response = _request(client, answers={**HOUSING, "household_size": "3",
                                         "preferred_area": " near Changfeng Park "})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reference"].startswith("SR-") and body["status"] == "submitted"
    assert body["kind"] == "service_request" and body["live"] is True
    assert body["answers"] == {"household_size": 3, "bedrooms": "2", "move_in_date": "2027-03-01",
                               "preferred_area": "near Changfeng Park"}
    assert body["needs_steward"] is True  # housing is steward-handled
    assert body["area"]["department"] == "Putuo Housing Administration"
    training = _request(client, "training", {"topic": "AI safety", "format": "In person"}).json()
    assert training["answers"]["format"] == "in_person" and training["needs_steward"] is False


@pytest.mark.parametrize(("answers", "field", "problem"), [
    ({"bedrooms": "2", "move_in_date": "2027-03-01"}, "household_size", "missing"),
    ({**HOUSING, "household_size": "   "}, "household_size", "missing"),
    ({**HOUSING, "bedrooms": "5"}, "bedrooms", "invalid"),
    ({**HOUSING, "household_size": "three"}, "household_size", "invalid"),
    ({**HOUSING, "household_size": -1}, "household_size", "invalid"),
    ({**HOUSING, "household_size": True}, "household_size", "invalid"),
    ({**HOUSING, "move_in_date": "next spring"}, "move_in_date", "invalid"),
    ({**HOUSING, "preferred_area": "x" * 1001}, "preferred_area", "invalid"),
    ({**HOUSING, "preferred_area": ["a"]}, "preferred_area", "invalid"),
    ({**HOUSING, "pets": "cat"}, "pets", "unknown"),
])
def test_bad_answers_are_422_naming_the_field(client, answers, field, problem):
    body = assert_error(_request(client, answers=answers), 422, "invalid_answers")
    assert body["field"] == field
    assert body["errors"][0]["problem"] == problem
    assert field in str(body["errors"][0]) and body["detail"]


def test_every_problem_is_listed():
    fields = [{"name": "a", "question": "A?", "type": "text", "required": True},
              {"name": "b", "question": "B?", "type": "choice", "choices": ["x"],
               "required": True}]
    with pytest.raises(Exception) as caught:
        validate_answers(fields, {"b": "y"})
    assert [e["field"] for e in caught.value.extra["errors"]] == ["a", "b"]
    assert validate_answers(fields, {"a": "hi", "b": "X"}) == {"a": "hi", "b": "x"}


def test_only_request_areas_take_requests(client):
    assert_error(_request(client, area="checkup", answers={}), 422, "invalid_area")
    assert_error(_request(client, area="school_enrollment", answers={}), 422, "invalid_area")
    assert_error(_request(client, area="nowhere", answers={}), 404, "not_found")
    body = {"area": "housing", "answers": {"n": "x" * 9000}}
    assert_error(post(client, "/service-requests", body), 422, "invalid_request")
    assert_error(client.post("/api/v1/service/conversations/conv-li/service-requests",
                             json={"area": "housing", "answers": HOUSING}, headers=SERVICE),
                 422, "invalid_request")


def test_the_same_key_twice_makes_one_request(client):
    headers = key()
    first = _request(client, headers=headers)
    again = _request(client, headers=headers, answers={**HOUSING, "household_size": "3"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["reference"] == again.json()["reference"]
    other = _request(client, headers=headers, answers={**HOUSING, "bedrooms": "3"})
    assert_error(other, 409, "idempotency_conflict")
    assert len(get(client, "/service-requests").json()["service_requests"]) == 1


def test_statuses_withdraw_and_staff_moves(client, world):
    reference = _request(client).json()["reference"]

    def advance(to_status: str) -> None:
        with session_scope(world.sessions) as s:
            row = service.find_request(s, reference=reference)
            service.advance_request(s, request=row, to_status=to_status, note="", now=utcnow())

    with pytest.raises(Exception) as illegal:
        advance("completed")
    assert getattr(illegal.value, "code", "") == "invalid_transition"
    advance("in_progress")
    assert post(client, f"/service-requests/{reference}/withdraw", {}).json()["status"] == \
        "withdrawn"
    again = post(client, f"/service-requests/{reference}/withdraw", {})
    assert again.status_code == 200 and len(again.json()["history"]) == 3
    done = _request(client).json()["reference"]
    with session_scope(world.sessions) as s:
        row = service.find_request(s, reference=done)
        service.advance_request(s, request=row, to_status="rejected", note="no flats",
                                now=utcnow())
    assert_error(post(client, f"/service-requests/{done}/withdraw", {}), 409,
                 "invalid_transition")


def test_holder_isolation(client):
    reference = _request(client).json()["reference"]
    zhang = ZHANG["conversation_id"]
    assert_error(get(client, f"/service-requests/{reference}", cid=zhang), 404, "not_found")
    assert_error(post(client, f"/service-requests/{reference}/withdraw", {}, cid=zhang),
                 404, "not_found")
    assert get(client, "/service-requests", cid=zhang).json()["service_requests"] == []
    assert get(client, f"/service-requests/{reference}").json()["status"] == "submitted"
    assert get(client, "/service-requests", status="live").json()["service_requests"]


def test_a_request_area_added_to_the_catalog_works_without_code(client, world, tmp_path):
    seed_dir = tmp_path / "seed"
    shutil.copytree(REPO_ROOT / "hub" / "seed", seed_dir)
    catalog = yaml.safe_load((seed_dir / "catalog.yml").read_text(encoding="utf-8"))
    catalog["areas"].append({
        "code": "pet_care", "number": 13, "name": "Pet care", "name_zh": "宠物服务",
        "aliases": ["pets", "vet"], "kind": "request",
        "department": "Putuo Agriculture Office", "summary": "Vets and pet registration.",
        "description": "Help with pet registration and vets.", "eligibility": "Any holder.",
        "what_to_bring": ["Pet's vaccination book"],
        "fields": [
            {"name": "animal", "question": "Which animal?", "question_zh": "什么动物？",
             "type": "choice", "choices": ["dog", "cat", "other"], "required": True},
            {"name": "need", "question": "What do you need?", "question_zh": "需要什么？",
             "type": "text", "required": True},
        ],
    })
    (seed_dir / "catalog.yml").write_text(yaml.safe_dump(catalog, allow_unicode=True),
                                          encoding="utf-8")
    with session_scope(world.sessions) as s:
        load_catalog(s, seed_dir=seed_dir)

    fields = client.get("/api/v1/service/catalog/pet_care/fields", headers=SERVICE).json()
    assert [f["name"] for f in fields["fields"]] == ["animal", "need"]
    assert fields["fields"][0]["choices"] == ["dog", "cat", "other"]
    body = assert_error(_request(client, "pet_care", {"animal": "parrot", "need": "vet"}),
                        422, "invalid_answers")
    assert body["field"] == "animal"
    made = _request(client, "pet_care", {"animal": "Dog", "need": "a vet visit"})
    assert made.status_code == 201, made.text
    reference = made.json()["reference"]
    records = get(client, "/records").json()["records"]
    assert [r["title"] for r in records if r["reference"] == reference] == ["Pet care"]
    lookups = client.get("/api/v1/service/nlu/lookups", headers=SERVICE).json()["entities"]
    pet = [a for a in lookups["area"] if a["value"] == "pet_care"]
    assert pet and "vet" in pet[0]["synonyms"]


def test_a_request_that_needs_judgement_goes_to_the_holders_steward(client, world):
    from sqlalchemy import select

    from hub.stewards.models import Escalation

    housing = _request(client).json()
    training = _request(client, "training", {"topic": "AI safety", "format": "In person"}).json()
    with world.sessions() as s:
        escalations = s.scalars(select(Escalation)).all()
        assert len(escalations) == 1  # training needs no steward
        [escalation] = escalations
        assert escalation.reason == "judgement" and escalation.area_code == "housing"
        assert escalation.context["service_request"] == housing["reference"]
        assert escalation.steward is not None and escalation.steward.username == "wang"
        assert training["reference"] not in str(escalation.context)
