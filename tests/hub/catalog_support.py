"""More of the test world for issue 3 (on top of hub_support.build_world):
a medical, an events, a school-enrollment and two request areas, with
hospitals' departments, a cinema's films, a theatre, two schools, and helpers
to call the service API for a conversation."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from hub_support import LI, SERVICE_TOKEN, World, today_local
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.catalog.models import Offering, Provider, ServiceArea
from hub.db import session_scope

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
CID = LI["conversation_id"]
BASE = "/api/v1/service"

SCHOOL_FIELDS = [
    {"name": "child_name", "question": "Which child?", "question_zh": "哪位？",
     "type": "text", "required": True},
    {"name": "school", "question": "Which school?", "question_zh": "哪所？",
     "type": "text", "required": True},
    {"name": "entry_grade", "question": "Which grade?", "question_zh": "几年级？",
     "type": "choice", "choices": ["primary-1", "primary-transfer"], "required": True},
    {"name": "start_date", "question": "From when?", "question_zh": "何时？",
     "type": "date", "required": False},
]
HOUSING_FIELDS = [
    {"name": "household_size", "question": "How many people will live there?",
     "question_zh": "几人？", "type": "number", "required": True},
    {"name": "bedrooms", "question": "How many bedrooms?", "question_zh": "几居室？",
     "type": "choice", "choices": ["1", "2", "3"], "required": True},
    {"name": "move_in_date", "question": "When would you like to move in?",
     "question_zh": "何时？", "type": "date", "required": True},
    {"name": "preferred_area", "question": "Which neighbourhood?", "question_zh": "区域？",
     "type": "text", "required": False},
]
TRAINING_FIELDS = [
    {"name": "topic", "question": "What topic?", "question_zh": "主题？", "type": "text",
     "required": True},
    {"name": "format", "question": "In person or online?", "question_zh": "形式？",
     "type": "choice", "choices": ["in_person", "online", "either"], "required": True},
]


def key() -> dict[str, str]:
    return {**SERVICE, "Idempotency-Key": str(uuid.uuid4())}


def url(path: str, cid: str = CID) -> str:
    return f"{BASE}/conversations/{cid}{path}"


def school_year_start() -> date:
    today = today_local()
    this_year = date(today.year, 9, 1)
    return this_year if today <= this_year else date(today.year + 1, 9, 1)


def born_aged(years: int) -> date:
    """A birth date that makes a child `years` old (and a few months) on the
    next 1 September."""
    return date(school_year_start().year - years, 3, 15)


def build_issue3_world(world: World) -> None:
    sessions: sessionmaker[Session] = world.sessions
    with session_scope(sessions) as s:
        checkup = s.get_one(ServiceArea, "checkup")
        checkup.reminder_policy = [
            {"id": "two_hours_before", "minutes_before": 120, "note": "soon"},
        ]
        movies = s.get_one(ServiceArea, "movies")
        movies.reminder_policy = [{"id": "two_hours_before", "minutes_before": 120, "note": ""}]
        movies.aliases = ["cinema", "film"]
        s.add_all([
            ServiceArea(code="medical", number=3, name="Green-channel specialist appointments",
                        kind="appointment", department="Putuo Health Commission"),
            ServiceArea(code="events", number=6, name="Event tickets", kind="ticket",
                        department="Putuo Culture and Tourism Bureau"),
            ServiceArea(code="school_enrollment", number=1, name="Children's school enrollment",
                        kind="application", department="Putuo Education Bureau",
                        fields=SCHOOL_FIELDS),
            ServiceArea(code="housing", number=7, name="Talent housing", kind="request",
                        department="Putuo Housing Administration", fields=HOUSING_FIELDS,
                        steward_handled=True, aliases=["apartment", "flat"]),
            ServiceArea(code="training", number=8, name="Professional training",
                        kind="request", department="Putuo HR Bureau", fields=TRAINING_FIELDS),
        ])
        s.flush()
        providers = {p.code: p for p in s.scalars(select(Provider))}
        providers["tongji-hospital"].areas = ["checkup", "medical"]
        providers["putuo-central"].areas = ["checkup", "medical"]
        providers["putuo-cinema"].details = {"seats_per_row": 10}
        theatre = Provider(code="putuo-theatre", kind="venue", areas=["events"],
                           name="Putuo Grand Theatre", aliases=["Grand Theatre"])
        caoyang = Provider(code="caoyang-primary", kind="school", areas=["school_enrollment"],
                           name="Caoyang No. 6 Primary School", aliases=["Caoyang Primary"],
                           address="55 Meiling North Road")
        experimental = Provider(code="experimental-school", kind="school",
                                areas=["school_enrollment"], name="Putuo Experimental School")
        s.add_all([theatre, caoyang, experimental])
        s.flush()
        tongji, central = providers["tongji-hospital"], providers["putuo-central"]
        cinema = providers["putuo-cinema"]
        s.add_all([
            Offering(provider_id=tongji.id, area_code="medical", code="ent",
                     name="ENT (ear, nose and throat)", aliases=["ENT", "otolaryngology"],
                     details={"symptoms": ["ear infection", "sore throat", "sinus"],
                              "keywords": ["ear", "nose", "throat"]}),
            Offering(provider_id=tongji.id, area_code="medical", code="cardiology",
                     name="Cardiology", aliases=["heart"],
                     details={"symptoms": ["chest pain", "palpitations"]}),
            Offering(provider_id=central.id, area_code="medical", code="pediatrics",
                     name="Pediatrics", aliases=["paediatrics"],
                     details={"symptoms": ["fever in a child", "cough", "rash"],
                              "keywords": ["child", "son", "daughter", "kid"]}),
            Offering(provider_id=central.id, area_code="medical", code="ent",
                     name="ENT (ear, nose and throat)", aliases=["ear nose throat"],
                     details={"symptoms": ["ear infection", "hearing loss"]}),
            Offering(provider_id=cinema.id, area_code="movies", code="deep-sea",
                     name="Deep Sea Signal", aliases=["Deep Sea"]),
            Offering(provider_id=cinema.id, area_code="movies", code="paper-kites",
                     name="Paper Kites", aliases=["Kites"]),
            Offering(provider_id=theatre.id, area_code="events", code="jazz-night",
                     name="Shanghai Jazz Night", aliases=["jazz"]),
            Offering(provider_id=theatre.id, area_code="events", code="river-of-light",
                     name="River of Light (exhibition)", details={"seated": False}),
            Offering(provider_id=caoyang.id, area_code="school_enrollment", code="primary-1",
                     name="Primary year 1", aliases=["grade 1"],
                     details={"places": 2, "age_min": 6, "age_max": 7}),
            Offering(provider_id=caoyang.id, area_code="school_enrollment",
                     code="primary-transfer", name="Primary transfer",
                     details={"places": 3, "age_min": 7, "age_max": 11}),
            Offering(provider_id=experimental.id, area_code="school_enrollment",
                     code="primary-1", name="Primary year 1 (bilingual)",
                     details={"places": 5, "age_min": 6, "age_max": 7}),
        ])
    tomorrow = today_local() + timedelta(days=1)
    world.add_slot("deep-sea-19", provider="putuo-cinema", day=tomorrow, hour=19,
                   capacity=30, area="movies", offering="deep-sea")
    world.add_slot("deep-sea-21", provider="putuo-cinema", day=tomorrow, hour=21,
                   capacity=30, area="movies", offering="deep-sea")
    world.add_slot("kites-20", provider="putuo-cinema", day=tomorrow, hour=20,
                   capacity=2, area="movies", offering="paper-kites")
    world.add_slot("jazz", provider="putuo-theatre", day=tomorrow, hour=20, capacity=10,
                   area="events", offering="jazz-night")
    world.add_slot("river", provider="putuo-theatre", day=tomorrow, hour=10, capacity=10,
                   area="events", offering="river-of-light")
    world.add_slot("ent-tongji", provider="tongji-hospital", day=tomorrow, hour=9,
                   area="medical", offering="ent")


def post(client: Any, path: str, body: dict[str, Any], *, headers: dict[str, str] | None = None,
         cid: str = CID) -> Any:
    return client.post(url(path, cid), json=body, headers=headers or key())


def get(client: Any, path: str, *, cid: str = CID, **params: Any) -> Any:
    return client.get(url(path, cid), params=params, headers=SERVICE)
