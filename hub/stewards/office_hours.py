"""When a steward is there to answer, read from `hub/seed/office_hours.yml`.

Everything here is a pure function of an `OfficeHours` value and a time, so the
rules are tested without a clock or a database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from hub.config import REPO_ROOT

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Far enough to cross the longest holiday run; a calendar with no staffed day in
# this window is a configuration error, caught when the file is loaded.
_SEARCH_DAYS = 60


@dataclass(frozen=True, kw_only=True)
class OfficeHours:
    tz: ZoneInfo
    weekly: dict[int, tuple[time, time]]  # weekday (Monday = 0) -> opening, closing
    holidays: frozenset[date]
    make_up_workdays: frozenset[date]
    make_up_hours: tuple[time, time]
    response_targets: dict[str, timedelta]

    def hours_on(self, day: date) -> tuple[time, time] | None:
        """Opening and closing time on a local date, or None when closed."""
        if day in self.holidays:
            return None
        if day in self.make_up_workdays:
            return self.make_up_hours
        return self.weekly.get(day.weekday())

    def staffed_intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Staffed periods that end after `start`, in order (clipped to it)."""
        local = start.astimezone(self.tz)
        for offset in range(_SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            hours = self.hours_on(day)
            if hours is None:
                continue
            opens = datetime.combine(day, hours[0], tzinfo=self.tz)
            closes = datetime.combine(day, hours[1], tzinfo=self.tz)
            if closes <= local:
                continue
            yield max(opens, local), closes
        raise ValueError(f"no staffed time within {_SEARCH_DAYS} days of {start}")


def is_staffed(now: datetime, *, hours: OfficeHours | None = None) -> bool:
    return next_staffed_time(now, hours=hours) == now


def next_staffed_time(now: datetime, *, hours: OfficeHours | None = None) -> datetime:
    """When a steward will next be there to answer: `now` itself during office
    hours, else the next opening. Local (Asia/Shanghai) and aware."""
    _require_aware(now)
    start, _ = next(_hours(hours).staffed_intervals(now))
    return start


def staffed_deadline(
    start: datetime, duration: timedelta, *, hours: OfficeHours | None = None
) -> datetime:
    """`start` plus `duration` of staffed time: a 4-hour target set at 17:00 on a
    Friday falls due at 12:00 on Monday, not at 21:00 with nobody there."""
    _require_aware(start)
    left = duration
    for opens, closes in _hours(hours).staffed_intervals(start):
        if opens + left <= closes:
            return opens + left
        left -= closes - opens
    raise AssertionError("unreachable: staffed_intervals raises when it runs out")


def response_due_at(
    now: datetime, *, priority: str, hours: OfficeHours | None = None
) -> datetime:
    office = _hours(hours)
    return staffed_deadline(now, office.response_targets[priority], hours=office)


def load_office_hours(path: Path) -> OfficeHours:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return parse_office_hours(raw)


def parse_office_hours(raw: dict[str, Any]) -> OfficeHours:
    weekly: dict[int, tuple[time, time]] = {}
    for name, span in (raw.get("weekly") or {}).items():
        if name not in _WEEKDAYS:
            raise ValueError(f"office hours: unknown weekday {name!r}")
        weekly[_WEEKDAYS.index(name)] = _span(span)
    targets = {
        priority: timedelta(minutes=int(minutes))
        for priority, minutes in (raw.get("response_targets") or {}).items()
    }
    missing = {"low", "normal", "high", "urgent"} - targets.keys()
    if missing:
        raise ValueError(f"office hours: no response target for {sorted(missing)}")
    office = OfficeHours(
        tz=ZoneInfo(raw.get("timezone", "Asia/Shanghai")),
        weekly=weekly,
        holidays=frozenset(_date(d) for d in raw.get("holidays") or []),
        make_up_workdays=frozenset(_date(d) for d in raw.get("make_up_workdays") or []),
        make_up_hours=_span(raw.get("make_up_hours", "09:00-18:00")),
        response_targets=targets,
    )
    if not weekly and not office.make_up_workdays:
        raise ValueError("office hours: no staffed day at all")
    return office


@cache
def default_office_hours() -> OfficeHours:
    """The committed calendar, loaded on first use (never at import)."""
    return load_office_hours(REPO_ROOT / "hub" / "seed" / "office_hours.yml")


def _hours(hours: OfficeHours | None) -> OfficeHours:
    return hours if hours is not None else default_office_hours()


def _span(value: str) -> tuple[time, time]:
    opens, closes = (time.fromisoformat(part.strip()) for part in str(value).split("-"))
    if closes <= opens:
        raise ValueError(f"office hours: {value!r} closes before it opens")
    return opens, closes


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("office hours need an aware datetime")
