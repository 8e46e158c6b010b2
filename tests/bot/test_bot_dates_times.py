"""Days and times of day in Asia/Shanghai, read the way holders write them."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.actions import dates

TODAY = date(2026, 11, 27)  # a Friday


def when(text: str) -> dates.When:
    return dates.parse_when(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "day", "after", "before"),
    [
        ("tomorrow afternoon", date(2026, 11, 28), time(12), time(18)),
        ("next Tue after 3", date(2026, 12, 1), time(15), None),
        ("tonight", TODAY, time(17), None),
        ("this evening", TODAY, time(17), None),
        ("friday at 7.30pm", date(2026, 12, 4), time(19, 30), time(20, 30)),
        ("sat 9am", date(2026, 11, 28), time(9), time(10)),
        ("tomorrow at 3", date(2026, 11, 28), time(15), time(16)),
        ("before 11 on monday", date(2026, 11, 30), None, time(11)),
        ("at 19:30", TODAY, time(19, 30), time(20, 30)),
        ("dec 4 morning", date(2026, 12, 4), time(6), time(12)),
        ("2026-12-04 13:30", date(2026, 12, 4), time(13, 30), time(14, 30)),
        ("saturdays at 9", date(2026, 11, 28), time(9), time(10)),
        ("every tuesday after school", date(2026, 12, 1), time(15), time(19)),
        ("12am on the 14th", date(2026, 12, 14), time(0), time(1)),
        ("the 14th", date(2026, 12, 14), None, None),
    ],
)
def test_days_and_windows(text: str, day: date, after: time | None, before: time | None) -> None:
    assert when(text) == dates.When(day=day, after=after, before=before)


def test_a_bare_number_is_not_a_time() -> None:
    # "2 tickets ... tonight": the 2 is a quantity, the evening is the window.
    got = when("2 tickets for Deep Sea tonight at Global Harbor")
    assert got == dates.When(day=TODAY, after=time(17), before=None)


def test_a_day_of_month_with_a_slash_is_not_a_time() -> None:
    assert when("12/4 at 3") == dates.When(day=date(2026, 12, 4), after=time(15), before=time(16))


def test_past_days_and_nonsense_are_refused() -> None:
    with pytest.raises(dates.PastDate):
        when("2026-11-01 at 3")
    with pytest.raises(dates.ImpossibleDate):
        when("feb 30 at 3")
    with pytest.raises(dates.UnrecognisedDate):
        when("whenever you like")


def test_a_time_alone_means_today() -> None:
    assert when("after 6pm").day == TODAY


def test_fits_checks_the_day_and_the_window() -> None:
    window = dates.When(day=TODAY, after=time(15), before=time(16))
    from datetime import datetime

    assert window.fits(datetime(2026, 11, 27, 15, 30, tzinfo=dates.LOCAL_TZ))
    assert not window.fits(datetime(2026, 11, 27, 16, 0, tzinfo=dates.LOCAL_TZ))
    assert not window.fits(datetime(2026, 11, 28, 15, 30, tzinfo=dates.LOCAL_TZ))
    # Stored in UTC by the hub, compared in Shanghai.
    assert window.fits(datetime.fromisoformat("2026-11-27T07:30:00+00:00"))


@pytest.mark.parametrize("text", ["tomorrow afternoon", "the 14th", "tonight", "next tue after 3"])
def test_the_slot_value_reads_back(text: str) -> None:
    parsed = when(text)
    assert dates.decode_when(dates.encode_when(parsed)) == parsed


def test_the_whole_message_adds_the_time_the_nlu_left_out(monkeypatch) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions import flows

    monkeypatch.setattr(dates, "local_today", lambda: TODAY)
    found = flows.read_when(["friday", "2 tickets friday after 7pm"], CollectingDispatcher())
    assert found == dates.When(day=date(2026, 12, 4), after=time(19), before=None)
    assert flows.read_when(["friday", "thanks"], CollectingDispatcher()) == dates.When(day=date(2026, 12, 4))


def test_a_day_in_the_message_beats_a_time_tagged_alone(monkeypatch) -> None:
    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions import flows

    monkeypatch.setattr(dates, "local_today", lambda: TODAY)
    found = flows.read_when(["at 2pm", "2026-11-29 at 2pm"], CollectingDispatcher())
    assert found == dates.When(day=date(2026, 11, 29), after=time(14), before=time(15))
    assert not when("at 2pm").dated and when("tonight").dated
