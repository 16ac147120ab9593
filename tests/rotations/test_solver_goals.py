"""The solver's soft goals and explanations on small, readable instances."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

from service.rotations.solver import (
    Limits,
    Position,
    Problem,
    Shift,
    Volunteer,
    Weights,
    solve,
)

MONDAY = datetime(2027, 3, 1, 18, tzinfo=UTC)


def _shift(number, day, *, activity="patrol", site="", places=1, together=1, rotation=None):
    start = MONDAY + timedelta(days=day)
    return Shift(
        id=number,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        timezone="Europe/Madrid",
        positions=(Position(number * 10, places),),
        activity=activity,
        site=site,
        min_together=together,
        site_rotation_weeks=rotation,
    )


def test_preferences_decide_between_equally_loaded_volunteers_unless_weighted_away():
    shifts = tuple(_shift(n, n, activity="grocery-run" if n % 2 else "patrol") for n in range(1, 9))
    volunteers = (
        Volunteer(1, preferred=frozenset({"patrol"}), avoided=frozenset({"grocery-run"})),
        Volunteer(2, preferred=frozenset({"grocery-run"}), avoided=frozenset({"patrol"})),
    )
    plan = solve(Problem(shifts, volunteers))
    given = {(p.volunteer_id, shifts[p.shift_id - 1].activity) for p in plan.placements}
    assert given == {(1, "patrol"), (2, "grocery-run")}
    assert plan.preferences_met == 8 and plan.avoided_given == 0 and plan.spread == 0
    ignored = solve(Problem(shifts, volunteers, Weights(preference=0)))
    assert ignored.spread == 0 and ignored.preferences_met < 8


def test_fairness_outweighs_a_preference_by_default():
    shifts = tuple(_shift(n, n) for n in range(1, 7))
    keen = Volunteer(1, preferred=frozenset({"patrol"}))
    plan = solve(Problem(shifts, (keen, Volunteer(2), Volunteer(3))))
    assert sorted(Counter(p.volunteer_id for p in plan.placements).values()) == [2, 2, 2]
    greedy = solve(
        Problem(shifts, (keen, Volunteer(2), Volunteer(3)), Weights(fairness=1, preference=1000))
    )
    assert Counter(p.volunteer_id for p in greedy.placements)[1] == 6


def test_site_rotation_moves_volunteers_between_sites_every_week():
    shifts = []
    number = 0
    for week in range(4):
        for site in ("north", "south"):
            number += 1
            shifts.append(_shift(number, 7 * week + (site == "south"), site=site, rotation=1))
    plan = solve(Problem(tuple(shifts), (Volunteer(1), Volunteer(2))))
    sites = {p.volunteer_id: [] for p in plan.placements}
    by_id = {s.id: s for s in shifts}
    for p in sorted(plan.placements, key=lambda p: by_id[p.shift_id].starts_at):
        sites[p.volunteer_id].append(by_id[p.shift_id].site)
    for worked in sites.values():
        assert all(a != b for a, b in itertools.pairwise(worked)), worked


def test_open_places_say_why():
    patrol = _shift(1, 0, places=2, together=2)
    tired = Volunteer(1, limits=Limits(max_assignments_per_week=0))
    alone = solve(Problem((patrol,), (Volunteer(2),)))
    assert [(u.reason, u.places) for u in alone.unfilled] == [("would_be_alone", 2)]
    assert "nobody works it alone" in alone.unfilled[0].detail
    limited = solve(
        Problem((patrol,), (tired, Volunteer(3, not_together=frozenset({4})), Volunteer(4)))
    )
    assert [u.reason for u in limited.unfilled] == ["not_together"]
    skill = solve(
        Problem(
            (Shift(2, MONDAY, MONDAY + timedelta(hours=1), "UTC", (Position(20, 1, "driver"),)),),
            (Volunteer(5),),
        )
    )
    assert [u.reason for u in skill.unfilled] == ["missing_skill"]
    assert "driver" in skill.unfilled[0].detail


def test_people_who_may_not_work_together_are_named_as_the_reason():
    patrol = _shift(1, 0, places=2, together=2)
    feud = (Volunteer(1, not_together=frozenset({2})), Volunteer(2))
    plan = solve(Problem((patrol,), feud))
    assert [(u.reason, u.places) for u in plan.unfilled] == [("not_together", 2)]
    assert "not with each other" in plan.unfilled[0].detail
    trainees = (Volunteer(3, trainee=True), Volunteer(4, trainee=True))
    plan = solve(Problem((patrol,), trainees))
    assert [u.reason for u in plan.unfilled] == ["trainees_only"]
