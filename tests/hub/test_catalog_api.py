"""What the bot reads to ask and answer: form fields, the symptom search,
the card, children and the names for its NLU (from the test world and from
the real seed files)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from catalog_support import SERVICE, build_issue3_world, get, post
from fastapi.testclient import TestClient
from hub_support import LI, ZHANG, assert_error, login

from hub.app import create_app
from hub.config import REPO_ROOT
from hub.db import make_engine, make_session_factory, session_scope
from hub.models import Base
from hub.seed.loader import load_catalog, load_providers

DEPARTMENTS = "/api/v1/service/medical/departments"
LOOKUPS = "/api/v1/service/nlu/lookups"


@pytest.fixture(autouse=True)
def _more_world(world):
    build_issue3_world(world)


@pytest.fixture
def seeded(settings, tmp_path) -> Iterator[TestClient]:
    """A hub with the district's real catalog and providers, and nothing else."""
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    with session_scope(sessions) as s:
        load_catalog(s, seed_dir=REPO_ROOT / "hub" / "seed")
        load_providers(s, seed_dir=REPO_ROOT / "hub" / "seed")
    app = create_app(replace(settings, database_url=url), session_factory=sessions)
    with TestClient(app) as test_client:
        yield test_client
    engine.dispose()


def _departments(client, text):
    response = client.get(DEPARTMENTS, params={"symptom": text}, headers=SERVICE)
    assert response.status_code == 200, response.text
    return response.json()["departments"]


def test_fields_of_a_form_area_with_every_key(client):
    body = client.get("/api/v1/service/catalog/housing/fields", headers=SERVICE).json()
    assert body["area"] == {"code": "housing", "name": "Talent housing", "kind": "request",
                            "steward_handled": True}
    first = body["fields"][0]
    assert set(first) == {"name", "question", "question_zh", "type", "choices", "required"}
    assert [f["name"] for f in body["fields"]] == ["household_size", "bedrooms",
                                                   "move_in_date", "preferred_area"]
    assert client.get("/api/v1/service/catalog/checkup/fields",
                      headers=SERVICE).json()["fields"] == []
    assert_error(client.get("/api/v1/service/catalog/nope/fields", headers=SERVICE),
                 404, "not_found")
    area = client.get("/api/v1/service/catalog/housing", headers=SERVICE).json()
    assert area["aliases"] == ["apartment", "flat"] and area["fields"] == body["fields"]


def test_my_son_has_an_ear_infection(client):
    found = _departments(client, "My son has an ear infection!")
    assert [d["code"] for d in found] == ["ent", "pediatrics"]
    ent = found[0]
    assert "ear infection" in ent["matched"]
    assert {h["code"] for h in ent["hospitals"]} == {"tongji-hospital", "putuo-central"}
    assert found[1]["hospitals"][0]["code"] == "putuo-central"


def test_symptom_search_by_alias_plural_and_no_match(client):
    assert [d["code"] for d in _departments(client, "palpitations, see a heart doctor")] == \
        ["cardiology"]
    assert _departments(client, "I want to book a flight") == []
    q = client.get(DEPARTMENTS, params={"q": "sore throats"}, headers=SERVICE).json()
    assert q["departments"][0]["code"] == "ent"
    assert_error(client.get(DEPARTMENTS, headers=SERVICE), 422, "invalid_request")
    assert_error(client.get(DEPARTMENTS, params={"q": "x" * 501}, headers=SERVICE),
                 422, "invalid_request")


def test_symptom_search_over_the_real_catalog(seeded):
    client = seeded
    codes = [d["code"] for d in _departments(client, "my son has an ear infection")]
    assert codes[:2] == ["ent", "pediatrics"]
    assert _departments(client, "blurred vision")[0]["code"] == "ophthalmology"
    assert _departments(client, "my daughter has a rash")[0]["code"] in {"pediatrics",
                                                                        "dermatology"}
    assert _departments(client, "stiff neck after work")[0]["code"] == "acupuncture"


def test_the_card(client, clock):
    card = get(client, "/card").json()
    assert card["card_number"] == LI["card_number"] and card["golden"] is True
    assert card["valid_until"] == "2029-02-28" and card["e_card_path"] == "/api/v1/me/card"
    assert card["status"] in {"valid", "not_yet_valid"}
    mine = client.get("/api/v1/me/card", headers=login(client, LI)).json()
    assert mine["card_number"] == LI["card_number"]
    profile = client.get("/api/v1/me", headers=login(client, LI)).json()
    assert profile["e_card_path"] == "/api/v1/me/card"
    clock.advance(timedelta(days=365 * 4))
    expired = get(client, "/card").json()
    assert expired["status"] == "expired" and expired["days_left"] == 0
    assert_error(get(client, "/card", cid="nobody"), 404, "unknown_conversation")


def test_children_are_listed_and_added_once(client):
    listed = get(client, "/children").json()["children"]
    assert [c["name"] for c in listed] == ["Li Xiaoming"]
    body = {"name": "Li Xiaohua", "birth_date": "2021-06-01"}
    first = post(client, "/children", body)
    again = post(client, "/children", {**body, "name": "li xiaohua"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert_error(post(client, "/children", {**body, "birth_date": "2020-01-01"}),
                 409, "child_conflict")
    assert_error(post(client, "/children", {"name": "X", "birth_date": "soon"}),
                 422, "invalid_request")
    assert [c["name"] for c in get(client, "/children", cid=ZHANG["conversation_id"])
            .json()["children"]] == []


def test_nlu_lookups_from_the_test_world(client):
    entities = client.get(LOOKUPS, headers=SERVICE).json()["entities"]
    hospitals = {v["value"]: v for v in entities["hospital"]}
    assert set(hospitals) == {"tongji-hospital", "putuo-central"}
    assert hospitals["tongji-hospital"]["synonyms"] == ["Tongji Hospital", "Tongji"]
    ent = [v for v in entities["department"] if v["value"] == "ent"]
    assert len(ent) == 1  # merged across the two hospitals
    assert set(ent[0]["synonyms"]) >= {"ENT", "otolaryngology", "ear nose throat"}
    assert [v["value"] for v in entities["movie"]] == ["deep-sea", "paper-kites"]
    assert {v["value"] for v in entities["cinema"]} == {"putuo-cinema"}
    assert {v["value"] for v in entities["school"]} == {"caoyang-primary",
                                                        "experimental-school"}
    movies = next(a for a in entities["area"] if a["value"] == "movies")
    assert movies["synonyms"] == ["Movie tickets", "cinema", "film"]


def test_nlu_lookups_over_the_real_catalog_name_every_entity(seeded):
    client = seeded
    entities = client.get(LOOKUPS, headers=SERVICE).json()["entities"]
    for name in ("hospital", "checkup_package", "department", "school", "grade", "cinema",
                 "movie", "venue", "event", "tutoring_centre", "subject", "area"):
        assert entities[name], name
        for value in entities[name]:
            assert value["value"] and value["name"] and value["synonyms"]
    packages = {v["value"]: v for v in entities["checkup_package"]}
    assert set(packages) == {"basic", "comprehensive", "executive"}
    assert "VIP" in packages["executive"]["synonyms"]
    assert len(entities["area"]) == 12
    hospitals = {v["value"] for v in entities["hospital"]}
    assert "tongji-hospital" in hospitals and "global-harbor-cinema" not in hospitals
    # One synonym names one value within an entity: the bot's synonyms stay unambiguous.
    for name, values in entities.items():
        owners: dict[str, str] = {}
        for value in values:
            for synonym in value["synonyms"]:
                assert owners.setdefault(synonym.casefold(), value["value"]) == value["value"], \
                    (name, synonym)


def test_search_and_lookups_need_the_service_token(client):
    assert_error(client.get(LOOKUPS), 401, "not_authenticated")
    assert_error(client.get(DEPARTMENTS, params={"q": "ear"},
                            headers=login(client, LI)), 403, "forbidden")
