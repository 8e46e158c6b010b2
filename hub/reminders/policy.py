"""When reminders go out: the area's policy, quiet hours. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hub.config import LOCAL_TZ

# A reminder moved out of quiet hours goes this long before they start, so it
# is not swallowed by a phone's own do-not-disturb setting at 22:00 sharp.
QUIET_MARGIN = timedelta(minutes=15)


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    note: str
    due_at: datetime
    send_at: datetime


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def contains(self, moment: datetime, tz: ZoneInfo = LOCAL_TZ) -> bool:
        clock = moment.astimezone(tz).time()
        if self.start > self.end:  # spans midnight, the usual case
            return clock >= self.start or clock < self.end
        return self.start <= clock < self.end

    def before(self, moment: datetime, tz: ZoneInfo = LOCAL_TZ) -> datetime:
        """The last moment to send instead of `moment`, which is in quiet hours:
        shortly before the quiet hours that contain it began."""
        local = moment.astimezone(tz)
        start_day = local.date()
        if self.start > self.end and local.time() < self.end:
            start_day -= timedelta(days=1)
        start = datetime.combine(start_day, self.start, tzinfo=tz)
        return start - QUIET_MARGIN

    def end_after(self, moment: datetime, tz: ZoneInfo = LOCAL_TZ) -> datetime:
        """When the quiet hours containing `moment` end."""
        local = moment.astimezone(tz)
        end_day = local.date()
        if self.start > self.end and local.time() >= self.start:
            end_day += timedelta(days=1)
        return datetime.combine(end_day, self.end, tzinfo=tz)


DEFAULT_QUIET_HOURS = QuietHours(time(22, 0), time(7, 30))


def due_time(rule: dict[str, Any], starts_at: datetime, tz: ZoneInfo = LOCAL_TZ) -> datetime:
    """When one policy rule wants its reminder for an appointment at `starts_at`.

    A rule is `{id, minutes_before}` or `{id, days_before, at: "HH:MM"}`.
    """
    if "minutes_before" in rule:
        return starts_at - timedelta(minutes=float(rule["minutes_before"]))
    if "days_before" in rule:
        hours, minutes = str(rule.get("at", "19:00")).split(":")
        day = starts_at.astimezone(tz).date() - timedelta(days=int(rule["days_before"]))
        return datetime.combine(day, time(int(hours), int(minutes)), tzinfo=tz)
    raise ValueError(f"reminder rule {rule.get('id')!r} has neither minutes_before nor days_before")


def plan(
    *,
    rules: list[dict[str, Any]],
    starts_at: datetime,
    quiet: QuietHours,
) -> list[PlannedReminder]:
    """The reminders an appointment gets, with quiet hours applied.

    What is already past is the caller's to judge (it knows "now"); this only
    says when each reminder should go.
    """
    planned = []
    for rule in rules:
        due = due_time(rule, starts_at)
        send = quiet.before(due) if quiet.contains(due) else due
        planned.append(
            PlannedReminder(
                kind=str(rule["id"]), note=str(rule.get("note", "")), due_at=due, send_at=send
            )
        )
    return planned


def extra_rule(minutes_before: int) -> dict[str, Any]:
    """A reminder the holder asked for ("remind me 3 hours before")."""
    return {"id": f"extra_{minutes_before}m", "minutes_before": minutes_before}
