"""Turn what a holder types about a day into a calendar date.

Pure functions: `today` is always an argument, so every rule below is
deterministic and unit-tested. The choices, written down once:

- "friday", "this friday", "on fri", "coming friday", "next friday" all mean the
  first such weekday *after* today. (People split on whether "next Friday" means
  this week's or next week's; the confirmation spells the full date out, so a
  wrong guess is caught before anything is booked.) "friday next week" /
  "next week friday" means the Friday of next calendar week (weeks start Monday).
- "next week" alone means next Monday, the first check-up day of that week.
- "the 14th", "14th", "on the 3rd": the next such day on or after today, this
  month or next; if neither month has it (the 31st in a 30-day month followed by
  February) the date is impossible.
- "Dec 4", "4 December", "the 4th of December": this year; if that day passed at
  most 90 days ago it is rejected as past (a slip, not a wish for next year),
  otherwise it means next year.
- Numeric dates: ISO "2026-12-04" (also "2026/12/4", "2026.12.4") always works.
  "12/4" is read month/day, the order Chinese dates use (12月4日) and the one the
  district's own forms print; when one part is over 12 the order is unambiguous
  ("25/12" is 25 December). "12/4/2026" follows the same rule.
- "in 3 days", "in a week", "in two weeks"; "today", "tomorrow", "day after
  tomorrow"; "this weekend" means Saturday (no check-ups on Sundays).
- Anything else is handed to dateparser (future dates preferred); only if that
  fails too is the text unrecognised.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# A month-and-day that passed at most this long ago is a mistake, not next year.
RECENT_PAST_DAYS = 90


class DateError(ValueError):
    """The text does not give a usable date; `reason` picks the reply."""

    reason = "unrecognised"


class UnrecognisedDate(DateError):
    reason = "unrecognised"


class ImpossibleDate(DateError):
    reason = "impossible"


class PastDate(DateError):
    reason = "past"

    def __init__(self, when: date) -> None:
        super().__init__(f"{when.isoformat()} is in the past")
        self.when = when


def local_today() -> date:
    """Today in Shanghai; actions call this, tests replace it."""
    return datetime.now(LOCAL_TZ).date()


_WEEKDAYS = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2, "weds": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip

_WD = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"

_ISO = re.compile(r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b")
# Slashes only: "7.30" is a time more often than a date.
_NUMERIC = re.compile(r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}))?\b")
_MONTH_DAY = re.compile(rf"\b(?P<mon>{_MON})\.?\s+{_DAY}\b(?:,?\s*(?P<y>\d{{4}}))?")
_DAY_MONTH = re.compile(
    rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?(?P<mon>{_MON})\b\.?(?:,?\s*(?P<y>\d{{4}}))?"
)
_IN_N = re.compile(rf"\bin\s+(?P<n>\d+|{'|'.join(_NUMBER_WORDS)})\s+(?P<unit>days?|weeks?)\b")
_WEEKDAY_NEXT_WEEK = re.compile(
    rf"\b(?:(?P<wd1>{_WD})\.?\s+(?:of\s+)?next\s+week|next\s+week(?:'s)?\s+(?P<wd2>{_WD}))\b"
)
_WEEKDAY = re.compile(rf"\b(?:(?:this|coming|next|on)\s+)?(?P<wd>{_WD})\b\.?")
_ORDINAL_DAY = re.compile(r"\b(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)\b")


def _build(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ImpossibleDate(f"{year}-{month}-{day} is not a date") from None


def _not_past(when: date, today: date) -> date:
    if when < today:
        raise PastDate(when)
    return when


def _month_day(month: int, day: int, year: str | None, today: date) -> date:
    if year:
        return _not_past(_build(int(year), month, day), today)
    if not 1 <= day <= 31 or day > max(calendar.monthrange(y, month)[1] for y in (2024, 2025)):
        raise ImpossibleDate(f"{month}-{day} is not a date")
    try:
        this_year = date(today.year, month, day)
    except ValueError:  # 29 February outside a leap year
        return _build(today.year + 1, month, day)
    if this_year >= today:
        return this_year
    if (today - this_year).days <= RECENT_PAST_DAYS:
        raise PastDate(this_year)
    return _build(today.year + 1, month, day)


def _next_weekday(weekday: int, today: date) -> date:
    """The first `weekday` strictly after today."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _day_of_month(day: int, today: date) -> date:
    if not 1 <= day <= 31:
        raise ImpossibleDate(f"no month has a day {day}")
    year, month = today.year, today.month
    for _ in range(2):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = date(year, month, day)
            if candidate >= today:
                return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise ImpossibleDate(f"the {day}th is not in this month or the next")


def _numeric(a: int, b: int, year: str | None, today: date) -> date:
    # Month/day unless the first part cannot be a month (see module docstring).
    month, day = (b, a) if a > 12 else (a, b)
    return _month_day(month, day, year, today)


def parse_date(text: str, *, today: date) -> date:
    """The date `text` names, relative to `today` (a Shanghai calendar day).

    Raises UnrecognisedDate, ImpossibleDate or PastDate.
    """
    phrase = " ".join(text.lower().replace(",", " , ").split()).replace(" , ", ", ")
    if not phrase:
        raise UnrecognisedDate("empty")

    if match := _ISO.search(phrase):
        when = _build(int(match["y"]), int(match["m"]), int(match["d"]))
        return _not_past(when, today)
    if match := _MONTH_DAY.search(phrase):
        return _month_day(_MONTHS[match["mon"]], int(match["day"]), match["y"], today)
    if match := _DAY_MONTH.search(phrase):
        return _month_day(_MONTHS[match["mon"]], int(match["day"]), match["y"], today)
    if match := _NUMERIC.search(phrase):
        return _numeric(int(match["a"]), int(match["b"]), match["y"], today)
    if re.search(r"\b(?:the\s+)?day\s+after\s+tomorrow\b|\bovermorrow\b", phrase):
        return today + timedelta(days=2)
    if re.search(r"\b(?:tomorrow|tmr|tmrw|tomorow|tommorow|tommorrow)\b", phrase):
        return today + timedelta(days=1)
    if re.search(r"\b(?:today|tonight|this morning)\b", phrase):
        return today
    if match := _IN_N.search(phrase):
        count = match["n"]
        n = int(count) if count.isdigit() else _NUMBER_WORDS[count]
        return today + timedelta(days=n * (7 if match["unit"].startswith("week") else 1))
    if match := _WEEKDAY_NEXT_WEEK.search(phrase):
        weekday = _WEEKDAYS[match["wd1"] or match["wd2"]]
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=weekday)
    if re.search(r"\bnext\s+week\b", phrase):
        return today + timedelta(days=7 - today.weekday())
    if re.search(r"\b(?:this\s+|the\s+|on\s+the\s+)?weekend\b", phrase):
        return _next_weekday(5, today) if today.weekday() != 5 else today
    if match := _WEEKDAY.search(phrase):
        return _next_weekday(_WEEKDAYS[match["wd"]], today)
    if match := _ORDINAL_DAY.search(phrase):
        return _day_of_month(int(match["day"]), today)
    if re.fullmatch(r"(?:on\s+)?(?:the\s+)?\d{1,2}", phrase):
        return _day_of_month(int(phrase.split()[-1]), today)
    return _with_dateparser(phrase, today)


def _with_dateparser(phrase: str, today: date) -> date:
    # Imported here: it is slow to import and only the rare phrase needs it.
    import dateparser

    parsed = dateparser.parse(
        phrase,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12, 0),
            "REQUIRE_PARTS": ["day"],
        },
    )
    if parsed is None:
        raise UnrecognisedDate(f"no date in {phrase!r}")
    return _not_past(parsed.date(), today)


# -- times of day ----------------------------------------------------------------
#
# "tomorrow afternoon", "next Tue after 3", "tonight", "friday at 7.30pm". The
# choices, written down once:
# - A clock time needs a cue, so "2 tickets" is never 2 o'clock: "at/after/
#   before/from/around/by" in front, or am/pm, or hours and minutes ("19:30").
# - Without am/pm, 1 to 7 o'clock means the afternoon or evening (nobody books
#   a film or a doctor for 3 at night); 8 to 11 the morning; 12 noon.
# - Parts of the day: morning 06:00-12:00, noon 11:30-13:30, afternoon
#   12:00-18:00, evening and night 17:00-24:00; "tonight" is today's evening.
# - "at 3" is the hour from 15:00: a session starting any time in it fits.
# - A time with no day means today.

_PARTS = {
    "morning": (time(6), time(12)),
    "noon": (time(11, 30), time(13, 30)),
    "lunchtime": (time(11, 30), time(13, 30)),
    "afternoon": (time(12), time(18)),
    "evening": (time(17), None),
    "night": (time(17), None),
    "tonight": (time(17), None),
    "after school": (time(15), time(19)),
}
_CUE = r"(?P<cue>at|after|before|from|around|by|about|@)"
_CLOCK = (
    rf"(?:\b{_CUE}\s*)?\b(?P<h>\d{{1,2}})(?:[:.](?P<m>\d{{2}}))?\s*(?P<ampm>a\.?m\.?|p\.?m\.?)?(?![\d/])"
)
_CLOCK_RE = re.compile(_CLOCK)
_PART_RE = re.compile(
    r"\b(?:this\s+|in\s+the\s+|tomorrow\s+)?(?P<part>" + "|".join(sorted(_PARTS, key=len, reverse=True)) + r")\b"
)


@dataclass(frozen=True)
class When:
    """A day and, if the holder said one, a window of start times on it."""

    day: date
    after: time | None = None  # earliest start, inclusive
    before: time | None = None  # latest start, exclusive; None: end of day
    # False when no day was said and today was assumed ("at 2pm").
    dated: bool = field(default=True, compare=False)

    @property
    def has_time(self) -> bool:
        return self.after is not None or self.before is not None

    def fits(self, starts: datetime) -> bool:
        local = starts.astimezone(LOCAL_TZ)
        if local.date() != self.day:
            return False
        clock = local.time()
        if self.after is not None and clock < self.after:
            return False
        return self.before is None or clock < self.before


def _clock_time(match: re.Match[str]) -> time | None:
    hour, minute = int(match["h"]), int(match["m"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if not (match["cue"] or ampm or match["m"]):
        return None  # a bare number: a quantity or a day, not a time
    if minute > 59 or hour > 23 or (ampm and not 1 <= hour <= 12):
        return None
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    elif not ampm and 1 <= hour <= 7:
        hour += 12
    return time(hour, minute)


def _time_window(phrase: str) -> tuple[time | None, time | None, str]:
    """The window the phrase names and the phrase without it."""
    after: time | None = None
    before: time | None = None
    rest = phrase
    for match in _CLOCK_RE.finditer(phrase):
        clock = _clock_time(match)
        if clock is None:
            continue
        cue = match["cue"] or "at"
        if cue in ("after", "from"):
            after = clock
        elif cue in ("before", "by"):
            before = clock
        else:
            after = clock
            before = (datetime.combine(date.min, clock) + timedelta(hours=1)).time()
            if before <= clock:  # an hour from 23:xx runs past midnight
                before = None
        rest = rest.replace(match.group(0), " ")
    if after is None and before is None and (match := _PART_RE.search(phrase)):
        after, before = _PARTS[match["part"]]
    return after, before, " ".join(rest.split())


def parse_when(text: str, *, today: date) -> When:
    """The day and time window `text` names. A time with no day means today;
    raises like `parse_date` (UnrecognisedDate when there is neither)."""
    phrase = " ".join(text.lower().split())
    # "every saturday", "saturdays": a weekly time starts on the next one.
    phrase = re.sub(r"\bevery\s+", "", phrase)
    phrase = re.sub(r"\b(mon|tues|wednes|thurs|fri|satur|sun)days\b", r"\1day", phrase)
    after, before, rest = _time_window(phrase)
    has_time = after is not None or before is not None
    dated = bool(rest)
    try:
        day = parse_date(rest, today=today) if rest else today
    except UnrecognisedDate:
        if not has_time:
            raise
        day, dated = today, False
    if re.search(r"\btonight\b", phrase) and not re.search(r"tomorrow|\d", rest):
        day, dated = today, True
    return When(day=day, after=after, before=before, dated=dated)


def encode_when(when: When) -> str:
    """The slot value for a parsed time: "2026-12-04" or "2026-12-04 15:00-16:00"
    (either end may be empty). `decode_when` reads it back."""
    if not when.has_time:
        return when.day.isoformat()
    after = when.after.strftime("%H:%M") if when.after else ""
    before = when.before.strftime("%H:%M") if when.before else ""
    return f"{when.day.isoformat()} {after}-{before}"


def decode_when(value: str) -> When:
    day, _, window = value.partition(" ")
    after, _, before = window.partition("-")
    return When(
        day=date.fromisoformat(day),
        after=time.fromisoformat(after) if after else None,
        before=time.fromisoformat(before) if before else None,
    )
