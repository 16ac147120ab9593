"""The pure recurrence module: UNTIL in the series' zone, splitting a rule, DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.series.recurrence import (
    Recurrence,
    RecurrenceError,
    continued_from,
    normalise_rule,
    occurrences,
    truncated_before,
    validate,
)

MADRID = ZoneInfo("Europe/Madrid")


def test_a_local_until_is_read_in_the_series_zone():
    assert normalise_rule("rrule:freq=weekly;byday=sa;until=20270630", "Europe/Madrid") == (
        "FREQ=WEEKLY;BYDAY=SA;UNTIL=20270630T215959Z"
    )
    assert normalise_rule("FREQ=DAILY;UNTIL=20270101T000000Z", "Asia/Shanghai") == (
        "FREQ=DAILY;UNTIL=20270101T000000Z"
    )


def test_occurrences_keep_local_time_and_skip_exdates():
    start = datetime(2027, 3, 26, 20, tzinfo=MADRID)
    skipped = datetime(2027, 3, 29, 20, tzinfo=MADRID)
    series = Recurrence(start, timedelta(hours=2), "Europe/Madrid", "FREQ=DAILY", (skipped,))
    found = occurrences(series, start, start + timedelta(days=5))
    assert [o.strftime("%d %H:%M%z") for o in found] == [
        "26 20:00+0100",
        "27 20:00+0100",
        "28 20:00+0200",
        "30 20:00+0200",
    ]
    assert found[2].astimezone(UTC).hour == 18


def test_splitting_a_counted_rule_keeps_the_total():
    start = datetime(2027, 5, 1, 9, tzinfo=MADRID)
    series = Recurrence(start, timedelta(hours=1), "Europe/Madrid", "FREQ=DAILY;COUNT=10")
    at = datetime(2027, 5, 4, 9, tzinfo=MADRID)
    before = Recurrence(start, series.duration, series.timezone, truncated_before(series, at))
    after = Recurrence(at, series.duration, series.timezone, continued_from(series, at))
    assert len(occurrences(before, start, start + timedelta(days=30))) == 3
    assert len(occurrences(after, start, start + timedelta(days=30))) == 7


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=DAILY;DTSTART=20270101T000000", "DTSTART cannot be part of the rule"),
        ("INTERVAL=2", "needs a FREQ"),
        ("FREQ=MINUTELY", "at most hourly"),
        ("FREQ=DAILY;UNTIL=20200101T000000Z", "no occurrence"),
        ("FREQ=DAILY;BYDAY=XX", "not a valid RFC 5545 rule"),
    ],
)
def test_unusable_rules_name_the_problem(rule, message):
    series = Recurrence(
        datetime(2027, 1, 1, 20, tzinfo=MADRID), timedelta(hours=2), "Europe/Madrid", rule
    )
    with pytest.raises(RecurrenceError) as raised:
        validate(series)
    assert message in raised.value.errors["rrule"][0]
