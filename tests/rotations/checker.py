"""An independent checker of rotation plans, written from the rules alone.

It shares no code with the solver nor with service/assignments/rules.py: it works on
datetimes and the IANA zone directly, so a bug in the solver's bookkeeping (minutes,
bisection, caches) or in how the service builds the solver's input cannot hide behind
the same bug here.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from service.rotations.solver import Placement, Plan, Position, Problem, Shift, Volunteer


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
    if volunteer.id in shift.excluded:
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


def open_places(problem: Problem, placements: list[Placement]) -> dict[int, int]:
    taken = Counter(p.position_id for p in placements)
    return {
        p.id: max(p.places, len(p.held)) - len(p.held) - taken[p.id]
        for s in problem.shifts
        for p in s.positions
        if max(p.places, len(p.held)) - len(p.held) - taken[p.id] > 0
    }


def fillable_place(problem: Problem, plan: Plan | list[Placement]) -> tuple | None:
    """An open place that one person, or two together, could still take; None if none."""
    placements = list(plan.placements if isinstance(plan, Plan) else plan)
    still_open = open_places(problem, placements)
    for shift in problem.shifts:
        spots = [p for p in shift.positions if p.id in still_open]
        for position in spots:
            for v in problem.volunteers:
                extra = [*placements, Placement(shift.id, position.id, v.id)]
                if not broken_rules(problem, extra):
                    return (shift.id, position.id, v.id)
        if shift.min_together > 1 or any(v.trainee for v in problem.volunteers):
            for first, second in itertools.product(spots, repeat=2):
                if first.id == second.id and still_open[first.id] < 2:
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
