"""The rules every new assignment must keep, on plain values."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from service.assignments.rules import Limits, Slot, violations

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _slot(day: int, hour: int, hours: float = 2, event_id: int | None = None) -> Slot:
    start = datetime(2026, 12, day, hour, tzinfo=SHANGHAI)
    return Slot(start, start + timedelta(hours=hours), "Asia/Shanghai", event_id)


NO_LIMITS = Limits()


def _reasons(target, commitments=(), limits=NO_LIMITS, skills=frozenset(), required=None):
    return [
        (v.reason, v.limit)
        for v in violations(
            target, commitments, limits, skills=set(skills), required_skill=required
        )
    ]


def test_a_free_qualified_volunteer_breaks_nothing():
    assert (
        _reasons(_slot(1, 20), [_slot(3, 20)], Limits(3, 20, 12), {"first-aid"}, "first-aid") == []
    )


def test_missing_skill():
    assert _reasons(_slot(1, 20), required="first-aid") == [("missing_skill", None)]


def test_overlap_is_strict_and_touching_is_fine():
    assert _reasons(_slot(1, 20), [_slot(1, 21)]) == [("overlaps_assignment", None)]
    assert _reasons(_slot(1, 20), [_slot(1, 22)]) == []  # ends at 22:00, next starts at 22:00


def test_rest_hours_count_both_sides():
    limits = Limits(min_rest_hours=12)
    assert _reasons(_slot(2, 8), [_slot(1, 20)], limits) == [("limit_exceeded", "rest_hours")]
    assert _reasons(_slot(1, 20), [_slot(2, 8)], limits) == [("limit_exceeded", "rest_hours")]
    assert _reasons(_slot(2, 10), [_slot(1, 20)], limits) == []  # exactly 12 hours


def test_the_week_is_monday_to_sunday_in_the_event_zone():
    limits = Limits(max_assignments_per_week=2)
    week = [_slot(7, 20), _slot(9, 20)]  # Monday 7 December, Wednesday 9 December 2026
    assert _reasons(_slot(13, 20), week, limits) == [("limit_exceeded", "assignments_per_week")]
    assert _reasons(_slot(14, 20), week, limits) == []  # Monday of the next week
    # 23:30 on Sunday the 6th in Shanghai is still last week, though it is Sunday in UTC too;
    # 00:30 on Monday the 7th in Shanghai is Sunday 16:30 UTC, yet belongs to the new week.
    monday_early = Slot(
        datetime(2026, 12, 7, 0, 30, tzinfo=SHANGHAI),
        datetime(2026, 12, 7, 1, 30, tzinfo=SHANGHAI),
        "Asia/Shanghai",
    )
    assert _reasons(monday_early, week, limits) == [("limit_exceeded", "assignments_per_week")]


def test_hours_per_month_include_the_new_assignment():
    limits = Limits(max_hours_per_month=6)
    month = [_slot(1, 8, 2), _slot(5, 8, 2)]
    assert _reasons(_slot(20, 8, 2), month, limits) == []  # exactly 6
    assert _reasons(_slot(20, 8, 3), month, limits) == [("limit_exceeded", "hours_per_month")]
    assert (
        _reasons(
            _slot(20, 8, 3),
            [
                _slot(1, 8, 2),
                Slot(
                    datetime(2026, 11, 30, 8, tzinfo=SHANGHAI),
                    datetime(2026, 11, 30, 12, tzinfo=SHANGHAI),
                    "Asia/Shanghai",
                ),
            ],
            limits,
        )
        == []
    )  # November does not count for December


def test_every_broken_rule_is_reported():
    found = _reasons(_slot(1, 20), [_slot(1, 21)], Limits(0, 1, 48), set(), "driver")
    assert found == [
        ("missing_skill", None),
        ("overlaps_assignment", None),
        ("limit_exceeded", "assignments_per_week"),
        ("limit_exceeded", "hours_per_month"),
    ]
