"""Office hours are data; when a steward will answer is a pure function of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.config import LOCAL_TZ
from hub.stewards.office_hours import (
    default_office_hours,
    is_staffed,
    next_staffed_time,
    parse_office_hours,
    response_due_at,
    staffed_deadline,
)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LOCAL_TZ)


def test_friday_evening_is_answered_on_monday_morning():
    friday_evening = at(2026, 11, 27, 19, 30)
    assert friday_evening.strftime("%A") == "Friday"
    assert next_staffed_time(friday_evening) == at(2026, 11, 30, 9, 0)
    assert not is_staffed(friday_evening)


def test_during_office_hours_a_steward_answers_now():
    tuesday_noon = at(2026, 12, 1, 12, 0)
    assert next_staffed_time(tuesday_noon) == tuesday_noon
    assert is_staffed(tuesday_noon)


def test_early_morning_waits_for_opening_the_same_day():
    assert next_staffed_time(at(2026, 12, 1, 7, 15)) == at(2026, 12, 1, 9, 0)


def test_closing_time_itself_is_closed():
    assert next_staffed_time(at(2026, 12, 1, 18, 0)) == at(2026, 12, 2, 9, 0)


def test_public_holidays_are_skipped():
    # National Day week: closed 1-7 October; Thursday 8 October is a normal day.
    assert next_staffed_time(at(2026, 9, 30, 18, 30)) == at(2026, 10, 8, 9, 0)
    # A holiday that falls on a weekday.
    assert not is_staffed(at(2026, 10, 5, 10, 0))


def test_make_up_working_weekend_is_staffed():
    # Saturday 10 October 2026 is worked in exchange for the National Day bridge.
    assert next_staffed_time(at(2026, 10, 9, 19, 0)) == at(2026, 10, 10, 9, 0)


def test_utc_input_gives_local_answer():
    friday_evening_utc = datetime(2026, 11, 27, 11, 30, tzinfo=UTC)
    answer = next_staffed_time(friday_evening_utc)
    assert answer == at(2026, 11, 30, 9, 0)
    assert answer.utcoffset() == timedelta(hours=8)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        next_staffed_time(datetime(2026, 11, 27, 19, 30))


def test_response_clock_runs_only_in_office_hours():
    # Four staffed hours from Friday 17:00: one on Friday, three on Monday.
    assert staffed_deadline(at(2026, 11, 27, 17, 0), timedelta(hours=4)) == at(2026, 11, 30, 12, 0)
    # Opened on Saturday: the clock starts on Monday at 09:00.
    assert response_due_at(at(2026, 11, 28, 10, 0), priority="urgent") == at(2026, 11, 30, 9, 30)


def test_targets_are_stricter_for_higher_priorities():
    targets = default_office_hours().response_targets
    assert targets["urgent"] < targets["high"] < targets["normal"] < targets["low"]


def test_a_calendar_is_data():
    office = parse_office_hours({
        "weekly": {"sat": "10:00-12:00"},
        "holidays": ["2026-11-28"],
        "response_targets": {"urgent": 5, "high": 10, "normal": 20, "low": 30},
    })
    # Saturday 28 November is a holiday in this calendar: the next Saturday then.
    assert next_staffed_time(at(2026, 11, 27, 9, 0), hours=office) == at(2026, 12, 5, 10, 0)


@pytest.mark.parametrize("raw", [
    {"weekly": {"mon": "09:00-18:00"}, "response_targets": {"urgent": 5}},
    {"weekly": {"funday": "09:00-18:00"},
     "response_targets": {"urgent": 5, "high": 10, "normal": 20, "low": 30}},
    {"weekly": {"mon": "18:00-09:00"},
     "response_targets": {"urgent": 5, "high": 10, "normal": 20, "low": 30}},
    {"weekly": {}, "response_targets": {"urgent": 5, "high": 10, "normal": 20, "low": 30}},
])
def test_bad_calendars_are_refused_when_loaded(raw):
    with pytest.raises(ValueError):
        parse_office_hours(raw)
