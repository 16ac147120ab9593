"""Use cases of rotations: generate a draft plan, publish it, the teams' rotation settings."""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from service.accounts.models import Membership
from service.activities.models import Event, EventStatus
from service.assignments.models import (
    HOLDING,
    Assignment,
    AssignmentSource,
    AssignmentStatus,
)
from service.assignments.operations import LIMIT_HORIZON, assign, cancel
from service.core.auth import Actor
from service.core.db import db, get_in_organization, lock
from service.core.errors import Conflict, Invalid, ProblemError, check_version
from service.core.time import utcnow
from service.rotations import events, solver
from service.rotations.models import PlanStatus, RotationPlan, TeamRotationSettings
from service.series.models import EventSeries
from service.teams.models import Team, TeamMember
from service.teams.operations import get_team
from service.volunteers.models import VolunteerProfile
from service.volunteers.operations import availability_of

#: The longest period one plan may cover.
MAX_PERIOD = timedelta(days=93)


# --- team settings -------------------------------------------------------------------------


def team_settings(actor: Actor, team_id: int) -> TeamRotationSettings:
    """The team's rotation settings (defaults until a coordinator changes them)."""
    team = get_team(actor, team_id)
    found = db.session.get(TeamRotationSettings, team.id)
    if found is None:
        found = TeamRotationSettings(
            team_id=team.id,
            organization_id=team.organization_id,
            site_rotation_weeks=None,
            swaps_need_approval=False,
            version=0,
        )
    return found


def update_team_settings(
    actor: Actor, team_id: int, changes: dict, *, expected_version: int | None = None
) -> TeamRotationSettings:
    team = get_team(actor, team_id)
    actor.require_manages(team.community_id)
    settings = db.session.get(TeamRotationSettings, team.id)
    if settings is None:
        settings = TeamRotationSettings(
            team_id=team.id,
            organization_id=team.organization_id,
            site_rotation_weeks=None,
            swaps_need_approval=False,
        )
        db.session.add(settings)
    else:
        check_version(settings.version, expected_version)
    for field in ("site_rotation_weeks", "swaps_need_approval"):
        if field in changes:
            setattr(settings, field, changes[field])
    db.session.flush()
    events.team_settings_event(settings, actor)
    return settings


# --- building the solver's problem ---------------------------------------------------------


def _events_to_staff(
    actor: Actor,
    teams: list[Team],
    series_ids: list[int],
    event_ids: list[int],
    start: datetime,
    end: datetime,
) -> list[Event]:
    statement = (
        sa.select(Event)
        .options(selectinload(Event.positions), selectinload(Event.activity_type))
        .where(
            Event.organization_id == actor.organization_id,
            Event.status != EventStatus.CANCELLED,
            Event.starts_at >= start,
            Event.starts_at < end,
        )
        .order_by(Event.starts_at, Event.id)
    )
    if event_ids:
        statement = statement.where(Event.id.in_(event_ids))
    elif series_ids:
        known = set(
            db.session.scalars(
                sa.select(EventSeries.id).where(
                    EventSeries.organization_id == actor.organization_id,
                    EventSeries.id.in_(series_ids),
                )
            )
        )
        if set(series_ids) - known:
            missing = ", ".join(map(str, sorted(set(series_ids) - known)))
            raise Invalid({"series_ids": [f"No series {missing} in this organization."]})
        statement = statement.where(Event.series_id.in_(series_ids))
    else:
        statement = statement.where(Event.team_id.in_([team.id for team in teams]))
    found = list(db.session.scalars(statement))
    if event_ids:
        unknown = set(event_ids) - {event.id for event in found}
        if unknown:
            raise Invalid(
                {
                    "event_ids": [
                        f"Events {', '.join(map(str, sorted(unknown)))} are not in this "
                        "organization, are cancelled, or do not start within the period."
                    ]
                }
            )
    for event in found:
        actor.require_manages(event.community_id)
    if not found:
        raise Invalid({"period": ["No event to staff starts in this period."]})
    return found


def _pool(team_ids: list[int]) -> dict[int, set[int]]:
    """Active volunteers of these teams -> the plan's teams they belong to."""
    rows = db.session.execute(
        sa.select(TeamMember.volunteer_id, TeamMember.team_id)
        .join(VolunteerProfile, VolunteerProfile.id == TeamMember.volunteer_id)
        .join(Membership, Membership.id == VolunteerProfile.membership_id)
        .where(
            TeamMember.team_id.in_(team_ids),
            VolunteerProfile.active.is_(True),
            Membership.removed_at.is_(None),
        )
    )
    pool: dict[int, set[int]] = defaultdict(set)
    for volunteer_id, team_id in rows:
        pool[volunteer_id].add(team_id)
    return pool


def _held(event_ids: list[int], replan_unconfirmed: bool) -> tuple[list[Assignment], list]:
    """Places kept as they are, and (when re-planning them) the unconfirmed rotation ones."""
    statement = sa.select(Assignment).where(
        Assignment.event_id.in_(event_ids), Assignment.status.in_(HOLDING)
    )
    held = list(db.session.scalars(statement.order_by(Assignment.id)))
    if not replan_unconfirmed:
        return held, []
    return [a for a in held if not _replannable(a)], [a for a in held if _replannable(a)]


def _replannable(assignment: Assignment) -> bool:
    return (
        assignment.source is AssignmentSource.ROTATION
        and assignment.status is AssignmentStatus.PENDING
    )


def _commitments(
    volunteer_ids: Iterable[int], event_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[solver.Commitment]]:
    found: dict[int, list[solver.Commitment]] = defaultdict(list)
    ids = sorted(set(volunteer_ids))
    for chunk_start in range(0, len(ids), 500):
        rows = db.session.execute(
            sa.select(Assignment.volunteer_id, Event.starts_at, Event.ends_at, Event.timezone)
            .join(Event, Event.id == Assignment.event_id)
            .where(
                Assignment.volunteer_id.in_(ids[chunk_start : chunk_start + 500]),
                Assignment.status.in_(HOLDING),
                Event.status != EventStatus.CANCELLED,
                Event.id.not_in(event_ids),
                Event.starts_at < end + LIMIT_HORIZON,
                Event.ends_at > start - LIMIT_HORIZON,
            )
        )
        for volunteer_id, starts_at, ends_at, timezone in rows:
            found[volunteer_id].append(solver.Commitment(starts_at, ends_at, timezone))
    return found


def build_problem(
    events_: list[Event],
    team_ids: list[int],
    held: list[Assignment],
    weights: solver.Weights,
    replanned: list[Assignment] = (),
) -> tuple[solver.Problem, dict[int, VolunteerProfile]]:
    """The solver's plain view of the events, the teams' volunteers and what they hold.

    ``replanned`` are unconfirmed rotation places planned afresh: their volunteers are
    the shifts' incumbents, whom the solver prefers to keep (fewer changes for people).
    """
    incumbents: dict[int, set[int]] = defaultdict(set)
    for assignment in replanned:
        incumbents[assignment.event_id].add(assignment.volunteer_id)
    pool = _pool(team_ids)
    holders_by_position: dict[int, list[int]] = defaultdict(list)
    for assignment in held:
        holders_by_position[assignment.position_id].append(assignment.volunteer_id)
    volunteer_ids = set(pool) | {a.volunteer_id for a in held}
    profiles = {
        profile.id: profile
        for profile in db.session.scalars(
            sa.select(VolunteerProfile)
            .options(
                selectinload(VolunteerProfile.skills),
                selectinload(VolunteerProfile.membership).selectinload(Membership.communities),
                selectinload(VolunteerProfile.membership).selectinload(Membership.user),
            )
            .where(VolunteerProfile.id.in_(volunteer_ids))
        )
    }
    settings = {
        row.team_id: row
        for row in db.session.scalars(
            sa.select(TeamRotationSettings).where(TeamRotationSettings.team_id.in_(team_ids))
        )
    }
    declined: dict[int, set[int]] = defaultdict(set)
    for event_id, volunteer_id in db.session.execute(
        sa.select(Assignment.event_id, Assignment.volunteer_id).where(
            Assignment.event_id.in_([event.id for event in events_]),
            Assignment.status.in_([AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED]),
        )
    ):
        declined[event_id].add(volunteer_id)
    shifts = []
    communities = set()
    for event in events_:
        # An event of no team (or another one) is open to anyone rotated in its community.
        group = event.team_id if event.team_id in team_ids else -event.community_id
        communities.add(event.community_id)
        rotation = settings.get(event.team_id)
        shifts.append(
            solver.Shift(
                id=event.id,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                timezone=event.timezone,
                positions=tuple(
                    solver.Position(
                        id=position.id,
                        places=position.min_people,
                        required_skill=position.required_skill_key,
                        held=tuple(holders_by_position.get(position.id, ())),
                    )
                    for position in event.positions
                ),
                team_id=group,
                activity=event.activity_type.key,
                min_together=max(1, event.activity_type.min_people),
                site=event.location or f"community-{event.community_id}",
                site_rotation_weeks=rotation.site_rotation_weeks if rotation else None,
                excluded=frozenset(declined.get(event.id, ())),
                incumbents=frozenset(incumbents.get(event.id, ())),
            )
        )
    first = min(event.starts_at for event in events_)
    last = max(event.ends_at for event in events_)
    commitments = _commitments(volunteer_ids, [e.id for e in events_], first, last)
    availability = availability_of(volunteer_ids)
    volunteers = []
    for volunteer_id in sorted(volunteer_ids):
        profile = profiles[volunteer_id]
        mine = availability[volunteer_id]
        groups = set(pool.get(volunteer_id, ()))
        if volunteer_id in pool:
            allowed = profile.community_ids
            groups |= {-c for c in communities if allowed is None or c in allowed}
        volunteers.append(
            solver.Volunteer(
                id=volunteer_id,
                skills=frozenset(profile.skill_keys),
                teams=frozenset(groups),
                windows=tuple(solver.Window(*window) for window in mine.windows),
                blackouts=tuple((start, end) for start, end, _ in mine.blackouts),
                limits=solver.Limits(
                    profile.max_assignments_per_week,
                    profile.max_hours_per_month,
                    profile.min_rest_hours,
                ),
                trainee=mine.trainee,
                preferred=mine.preferred_activity_types,
                avoided=mine.avoided_activity_types,
                pair_with=mine.pair_with,
                not_together=mine.not_together,
                commitments=tuple(commitments.get(volunteer_id, ())),
            )
        )
    problem = solver.Problem(shifts=tuple(shifts), volunteers=tuple(volunteers), weights=weights)
    return problem, profiles


# --- generating ----------------------------------------------------------------------------


def get_plan(actor: Actor, plan_id: int) -> RotationPlan:
    actor.require_coordinator()
    return get_in_organization(RotationPlan, plan_id, actor.organization_id, label="plan")


def plans_query(actor: Actor, *, status: PlanStatus | None = None) -> sa.Select:
    """Plans of the organization, newest first (coordinators)."""
    actor.require_coordinator()
    statement = (
        sa.select(RotationPlan)
        .where(RotationPlan.organization_id == actor.organization_id)
        .order_by(RotationPlan.id.desc())
    )
    if status is not None:
        statement = statement.where(RotationPlan.status == status)
    return statement


def _key(item: dict) -> tuple[int, int, int]:
    return (item["event_id"], item["position_id"], item["volunteer_id"])


def _previous(actor: Actor, team_ids: list[int], start: datetime, end: datetime):
    candidates = db.session.scalars(
        sa.select(RotationPlan)
        .where(
            RotationPlan.organization_id == actor.organization_id,
            RotationPlan.status.in_([PlanStatus.DRAFT, PlanStatus.PUBLISHED]),
            RotationPlan.period_start < end,
            RotationPlan.period_end > start,
        )
        .order_by(RotationPlan.id.desc())
    )
    return next((plan for plan in candidates if sorted(plan.team_ids) == team_ids), None)


def generate_plan(
    actor: Actor,
    *,
    team_ids: list[int],
    starts_at: datetime,
    ends_at: datetime,
    series_ids: Iterable[int] = (),
    event_ids: Iterable[int] = (),
    weights: dict | None = None,
    replan_unconfirmed: bool = False,
    now: datetime | None = None,
) -> RotationPlan:
    """A draft plan filling the events' needed places with the teams' volunteers.

    Places already held are kept (with ``replan_unconfirmed``, rotation places not yet
    accepted are planned afresh). Nothing is assigned until the plan is published.
    """
    actor.require_coordinator()
    now = now or utcnow()
    if ends_at <= starts_at:
        raise Invalid({"to": ["The period must end after it starts."]})
    if ends_at - starts_at > MAX_PERIOD:
        raise Invalid({"to": ["Plan at most three months at a time."]})
    team_ids = sorted(set(team_ids))
    teams = [get_team(actor, team_id) for team_id in team_ids]
    for team in teams:
        actor.require_manages(team.community_id)
    events_ = _events_to_staff(
        actor, teams, sorted(set(series_ids)), sorted(set(event_ids)), max(starts_at, now), ends_at
    )
    event_ids = [event.id for event in events_]
    held, replanned = _held(event_ids, replan_unconfirmed)
    chosen_weights = solver.Weights(**(weights or {}))
    problem, profiles = build_problem(events_, team_ids, held, chosen_weights, replanned)
    started = clock.perf_counter()
    result = solver.solve(problem)
    seconds = clock.perf_counter() - started

    by_event = {event.id: event for event in events_}
    positions = {p.id: p for event in events_ for p in event.positions}

    def _describe(event_id: int, position_id: int) -> dict:
        event = by_event[event_id]
        zone = ZoneInfo(event.timezone)
        return {
            "event_id": event_id,
            "position_id": position_id,
            "title": event.title,
            "position": positions[position_id].name,
            "starts_at": event.starts_at.astimezone(zone).isoformat(),
            "ends_at": event.ends_at.astimezone(zone).isoformat(),
        }

    proposals = [
        {
            **_describe(item.shift_id, item.position_id),
            "volunteer_id": item.volunteer_id,
            "volunteer_name": profiles[item.volunteer_id].name,
        }
        for item in result.placements
    ]
    unfilled = [
        {
            **_describe(item.shift_id, item.position_id),
            "places": item.places,
            "reason": item.reason,
            "detail": item.detail,
            "narrowing": [{"rule": rule, "left": left} for rule, left in item.narrowing],
        }
        for item in result.unfilled
    ]
    pool = {v.id for v in problem.volunteers if v.teams}
    loads = [
        {**asdict(load), "name": profiles[load.volunteer_id].name}
        for load in result.loads
        if load.volunteer_id in pool
    ]
    fairness = {
        "spread": result.spread,
        "spread_equally_available": result.spread_equally_available,
        "stdev": result.stdev,
        "places_filled": result.places_filled,
        "places_open": result.places_open,
        "places_kept": len(held),
        "preferences_met": result.preferences_met,
        "avoided_given": result.avoided_given,
        "loads": loads,
    }
    previous = _previous(actor, team_ids, starts_at, ends_at)
    diff = _difference(previous, proposals, held)
    plan = RotationPlan(
        organization_id=actor.organization_id,
        status=PlanStatus.DRAFT,
        team_ids=team_ids,
        series_ids=sorted(set(series_ids)),
        event_ids=event_ids,
        period_start=starts_at,
        period_end=ends_at,
        weights=asdict(chosen_weights),
        replan_unconfirmed=replan_unconfirmed,
        proposals=proposals,
        unfilled=unfilled,
        fairness=fairness,
        diff=diff,
        previous_plan_id=previous.id if previous else None,
        solve_seconds=round(seconds, 3),
        created_by_user_id=actor.user_id,
    )
    if previous is not None and previous.status is PlanStatus.DRAFT:
        previous.status = PlanStatus.SUPERSEDED
    db.session.add(plan)
    db.session.flush()
    events.plan_event(events.ROTATION_PLANNED, plan, actor)
    return plan


def _difference(previous: RotationPlan | None, proposals: list[dict], held: list[Assignment]):
    """What changes against the previous plan: places added, taken away, unchanged."""
    if previous is None:
        return {"previous_plan_id": None, "added": proposals, "removed": [], "unchanged": 0}
    now_planned = {_key(item): item for item in proposals}
    kept = {(a.event_id, a.position_id, a.volunteer_id) for a in held}
    before = {_key(item): item for item in previous.proposals}
    added = [item for key, item in now_planned.items() if key not in before]
    removed = [item for key, item in before.items() if key not in now_planned and key not in kept]
    unchanged = sum(1 for key in before if key in now_planned or key in kept)
    return {
        "previous_plan_id": previous.id,
        "added": added,
        "removed": removed,
        "unchanged": unchanged,
    }


# --- publishing ----------------------------------------------------------------------------


def _load_for_publishing(plan: RotationPlan) -> None:
    """Load the plan's events and volunteers once, so each place's checks find them loaded."""
    for start in range(0, len(plan.event_ids), 500):
        list(
            db.session.scalars(
                sa.select(Event)
                .options(selectinload(Event.positions), selectinload(Event.activity_type))
                .where(Event.id.in_(plan.event_ids[start : start + 500]))
            )
        )
    volunteer_ids = sorted({item["volunteer_id"] for item in plan.proposals})
    for start in range(0, len(volunteer_ids), 500):
        list(
            db.session.scalars(
                sa.select(VolunteerProfile)
                .options(
                    selectinload(VolunteerProfile.skills),
                    selectinload(VolunteerProfile.membership).selectinload(Membership.user),
                    selectinload(VolunteerProfile.membership).selectinload(Membership.communities),
                )
                .where(VolunteerProfile.id.in_(volunteer_ids[start : start + 500]))
            )
        )


def publish_plan(actor: Actor, plan_id: int) -> RotationPlan:
    """Create the plan's assignments (source ``rotation``) and their events, all or nothing.

    Each place goes through the same operation and rules as a coordinator's assignment;
    if any no longer fits (someone signed up meanwhile, a limit changed), nothing is
    created and 409 ``plan_stale`` lists them: generate the plan again. A published plan
    published again changes nothing.
    """
    plan = get_plan(actor, plan_id)
    for team_id in plan.team_ids:
        actor.require_manages(get_team(actor, team_id).community_id)
    plan = lock(RotationPlan, plan.id)
    if plan.status is PlanStatus.PUBLISHED:
        return plan
    if plan.status is PlanStatus.SUPERSEDED:
        raise Conflict(
            "A newer plan for these teams replaced this one; publish that one.",
            reason="plan_superseded",
        )
    wanted = {_key(item) for item in plan.proposals}
    if plan.replan_unconfirmed:
        for assignment in db.session.scalars(
            sa.select(Assignment).where(
                Assignment.event_id.in_(plan.event_ids),
                Assignment.source == AssignmentSource.ROTATION,
                Assignment.status == AssignmentStatus.PENDING,
            )
        ):
            key = (assignment.event_id, assignment.position_id, assignment.volunteer_id)
            if key not in wanted:
                cancel(actor, assignment.id, "The rotation was planned again.")
    created: list[int] = []
    problems = []
    _load_for_publishing(plan)
    # Places the plan gives that are held already (planned again after a re-plan).
    held = {
        (position_id, volunteer_id): assignment_id
        for assignment_id, position_id, volunteer_id in db.session.execute(
            sa.select(Assignment.id, Assignment.position_id, Assignment.volunteer_id).where(
                Assignment.event_id.in_(plan.event_ids), Assignment.status.in_(HOLDING)
            )
        )
    }
    for item in plan.proposals:
        existing = held.get((item["position_id"], item["volunteer_id"]))
        if existing is not None:
            created.append(existing)
            continue
        try:
            # ``assign`` checks everything before it writes, so a refusal leaves nothing
            # behind and the loop can go on to list every place that no longer fits.
            assignment = assign(
                actor,
                position_id=item["position_id"],
                volunteer_id=item["volunteer_id"],
                source=AssignmentSource.ROTATION,
            )
            created.append(assignment.id)
        except ProblemError as error:
            problems.append(
                {
                    "event_id": item["event_id"],
                    "position_id": item["position_id"],
                    "volunteer_id": item["volunteer_id"],
                    "reason": error.reason or "invalid",
                    "detail": error.detail,
                }
            )
    if problems:
        raise Conflict(
            f"{len(problems)} places of this plan no longer fit; generate the plan again.",
            reason="plan_stale",
            problems=problems,
        )
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = utcnow()
    plan.published_by_user_id = actor.user_id
    plan.assignment_ids = sorted(created)
    db.session.flush()
    events.plan_event(events.ROTATION_PUBLISHED, plan, actor)
    return plan
