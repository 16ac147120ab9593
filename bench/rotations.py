"""Benchmark of the rotation solver: solve time, open places and fairness, from small to large.

    python bench/rotations.py            # every size; the exact column needs OR-Tools
    python bench/rotations.py --quick    # the small sizes only

On the small instances the optimum of an exact model (OR-Tools CP-SAT: first the most
places filled, then the smallest spread) is printed beside the solver's result, so the
gap to optimal shows. OR-Tools is an optional, benchmark-only dependency:

    pip install -e '.[bench]'

Without it the script still runs and says that the exact column is skipped.

The instances look like the real thing: teams of night patrols in pairs (six two-hour
shifts a night), volunteers with weekly limits, monthly hours, rest hours, evening or
weekend availability, a few holidays, trainees and people who must not work together.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.rotations.solver import (
    Limits,
    Plan,
    Position,
    Problem,
    Shift,
    Volunteer,
    Window,
    solve,
)

ZONE = "Asia/Shanghai"
START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai


@dataclass(frozen=True)
class Size:
    volunteers: int
    places: int
    target_seconds: float | None = None
    exact: bool = False


SIZES = (
    Size(20, 60, exact=True),
    Size(12, 60, exact=True),  # tight: limits bind
    Size(8, 60, exact=True),  # tighter
    Size(6, 60, exact=True),  # scarce: limits leave places open
    Size(30, 120, exact=True),
    Size(20, 120, exact=True),  # tight
    Size(14, 120, exact=True),  # tighter
    Size(10, 120, exact=True),  # scarce
    Size(40, 180, exact=True),
    Size(300, 1_800, target_seconds=2.0),
    Size(800, 6_000),
    Size(2_000, 20_000, target_seconds=60.0),
)


def build(size: Size, seed: int = 7) -> Problem:
    """Teams of about 60 volunteers; each team's shifts are two-person patrols over 30 nights."""
    rng = random.Random(seed)
    teams = max(1, round(size.volunteers / 60))
    shifts_needed = size.places // 2
    per_team = [
        shifts_needed // teams + (1 if t < shifts_needed % teams else 0) for t in range(teams)
    ]
    shifts = []
    shift_id = 0
    for team in range(teams):
        per_night = max(1, -(-per_team[team] // 30))
        for n in range(per_team[team]):
            night, slot = divmod(n, per_night)
            starts = START + timedelta(days=night, hours=2 * (slot % 6))
            shift_id += 1
            shifts.append(
                Shift(
                    id=shift_id,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    timezone=ZONE,
                    positions=(Position(id=shift_id * 10, places=2, required_skill=None),),
                    team_id=team,
                    activity="patrol",
                    min_together=2,
                    site=f"site-{team}",
                )
            )
    volunteers = []
    for index in range(size.volunteers):
        team = index % teams
        kind = rng.random()
        if kind < 0.5:
            windows = ()  # any time
        elif kind < 0.8:
            windows = tuple(Window(d, 17 * 60, 24 * 60) for d in range(7)) + tuple(
                Window(d, 0, 6 * 60) for d in range(7)
            )
        else:
            windows = tuple(Window(d, 0, 24 * 60) for d in (4, 5, 6, 0))
        blackouts = ()
        if rng.random() < 0.1:
            away = START + timedelta(days=rng.randrange(25))
            blackouts = ((away, away + timedelta(days=rng.randrange(2, 6))),)
        volunteers.append(
            Volunteer(
                id=index + 1,
                teams=frozenset({team}),
                windows=windows,
                blackouts=blackouts,
                limits=Limits(
                    max_assignments_per_week=rng.choice((2, 3, 3, 4)),
                    max_hours_per_month=rng.choice((16, 20, 24, 30)),
                    min_rest_hours=rng.choice((10, 12)),
                ),
                trainee=rng.random() < 0.1,
                preferred=frozenset({"patrol"}) if rng.random() < 0.3 else frozenset(),
            )
        )
    # A few people who must never share a shift.
    by_team: dict[int, list[int]] = {}
    for v in volunteers:
        by_team.setdefault(next(iter(v.teams)), []).append(v.id)
    enemies: dict[int, set[int]] = {}
    for members in by_team.values():
        for _ in range(max(1, len(members) // 20)):
            a, b = rng.sample(members, 2)
            enemies.setdefault(a, set()).add(b)
    volunteers = [
        Volunteer(**{**v.__dict__, "not_together": frozenset(enemies.get(v.id, ()))})
        for v in volunteers
    ]
    return Problem(shifts=tuple(shifts), volunteers=tuple(volunteers))


def fairness(plan: Plan) -> tuple[int, float]:
    counts = [load.assignments for load in plan.loads if load.eligible_places]
    return plan.spread, statistics.pstdev(counts) if counts else 0.0


# --- the exact model ----------------------------------------------------------------------


def exact(problem: Problem, seconds: float) -> tuple[int, int, str] | None:
    """(places filled, spread, status) of the CP-SAT optimum; None without OR-Tools."""
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        return None
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(ZONE)
    shifts = problem.shifts
    volunteers = problem.volunteers

    def available(v: Volunteer, s: Shift) -> bool:
        if v.teams and s.team_id not in v.teams:
            return False
        if any(a < s.ends_at and b > s.starts_at for a, b in v.blackouts):
            return False
        if not v.windows:
            return True
        local_start = s.starts_at.astimezone(zone)
        local_end = s.ends_at.astimezone(zone)
        if local_start.date() != local_end.date() and local_end.time() != datetime.min.time():
            return False  # crosses midnight: the generated windows never cover that exactly
        end_minute = local_end.hour * 60 + local_end.minute or 24 * 60
        start_minute = local_start.hour * 60 + local_start.minute
        return any(
            w.weekday == local_start.weekday()
            and w.start_minute <= start_minute
            and w.end_minute >= end_minute
            for w in v.windows
        )

    model = cp_model.CpModel()
    x: dict[tuple[int, int], object] = {}
    for v in volunteers:
        for s in shifts:
            if available(v, s):
                x[v.id, s.id] = model.new_bool_var(f"x{v.id}_{s.id}")
    by_shift: dict[int, list] = {s.id: [] for s in shifts}
    by_volunteer: dict[int, list] = {v.id: [] for v in volunteers}
    for (vid, sid), var in x.items():
        by_shift[sid].append((vid, var))
        by_volunteer[vid].append((sid, var))
    shift_of = {s.id: s for s in shifts}
    trainee = {v.id: v.trainee for v in volunteers}
    for s in shifts:
        places = sum(p.places for p in s.positions)
        people = [var for _, var in by_shift[s.id]]
        staffed = model.new_bool_var(f"z{s.id}")
        model.add(sum(people) <= places * staffed)
        model.add(sum(people) >= s.min_together * staffed)
        seniors = [var for vid, var in by_shift[s.id] if not trainee[vid]]
        for vid, var in by_shift[s.id]:
            if trainee[vid]:
                model.add(var <= sum(seniors))
    for v in volunteers:
        mine = sorted(by_volunteer[v.id], key=lambda item: shift_of[item[0]].starts_at)
        rest = timedelta(hours=v.limits.min_rest_hours or 0)
        for i, (sid, var) in enumerate(mine):
            for other_sid, other in mine[i + 1 :]:
                a, b = shift_of[sid], shift_of[other_sid]
                if b.starts_at >= a.ends_at + rest:
                    break
                model.add(var + other <= 1)
        weeks: dict = {}
        months: dict = {}
        for sid, var in mine:
            local = shift_of[sid].starts_at.astimezone(zone).date()
            weeks.setdefault(local - timedelta(days=local.weekday()), []).append(var)
            hours = int((shift_of[sid].ends_at - shift_of[sid].starts_at).total_seconds() // 3600)
            months.setdefault((local.year, local.month), []).append((hours, var))
        if v.limits.max_assignments_per_week is not None:
            for group in weeks.values():
                model.add(sum(group) <= v.limits.max_assignments_per_week)
        if v.limits.max_hours_per_month is not None:
            for group in months.values():
                model.add(sum(h * var for h, var in group) <= int(v.limits.max_hours_per_month))
        for other in v.not_together:
            for s in shifts:
                if (v.id, s.id) in x and (other, s.id) in x:
                    model.add(x[v.id, s.id] + x[other, s.id] <= 1)
    filled = sum(x.values())
    model.maximize(filled)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    best_filled = round(solver.objective_value)
    model.add(filled == best_filled)
    loads = [sum(var for _, var in by_volunteer[v.id]) for v in volunteers if by_volunteer[v.id]]
    top = model.new_int_var(0, len(shifts), "top")
    bottom = model.new_int_var(0, len(shifts), "bottom")
    for load in loads:
        model.add(top >= load)
        model.add(bottom <= load)
    model.minimize(top - bottom)
    status = solver.solve(model)
    name = "optimal" if status == cp_model.OPTIMAL else "best found"
    return best_filled, round(solver.objective_value), name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the small sizes")
    parser.add_argument("--exact-seconds", type=float, default=20.0)
    args = parser.parse_args()
    try:
        import ortools  # noqa: F401

        have_exact = True
    except ImportError:
        have_exact = False
        print("OR-Tools is not installed: the exact column is skipped (pip install -e '.[bench]').")
    header = (
        f"{'volunteers':>10} {'places':>7} {'seconds':>8} {'open':>5} {'spread':>6} "
        f"{'stdev':>6} {'target':>8}  exact (filled/spread)"
    )
    print(header)
    print("-" * len(header))
    for size in SIZES:
        if args.quick and size.places > 2_000:
            continue
        problem = build(size)
        started = time.perf_counter()
        plan = solve(problem)
        seconds = time.perf_counter() - started
        spread, stdev = fairness(plan)
        target = ""
        if size.target_seconds:
            verdict = "met" if seconds < size.target_seconds else "MISSED"
            target = f"<{size.target_seconds:g}s {verdict}"
        exact_text = ""
        if size.exact:
            if not have_exact:
                exact_text = "skipped (no OR-Tools)"
            else:
                found = exact(problem, args.exact_seconds)
                if found is None:
                    exact_text = "no solution in time"
                else:
                    filled, best_spread, status = found
                    exact_text = (
                        f"{filled}/{best_spread} {status}; gap: "
                        f"{filled - plan.places_filled} places, {spread - best_spread} spread"
                    )
        print(
            f"{size.volunteers:>10} {plan.places_filled + plan.places_open:>7} "
            f"{seconds:>8.2f} {plan.places_open:>5} {spread:>6} {stdev:>6.2f} {target:>8}  "
            f"{exact_text}"
        )


if __name__ == "__main__":
    main()
