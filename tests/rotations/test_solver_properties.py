"""Property tests of the rotation solver against a checker written here, from the rules alone.

The checker shares no code with the solver nor with service/assignments/rules.py: it
works on datetimes and the IANA zone directly, so a bug in the solver's bookkeeping
(minutes, bisection, caches) cannot hide behind the same bug in the check.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.rotations.solver import (
    Commitment,
    Limits,
    Placement,
    Plan,
    Position,
    Problem,
    Shift,
    Volunteer,
    Window,
    solve,
)

ZONES = ("Europe/Madrid", "Asia/Shanghai")
BASE = datetime(2026, 10, 19, tzinfo=UTC)  # a Monday; the Madrid DST change falls inside
SKILLS = ("first-aid", "driver")


# --- generating problems ------------------------------------------------------------------


@st.composite
def problems(draw, *, clean: bool = False) -> Problem:
    zone = draw(st.sampled_from(ZONES))
    local = ZoneInfo(zone)
    team_count = 1 if clean else draw(st.integers(1, 2))
    volunteer_count = draw(st.integers(2, 9))
    shift_count = draw(st.integers(1, 14))
    shifts = []
    for number in range(1, shift_count + 1):
        if clean:
            day, hour, minutes = number - 1, 19, 120
        else:
            day = draw(st.integers(0, 20))
            hour = draw(st.integers(0, 23))
            minutes = draw(st.sampled_from((60, 90, 120, 180, 240)))
        starts = datetime(2026, 10, 19, hour, tzinfo=local) + timedelta(days=day)
        starts = starts.astimezone(UTC)
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


# --- the independent checker ----------------------------------------------------------------


def _covered_by_windows(volunteer: Volunteer, shift: Shift) -> bool:
    if not volunteer.windows:
        return True
    zone = ZoneInfo(shift.timezone)
    start = shift.starts_at.astimezone(zone)
    end = shift.ends_at.astimezone(zone)
    # Walk the shift minute by minute (coarse: every 15 minutes and the last minute).
    moment = start
    while moment < end:
        minute = moment.hour * 60 + moment.minute
        if not any(
            w.weekday == moment.weekday() and w.start_minute <= minute < w.end_minute
            for w in volunteer.windows
        ):
            return False
        moment = min(moment + timedelta(minutes=15), end - timedelta(minutes=1))
        if moment == end - timedelta(minutes=1):
            minute = moment.hour * 60 + moment.minute
            return any(
                w.weekday == moment.weekday() and w.start_minute <= minute < w.end_minute
                for w in volunteer.windows
            )
    return True


def _may_take(volunteer: Volunteer, shift: Shift, position: Position) -> bool:
    """Rules that do not depend on anyone else's places."""
    if shift.team_id is not None and shift.team_id not in volunteer.teams:
        return False
    if position.required_skill and position.required_skill not in volunteer.skills:
        return False
    if any(a < shift.ends_at and b > shift.starts_at for a, b in volunteer.blackouts):
        return False
    return _covered_by_windows(volunteer, shift)


def broken_rules(problem: Problem, placements: list[Placement]) -> list[str]:
    """Every hard rule the placements break; empty when the plan is sound."""
    broken = []
    shifts = {s.id: s for s in problem.shifts}
    volunteers = {v.id: v for v in problem.volunteers}
    positions = {p.id: (s, p) for s in problem.shifts for p in s.positions}
    crew: dict[int, list[tuple[int, bool]]] = defaultdict(list)  # shift -> (volunteer, new)
    filled: Counter = Counter()
    for s in problem.shifts:
        for p in s.positions:
            for holder in p.held:
                crew[s.id].append((holder, False))
                filled[p.id] += 1
    for item in placements:
        shift, position = positions[item.position_id]
        assert shift.id == item.shift_id
        volunteer = volunteers[item.volunteer_id]
        if not _may_take(volunteer, shift, position):
            broken.append(f"{volunteer.id} may not take {shift.id}/{position.id}")
        crew[shift.id].append((volunteer.id, True))
        filled[position.id] += 1
    for position_id, count in filled.items():
        _, position = positions[position_id]
        if count > max(position.places, len(position.held)):
            broken.append(f"position {position_id} overfilled")
    for shift_id, members in crew.items():
        shift = shifts[shift_id]
        new = [v for v, is_new in members if is_new]
        people = [v for v, _ in members]
        if len(people) != len(set(people)):
            broken.append(f"someone twice in shift {shift_id}")
        if not new:
            continue
        if len(people) < shift.min_together:
            broken.append(f"shift {shift_id} has {len(people)} < {shift.min_together} people")
        if all(volunteers[v].trainee for v in people if v in volunteers):
            broken.append(f"shift {shift_id} has only trainees")
        for a, b in itertools.combinations(people, 2):
            if a not in volunteers or b not in volunteers:
                continue
            if (a in new or b in new) and (
                b in volunteers[a].not_together or a in volunteers[b].not_together
            ):
                broken.append(f"{a} and {b} must not share shift {shift_id}")
    # Each volunteer's own load, rest and overlaps.
    work: dict[int, list[tuple[datetime, datetime, str, bool]]] = defaultdict(list)
    for shift_id, members in crew.items():
        shift = shifts[shift_id]
        for v, is_new in members:
            work[v].append((shift.starts_at, shift.ends_at, shift.timezone, is_new))
    for v in problem.volunteers:
        for c in v.commitments:
            work[v.id].append((c.starts_at, c.ends_at, c.timezone, False))
    for vid, items in work.items():
        if vid not in volunteers:
            continue
        limits = volunteers[vid].limits
        rest = timedelta(hours=limits.min_rest_hours or 0)
        for a, b in itertools.combinations(items, 2):
            if not (a[3] or b[3]):
                continue
            first, second = sorted((a, b))
            if second[0] < first[1]:
                broken.append(f"{vid} has overlapping places")
            elif second[0] - first[1] < rest:
                broken.append(f"{vid} gets less than {rest} rest")
        weeks: Counter = Counter()
        months: Counter = Counter()
        new_weeks, new_months = set(), set()
        for start, end, zone, is_new in items:
            day = start.astimezone(ZoneInfo(zone)).date()
            week = day - timedelta(days=day.weekday())
            month = (day.year, day.month)
            weeks[week] += 1
            months[month] += (end - start).total_seconds() / 3600
            if is_new:
                new_weeks.add(week)
                new_months.add(month)
        if limits.max_assignments_per_week is not None:
            for week in new_weeks:
                if weeks[week] > limits.max_assignments_per_week:
                    broken.append(f"{vid} over the weekly limit in {week}")
        if limits.max_hours_per_month is not None:
            for month in new_months:
                if months[month] > limits.max_hours_per_month + 1e-9:
                    broken.append(f"{vid} over the monthly hours in {month}")
    return broken


def _open_places(problem: Problem, placements: list[Placement]) -> dict[int, int]:
    taken = Counter(p.position_id for p in placements)
    return {
        p.id: max(p.places, len(p.held)) - len(p.held) - taken[p.id]
        for s in problem.shifts
        for p in s.positions
        if max(p.places, len(p.held)) - len(p.held) - taken[p.id] > 0
    }


def fillable_place(problem: Problem, plan: Plan) -> tuple | None:
    """An open place that one person, or two together, could still take; None if none."""
    placements = list(plan.placements)
    open_places = _open_places(problem, placements)
    for shift in problem.shifts:
        spots = [p for p in shift.positions if p.id in open_places]
        for position in spots:
            for v in problem.volunteers:
                extra = [*placements, Placement(shift.id, position.id, v.id)]
                if not broken_rules(problem, extra):
                    return (shift.id, position.id, v.id)
        if shift.min_together > 1 or any(v.trainee for v in problem.volunteers):
            for first, second in itertools.product(spots, repeat=2):
                if first.id == second.id and open_places[first.id] < 2:
                    continue
                for a, b in itertools.permutations(problem.volunteers, 2):
                    extra = [
                        *placements,
                        Placement(shift.id, first.id, a.id),
                        Placement(shift.id, second.id, b.id),
                    ]
                    if not broken_rules(problem, extra):
                        return (shift.id, first.id, a.id, second.id, b.id)
    return None


def loads(problem: Problem, placements: list[Placement]) -> Counter:
    counts: Counter = Counter()
    for shift in problem.shifts:
        for position in shift.positions:
            for holder in position.held:
                counts[holder] += 1
    for item in placements:
        counts[item.volunteer_id] += 1
    return counts


def evening_move(problem: Problem, plan: Plan) -> tuple | None:
    """A place that could pass from someone to someone holding two fewer; None if none."""
    placements = list(plan.placements)
    counts = loads(problem, placements)
    for item in placements:
        for other in problem.volunteers:
            if counts[other.id] > counts[item.volunteer_id] - 2:
                continue
            moved = [p for p in placements if p != item]
            moved.append(Placement(item.shift_id, item.position_id, other.id))
            if not broken_rules(problem, moved):
                return (item, other.id)
    return None


# --- the properties ------------------------------------------------------------------------

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_plan_breaks_no_hard_rule_and_explains_every_open_place(problem):
    plan = solve(problem)
    assert broken_rules(problem, list(plan.placements)) == []
    open_places = _open_places(problem, list(plan.placements))
    explained = {item.position_id: item for item in plan.unfilled}
    assert set(open_places) == set(explained)
    for position_id, places in open_places.items():
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
