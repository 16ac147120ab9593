"""Use cases of activity types, events and positions."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from service.activities import events
from service.activities.models import ActivityType, Event, EventStatus, Position
from service.assignments.models import ACTIVE, HOLDING, Assignment, AssignmentStatus
from service.communities.operations import get_community
from service.core.auth import Actor
from service.core.db import db, get_in_organization, touch
from service.core.errors import Conflict, Invalid, NotFound, check_version
from service.core.time import utcnow
from service.teams.models import Team
from service.volunteers.operations import skills_by_key

#: The activities of community social work, as every new organization starts with.
DEFAULT_ACTIVITY_TYPES = (
    ("patrol", {"en": "Patrol", "zh": "治安巡逻", "es": "Patrulla"}, 120, 2),
    ("cleanup", {"en": "Clean-up", "zh": "环境清洁", "es": "Limpieza"}, 180, 1),
    ("grocery-run", {"en": "Grocery run", "zh": "代购买菜", "es": "Compra de alimentos"}, 90, 1),
    ("home-visit", {"en": "Home visit", "zh": "入户探访", "es": "Visita a domicilio"}, 60, 1),
    ("haircut", {"en": "Haircut", "zh": "义务理发", "es": "Corte de pelo"}, 60, 1),
    ("training", {"en": "Training", "zh": "志愿者培训", "es": "Formación"}, 120, 1),
    ("publicity", {"en": "Publicity stand", "zh": "宣传摆摊", "es": "Punto informativo"}, 180, 1),
    (
        "supervision",
        {"en": "Supervision visit", "zh": "督导走访", "es": "Visita de supervisión"},
        120,
        1,
    ),
    ("escort", {"en": "Ride or escort", "zh": "陪同出行", "es": "Acompañamiento"}, 120, 1),
    (
        "home-repair",
        {"en": "Small home repair", "zh": "小修小补", "es": "Pequeña reparación"},
        90,
        1,
    ),
)

#: Changes after which calendars must replace their copy (the event's SEQUENCE grows).
CALENDAR_SIGNIFICANT = frozenset({"title", "location", "timezone", "status"})

#: A longer event is almost certainly a typing mistake (a wrong month or year).
MAX_EVENT_DURATION = timedelta(days=14)

_EVENT_LOAD = (
    selectinload(Event.positions),
    selectinload(Event.activity_type),
)


# --- activity types ------------------------------------------------------------------------


def seed_activity_types(organization_id: int) -> None:
    for key, names, minutes, min_people in DEFAULT_ACTIVITY_TYPES:
        db.session.add(
            ActivityType(
                organization_id=organization_id,
                key=key,
                names=names,
                default_duration_minutes=minutes,
                min_people=min_people,
            )
        )
    db.session.flush()


def ensure_activity_type(organization_id: int, key: str) -> ActivityType:
    """The organization's activity type ``key``, created from the defaults if missing."""
    activity_type = db.session.scalar(
        sa.select(ActivityType).where(
            ActivityType.organization_id == organization_id, ActivityType.key == key
        )
    )
    if activity_type is not None:
        return activity_type
    key, names, minutes, min_people = next(t for t in DEFAULT_ACTIVITY_TYPES if t[0] == key)
    activity_type = ActivityType(
        organization_id=organization_id,
        key=key,
        names=names,
        default_duration_minutes=minutes,
        min_people=min_people,
    )
    db.session.add(activity_type)
    db.session.flush()
    return activity_type


def activity_types_query(actor: Actor) -> sa.Select:
    return (
        sa.select(ActivityType)
        .where(ActivityType.organization_id == actor.organization_id)
        .order_by(ActivityType.key)
    )


def get_activity_type(actor: Actor, activity_type_id: int) -> ActivityType:
    return get_in_organization(
        ActivityType, activity_type_id, actor.organization_id, label="activity type"
    )


def create_activity_type(actor: Actor, data: dict) -> ActivityType:
    actor.require_coordinator()
    taken = db.session.scalar(
        sa.select(ActivityType.id).where(
            ActivityType.organization_id == actor.organization_id,
            ActivityType.key == data["key"],
        )
    )
    if taken:
        raise Conflict(f"The activity type {data['key']!r} exists already.", reason="key_taken")
    activity_type = ActivityType(organization_id=actor.organization_id, **data)
    db.session.add(activity_type)
    db.session.flush()
    return activity_type


def update_activity_type(
    actor: Actor, activity_type_id: int, changes: dict, *, expected_version: int | None = None
) -> ActivityType:
    actor.require_coordinator()
    activity_type = get_activity_type(actor, activity_type_id)
    check_version(activity_type.version, expected_version)
    if "key" in changes and changes["key"] != activity_type.key:
        raise Invalid({"key": ["The key of an activity type cannot change."]})
    for field in ("names", "default_duration_minutes", "min_people"):
        if field in changes:
            setattr(activity_type, field, changes[field])
    db.session.flush()
    return activity_type


def delete_activity_type(actor: Actor, activity_type_id: int) -> None:
    actor.require_coordinator()
    activity_type = get_activity_type(actor, activity_type_id)
    used = db.session.scalar(
        sa.select(sa.func.count()).where(Event.activity_type_id == activity_type.id)
    )
    if used:
        raise Conflict(f"{used} events are of this type.", reason="activity_type_in_use")
    db.session.delete(activity_type)
    db.session.flush()


# --- events --------------------------------------------------------------------------------


def visible_statuses(actor: Actor) -> tuple[EventStatus, ...]:
    if actor.is_coordinator:
        return tuple(EventStatus)
    return (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def events_query(
    actor: Actor,
    *,
    starts_before: datetime | None = None,
    ends_after: datetime | None = None,
    community_id: int | None = None,
    team_id: int | None = None,
    activity_type_id: int | None = None,
    status: EventStatus | None = None,
    only_open: bool = False,
) -> sa.Select:
    """Events the caller may see, in start order, filtered as asked."""
    statement = (
        sa.select(Event)
        .options(*_EVENT_LOAD)
        .where(
            Event.organization_id == actor.organization_id,
            Event.status.in_(visible_statuses(actor)),
        )
        .order_by(Event.starts_at, Event.id)
    )
    if not actor.is_coordinator and actor.community_ids is not None:
        statement = statement.where(Event.community_id.in_(actor.community_ids))
    if ends_after is not None:
        statement = statement.where(Event.ends_at > ends_after)
    if starts_before is not None:
        statement = statement.where(Event.starts_at < starts_before)
    if community_id is not None:
        statement = statement.where(Event.community_id == community_id)
    if team_id is not None:
        statement = statement.where(Event.team_id == team_id)
    if activity_type_id is not None:
        statement = statement.where(Event.activity_type_id == activity_type_id)
    if status is not None:
        statement = statement.where(Event.status == status)
    if only_open:
        statement = statement.where(
            Event.status == EventStatus.PUBLISHED,
            Event.signups_open.is_(True),
            sa.exists().where(Position.event_id == Event.id, Position.filled < Position.max_people),
        )
    return statement


def get_event(actor: Actor, event_id: int) -> Event:
    event = get_in_organization(Event, event_id, actor.organization_id, options=_EVENT_LOAD)
    if not actor.is_coordinator and (
        event.status not in visible_statuses(actor) or not actor.in_community(event.community_id)
    ):
        raise NotFound("No such event.")
    return event


def get_event_for_update(actor: Actor, event_id: int) -> Event:
    event = get_event(actor, event_id)
    actor.require_manages(event.community_id)
    return event


def _team_in_community(actor: Actor, team_id: int | None, community_id: int) -> None:
    if team_id is None:
        return
    team = db.session.scalar(
        sa.select(Team).where(Team.id == team_id, Team.organization_id == actor.organization_id)
    )
    if team is None:
        raise Invalid({"team_id": [f"No team {team_id} in this organization."]})
    if team.community_id != community_id:
        raise Invalid({"team_id": ["The team works in another community."]})


def _activity_type_for(actor: Actor, activity_type_id: int) -> ActivityType:
    activity_type = db.session.scalar(
        sa.select(ActivityType).where(
            ActivityType.id == activity_type_id,
            ActivityType.organization_id == actor.organization_id,
        )
    )
    if activity_type is None:
        raise Invalid({"activity_type_id": [f"No activity type {activity_type_id}."]})
    return activity_type


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid({"ends_at": ["The event must end after it starts."]})
    if ends_at - starts_at > MAX_EVENT_DURATION:
        raise Invalid({"ends_at": ["An event lasts at most 14 days; check the dates."]})


def _new_position(actor: Actor, data: dict) -> Position:
    skill_key = data.get("required_skill_key")
    skill = (
        skills_by_key(actor.organization_id, [skill_key], field="required_skill")[0]
        if skill_key
        else None
    )
    return Position(
        name=data["name"],
        required_skill=skill,
        min_people=data.get("min_people", 1),
        max_people=data.get("max_people", 1),
    )


def create_event(actor: Actor, data: dict) -> Event:
    """Plan an event with its positions; by default one position for the type's head-count."""
    community = get_community(actor, data["community_id"])
    actor.require_manages(community.id)
    activity_type = _activity_type_for(actor, data["activity_type_id"])
    _team_in_community(actor, data.get("team_id"), community.id)
    starts_at = data["starts_at"]
    ends_at = data.get("ends_at") or starts_at + timedelta(
        minutes=activity_type.default_duration_minutes
    )
    _check_times(starts_at, ends_at)
    positions_data = data.get("positions") or [
        {
            "name": activity_type.name_in(community.locale),
            "min_people": activity_type.min_people,
            "max_people": activity_type.min_people,
        }
    ]
    event = Event(
        organization_id=actor.organization_id,
        community_id=community.id,
        team_id=data.get("team_id"),
        activity_type_id=activity_type.id,
        title=data.get("title") or activity_type.name_in(community.locale),
        description=data.get("description", ""),
        location=data.get("location", ""),
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=data.get("timezone") or community.timezone,
        status=EventStatus(data.get("status", EventStatus.DRAFT)),
        signups_open=data.get("signups_open", True),
        created_by_user_id=actor.user_id,
        positions=[_new_position(actor, position) for position in positions_data],
    )
    db.session.add(event)
    db.session.flush()
    events.event_event(events.EVENT_CREATED, event, actor)
    return event


def _holding_assignment_ids(event_id: int, statuses: tuple = HOLDING) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Assignment.id).where(
                Assignment.event_id == event_id, Assignment.status.in_(statuses)
            )
        )
    )


def update_event(
    actor: Actor,
    event_id: int,
    changes: dict,
    *,
    expected_version: int | None = None,
    detach: bool = True,
) -> Event:
    """Edit an event. A new time is a reschedule: the people assigned hear of it.

    An occurrence of a series edited on its own is ``detached`` from it; the series
    passes ``detach=False`` when it changes its own occurrences.
    """
    event = get_event_for_update(actor, event_id)
    check_version(event.version, expected_version)
    if event.status is EventStatus.CANCELLED:
        raise Conflict("The event is cancelled; it cannot change.", reason="event_cancelled")
    if "activity_type_id" in changes:
        _activity_type_for(actor, changes["activity_type_id"])
    if "team_id" in changes:
        _team_in_community(actor, changes["team_id"], event.community_id)
    previous_starts_at, previous_ends_at = event.starts_at, event.ends_at
    starts_at = changes.get("starts_at", event.starts_at)
    ends_at = changes.get("ends_at")
    if ends_at is None:
        ends_at = starts_at + (event.ends_at - event.starts_at)
    _check_times(starts_at, ends_at)
    unpublishing = (
        changes.get("status") is EventStatus.DRAFT and event.status is EventStatus.PUBLISHED
    )
    if unpublishing and _holding_assignment_ids(event.id, ACTIVE):
        raise Conflict(
            "People are assigned to this event; cancel it instead of unpublishing.",
            reason="event_has_assignments",
        )
    changed = [
        field
        for field in (
            "team_id",
            "activity_type_id",
            "title",
            "description",
            "location",
            "timezone",
            "status",
            "signups_open",
        )
        if field in changes and getattr(event, field) != changes[field]
    ]
    for field in changed:
        setattr(event, field, changes[field])
    rescheduled = (starts_at, ends_at) != (event.starts_at, event.ends_at)
    event.starts_at, event.ends_at = starts_at, ends_at
    if detach and event.series_id is not None and (changed or rescheduled):
        event.detached = True
    if rescheduled or set(changed) & CALENDAR_SIGNIFICANT:
        event.sequence += 1
    db.session.flush()
    if rescheduled:
        _flag_rescheduled(event.id)
        events.event_event(
            events.EVENT_RESCHEDULED,
            event,
            actor,
            changed=[*changed, "starts_at", "ends_at"],
            previous_starts_at=previous_starts_at,
            previous_ends_at=previous_ends_at,
            assignment_ids=_holding_assignment_ids(event.id, ACTIVE),
        )
    elif "status" in changed and event.status is EventStatus.PUBLISHED:
        events.event_event(events.EVENT_PUBLISHED, event, actor, changed=changed)
    elif changed:
        events.event_event(
            events.EVENT_UPDATED,
            event,
            actor,
            changed=changed,
            assignment_ids=_holding_assignment_ids(event.id, ACTIVE),
        )
    return event


def _flag_rescheduled(event_id: int) -> None:
    """Mark the places held in a moved event, so the volunteers check the new time."""
    db.session.execute(
        sa.update(Assignment)
        .where(Assignment.event_id == event_id, Assignment.status.in_(ACTIVE))
        .values(rescheduled_at=utcnow(), version=Assignment.version + 1)
    )


def cancel_event(actor: Actor, event_id: int, reason: str = "") -> Event:
    """Cancel an event and every assignment in it; cancelling twice changes nothing."""
    event = get_event_for_update(actor, event_id)
    if event.status is EventStatus.CANCELLED:
        return event
    affected = list(
        db.session.scalars(
            sa.select(Assignment).where(
                Assignment.event_id == event.id, Assignment.status.in_(ACTIVE)
            )
        )
    )
    now = utcnow()
    for assignment in affected:
        assignment.status = AssignmentStatus.CANCELLED
        assignment.waitlist_rank = None
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    event.cancel_reason = reason or None
    event.cancelled_at = now
    db.session.flush()
    events.event_event(
        events.EVENT_CANCELLED,
        event,
        actor,
        assignment_ids=[assignment.id for assignment in affected],
    )
    _refresh_counts(event)
    return event


def delete_event(actor: Actor, event_id: int) -> None:
    """Delete a draft nobody was ever assigned to; anything else is cancelled instead."""
    event = get_event_for_update(actor, event_id)
    ever_assigned = db.session.scalar(
        sa.select(sa.func.count()).where(Assignment.event_id == event.id)
    )
    if event.status is not EventStatus.DRAFT or ever_assigned:
        raise Conflict(
            "Only a draft with no assignments can be deleted; cancel the event instead.",
            reason="event_not_deletable",
        )
    events.event_event(events.EVENT_DELETED, event, actor)
    db.session.delete(event)
    db.session.flush()


def _refresh_counts(event: Event) -> None:
    for position in event.positions:
        db.session.expire(position, ["filled", "waitlisted"])


# --- positions -----------------------------------------------------------------------------


def get_position(actor: Actor, event_id: int, position_id: int) -> Position:
    event = get_event(actor, event_id)
    position = next((p for p in event.positions if p.id == position_id), None)
    if position is None:
        raise NotFound("No such position in this event.")
    return position


def _position_changed(actor: Actor, event: Event, changed: list[str]) -> None:
    touch(event)
    events.event_event(
        events.EVENT_UPDATED,
        event,
        actor,
        changed=changed,
        assignment_ids=_holding_assignment_ids(event.id, ACTIVE),
    )


def add_position(actor: Actor, event_id: int, data: dict) -> Position:
    event = get_event_for_update(actor, event_id)
    if event.status is EventStatus.CANCELLED:
        raise Conflict("The event is cancelled.", reason="event_cancelled")
    position = _new_position(actor, data)
    event.positions.append(position)
    db.session.flush()
    _position_changed(actor, event, ["positions"])
    return position


def update_position(actor: Actor, event_id: int, position_id: int, changes: dict) -> Position:
    """Edit a position; more places promote people from its waitlist at once."""
    from service.assignments.operations import fill_from_waitlist

    event = get_event_for_update(actor, event_id)
    position = get_position(actor, event_id, position_id)
    if event.status is EventStatus.CANCELLED:
        raise Conflict("The event is cancelled.", reason="event_cancelled")
    max_people = changes.get("max_people", position.max_people)
    min_people = changes.get("min_people", position.min_people)
    if max_people < min_people:
        raise Invalid({"max_people": ["Must be at least min_people."]})
    if max_people < position.filled:
        raise Conflict(
            f"{position.filled} people hold places; free places before lowering the maximum.",
            reason="position_has_holders",
        )
    if "required_skill_key" in changes:
        key = changes["required_skill_key"]
        position.required_skill = (
            skills_by_key(actor.organization_id, [key], field="required_skill")[0] if key else None
        )
    for field in ("name", "min_people", "max_people"):
        if field in changes:
            setattr(position, field, changes[field])
    db.session.flush()
    fill_from_waitlist(actor, position)
    _position_changed(actor, event, ["positions"])
    db.session.expire(position, ["filled", "waitlisted"])
    return position


def delete_position(actor: Actor, event_id: int, position_id: int) -> None:
    event = get_event_for_update(actor, event_id)
    position = get_position(actor, event_id, position_id)
    if position.filled or position.waitlisted:
        raise Conflict(
            "People hold or wait for places in this position; cancel them first.",
            reason="position_has_holders",
        )
    if len(event.positions) == 1:
        raise Conflict("An event needs at least one position.", reason="last_position")
    event.positions.remove(position)
    db.session.flush()
    _position_changed(actor, event, ["positions"])
