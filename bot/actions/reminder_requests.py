"""What a holder means by "remind me ...": a pure parser, tested on its own."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty-five": 45, "forty five": 45, "half an": 0.5,
    "half a": 0.5,
}
_UNIT_MINUTES = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
                 "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
                 "d": 1440, "day": 1440, "days": 1440}
_AMOUNT = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|half an?|forty[- ]five|[a-z]+)\s*(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|d)\b"
)
_OFF = re.compile(
    r"\b(turn(ed)? off|switch(ed)? off|stop|disable|no more|don'?t remind|do not remind|"
    r"mute|cancel (the |my |all )?reminders?|unsubscribe)\b"
)
_DAY_BEFORE = re.compile(r"\b(the )?(day|night|evening) before\b")
_ALL = re.compile(r"\b(all|every|any)\b")


@dataclass(frozen=True)
class ReminderRequest:
    action: str  # "list", "off" or "extra"
    minutes_before: int | None = None
    every_booking: bool = False


def parse(text: str) -> ReminderRequest:
    lowered = " ".join(text.lower().split())
    if _OFF.search(lowered):
        return ReminderRequest("off", every_booking=bool(_ALL.search(lowered)))
    minutes = minutes_before(lowered)
    if minutes is not None:
        return ReminderRequest("extra", minutes_before=minutes)
    return ReminderRequest("list")


def minutes_before(text: str) -> int | None:
    """"3 hours before" -> 180, "an hour" -> 60, "the day before" -> 1440."""
    lowered = text.lower()
    if _DAY_BEFORE.search(lowered):
        return 1440
    for match in _AMOUNT.finditer(lowered):
        raw = match.group("n")
        number: float | None
        try:
            number = float(raw)
        except ValueError:
            number = _NUMBER_WORDS.get(raw)
        if number is None:
            continue
        return round(number * _UNIT_MINUTES[match.group("unit")])
    return None


def describe(minutes: int) -> str:
    """180 -> "3 hours", 1440 -> "1 day", 90 -> "90 minutes" (English variant)."""
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"{days} day{'s' if days > 1 else ''}"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours > 1 else ''}"
    return f"{minutes} minutes"
