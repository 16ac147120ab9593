"""Property tests of the rotation solver against the independent checker in checker.py.

Hypothesis generates teams, skills, series (RRULEs expanded in the zone) and single
shifts, availability windows, blackouts, limits, trainees, pairings, places already held
and outside commitments; every plan is checked for every
hard rule, for open places that could have been filled, and for the fairness bound.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.rotations.solver import (
    Commitment,
    Limits,
    Placement,
    Position,
    Problem,
    Shift,
    Volunteer,
    Window,
    solve,
)
from service.series.recurrence import Recurrence, occurrences
from tests.rotations.checker import broken_rules, evening_move, fillable_place, open_places

ZONES = ("Europe/Madrid", "Asia/Shanghai")
BASE = datetime(2026, 10, 19, tzinfo=UTC)  # a Monday; the Madrid DST change falls inside
SKILLS = ("first-aid", "driver")
RULES = (
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=2",
    "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    "FREQ=WEEKLY;BYDAY=SA,SU",
    "FREQ=DAILY;BYHOUR=8,20",
)


# --- generating problems ------------------------------------------------------------------


@st.composite
def problems(draw, *, clean: bool = False) -> Problem:
    zone = draw(st.sampled_from(ZONES))
    local = ZoneInfo(zone)
    team_count = 1 if clean else draw(st.integers(1, 2))
    volunteer_count = draw(st.integers(2, 9))
    shift_count = draw(st.integers(1, 14))
    times: list[tuple[datetime, int]] = []
    if not clean and draw(st.booleans()):
        # A recurring activity, expanded in its zone across the October DST change.
        minutes = draw(st.sampled_from((60, 120, 180)))
        first = datetime(2026, 10, 19, draw(st.integers(0, 22)), tzinfo=local)
        first += timedelta(days=draw(st.integers(0, 6)))
        series = Recurrence(first, timedelta(minutes=minutes), zone, draw(st.sampled_from(RULES)))
        for moment in occurrences(series, first, first + timedelta(days=21))[:shift_count]:
            times.append((moment.astimezone(UTC), minutes))
    for number in range(len(times) + 1, shift_count + 1):
        if clean:
            day, hour, minutes = number - 1, 19, 120
        else:
            day = draw(st.integers(0, 20))
            hour = draw(st.integers(0, 23))
            minutes = draw(st.sampled_from((60, 90, 120, 180, 240)))
        starts = datetime(2026, 10, 19, hour, tzinfo=local) + timedelta(days=day)
        times.append((starts.astimezone(UTC), minutes))
    shifts = []
    for number, (starts, minutes) in enumerate(times, start=1):
        position_count = 1 if clean else draw(st.integers(1, 2))
        positions = tuple(
            Position(
                id=number * 10 + p,
                places=1 if clean else draw(st.integers(1, 3)),
                required_skill=None if clean else draw(st.sampled_from((None, None, *SKILLS))),
            )
            for p in range(position_count)
        )
        shifts.append(
            Shift(
                id=number,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=minutes),
                timezone=zone,
                positions=positions,
                team_id=draw(st.integers(0, team_count - 1)),
                activity=draw(st.sampled_from(("patrol", "grocery-run"))),
                min_together=1 if clean else draw(st.sampled_from((1, 1, 2))),
                site=draw(st.sampled_from(("north", "south"))),
                site_rotation_weeks=None if clean else draw(st.sampled_from((None, 1))),
            )
        )
    volunteers = []
    ids = list(range(1, volunteer_count + 1))
    for vid in ids:
        if clean:
            volunteers.append(Volunteer(id=vid, teams=frozenset({0})))
            continue
        windows = ()
        if draw(st.booleans()):
            windows = tuple(
                Window(d, s, e)
                for d, s, e in draw(
                    st.lists(
                        st.tuples(
                            st.integers(0, 6),
                            st.sampled_from((0, 8 * 60, 17 * 60)),
                            st.sampled_from((12 * 60, 22 * 60, 24 * 60)),
                        ).filter(lambda t: t[1] < t[2]),
                        max_size=8,
                    )
                )
            )
        blackouts = ()
        if draw(st.booleans()):
            away = BASE + timedelta(days=draw(st.integers(0, 20)), hours=draw(st.integers(0, 23)))
            blackouts = ((away, away + timedelta(hours=draw(st.integers(1, 72)))),)
        commitments = ()
        if draw(st.booleans()):
            c_start = BASE + timedelta(
                days=draw(st.integers(0, 20)), hours=draw(st.integers(0, 23))
            )
            commitments = (Commitment(c_start, c_start + timedelta(hours=2), zone),)
        volunteers.append(
            Volunteer(
                id=vid,
                skills=frozenset(draw(st.lists(st.sampled_from(SKILLS), max_size=2))),
                teams=frozenset(draw(st.lists(st.integers(0, team_count - 1), min_size=1))),
                windows=windows,
                blackouts=blackouts,
                limits=Limits(
                    max_assignments_per_week=draw(st.sampled_from((None, 1, 2, 3))),
                    max_hours_per_month=draw(st.sampled_from((None, 4, 8, 20))),
                    min_rest_hours=draw(st.sampled_from((None, 0, 8, 12))),
                ),
                trainee=draw(st.booleans()) and draw(st.booleans()),
                preferred=frozenset(draw(st.lists(st.sampled_from(("patrol",)), max_size=1))),
                avoided=frozenset(draw(st.lists(st.sampled_from(("grocery-run",)), max_size=1))),
                pair_with=frozenset(draw(st.lists(st.sampled_from(ids), max_size=2))) - {vid},
                not_together=frozenset(draw(st.lists(st.sampled_from(ids), max_size=2))) - {vid},
                commitments=commitments,
                previous_site=draw(st.sampled_from((None, "north"))),
            )
        )
    if not clean and draw(st.booleans()):
        # Someone already holds a place; the plan must keep it.
        shift = draw(st.sampled_from(shifts))
        holder = draw(st.sampled_from(volunteers))
        position = replace(shift.positions[0], held=(holder.id,))
        shifts[shifts.index(shift)] = replace(shift, positions=(position, *shift.positions[1:]))
    return Problem(shifts=tuple(shifts), volunteers=tuple(volunteers))


# --- the properties ------------------------------------------------------------------------

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_plan_breaks_no_hard_rule_and_explains_every_open_place(problem):
    plan = solve(problem)
    assert broken_rules(problem, list(plan.placements)) == []
    still_open = open_places(problem, list(plan.placements))
    explained = {item.position_id: item for item in plan.unfilled}
    assert set(still_open) == set(explained)
    for position_id, places in still_open.items():
        assert explained[position_id].places == places
        assert explained[position_id].reason
        assert explained[position_id].detail


@SETTINGS
@given(problems())
def test_no_open_place_could_have_been_filled(problem):
    plan = solve(problem)
    assert fillable_place(problem, plan) is None


@SETTINGS
@given(problems())
def test_no_place_could_pass_to_someone_holding_two_fewer(problem):
    plan = solve(problem)
    assert evening_move(problem, plan) is None


@settings(max_examples=100, deadline=None)
@given(problems(clean=True))
def test_equally_available_volunteers_differ_by_at_most_one(problem):
    plan = solve(problem)
    counts = [load.assignments for load in plan.loads]
    assert max(counts) - min(counts) <= 1
    assert plan.spread <= 1 and plan.spread_equally_available <= 1
    assert plan.places_open == 0


@settings(max_examples=60, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_same_problem_same_plan_whatever_the_input_order(problem, rng):
    shuffled_shifts = list(problem.shifts)
    shuffled_volunteers = list(problem.volunteers)
    rng.shuffle(shuffled_shifts)
    rng.shuffle(shuffled_volunteers)
    again = replace(problem, shifts=tuple(shuffled_shifts), volunteers=tuple(shuffled_volunteers))
    assert solve(problem) == solve(again)


def test_the_checker_catches_what_it_should():
    """The checker itself can fail: a lone patroller and a tired volunteer are caught."""
    zone = "Europe/Madrid"
    start = datetime(2026, 10, 24, 18, tzinfo=UTC)
    patrol = Shift(1, start, start + timedelta(hours=2), zone, (Position(10, 2),), min_together=2)
    later = Shift(
        2, start + timedelta(hours=3), start + timedelta(hours=5), zone, (Position(20, 1),)
    )
    tired = Volunteer(1, limits=Limits(min_rest_hours=8))
    problem = Problem(shifts=(patrol, later), volunteers=(tired, Volunteer(2)))
    assert broken_rules(problem, [Placement(1, 10, 1)]) == ["shift 1 has 1 < 2 people"]
    assert "1 gets less than 8:00:00 rest" in broken_rules(
        problem, [Placement(1, 10, 1), Placement(1, 10, 2), Placement(2, 20, 1)]
    )
