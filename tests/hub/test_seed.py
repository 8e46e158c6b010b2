"""The seed files and their loader, on a fresh SQLite database per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from hub.auth.secrets import verify_secret
from hub.bookings.models import InventorySlot
from hub.catalog.models import Offering, Provider, ServiceArea
from hub.config import LOCAL_TZ, REPO_ROOT
from hub.db import make_engine, make_session_factory, session_scope
from hub.holders.models import Holder, Steward
from hub.models import Base
from hub.seed.loader import (
    SeedError,
    demo_holders,
    ensure_inventory,
    load_catalog,
    load_holders,
    load_providers,
    seed_database,
)

SEED_DIR = REPO_ROOT / "hub" / "seed"
TODAY = date(2026, 12, 1)  # a Tuesday
DAYS_AHEAD = 60

AREA_CODES = {
    1: ("school_enrollment", "application"),
    2: ("tutoring", "appointment"),
    3: ("medical", "appointment"),
    4: ("checkup", "appointment"),
    5: ("movies", "ticket"),
    6: ("events", "ticket"),
    7: ("housing", "request"),
    8: ("training", "request"),
    9: ("startup", "request"),
    10: ("subsidies", "request"),
    11: ("visa_residence", "request"),
    12: ("sports", "request"),
}


@pytest.fixture
def factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    Base.metadata.create_all(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def seeded(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    seed_database(factory, seed_dir=SEED_DIR, today=TODAY, days_ahead=DAYS_AHEAD)
    return factory


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed files, to break on purpose."""
    target = tmp_path / "seed"
    target.mkdir()
    for name in ("catalog.yml", "providers.yml", "holders.yml"):
        shutil.copy(SEED_DIR / name, target / name)
    return target


def _local(dt: datetime) -> datetime:
    return dt.astimezone(LOCAL_TZ)


# ------------------------------------------------------------------ catalog


def test_all_twelve_areas_load_with_their_fields(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        areas = {a.number: a for a in s.scalars(select(ServiceArea))}
    assert {n: (a.code, a.kind) for n, a in areas.items()} == AREA_CODES
    for area in areas.values():
        assert area.name and area.name_zh and area.department and area.summary
        assert area.description and area.eligibility and area.what_to_bring
        assert area.active
        if area.kind in ("request", "application"):
            assert 2 <= len(area.fields) <= 4, area.code
            for field in area.fields:
                assert field["type"] in ("text", "choice", "date", "number")
                assert field["question"] and field["question_zh"]
                assert bool(field["choices"]) == (field["type"] == "choice")
        if area.kind == "request":
            assert area.reminder_policy == []
    assert {a.code for a in areas.values() if a.steward_handled} == {"housing", "subsidies"}
    assert areas[4].reminder_policy == [
        {"id": "evening_before", "days_before": 1, "at": "19:00",
         "note": "fasting from midnight; bring ID and Talent Card"},
        {"id": "two_hours_before", "minutes_before": 120,
         "note": areas[4].reminder_policy[1]["note"]},
    ]
    assert areas[1].reminder_policy[0]["days_before"] == 3


def test_checkup_providers_and_packages_the_bot_relies_on(seeded: sessionmaker[Session]) -> None:
    expected = {
        "putuo-central-hospital": ("Putuo District Central Hospital", "Putuo Central"),
        "tongji-hospital": ("Tongji Hospital", "Tongji"),
        "putuo-peoples-hospital": ("Putuo District People's Hospital", "People's Hospital"),
        "liqun-hospital": ("Liqun Hospital", "Liqun"),
        "putuo-tcm-hospital": ("Putuo District Hospital of TCM", "TCM Hospital"),
    }
    with seeded() as s:
        providers = {p.code: p for p in s.scalars(select(Provider))}
        capacities = set()
        for code, (name, alias) in expected.items():
            hospital = providers[code]
            assert (hospital.name, hospital.kind) == (name, "hospital")
            assert alias in hospital.aliases
            assert {"checkup", "medical"} <= set(hospital.areas)
            packages = {o.code: o for o in hospital.offerings if o.area_code == "checkup"}
            assert {c: o.name for c, o in packages.items()} == {
                "basic": "Essential check-up",
                "comprehensive": "Comprehensive check-up",
                "executive": "Executive check-up",
            }
            assert {"basic", "standard", "regular"} <= set(packages["basic"].aliases)
            assert "VIP" in packages["executive"].aliases
            assert all(o.details["fasting"] for o in packages.values())
            [schedule] = hospital.details["schedules"]["checkup"]
            assert schedule["times"] == ["07:30"] and "sun" not in schedule["days"]
            capacities.add(schedule["capacity"])
        assert len(capacities) > 1 and all(4 <= c <= 10 for c in capacities)
        kinds = [p.kind for p in providers.values()]
        assert kinds.count("school") >= 4 and kinds.count("cinema") >= 3
        assert kinds.count("venue") >= 3 and kinds.count("sports_centre") >= 2
        assert kinds.count("tutoring_centre") >= 2


# ------------------------------------------------------------------ holders


def test_holders_pins_stewards_and_children(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        holder = s.scalars(select(Holder).where(Holder.card_number == "PT20260007")).one()
        assert holder.serial == 7 and holder.golden
        assert verify_secret("246810", holder.pin_hash)
        assert not verify_secret("000000", holder.pin_hash)
        assert len(holder.conversation_id) == 32
        assert holder.steward is not None and holder.steward.role in ("steward", "supervisor")
        holders = list(s.scalars(select(Holder)))
        assert len(holders) >= 6
        assert any(not h.golden for h in holders)
        assert sum(1 for h in holders if h.children) >= 3
        roles = [st.role for st in s.scalars(select(Steward))]
        assert len(roles) == 3 and roles.count("supervisor") == 1


def test_demo_holders_lists_logins_for_the_launcher() -> None:
    demo = demo_holders(seed_dir=SEED_DIR)
    assert demo[0] == {"card_number": "PT20260007", "pin": "246810",
                       "name": "Dr. Li Wei", "golden": True}
    assert any(not d["golden"] for d in demo)


# ------------------------------------------------------------------ idempotence


def test_seeding_twice_changes_nothing(seeded: sessionmaker[Session]) -> None:
    with session_scope(seeded) as s:
        conversation_ids = {h.card_number: h.conversation_id for h in s.scalars(select(Holder))}
        slot = s.scalars(select(InventorySlot).order_by(InventorySlot.id)).first()
        assert slot is not None
        slot.booked = 2  # as if two bookings had been made
        slot_id = slot.id

    writes: list[str] = []
    engine = seeded.kw["bind"]

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        counts = seed_database(seeded, seed_dir=SEED_DIR, today=TODAY, days_ahead=DAYS_AHEAD)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert counts["slots_created"] == 0
    assert writes == []  # not even an UPDATE of an unchanged row
    with seeded() as s:
        assert {h.card_number: h.conversation_id for h in s.scalars(select(Holder))} == conversation_ids
        assert s.get(InventorySlot, slot_id).booked == 2  # type: ignore[union-attr]


def test_an_edited_file_updates_rows_in_place(factory: sessionmaker[Session], seed_copy: Path) -> None:
    seed_database(factory, seed_dir=seed_copy, today=TODAY, days_ahead=7)
    with factory() as s:
        before = s.scalars(select(Holder).where(Holder.card_number == "PT20260007")).one()
    providers = seed_copy / "providers.yml"
    providers.write_text(providers.read_text().replace("name: Liqun Hospital", "name: Liqun General Hospital"))
    holders = seed_copy / "holders.yml"
    holders.write_text(holders.read_text().replace('pin: "246810"', 'pin: "112233"'))

    seed_database(factory, seed_dir=seed_copy, today=TODAY, days_ahead=7)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Provider).where(Provider.code == "liqun-hospital")) == 1
        liqun = s.scalars(select(Provider).where(Provider.code == "liqun-hospital")).one()
        assert liqun.name == "Liqun General Hospital"
        after = s.scalars(select(Holder).where(Holder.card_number == "PT20260007")).one()
        assert after.id == before.id and after.conversation_id == before.conversation_id
        assert verify_secret("112233", after.pin_hash)


def test_loaders_return_counts_and_can_run_one_by_one(factory: sessionmaker[Session]) -> None:
    with session_scope(factory) as s:
        assert load_catalog(s, seed_dir=SEED_DIR) == 12
        assert load_providers(s, seed_dir=SEED_DIR) == s.scalar(select(func.count()).select_from(Provider))
        assert load_holders(s, seed_dir=SEED_DIR) >= 6


# ------------------------------------------------------------------ inventory


def test_inventory_covers_the_range_on_the_right_days_and_local_times(
    seeded: sessionmaker[Session],
) -> None:
    with seeded() as s:
        tongji = s.scalars(select(Provider).where(Provider.code == "tongji-hospital")).one()
        checkups = list(
            s.scalars(
                select(InventorySlot)
                .where(InventorySlot.provider_id == tongji.id, InventorySlot.area_code == "checkup")
                .order_by(InventorySlot.starts_at)
            )
        )
        ent = s.scalars(
            select(Offering).where(Offering.provider_id == tongji.id, Offering.code == "ent")
        ).one()
        ent_slots = list(s.scalars(select(InventorySlot).where(InventorySlot.offering_id == ent.id)))

    days = [_local(slot.starts_at).date() for slot in checkups]
    expected = [TODAY + timedelta(days=n) for n in range(DAYS_AHEAD + 1)]
    assert days == [d for d in expected if d.weekday() != 6]  # Mon-Sat, never Sunday
    first = checkups[0]
    assert first.offering_id is None  # shared by all packages
    assert _local(first.starts_at) == datetime.combine(TODAY, time(7, 30), LOCAL_TZ)
    assert _local(first.starts_at).isoformat() == "2026-12-01T07:30:00+08:00"
    assert first.ends_at - first.starts_at == timedelta(minutes=180)
    assert (first.capacity, first.booked) == (8, 0)
    assert {_local(s.starts_at).time() for s in ent_slots} == {time(8, 30), time(13, 30)}
    assert all(_local(s.starts_at).weekday() < 5 for s in ent_slots)


def test_ensure_inventory_only_adds_the_new_days(seeded: sessionmaker[Session]) -> None:
    with session_scope(seeded) as s:
        total = s.scalar(select(func.count()).select_from(InventorySlot))
        assert ensure_inventory(s, today=TODAY, days_ahead=DAYS_AHEAD) == 0
        added = ensure_inventory(s, today=TODAY + timedelta(days=1), days_ahead=DAYS_AHEAD)
        assert added > 0
    with seeded() as s:
        assert s.scalar(select(func.count()).select_from(InventorySlot)) == total + added
        last_day = TODAY + timedelta(days=DAYS_AHEAD + 1)
        rows = s.scalars(select(InventorySlot.starts_at)).all()
        assert max(_local(r).date() for r in rows) == last_day
        # Only the one new day was added: no duplicate of any slot.
        keys = s.execute(
            select(InventorySlot.provider_id, InventorySlot.area_code,
                   InventorySlot.offering_id, InventorySlot.starts_at)
        ).all()
        assert len(keys) == len(set(keys))


# ------------------------------------------------------------------ bad files


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_unknown_area_code_is_a_clear_error(factory: sessionmaker[Session], seed_copy: Path) -> None:
    _break(seed_copy / "providers.yml", "      checkup:\n", "      check-up:\n")
    with pytest.raises(SeedError) as err:
        seed_database(factory, seed_dir=seed_copy, today=TODAY, days_ahead=7)
    message = str(err.value)
    assert "providers.yml" in message
    assert "putuo-central-hospital" in message
    assert "unknown area code 'check-up'" in message
    with factory() as s:  # nothing half-loaded
        assert s.scalar(select(func.count()).select_from(ServiceArea)) == 0


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("catalog.yml", "  - code: tutoring\n", "  - code: school_enrollment\n", "duplicate area code 'school_enrollment'"),
        ("catalog.yml", "    department: Putuo District Education Bureau\n", "", "department: Field required"),
        ("providers.yml", "  - code: tongji-hospital\n", "  - code: putuo-central-hospital\n", "duplicate provider code"),
        ("providers.yml", 'times: ["13:00", "15:30"', "times: [13:00, 15:30", "write times in quotes"),
        ("providers.yml", "duration_minutes: 180, capacity: 8}", "duration_minutes: 180, capacty: 8}", "capacty"),
        ("holders.yml", 'pin: "246810"', "pin: 246810", "write it in quotes"),
        ("holders.yml", "steward: zhao.min", "steward: nobody", "unknown steward 'nobody'"),
        ("holders.yml", "card_number: PT20260012", "card_number: PT20260007", "duplicate card number"),
    ],
)
def test_bad_files_name_the_problem(
    seed_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    _break(seed_copy / file, old, new)
    with pytest.raises(SeedError) as err:
        if file == "holders.yml":
            demo_holders(seed_dir=seed_copy)
        else:
            load_providers(None, seed_dir=seed_copy)  # type: ignore[arg-type]  # fails before the DB
    assert file in str(err.value)
    assert expected in str(err.value)


def test_not_yaml_is_a_clear_error(seed_copy: Path) -> None:
    (seed_copy / "holders.yml").write_text("holders: [unclosed\n")
    with pytest.raises(SeedError, match="holders.yml: not valid YAML"):
        demo_holders(seed_dir=seed_copy)
