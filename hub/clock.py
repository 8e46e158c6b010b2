"""Local (Asia/Shanghai) dates and their UTC bounds.

The database keeps aware UTC datetimes; people think in local days, so every
"which day is it" question goes through here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hub.config import LOCAL_TZ


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The [start, end) of a local calendar day, as aware datetimes."""
    start = datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)
    return start, end


def local_iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 offset, as the contract shows times to people."""
    return None if moment is None else moment.astimezone(LOCAL_TZ).isoformat()
