from datetime import datetime, time

from hub.config import LOCAL_TZ
from hub.reminders.policy import QuietHours, due_time, extra_rule, plan

QUIET = QuietHours(time(22, 0), time(7, 30))
CHECKUP_RULES = [
    {"id": "evening_before", "days_before": 1, "at": "19:00", "note": "fast from midnight"},
    {"id": "two_hours_before", "minutes_before": 120},
]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def test_checkup_gets_evening_before_and_two_hours_before():
    planned = plan(rules=CHECKUP_RULES, starts_at=local(2026, 12, 4, 14, 0), quiet=QUIET)
    assert [(p.kind, p.send_at) for p in planned] == [
        ("evening_before", local(2026, 12, 3, 19, 0)),
        ("two_hours_before", local(2026, 12, 4, 12, 0)),
    ]
    assert planned[0].note == "fast from midnight"


def test_reminder_due_in_quiet_hours_goes_before_they_start():
    # A 07:30 check-up: two hours before is 05:30, inside 22:00-07:30.
    planned = plan(rules=CHECKUP_RULES, starts_at=local(2026, 12, 4, 7, 30), quiet=QUIET)
    two_hours = planned[1]
    assert two_hours.due_at == local(2026, 12, 4, 5, 30)
    assert two_hours.send_at == local(2026, 12, 3, 21, 45)
    assert not QUIET.contains(two_hours.send_at)


def test_reminder_due_late_evening_moves_to_same_evening():
    planned = plan(
        rules=[{"id": "late", "minutes_before": 60}], starts_at=local(2026, 12, 4, 23, 30), quiet=QUIET
    )
    assert planned[0].send_at == local(2026, 12, 4, 21, 45)


def test_quiet_hours_bounds():
    assert QUIET.contains(local(2026, 12, 4, 22, 0))
    assert QUIET.contains(local(2026, 12, 5, 7, 29))
    assert not QUIET.contains(local(2026, 12, 5, 7, 30))
    assert not QUIET.contains(local(2026, 12, 4, 21, 59))
    assert QUIET.end_after(local(2026, 12, 4, 23, 0)) == local(2026, 12, 5, 7, 30)
    assert QUIET.end_after(local(2026, 12, 5, 3, 0)) == local(2026, 12, 5, 7, 30)


def test_extra_rule_and_due_time():
    rule = extra_rule(180)
    assert rule["id"] == "extra_180m"
    assert due_time(rule, local(2026, 12, 4, 15, 0)) == local(2026, 12, 4, 12, 0)
