"""Rotation plans through HTTP: the demo patrol month (item 2), publishing (item 3), re-planning."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from service.activities.models import Event, Position
from service.assignments.models import HOLDING, Assignment
from service.core.db import db
from service.core.outbox import OutboxEvent
from service.core.time import utcnow
from service.demo import load_demo
from service.rotations import solver
from service.teams.models import Team, TeamMember
from service.volunteers.models import (
    AvailabilityWindow,
    Blackout,
    VolunteerPreferences,
    VolunteerProfile,
)
from tests.rotations.checker import broken_rules, fillable_place, open_places

REASONS = {
    "no_candidates",
    "missing_skill",
    "unavailable",
    "blackout",
    "busy",
    "rest_hours",
    "at_limit",
    "not_together",
    "trainees_only",
    "would_be_alone",
}


def _problem_from_database(event_ids: list[int], team_id: int) -> solver.Problem:
    """The checker's own view of the data, read straight from the tables."""
    events = db.session.scalars(sa.select(Event).where(Event.id.in_(event_ids))).all()
    holders: dict[int, list[int]] = {}
    for position_id, volunteer_id in db.session.execute(
        sa.select(Assignment.position_id, Assignment.volunteer_id).where(
            Assignment.event_id.in_(event_ids), Assignment.status.in_(HOLDING)
        )
    ):
        holders.setdefault(position_id, []).append(volunteer_id)
    shifts = tuple(
        solver.Shift(
            id=event.id,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            timezone=event.timezone,
            positions=tuple(
                solver.Position(
                    p.id,
                    p.min_people,
                    p.required_skill.key if p.required_skill else None,
                    tuple(holders.get(p.id, ())),
                )
                for p in db.session.scalars(
                    sa.select(Position).where(Position.event_id == event.id)
                )
            ),
            team_id=event.team_id,
            min_together=event.activity_type.min_people,
        )
        for event in events
    )
    members = set(
        db.session.scalars(sa.select(TeamMember.volunteer_id).where(TeamMember.team_id == team_id))
    )
    people = members | {v for vs in holders.values() for v in vs}
    volunteers = []
    for profile in db.session.scalars(
        sa.select(VolunteerProfile).where(VolunteerProfile.id.in_(people))
    ):
        windows = tuple(
            solver.Window(w.weekday, w.start_minute, w.end_minute)
            for w in db.session.scalars(
                sa.select(AvailabilityWindow).where(AvailabilityWindow.volunteer_id == profile.id)
            )
        )
        blackouts = tuple(
            (b.starts_at, b.ends_at)
            for b in db.session.scalars(
                sa.select(Blackout).where(Blackout.volunteer_id == profile.id)
            )
        )
        preferences = db.session.get(VolunteerPreferences, profile.id)
        others = tuple(
            solver.Commitment(start, end, zone)
            for start, end, zone in db.session.execute(
                sa.select(Event.starts_at, Event.ends_at, Event.timezone)
                .join(Assignment, Assignment.event_id == Event.id)
                .where(
                    Assignment.volunteer_id == profile.id,
                    Assignment.status.in_(HOLDING),
                    Event.id.not_in(event_ids),
                    Event.status != "cancelled",
                )
            )
        )
        volunteers.append(
            solver.Volunteer(
                id=profile.id,
                skills=frozenset(s.key for s in profile.skills),
                teams=frozenset({team_id})
                if profile.id in members and profile.active
                else frozenset(),
                windows=windows,
                blackouts=blackouts,
                limits=solver.Limits(
                    profile.max_assignments_per_week,
                    profile.max_hours_per_month,
                    profile.min_rest_hours,
                ),
                trainee=bool(preferences and preferences.trainee),
                not_together=frozenset(preferences.not_together if preferences else ()),
                commitments=others,
            )
        )
    return solver.Problem(shifts=shifts, volunteers=tuple(volunteers))


def test_a_generated_month_for_the_demo_patrol_team_breaks_no_rule_and_explains_its_gaps(
    app, client
):
    with app.app_context():
        lines = load_demo(app)
        token = next(line for line in lines if "Admin API token" in line).rsplit(" ", 1)[1]
        patrol_team = db.session.scalar(sa.select(Team.id).where(Team.name.like("Night patrol%")))
    admin = client.as_(token)
    start = utcnow()
    answer = admin.post(
        "/api/v1/rotations",
        json={
            "team_ids": [patrol_team],
            "from": start.isoformat(),
            "to": (start + timedelta(days=30)).isoformat(),
        },
    )
    assert answer.status_code == 201, answer.json
    plan = answer.json
    assert plan["status"] == "draft"
    assert len(plan["event_ids"]) in (29, 30, 31)
    assert plan["assignments"], "the plan fills places"
    with app.app_context():
        problem = _problem_from_database(plan["event_ids"], patrol_team)
        trainees = {v.id for v in problem.volunteers if v.trainee}
    placements = [
        solver.Placement(item["event_id"], item["position_id"], item["volunteer_id"])
        for item in plan["assignments"]
    ]
    assert trainees and any(p.volunteer_id in trainees for p in placements)
    assert broken_rules(problem, placements) == []
    assert fillable_place(problem, placements) is None
    still_open = open_places(problem, placements)
    explained = {item["position_id"]: item for item in plan["unfilled"]}
    assert set(still_open) == set(explained)
    for position_id, places in still_open.items():
        assert explained[position_id]["places"] == places
        assert explained[position_id]["reason"] in REASONS
        assert explained[position_id]["detail"]
    fairness = plan["fairness"]
    assert fairness["places_filled"] == len(placements)
    counts = [load["assignments"] for load in fairness["loads"] if load["eligible_places"]]
    assert fairness["spread"] == max(counts) - min(counts)
    assert {load["name"] for load in fairness["loads"]} >= {"李明", "张伟"}

    # Nothing is assigned before publishing.
    with app.app_context():
        rotation_places = db.session.scalar(
            sa.select(sa.func.count()).where(Assignment.source == "rotation")
        )
    assert rotation_places == 0


def _setup_team(make, size=4, nights=6):
    tenant = make.tenant()
    community = make.community(tenant)
    people = [make.person(tenant, communities=[community]) for _ in range(size)]
    team = make.team(tenant, community, people)
    start = (utcnow() + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    events = [
        make.event(
            tenant,
            community,
            starts_at=start + timedelta(days=night),
            team_id=team,
            positions=[{"name": "Patroller", "min_people": 2, "max_people": 2}],
        )
        for night in range(nights)
    ]
    return tenant, people, team, events, start


def _outbox(app, organization_id):
    with app.app_context():
        return db.session.execute(
            sa.select(OutboxEvent.topic, OutboxEvent.payload)
            .where(OutboxEvent.organization_id == organization_id)
            .order_by(OutboxEvent.id)
        ).all()


def test_publishing_creates_the_assignments_and_their_events_and_twice_changes_nothing(
    app, client, make
):
    tenant, people, team, _events, start = _setup_team(make)
    admin = client.as_(tenant.admin)
    period = {"from": start.isoformat(), "to": (start + timedelta(days=7)).isoformat()}
    plan = admin.post("/api/v1/rotations", json={"team_ids": [team], **period}).json
    assert len(plan["assignments"]) == 12 and plan["unfilled"] == []
    assert plan["fairness"]["spread"] == 0  # 12 places, 4 people: 3 each
    before = len(_outbox(app, tenant.organization_id))

    published = admin.post(f"/api/v1/rotations/{plan['id']}/publish")
    assert published.status_code == 200, published.json
    assert published.json["status"] == "published"
    ids = published.json["assignment_ids"]
    assert len(ids) == 12
    mine = client.as_(people[0]).get("/api/v1/me/assignments").json
    assert len(mine) == 3
    assert {(a["status"], a["source"]) for a in mine} == {("pending", "rotation")}
    outbox = _outbox(app, tenant.organization_id)[before:]
    created = [p["assignment_id"] for t, p in outbox if t == "assignment.created"]
    assert sorted(created) == sorted(ids)  # reminders and feeds follow these
    assert [t for t, _ in outbox if t.startswith("rotation.")] == ["rotation.published"]

    again = admin.post(f"/api/v1/rotations/{plan['id']}/publish")
    assert again.status_code == 200
    assert again.json == published.json
    assert len(_outbox(app, tenant.organization_id)) == before + len(outbox)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 12

    # One volunteer declines a night; planning again keeps every published place and
    # shows the one difference.
    declined = client.as_(people[0]).post(f"/api/v1/assignments/{mine[0]['id']}/decline", json={})
    assert declined.status_code == 200, declined.json
    replanned = admin.post("/api/v1/rotations", json={"team_ids": [team], **period}).json
    assert replanned["diff"]["previous_plan_id"] == plan["id"]
    assert replanned["fairness"]["places_kept"] == 11
    assert len(replanned["diff"]["added"]) == 1, (replanned["unfilled"], replanned["diff"])
    assert replanned["diff"]["removed"] == [
        item
        for item in plan["assignments"]
        if (item["event_id"], item["volunteer_id"]) == (mine[0]["event_id"], people[0].volunteer_id)
    ]
    assert replanned["diff"]["unchanged"] == 11
    assert replanned["diff"]["added"][0]["volunteer_id"] != people[0].volunteer_id


def test_a_stale_plan_is_refused_whole_and_a_superseded_one_cannot_be_published(app, client, make):
    tenant, people, team, events, start = _setup_team(make, size=2, nights=2)
    admin = client.as_(tenant.admin)
    period = {"from": start.isoformat(), "to": (start + timedelta(days=3)).isoformat()}
    plan = admin.post("/api/v1/rotations", json={"team_ids": [team], **period}).json
    assert len(plan["assignments"]) == 4
    # Meanwhile a coordinator gives one volunteer a clashing commitment elsewhere.
    other = make.event(tenant, make.community(tenant), starts_at=start, hours=1)
    clash = admin.post(
        "/api/v1/assignments",
        json={
            "position_id": other.position_id,
            "volunteer_id": people[0].volunteer_id,
            "override": True,
            "override_reason": "Needed at the other site",
        },
    )
    assert clash.status_code == 201, clash.json
    stale = admin.post(f"/api/v1/rotations/{plan['id']}/publish")
    assert stale.status_code == 409
    assert stale.json["reason"] == "plan_stale"
    assert stale.json["problems"][0]["reason"] == "overlaps_assignment"
    with app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).where(Assignment.source == "rotation"))
            == 0
        )
    newer = admin.post("/api/v1/rotations", json={"team_ids": [team], **period}).json
    # Only one of the two is free on the first night: a patrol never walks alone.
    gap = newer["unfilled"][0]
    assert (gap["event_id"], gap["places"], gap["reason"]) == (events[0].id, 2, "would_be_alone")
    assert {"rule": "busy", "left": 1} in gap["narrowing"]
    superseded = admin.post(f"/api/v1/rotations/{plan['id']}/publish")
    assert superseded.status_code == 409 and superseded.json["reason"] == "plan_superseded"


def test_volunteers_see_no_plans(client, make):
    _tenant, people, team, _events, start = _setup_team(make, size=2, nights=1)
    answer = client.as_(people[0]).post(
        "/api/v1/rotations",
        json={
            "team_ids": [team],
            "from": start.isoformat(),
            "to": (start + timedelta(days=1)).isoformat(),
        },
    )
    assert answer.status_code == 403


def test_replanning_unconfirmed_places_keeps_the_accepted_ones(app, client, make):
    tenant, people, team, _events, start = _setup_team(make, size=4, nights=4)
    admin = client.as_(tenant.admin)
    period = {"from": start.isoformat(), "to": (start + timedelta(days=5)).isoformat()}
    first = admin.post("/api/v1/rotations", json={"team_ids": [team], **period}).json
    published = admin.post(f"/api/v1/rotations/{first['id']}/publish").json
    accepted = client.as_(people[1]).get("/api/v1/me/assignments").json[0]
    assert (
        client.as_(people[1]).post(f"/api/v1/assignments/{accepted['id']}/accept").status_code
        == 200
    )
    # People 2 leaves the team's rota for the period: a blackout over all of it.
    away = admin.put(
        f"/api/v1/volunteers/{people[2].volunteer_id}/availability",
        json={"blackouts": [{"starts_at": period["from"], "ends_at": period["to"]}]},
    )
    assert away.status_code == 200, away.json

    kept = admin.post("/api/v1/rotations", json={"team_ids": [team], **period}).json
    assert kept["fairness"]["places_kept"] == 8 and kept["assignments"] == []

    fresh = admin.post(
        "/api/v1/rotations", json={"team_ids": [team], **period, "replan_unconfirmed": True}
    ).json
    assert fresh["fairness"]["places_kept"] == 1  # only the accepted place
    assert all(item["volunteer_id"] != people[2].volunteer_id for item in fresh["assignments"])
    assert len(fresh["assignments"]) == 7
    # Everyone else keeps the places they had: only people 2's places change hands.
    before = {(i["event_id"], i["volunteer_id"]) for i in first["assignments"]}
    after = {(i["event_id"], i["volunteer_id"]) for i in fresh["assignments"]}
    moved = {pair for pair in before - after if pair[1] != people[1].volunteer_id}
    assert {volunteer for _, volunteer in moved} == {people[2].volunteer_id}
    done = admin.post(f"/api/v1/rotations/{fresh['id']}/publish")
    assert done.status_code == 200, done.json
    places = admin.get("/api/v1/assignments", query_string={"page_size": 100}).json
    holding = [p for p in places if p["status"] in ("pending", "confirmed")]
    assert len(holding) == 8
    assert people[2].volunteer_id not in {p["volunteer_id"] for p in holding}
    assert next(p for p in places if p["id"] == accepted["id"])["status"] == "confirmed"
    cancelled = [p for p in places if p["status"] == "cancelled"]
    assert cancelled and {p["volunteer_id"] for p in cancelled} >= {people[2].volunteer_id}
    # The accepted place was kept as it is; every other old place was planned again.
    assert set(published["assignment_ids"]) - set(done.json["assignment_ids"]) == {
        p["id"] for p in cancelled
    } | {accepted["id"]}
