"""RFC 5545 recurrence, expanded in the series' own IANA zone. Pure: no database, no clock.

The rule is expanded from a DTSTART that carries the zone (``DTSTART;TZID=Europe/Madrid``),
so occurrences keep their local wall-clock time: a 20:00 patrol is at 20:00 before and
after a daylight-saving change, and its UTC instant moves instead.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as dateutil_rrule

#: Most occurrences a series may have in its first year: ten a day.
MAX_OCCURRENCES_PER_YEAR = 3660
#: A rule whose first occurrence is further away than this is almost surely a mistake.
FIRST_OCCURRENCE_WITHIN = timedelta(days=5 * 366)
#: Parts of a rule that this service sets itself or that make no sense for shifts.
FORBIDDEN_PARTS = ("DTSTART", "BYSECOND")
_UNTIL = re.compile(r"UNTIL=([0-9]{8}(?:T[0-9]{6})?)(Z?)", re.IGNORECASE)


class RecurrenceError(ValueError):
    """A recurrence that cannot be used; ``errors`` maps input fields to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Recurrence:
    """When a series happens: its first start, length, rule and exceptions."""

    #: Start of the first occurrence (aware; any offset).
    starts_at: datetime
    duration: timedelta
    #: IANA zone the rule is expanded in.
    timezone: str
    #: The RRULE value, e.g. ``FREQ=DAILY`` or ``FREQ=WEEKLY;BYDAY=SA;COUNT=10``.
    rule: str
    #: Original starts of occurrences removed (EXDATE).
    exdates: tuple[datetime, ...] = ()
    #: Extra starts (RDATE).
    rdates: tuple[datetime, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.zone)


def normalise_rule(rule: str, timezone: str) -> str:
    """The rule without an ``RRULE:`` prefix, upper-case, with UNTIL in UTC as RFC 5545 asks.

    People write ``UNTIL=20261231``; with a zoned DTSTART the standard wants UTC, so a
    local UNTIL is read in the series' zone (the end of that day for a bare date).
    """
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    text = text.strip().upper()

    def _to_utc(match: re.Match) -> str:
        value, utc = match.group(1), match.group(2)
        if utc:
            return f"UNTIL={value}Z"
        if "T" in value:
            local = datetime.strptime(value, "%Y%m%dT%H%M%S")
        else:
            local = datetime.strptime(value, "%Y%m%d") + timedelta(days=1, seconds=-1)
        moment = local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
        return f"UNTIL={moment:%Y%m%dT%H%M%S}Z"

    try:
        return _UNTIL.sub(_to_utc, text)
    except ValueError:
        raise RecurrenceError({"rrule": [f"UNTIL in {rule!r} is not a date."]}) from None


def _rule_set(recurrence: Recurrence) -> dateutil_rrule.rruleset:
    start = recurrence.local_start
    rules = dateutil_rrule.rruleset()
    rules.rrule(dateutil_rrule.rrulestr(recurrence.rule, dtstart=start))
    for moment in recurrence.rdates:
        rules.rdate(moment.astimezone(recurrence.zone))
    for moment in recurrence.exdates:
        rules.exdate(moment.astimezone(recurrence.zone))
    return rules


def validate(recurrence: Recurrence) -> None:
    """Raise RecurrenceError, naming the field, unless the recurrence is usable."""
    try:
        ZoneInfo(recurrence.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecurrenceError(
            {"timezone": [f"{recurrence.timezone!r} is not an IANA time zone (Europe/Madrid)."]}
        ) from None
    if recurrence.duration <= timedelta(0):
        raise RecurrenceError({"ends_at": ["The occurrence must end after it starts."]})
    if recurrence.duration > timedelta(days=14):
        raise RecurrenceError({"ends_at": ["An occurrence lasts at most 14 days."]})
    rule = recurrence.rule
    if not rule:
        raise RecurrenceError({"rrule": ["Give a rule, e.g. FREQ=DAILY or FREQ=WEEKLY;BYDAY=SA."]})
    for part in FORBIDDEN_PARTS:
        if part in rule:
            raise RecurrenceError(
                {"rrule": [f"{part} cannot be part of the rule; the start is given apart."]}
            )
    if "FREQ=" not in rule:
        raise RecurrenceError({"rrule": ["The rule needs a FREQ, e.g. FREQ=DAILY."]})
    if re.search(r"FREQ=(SECONDLY|MINUTELY)", rule):
        raise RecurrenceError({"rrule": ["Activities repeat at most hourly."]})
    try:
        rules = _rule_set(recurrence)
        first_year = list(
            itertools.islice(
                _between(
                    rules, recurrence.local_start, recurrence.local_start + timedelta(days=366)
                ),
                MAX_OCCURRENCES_PER_YEAR + 1,
            )
        )
        first = first_year[0] if first_year else rules.after(recurrence.local_start, inc=True)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise RecurrenceError(
            {"rrule": [f"{rule!r} is not a valid RFC 5545 rule: {error}."]}
        ) from None
    if first is None:
        raise RecurrenceError({"rrule": ["The rule yields no occurrence."]})
    if first - recurrence.local_start > FIRST_OCCURRENCE_WITHIN:
        raise RecurrenceError({"rrule": ["The first occurrence is more than five years away."]})
    if len(first_year) > MAX_OCCURRENCES_PER_YEAR:
        raise RecurrenceError(
            {
                "rrule": [
                    f"The rule yields more than {MAX_OCCURRENCES_PER_YEAR} occurrences a year; "
                    "split it or repeat less often."
                ]
            }
        )
    for earlier, later in itertools.pairwise(first_year):
        if later.astimezone(UTC) - earlier.astimezone(UTC) < recurrence.duration:
            raise RecurrenceError(
                {
                    "rrule": [
                        f"Occurrences overlap ({earlier.isoformat()} and {later.isoformat()}); "
                        "shorten them or repeat less often."
                    ]
                }
            )


def _between(rules: dateutil_rrule.rruleset, start: datetime, end: datetime) -> Iterator[datetime]:
    for moment in rules:
        if moment >= end:
            return
        if moment >= start:
            yield moment


def occurrences(recurrence: Recurrence, start: datetime, end: datetime) -> list[datetime]:
    """Original starts of the occurrences starting in [start, end), in the series' zone."""
    rules = _rule_set(recurrence)
    return list(
        itertools.islice(
            _between(rules, start.astimezone(recurrence.zone), end.astimezone(recurrence.zone)),
            MAX_OCCURRENCES_PER_YEAR * 10,
        )
    )


def first_occurrence_from(recurrence: Recurrence, moment: datetime) -> datetime | None:
    return _rule_set(recurrence).after(moment.astimezone(recurrence.zone), inc=True)


def count_before(recurrence: Recurrence, moment: datetime) -> int:
    """How many occurrences of the rule alone start before ``moment`` (for splitting COUNT)."""
    rule = dateutil_rrule.rrulestr(recurrence.rule, dtstart=recurrence.local_start)
    return sum(1 for _ in _between_rule(rule, moment.astimezone(recurrence.zone)))


def _between_rule(rule: Iterable[datetime], end: datetime) -> Iterator[datetime]:
    for item in rule:
        if item >= end:
            return
        yield item


def truncated_before(recurrence: Recurrence, moment: datetime) -> str:
    """The rule ending just before ``moment`` (UNTIL one second earlier, in UTC)."""
    parts = [p for p in recurrence.rule.split(";") if not p.startswith(("UNTIL=", "COUNT="))]
    until = moment.astimezone(UTC) - timedelta(seconds=1)
    return ";".join([*parts, f"UNTIL={until:%Y%m%dT%H%M%S}Z"])


def continued_from(recurrence: Recurrence, moment: datetime) -> str:
    """The rule for a series going on from ``moment``: a COUNT shrinks by those before it."""
    parts = recurrence.rule.split(";")
    counted = [p for p in parts if p.startswith("COUNT=")]
    if not counted:
        return recurrence.rule
    left = int(counted[0][6:]) - count_before(recurrence, moment)
    return ";".join(p if not p.startswith("COUNT=") else f"COUNT={max(left, 1)}" for p in parts)
