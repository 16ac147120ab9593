"""Use cases of assignments: sign-up, coordinator assignment, accept, decline, cancel, waitlist.

Places are counted under a lock on the position row, so concurrent sign-ups can
never put more holders in a position than it has places; the volunteer's row is
locked next, so one person cannot be booked twice at the same time either.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from service.activities.models import Event, EventStatus, Position
from service.activities.operations import get_event
from service.assignments import events, rules
from service.assignments.models import (
    ACTIVE,
    HOLDING,
    Assignment,
    AssignmentSource,
    AssignmentStatus,
)
from service.core.auth import Actor
from service.core.db import db, get_in_organization, lock
from service.core.errors import Conflict, Forbidden, Invalid, NotFound
from service.core.time import utcnow
from service.volunteers.models import VolunteerProfile

NOT_IN_COMMUNITY = "not_in_community"
VOLUNTEER_INACTIVE = "volunteer_inactive"
#: Checks a coordinator may override with an explicit, recorded flag.
OVERRIDABLE = {
    rules.MISSING_SKILL,
    rules.OVERLAPS_ASSIGNMENT,
    rules.LIMIT_EXCEEDED,
    NOT_IN_COMMUNITY,
    VOLUNTEER_INACTIVE,
}
#: Commitments further than this from the new assignment cannot affect its limits.
LIMIT_HORIZON = timedelta(days=32)

_ASSIGNMENT_LOAD = (
    selectinload(Assignment.event).selectinload(Event.activity_type),
    selectinload(Assignment.position),
    selectinload(Assignment.volunteer).selectinload(VolunteerProfile.membership),
)


# --- reading -------------------------------------------------------------------------------


def assignments_query(
    actor: Actor,
    *,
    volunteer_id: int | None = None,
    event_id: int | None = None,
    position_id: int | None = None,
    community_id: int | None = None,
    statuses: Iterable[AssignmentStatus] = (),
    source: AssignmentSource | None = None,
    starts_before: datetime | None = None,
    ends_after: datetime | None = None,
) -> sa.Select:
    """Assignments in event order; volunteers see only their own."""
    if not actor.is_coordinator:
        if volunteer_id is not None and volunteer_id != actor.volunteer_id:
            raise Forbidden("You may list only your own assignments.")
        volunteer_id = actor.volunteer_id
    statement = (
        sa.select(Assignment)
        .join(Assignment.event)
        .options(*_ASSIGNMENT_LOAD)
        .where(Assignment.organization_id == actor.organization_id)
        .order_by(Event.starts_at, Assignment.id)
    )
    filters = {
        Assignment.volunteer_id: volunteer_id,
        Assignment.event_id: event_id,
        Assignment.position_id: position_id,
        Event.community_id: community_id,
        Assignment.source: source,
    }
    if not actor.is_coordinator and volunteer_id is None:
        return statement.where(sa.false())  # no volunteer profile: no assignments
    for column, value in filters.items():
        if value is not None:
            statement = statement.where(column == value)
    statuses = list(statuses)
    if statuses:
        statement = statement.where(Assignment.status.in_(statuses))
    if ends_after is not None:
        statement = statement.where(Event.ends_at > ends_after)
    if starts_before is not None:
        statement = statement.where(Event.starts_at < starts_before)
    return statement


def my_assignments_query(
    actor: Actor, *, starts_before: datetime | None = None, ends_after: datetime | None = None
) -> sa.Select:
    if actor.volunteer_id is None:  # no profile, so no assignments: an empty list
        return assignments_query(actor).where(sa.false())
    return assignments_query(
        actor, volunteer_id=actor.volunteer_id, starts_before=starts_before, ends_after=ends_after
    )


def get_assignment(actor: Actor, assignment_id: int) -> Assignment:
    assignment = get_in_organization(
        Assignment, assignment_id, actor.organization_id, options=_ASSIGNMENT_LOAD
    )
    if assignment.volunteer_id != actor.volunteer_id and not actor.is_coordinator:
        raise NotFound("No such assignment.")
    return assignment


# --- the rules -----------------------------------------------------------------------------


def commitments_of(
    volunteer_id: int, starts_at: datetime, ends_at: datetime, *, excluding: int | None = None
) -> list[rules.Slot]:
    """The volunteer's places held near the time from ``starts_at`` to ``ends_at``."""
    statement = (
        sa.select(Event.starts_at, Event.ends_at, Event.timezone, Event.id)
        .join(Assignment, Assignment.event_id == Event.id)
        .where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.status.in_(HOLDING),
            Event.status != EventStatus.CANCELLED,
            Event.starts_at < ends_at + LIMIT_HORIZON,
            Event.ends_at > starts_at - LIMIT_HORIZON,
        )
    )
    if excluding is not None:
        statement = statement.where(Assignment.id != excluding)
    return [rules.Slot(*row) for row in db.session.execute(statement)]


def check_fit(
    volunteer: VolunteerProfile, event: Event, position: Position, *, excluding: int | None = None
) -> list[rules.Violation]:
    """Every rule that giving ``volunteer`` a place in ``position`` would break."""
    found: list[rules.Violation] = []
    if not volunteer.active:
        found.append(rules.Violation(VOLUNTEER_INACTIVE, f"{volunteer.name} is not active."))
    communities = volunteer.community_ids
    if communities is not None and event.community_id not in communities:
        found.append(
            rules.Violation(
                NOT_IN_COMMUNITY, f"{volunteer.name} does not volunteer in this community."
            )
        )
    found += rules.violations(
        rules.Slot(event.starts_at, event.ends_at, event.timezone, event.id),
        commitments_of(volunteer.id, event.starts_at, event.ends_at, excluding=excluding),
        rules.Limits(
            volunteer.max_assignments_per_week,
            volunteer.max_hours_per_month,
            volunteer.min_rest_hours,
        ),
        skills=volunteer.skill_keys,
        required_skill=position.required_skill_key,
    )
    return found


def _refuse(found: list[rules.Violation]) -> None:
    first = found[0]
    raise Conflict(
        first.detail,
        reason=first.reason,
        violations=[v.as_dict() for v in found],
        **({"limit": first.limit} if first.limit else {}),
    )


def _require_open(event: Event) -> None:
    if event.status is EventStatus.CANCELLED:
        raise Conflict("The event is cancelled.", reason="event_cancelled")
    if event.status is not EventStatus.PUBLISHED:
        raise Conflict("The event is not published yet.", reason="event_not_published")
    if event.starts_at <= utcnow():
        raise Conflict("The event has already started.", reason="event_started")
    if not event.signups_open:
        raise Conflict("Places in this event are given by a coordinator.", reason="signups_closed")


def _locked_position(event: Event, position_id: int) -> Position:
    if all(position.id != position_id for position in event.positions):
        raise NotFound("No such position in this event.")
    return lock(Position, position_id)


def _holders(position_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Assignment.position_id == position_id, Assignment.status.in_(HOLDING)
        )
    )


def _next_rank(position_id: int) -> int:
    highest = db.session.scalar(
        sa.select(sa.func.max(Assignment.waitlist_rank)).where(
            Assignment.position_id == position_id,
            Assignment.status == AssignmentStatus.WAITLISTED,
        )
    )
    return (highest or 0) + 1


def _refuse_duplicate(position_id: int, volunteer_id: int) -> None:
    existing = db.session.scalar(
        sa.select(Assignment).where(
            Assignment.position_id == position_id,
            Assignment.volunteer_id == volunteer_id,
            Assignment.status.in_(ACTIVE),
        )
    )
    if existing is not None:
        raise Conflict(
            f"Already {existing.status.value} in this position.",
            reason="already_assigned",
            assignment_id=existing.id,
        )


# --- creating ------------------------------------------------------------------------------


def sign_up(actor: Actor, event_id: int, position_id: int) -> Assignment:
    """A volunteer takes a place; a full position puts them on its waitlist."""
    event = get_event(actor, event_id)
    if actor.volunteer_id is None:
        raise Forbidden("Only volunteers sign up; you have no volunteer profile here.")
    _require_open(event)
    position = _locked_position(event, position_id)
    volunteer = lock(VolunteerProfile, actor.volunteer_id)
    _refuse_duplicate(position.id, volunteer.id)
    found = check_fit(volunteer, event, position)
    if found:
        _refuse(found)
    assignment = Assignment(
        organization_id=actor.organization_id,
        event_id=event.id,
        position_id=position.id,
        volunteer_id=volunteer.id,
        source=AssignmentSource.SELF,
        created_by_user_id=actor.user_id,
    )
    if _holders(position.id) < position.max_people:
        assignment.status = AssignmentStatus.CONFIRMED
        assignment.responded_at = utcnow()
    else:
        assignment.status = AssignmentStatus.WAITLISTED
        assignment.waitlist_rank = _next_rank(position.id)
    db.session.add(assignment)
    db.session.flush()
    events.assignment_event(events.ASSIGNMENT_CREATED, assignment, actor)
    if assignment.status is AssignmentStatus.CONFIRMED:
        events.assignment_event(events.ASSIGNMENT_CONFIRMED, assignment, actor)
    return assignment


def assign(
    actor: Actor,
    *,
    position_id: int,
    volunteer_id: int,
    confirmed: bool = False,
    override: bool = False,
    override_reason: str | None = None,
    source: AssignmentSource = AssignmentSource.COORDINATOR,
) -> Assignment:
    """A coordinator gives a volunteer a place; the volunteer then accepts or declines.

    The same rules as for a sign-up apply; a coordinator may override the skill,
    overlap, limit and community checks with ``override`` and a reason, which are
    recorded on the assignment. A full position is never overfilled.
    """
    position_row = db.session.scalar(
        sa.select(Position)
        .join(Position.event)
        .where(Position.id == position_id, Event.organization_id == actor.organization_id)
    )
    if position_row is None:
        raise NotFound("No such position.")
    event = get_event(actor, position_row.event_id)
    actor.require_manages(event.community_id)
    if override and not (override_reason or "").strip():
        raise Invalid({"override_reason": ["Say why the checks are overridden."]})
    if event.status is EventStatus.CANCELLED:
        raise Conflict("The event is cancelled.", reason="event_cancelled")
    if event.ends_at <= utcnow():
        raise Conflict("The event is over.", reason="event_over")
    position = _locked_position(event, position_id)
    volunteer = db.session.scalar(
        sa.select(VolunteerProfile)
        .where(
            VolunteerProfile.id == volunteer_id,
            VolunteerProfile.organization_id == actor.organization_id,
        )
        .with_for_update(of=VolunteerProfile)
    )
    if volunteer is None or volunteer.membership.removed_at is not None:
        raise Invalid({"volunteer_id": [f"No volunteer {volunteer_id} in this organization."]})
    _refuse_duplicate(position.id, volunteer.id)
    found = check_fit(volunteer, event, position)
    blocking = [v for v in found if not (override and v.reason in OVERRIDABLE)]
    if blocking:
        _refuse(blocking)
    if _holders(position.id) >= position.max_people:
        raise Conflict(
            "Every place in this position is taken; add places or free one first.",
            reason="position_full",
        )
    now = utcnow()
    assignment = Assignment(
        organization_id=actor.organization_id,
        event_id=event.id,
        position_id=position.id,
        volunteer_id=volunteer.id,
        source=source,
        status=AssignmentStatus.CONFIRMED if confirmed else AssignmentStatus.PENDING,
        responded_at=now if confirmed else None,
        created_by_user_id=actor.user_id,
        overridden_checks=sorted({v.reason for v in found}) if found else None,
        override_reason=override_reason.strip() if found and override_reason else None,
    )
    db.session.add(assignment)
    db.session.flush()
    events.assignment_event(events.ASSIGNMENT_CREATED, assignment, actor)
    if confirmed:
        events.assignment_event(events.ASSIGNMENT_CONFIRMED, assignment, actor)
    return assignment


# --- responding ----------------------------------------------------------------------------


def _for_change(actor: Actor, assignment_id: int) -> Assignment:
    """The assignment, with its position locked, if the caller may act on it."""
    assignment = get_assignment(actor, assignment_id)
    own = assignment.volunteer_id == actor.volunteer_id
    if not own and not actor.manages(assignment.event.community_id):
        raise Forbidden("Only the volunteer or a coordinator of the community may do this.")
    lock(Position, assignment.position_id)
    return lock(Assignment, assignment.id)


def accept(actor: Actor, assignment_id: int) -> Assignment:
    """The volunteer says yes to a place offered to them; accepting twice changes nothing."""
    assignment = _for_change(actor, assignment_id)
    if assignment.status is AssignmentStatus.CONFIRMED:
        return assignment
    if assignment.status is not AssignmentStatus.PENDING:
        raise Conflict(
            f"A {assignment.status.value} assignment cannot be accepted.", reason="invalid_state"
        )
    if assignment.event.status is EventStatus.CANCELLED:
        raise Conflict("The event is cancelled.", reason="event_cancelled")
    assignment.status = AssignmentStatus.CONFIRMED
    assignment.responded_at = utcnow()
    db.session.flush()
    events.assignment_event(
        events.ASSIGNMENT_CONFIRMED,
        assignment,
        actor,
        previous_status=AssignmentStatus.PENDING.value,
    )
    return assignment


def decline(actor: Actor, assignment_id: int, reason: str = "") -> Assignment:
    """The volunteer says no to a place offered to them; the place goes to the waitlist."""
    assignment = _for_change(actor, assignment_id)
    if assignment.status is AssignmentStatus.DECLINED:
        return assignment
    if assignment.status is not AssignmentStatus.PENDING:
        raise Conflict(
            f"Only a pending assignment can be declined; cancel a {assignment.status.value} one.",
            reason="invalid_state",
        )
    return _release(
        actor, assignment, AssignmentStatus.DECLINED, events.ASSIGNMENT_DECLINED, reason
    )


def cancel(actor: Actor, assignment_id: int, reason: str = "") -> Assignment:
    """Give up a place (or a waitlist spot); the first fitting person on the waitlist moves up."""
    assignment = _for_change(actor, assignment_id)
    if assignment.status in (AssignmentStatus.CANCELLED, AssignmentStatus.DECLINED):
        return assignment
    return _release(
        actor, assignment, AssignmentStatus.CANCELLED, events.ASSIGNMENT_CANCELLED, reason
    )


def _release(
    actor: Actor, assignment: Assignment, status: AssignmentStatus, topic: str, reason: str
) -> Assignment:
    previous = assignment.status
    assignment.status = status
    assignment.waitlist_rank = None
    assignment.responded_at = utcnow()
    db.session.flush()
    events.assignment_event(
        topic, assignment, actor, previous_status=previous.value, reason=reason or None
    )
    if previous in HOLDING:
        fill_from_waitlist(actor, assignment.position)
    return assignment


def fill_from_waitlist(actor: Actor, position: Position) -> list[Assignment]:
    """Promote waitlisted people, in rank order, into the free places they still fit.

    Self sign-ups become confirmed (they asked for the place); anyone else becomes
    pending and is asked again. Someone who no longer fits (a new overlap, a limit)
    keeps their rank and is passed over.
    """
    event = position.event
    if event.status is not EventStatus.PUBLISHED or event.starts_at <= utcnow():
        return []
    position = lock(Position, position.id)
    free = position.max_people - _holders(position.id)
    promoted: list[Assignment] = []
    if free <= 0:
        return promoted
    waiting = db.session.scalars(
        sa.select(Assignment)
        .where(
            Assignment.position_id == position.id,
            Assignment.status == AssignmentStatus.WAITLISTED,
        )
        .order_by(Assignment.waitlist_rank)
    )
    for candidate in waiting:
        if len(promoted) == free:
            break
        volunteer = lock(VolunteerProfile, candidate.volunteer_id)
        if check_fit(volunteer, event, position, excluding=candidate.id):
            continue
        self_signed = candidate.source is AssignmentSource.SELF
        candidate.status = AssignmentStatus.CONFIRMED if self_signed else AssignmentStatus.PENDING
        candidate.waitlist_rank = None
        candidate.responded_at = utcnow()
        db.session.flush()
        events.assignment_event(
            events.WAITLIST_PROMOTED,
            candidate,
            actor,
            previous_status=AssignmentStatus.WAITLISTED.value,
        )
        if self_signed:
            events.assignment_event(
                events.ASSIGNMENT_CONFIRMED,
                candidate,
                actor,
                previous_status=AssignmentStatus.WAITLISTED.value,
            )
        promoted.append(candidate)
    return promoted


def withdraw_volunteer(actor: Actor, volunteer_id: int) -> list[Assignment]:
    """Cancel a volunteer's places in events still to come (they left the organization)."""
    upcoming = db.session.scalars(
        sa.select(Assignment.id)
        .join(Assignment.event)
        .where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.status.in_(ACTIVE),
            Event.starts_at > utcnow(),
        )
    ).all()
    return [cancel(actor, assignment_id, "The volunteer left.") for assignment_id in upcoming]
