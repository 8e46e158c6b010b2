import pytest

from bot.actions.reminder_requests import describe, minutes_before, parse


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("remind me 3 hours before", 180),
        ("Remind me an hour before pls", 60),
        ("can you remind me 30 min before", 30),
        ("remind me the day before", 1440),
        ("reminder two hours ahead", 120),
        ("remind me half an hour before", 30),
        ("1.5 hours before", 90),
        ("remind me 2 days before", 2880),
    ],
)
def test_extra_reminder_offsets(text, minutes):
    request = parse(text)
    assert request.action == "extra"
    assert request.minutes_before == minutes


@pytest.mark.parametrize(
    ("text", "every"),
    [
        ("turn off my reminders", False),
        ("stop reminding me about TC-7K3M9Q", False),
        ("no more reminders please", False),
        ("turn off all reminders", True),
        ("don't remind me anymore for any booking", True),
    ],
)
def test_turning_reminders_off(text, every):
    request = parse(text)
    assert request.action == "off"
    assert request.every_booking is every


@pytest.mark.parametrize("text", ["what reminders do I have", "my reminders", "reminders?"])
def test_anything_else_lists_them(text):
    assert parse(text).action == "list"


def test_minutes_before_ignores_words_that_are_not_amounts():
    assert minutes_before("remind me before") is None
    assert minutes_before("some hours before") is None


def test_describe():
    assert describe(180) == "3 hours"
    assert describe(60) == "1 hour"
    assert describe(1440) == "1 day"
    assert describe(90) == "90 minutes"
