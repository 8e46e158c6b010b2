from datetime import date

import pytest

from bot.actions.dates import ImpossibleDate, PastDate, UnrecognisedDate, parse_date

FRIDAY = date(2026, 11, 27)  # a Friday
MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", FRIDAY),
        ("tomorrow", date(2026, 11, 28)),
        ("tmrw pls", date(2026, 11, 28)),
        ("the day after tomorrow", date(2026, 11, 29)),
        ("day after tomorrow", date(2026, 11, 29)),
        # Weekday names: the first such day after today.
        ("friday", date(2026, 12, 4)),
        ("next Friday", date(2026, 12, 4)),
        ("this sat", date(2026, 11, 28)),
        ("fri", date(2026, 12, 4)),
        ("on Tuesday", date(2026, 12, 1)),
        ("coming wednesday morning", date(2026, 12, 2)),
        ("Saturday.", date(2026, 11, 28)),
        ("friday next week", date(2026, 12, 4)),
        ("next week thursday", date(2026, 12, 3)),
        ("next week", MONDAY),
        ("this weekend", date(2026, 11, 28)),
        # Days of the month: on or after today, this month or next.
        ("the 28th", date(2026, 11, 28)),
        ("27th", FRIDAY),
        ("on the 3rd", date(2026, 12, 3)),
        ("14th", date(2026, 12, 14)),
        ("the 14", date(2026, 12, 14)),
        # Month names, either order, with or without the year.
        ("Dec 4", date(2026, 12, 4)),
        ("december 4th", date(2026, 12, 4)),
        ("4 December", date(2026, 12, 4)),
        ("the 4th of december", date(2026, 12, 4)),
        ("Jan 5", date(2027, 1, 5)),
        ("5 jan 2027", date(2027, 1, 5)),
        ("Dec. 4, 2026", date(2026, 12, 4)),
        # Numbers: ISO always; m/d unless the first part cannot be a month.
        ("2026-12-04", date(2026, 12, 4)),
        ("2026/12/4", date(2026, 12, 4)),
        ("12/4", date(2026, 12, 4)),
        ("25/12", date(2026, 12, 25)),
        ("12/25/2026", date(2026, 12, 25)),
        # Relative spans.
        ("in 3 days", date(2026, 11, 30)),
        ("in three days", date(2026, 11, 30)),
        ("in a week", date(2026, 12, 4)),
        ("in 2 weeks", date(2026, 12, 11)),
        # Inside a sentence, the way holders write.
        ("can i come on 2026-12-04 please", date(2026, 12, 4)),
        ("maybe next friday?", date(2026, 12, 4)),
        ("I'd prefer the 14th if possible", date(2026, 12, 14)),
    ],
)
def test_common_phrases(text: str, expected: date) -> None:
    assert parse_date(text, today=FRIDAY) == expected


def test_next_weekday_on_that_weekday_is_a_week_later() -> None:
    assert parse_date("friday", today=FRIDAY) == date(2026, 12, 4)
    assert parse_date("monday", today=MONDAY) == date(2026, 12, 7)


def test_day_of_month_rolls_into_next_month_and_year() -> None:
    assert parse_date("the 3rd", today=date(2026, 12, 20)) == date(2027, 1, 3)
    # 31 January, then the 30th: February has none, March is too far.
    with pytest.raises(ImpossibleDate):
        parse_date("the 30th", today=date(2027, 1, 31))


def test_next_week_from_a_sunday_is_the_next_day() -> None:
    assert parse_date("next week", today=date(2026, 11, 29)) == MONDAY


@pytest.mark.parametrize("text", ["Feb 30", "30 february", "2026-02-30", "31/11", "2026-13-01", "the 32nd"])
def test_impossible_dates(text: str) -> None:
    with pytest.raises(ImpossibleDate):
        parse_date(text, today=FRIDAY)


@pytest.mark.parametrize("text", ["2026-11-26", "yesterday", "Nov 20", "11/20", "20 november 2026"])
def test_past_dates(text: str) -> None:
    with pytest.raises(PastDate):
        parse_date(text, today=FRIDAY)


def test_month_day_long_past_means_next_year() -> None:
    assert parse_date("March 3", today=FRIDAY) == date(2027, 3, 3)


def test_feb_29_outside_a_leap_year_is_next_leap_year_or_impossible() -> None:
    with pytest.raises(ImpossibleDate):
        parse_date("Feb 29", today=FRIDAY)  # 2027 is not a leap year either


@pytest.mark.parametrize("text", ["", "   ", "tongji hospital", "whenever suits", "asap!!"])
def test_unrecognised(text: str) -> None:
    with pytest.raises(UnrecognisedDate):
        parse_date(text, today=FRIDAY)
