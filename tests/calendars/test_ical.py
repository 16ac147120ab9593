"""The pure iCalendar writer: parsed back with icalendar, expanded with recurring-ical-events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from service.calendars import ical

MADRID = ZoneInfo("Europe/Madrid")
SHANGHAI = ZoneInfo("Asia/Shanghai")
STAMP = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def _event(n: int = 1, **fields) -> ical.CalendarEvent:
    values = {
        "uid": f"event-{n}@rounds.test",
        "sequence": 0,
        "starts_at": datetime(2026, 6, 1, 18, tzinfo=UTC) + timedelta(days=n),
        "ends_at": datetime(2026, 6, 1, 20, tzinfo=UTC) + timedelta(days=n),
        "timezone": "Europe/Madrid",
        "status": ical.Status.CONFIRMED,
        "summary": f"Patrol {n}",
        "last_modified": STAMP,
    }
    values.update(fields)
    return ical.CalendarEvent(**values)


def _calendar(*events: ical.CalendarEvent, timezone: str | None = None) -> bytes:
    header = ical.CalendarHeader(name="Test", timezone=timezone)
    return ical.assemble(header, [ical.vevent(event) for event in events])


def _occurrences(
    body: bytes, start: datetime, end: datetime
) -> set[tuple[str, datetime, datetime]]:
    """What a client shows: the calendar made standard, then expanded."""
    calendar = x_wr_timezone.to_standard(icalendar.Calendar.from_ical(body))
    return {
        (str(o["UID"]), o.start.astimezone(UTC), o.end.astimezone(UTC))
        for o in recurring_ical_events.of(calendar).between(start, end)
    }


def _expected(*events: ical.CalendarEvent) -> set[tuple[str, datetime, datetime]]:
    return {(e.uid, e.starts_at, e.ends_at) for e in events}


def _lines(body: bytes) -> list[bytes]:
    return body.split(b"\r\n")


def test_a_calendar_has_every_property_clients_need():
    event = _event(
        sequence=3,
        status=ical.Status.TENTATIVE,
        description="Meet at the gate.\nBring a torch.",
        location="Calle de Argumosa, 11",
        url="https://rounds.test/api/v1/events/1",
        categories=("Patrulla", "Lavapiés"),
        created=STAMP - timedelta(days=3),
        alarms=(timedelta(hours=24), timedelta(hours=2)),
    )
    body = _calendar(event, timezone="Europe/Madrid")
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == ical.PRODID
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["NAME"] == calendar["X-WR-CALNAME"] == "Test"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert calendar["X-PUBLISHED-TTL"] == "PT1H"
    assert [tz["TZID"] for tz in calendar.timezones] == ["Europe/Madrid"]
    [parsed] = calendar.events
    assert parsed["UID"] == event.uid
    assert parsed["DTSTAMP"].dt == STAMP
    assert parsed["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert parsed.start == event.starts_at.astimezone(MADRID)
    assert parsed.start.hour == 20  # 18:00 UTC is 20:00 in a Madrid summer
    assert parsed.end == event.ends_at
    assert parsed["SEQUENCE"] == 3
    assert parsed["STATUS"] == "TENTATIVE"
    assert parsed["LAST-MODIFIED"].dt == STAMP
    assert parsed["CREATED"].dt == STAMP - timedelta(days=3)
    assert parsed["DESCRIPTION"] == "Meet at the gate.\nBring a torch."
    assert parsed["LOCATION"] == "Calle de Argumosa, 11"
    assert parsed["URL"] == "https://rounds.test/api/v1/events/1"
    assert [str(c) for c in parsed.categories] == ["Patrulla", "Lavapiés"]
    assert parsed["TRANSP"] == "OPAQUE"
    triggers = [alarm["TRIGGER"].dt for alarm in parsed.walk("VALARM")]
    assert triggers == [-timedelta(hours=24), -timedelta(hours=2)]
    assert {alarm["ACTION"] for alarm in parsed.walk("VALARM")} == {"DISPLAY"}
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= ical.LINE_OCTETS for line in _lines(body))


def test_a_cancelled_event_keeps_its_place_without_alarms():
    cancelled = _event(status=ical.Status.CANCELLED, alarms=(timedelta(hours=2),))
    [parsed] = icalendar.Calendar.from_ical(_calendar(cancelled)).events
    assert parsed["STATUS"] == "CANCELLED"
    assert list(parsed.walk("VALARM")) == []


def test_madrid_daylight_saving_changes_keep_the_local_time():
    # A 20:00 patrol every evening across both 2026 changes: 29 March and 25 October.
    events = []
    for n, first in enumerate((datetime(2026, 3, 26, 20), datetime(2026, 10, 22, 20))):
        for day in range(7):
            local = (first + timedelta(days=day)).replace(tzinfo=MADRID)
            events.append(
                _event(
                    n * 10 + day,
                    starts_at=local.astimezone(UTC),
                    ends_at=(local + timedelta(hours=2)).astimezone(UTC),
                )
            )
    body = _calendar(*events, timezone="Europe/Madrid")
    found = _occurrences(body, datetime(2026, 1, 1), datetime(2027, 1, 1))
    assert found == _expected(*events)
    calendar = icalendar.Calendar.from_ical(body)
    assert {event.start.astimezone(MADRID).hour for event in calendar.events} == {20}
    offsets = {event.start.utcoffset() for event in calendar.events}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}  # both sides of each change


def test_the_repeated_hour_of_a_fall_back_is_written_in_utc():
    # 02:30 happens twice in Madrid on 25 October 2026; the second one is 01:30 UTC.
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    before = datetime(2026, 10, 24, 23, 0, tzinfo=UTC)  # 01:00 to 02:00, unambiguous
    events = [
        _event(1, starts_at=first, ends_at=first + timedelta(minutes=30)),
        _event(2, starts_at=second, ends_at=second + timedelta(minutes=30)),
        _event(3, starts_at=before, ends_at=before + timedelta(hours=1)),
    ]
    body = _calendar(*events)
    assert b"DTSTART:20261025T003000Z" in body  # ends in the repeated hour: UTC
    assert b"DTSTART:20261025T013000Z" in body
    assert b"DTSTART;TZID=Europe/Madrid:20261025T010000" in body
    assert _occurrences(body, datetime(2026, 10, 24), datetime(2026, 10, 26)) == _expected(*events)


def test_a_feed_mixing_two_zones_has_one_vtimezone_for_each():
    madrid = [_event(n) for n in range(3)]
    shanghai = [
        _event(10 + n, timezone="Asia/Shanghai", starts_at=datetime(2026, 7, 1 + n, 12, tzinfo=UTC))
        for n in range(3)
    ]
    shanghai = [replace(e, ends_at=e.starts_at + timedelta(hours=1)) for e in shanghai]
    body = _calendar(*madrid, *shanghai, timezone="Asia/Shanghai")
    calendar = icalendar.Calendar.from_ical(body)
    assert sorted(tz["TZID"] for tz in calendar.timezones) == ["Asia/Shanghai", "Europe/Madrid"]
    assert body.count(b"BEGIN:VTIMEZONE") == 2
    for event in calendar.events:
        zone = ZoneInfo(event["DTSTART"].params["TZID"])
        assert event.start.utcoffset() == event.start.astimezone(zone).utcoffset()
    assert {e.start.astimezone(SHANGHAI).hour for e in calendar.events[3:]} == {20}
    found = _occurrences(body, datetime(2026, 1, 1), datetime(2027, 1, 1))
    assert found == _expected(*madrid, *shanghai)


def test_folding_never_splits_a_character():
    long = "巡逻队在复兴花园集合。" * 30 + "ñandú " * 40
    body = _calendar(_event(description=long, summary=long[:120]))
    for line in _lines(body):
        assert len(line) <= ical.LINE_OCTETS
        line.decode()  # each physical line is valid UTF-8 on its own
    [parsed] = icalendar.Calendar.from_ical(body).events
    assert parsed["DESCRIPTION"] == long
    assert parsed["SUMMARY"] == long[:120]


def test_durations():
    assert ical.duration(-timedelta(hours=24)) == "-P1D"
    assert ical.duration(-timedelta(hours=2)) == "-PT2H"
    assert ical.duration(timedelta(minutes=90)) == "PT1H30M"
    assert ical.duration(-timedelta(days=2, hours=1)) == "-P2DT1H"
    assert ical.duration(timedelta(0)) == "PT0S"


def test_a_fragment_is_rendered_once_per_version():
    event = _event(77)
    assert ical.vevent(event) is ical.vevent(replace(event))  # equal input: the cached bytes
    moved = replace(event, sequence=1, starts_at=event.starts_at + timedelta(hours=1))
    assert ical.vevent(moved).body != ical.vevent(event).body


def test_the_byte_budget_keeps_the_nearest_events():
    now = datetime(2026, 6, 10, tzinfo=UTC)
    fragments = [ical.vevent(_event(n)) for n in range(30)]  # 2 June to 1 July
    size = len(fragments[0].body)
    kept = ical.within_budget(fragments, size * 10 + size // 2, now)
    assert len(kept) == 10
    assert [f.starts_at for f in kept] == sorted(f.starts_at for f in kept)
    assert min(f.ends_at for f in kept) > now  # upcoming first
    assert max(f.starts_at for f in kept) < now + timedelta(days=11)  # the soonest of them
    everything = ical.within_budget(fragments, size * 100, now)
    assert len(everything) == 30


def test_an_invitation_carries_the_feed_uid_and_its_method():
    event = _event(5, sequence=2, status=ical.Status.TENTATIVE)
    organizer = ical.Person("Coordinadora; Lavapiés", "coord@example.org")
    attendee = ical.Person('Ana "la" García', "ana@example.org")
    request = ical.invitation(
        event, method="REQUEST", organizer=organizer, attendee=attendee, stamp=STAMP
    )
    assert request.content_type == "text/calendar; method=REQUEST; charset=UTF-8"
    calendar = icalendar.Calendar.from_ical(request.body)
    assert calendar["METHOD"] == "REQUEST"
    [parsed] = calendar.events
    feed_uid = icalendar.Calendar.from_ical(_calendar(event)).events[0]["UID"]
    assert parsed["UID"] == feed_uid == event.uid
    assert parsed["SEQUENCE"] == 2
    assert str(parsed["ORGANIZER"]) == "mailto:coord@example.org"
    assert parsed["ORGANIZER"].params["CN"] == "Coordinadora; Lavapiés"
    assert parsed["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert parsed["ATTENDEE"].params["RSVP"] == "TRUE"
    assert parsed["ATTENDEE"].params["CN"] == "Ana la García"
    cancel = ical.invitation(
        replace(event, sequence=3),
        method="CANCEL",
        organizer=organizer,
        attendee=attendee,
        stamp=STAMP,
    )
    [cancelled] = icalendar.Calendar.from_ical(cancel.body).events
    assert icalendar.Calendar.from_ical(cancel.body)["METHOD"] == "CANCEL"
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["UID"] == event.uid
    assert cancelled["SEQUENCE"] == 3


#: Any text, with the characters iCalendar escapes or folds around made frequent.
TEXT = st.lists(
    st.text(max_size=20)
    | st.sampled_from([",", ";", "\\", "\n", "\r\n", "\r", ":", '"', "巡逻", "ñ", "\t", "👋🏽"]),
    max_size=40,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    summary=TEXT,
    description=TEXT,
    location=TEXT,
    categories=st.lists(TEXT.filter(lambda t: ical.clean_text(t).strip()), max_size=3),
    minutes=st.integers(min_value=-600_000, max_value=600_000),
    length=st.integers(min_value=1, max_value=14 * 24 * 60),
    zone=st.sampled_from(["Europe/Madrid", "Asia/Shanghai", "America/Mexico_City", "UTC"]),
)
def test_any_text_survives_the_round_trip(
    summary, description, location, categories, minutes, length, zone
):
    starts_at = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    event = _event(
        summary=summary,
        description=description,
        location=location,
        categories=tuple(categories),
        timezone=zone,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=length),
    )
    body = _calendar(event)
    assert all(len(line) <= ical.LINE_OCTETS for line in _lines(body))
    [parsed] = icalendar.Calendar.from_ical(body).events
    assert str(parsed["SUMMARY"]) == ical.clean_text(summary)
    assert str(parsed.get("DESCRIPTION", "")) == ical.clean_text(description)
    assert str(parsed.get("LOCATION", "")) == ical.clean_text(location)
    assert [str(c) for c in parsed.categories] == [ical.clean_text(c) for c in categories]
    assert parsed.start == starts_at and parsed.end == event.ends_at
    found = _occurrences(body, starts_at - timedelta(days=1), event.ends_at + timedelta(days=1))
    assert found == _expected(event)


def test_each_kind_of_item_has_its_renderer():
    event = _event(88)
    assert ical.render(event) is ical.vevent(event)
    try:
        ical.render(object())
    except TypeError as error:
        assert "no calendar renderer for object" in str(error)
    else:
        raise AssertionError("an item without a renderer must not render")
