"""Use cases of swaps and cover: offer a place, find who may take it, take it atomically.

The first eligible volunteer to accept wins: the offer row is locked (``FOR UPDATE`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) before its status is read, so of two people
accepting at the same moment one takes the place and the other hears it is gone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from service.accounts.models import Membership
from service.activities.models import Event, EventStatus, Position
from service.assignments import events as assignment_events
from service.assignments.models import HOLDING, Assignment, AssignmentStatus
from service.assignments.operations import check_fit, get_assignment
from service.core.auth import Actor
from service.core.db import db, get_in_organization, lock
from service.core.errors import Conflict, Forbidden, Invalid, NotFound
from service.core.time import utcnow
from service.rotations.models import TeamRotationSettings
from service.rotations.solver import Window, within_availability
from service.swaps import events
from service.swaps.models import LIVE, OfferKind, OfferStatus, SwapOffer
from service.teams.models import TeamMember
from service.volunteers.models import VolunteerProfile
from service.volunteers.operations import availability_of

#: Most candidates recorded and notified for one offer.
MAX_CANDIDATES = 50


# --- who may take a place --------------------------------------------------------------------


def _pool(event: Event) -> list[VolunteerProfile]:
    """The event's team, or for an event of no team the active volunteers of its community."""
    statement = (
        sa.select(VolunteerProfile)
        .join(Membership, Membership.id == VolunteerProfile.membership_id)
        .options(
            selectinload(VolunteerProfile.skills),
            selectinload(VolunteerProfile.membership).selectinload(Membership.communities),
            selectinload(VolunteerProfile.membership).selectinload(Membership.user),
        )
        .where(
            VolunteerProfile.organization_id == event.organization_id,
            VolunteerProfile.active.is_(True),
            Membership.removed_at.is_(None),
        )
        .order_by(VolunteerProfile.id)
    )
    if event.team_id is not None:
        statement = statement.join(
            TeamMember, TeamMember.volunteer_id == VolunteerProfile.id
        ).where(TeamMember.team_id == event.team_id)
    return list(db.session.scalars(statement))


def _crew(event_id: int, leaving: set[int]) -> list[int]:
    return [
        volunteer_id
        for volunteer_id in db.session.scalars(
            sa.select(Assignment.volunteer_id).where(
                Assignment.event_id == event_id, Assignment.status.in_(HOLDING)
            )
        )
        if volunteer_id not in leaving
    ]


def eligible_for(
    event: Event,
    position: Position,
    *,
    leaving: set[int],
    excluding_assignment: dict[int, int] | None = None,
    only: set[int] | None = None,
) -> list[int]:
    """Volunteers who may take a place in ``position`` now, fairest first.

    Eligible: skill, community, no overlap, rest and load limits (the assignment rules),
    inside their availability and outside their blackouts, never "not together" with
    someone staying in the event, and never leaving trainees only. Fairest first: fewest
    places held in the event's month, then fewest hours, then id.
    """
    crew = _crew(event.id, leaving)
    pool = [
        v
        for v in _pool(event)
        if v.id not in crew and v.id not in leaving and (only is None or v.id in only)
    ]
    availability = availability_of([v.id for v in pool] + crew)
    crew_trainees = all(availability[v].trainee for v in crew)
    enemies = set()
    for member in crew:
        enemies |= availability[member].not_together
    found = []
    for volunteer in pool:
        mine = availability[volunteer.id]
        if volunteer.id in enemies or set(crew) & mine.not_together:
            continue
        if mine.trainee and crew_trainees:
            continue
        if not within_availability(
            [Window(*w) for w in mine.windows],
            [(start, end) for start, end, _ in mine.blackouts],
            event.starts_at,
            event.ends_at,
            event.timezone,
        ):
            continue
        excluding = (excluding_assignment or {}).get(volunteer.id)
        if check_fit(volunteer, event, position, excluding=excluding):
            continue
        found.append(volunteer.id)
    return _fairest_first(found, event)


def _fairest_first(volunteer_ids: list[int], event: Event) -> list[int]:
    if not volunteer_ids:
        return []
    local = event.starts_at.astimezone(ZoneInfo(event.timezone))
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_end = (month_start + timedelta(days=32)).replace(day=1)
    load: dict[int, list[float]] = defaultdict(lambda: [0, 0.0])
    for volunteer_id, starts_at, ends_at in db.session.execute(
        sa.select(Assignment.volunteer_id, Event.starts_at, Event.ends_at)
        .join(Event, Event.id == Assignment.event_id)
        .where(
            Assignment.volunteer_id.in_(volunteer_ids),
            Assignment.status.in_(HOLDING),
            Event.status != EventStatus.CANCELLED,
            Event.starts_at >= month_start,
            Event.starts_at < month_end,
        )
    ):
        load[volunteer_id][0] += 1
        load[volunteer_id][1] += (ends_at - starts_at).total_seconds() / 3600
    return sorted(volunteer_ids, key=lambda v: (load[v][0], load[v][1], v))[:MAX_CANDIDATES]


# --- reading -------------------------------------------------------------------------------


def offers_query(actor: Actor, *, status: OfferStatus | None = None) -> sa.Select:
    """Coordinators see every offer; volunteers their own and those they may take."""
    statement = (
        sa.select(SwapOffer)
        .where(SwapOffer.organization_id == actor.organization_id)
        .order_by(SwapOffer.id.desc())
    )
    if status is not None:
        statement = statement.where(SwapOffer.status == status)
    if not actor.is_coordinator:
        me = actor.volunteer_id if actor.volunteer_id is not None else -1
        statement = statement.where(
            sa.or_(
                SwapOffer.offered_by_volunteer_id == me,
                SwapOffer.taken_by_volunteer_id == me,
                _is_candidate(me),
            )
        )
    return statement


def _is_candidate(volunteer_id: int) -> sa.ColumnElement[bool]:
    # Candidate ids are numbers in a JSON array (json_array_contains compares text).
    if db.engine.dialect.name == "postgresql":
        return SwapOffer.candidate_ids.op("@>")(sa.func.jsonb_build_array(volunteer_id))
    elements = sa.func.json_each(SwapOffer.candidate_ids).table_valued("value")
    return sa.exists(sa.select(1).select_from(elements).where(elements.c.value == volunteer_id))


def get_offer(actor: Actor, offer_id: int) -> SwapOffer:
    offer = get_in_organization(SwapOffer, offer_id, actor.organization_id, label="offer")
    visible = actor.is_coordinator or actor.volunteer_id in (
        offer.offered_by_volunteer_id,
        offer.taken_by_volunteer_id,
        *offer.candidate_ids,
    )
    if not visible:
        raise NotFound("No such offer.")
    return offer


# --- offering ------------------------------------------------------------------------------


def _require_future(event: Event) -> None:
    if event.status is EventStatus.CANCELLED:
        raise Conflict("The event is cancelled.", reason="event_cancelled")
    if event.starts_at <= utcnow():
        raise Conflict("The event has already started.", reason="event_started")


def offer_place(actor: Actor, assignment_id: int, kind: OfferKind, message: str = "") -> SwapOffer:
    """Offer one's place for cover or swap; the eligible volunteers are asked, fairest first."""
    assignment = get_assignment(actor, assignment_id)
    own = assignment.volunteer_id == actor.volunteer_id
    if not own and not actor.manages(assignment.event.community_id):
        raise Forbidden("Only the volunteer or a coordinator of the community may offer it.")
    assignment = lock(Assignment, assignment.id)
    if assignment.status not in HOLDING:
        raise Conflict(
            f"A {assignment.status.value} assignment holds no place to offer.",
            reason="invalid_state",
        )
    _require_future(assignment.event)
    live = db.session.scalar(
        sa.select(SwapOffer).where(
            SwapOffer.assignment_id == assignment.id, SwapOffer.status.in_(LIVE)
        )
    )
    if live is not None:
        raise Conflict(
            "This place is on offer already.", reason="already_offered", offer_id=live.id
        )
    return _open_offer(actor, assignment, kind, message)


def _open_offer(actor: Actor, assignment: Assignment, kind: OfferKind, message: str) -> SwapOffer:
    event = assignment.event
    candidates = eligible_for(event, assignment.position, leaving={assignment.volunteer_id})
    offer = SwapOffer(
        organization_id=assignment.organization_id,
        kind=kind,
        status=OfferStatus.OPEN,
        assignment_id=assignment.id,
        event_id=assignment.event_id,
        position_id=assignment.position_id,
        offered_by_volunteer_id=assignment.volunteer_id,
        message=message,
        candidate_ids=candidates,
        created_by_user_id=actor.user_id,
    )
    db.session.add(offer)
    db.session.flush()
    events.offer_event(events.SWAP_OFFERED, offer, actor)
    return offer


def offer_released_place(actor: Actor, assignment: Assignment) -> SwapOffer | None:
    """After a decline: offer the freed place the same way, unless it is filled or past."""
    event = assignment.event
    if event.status is not EventStatus.PUBLISHED or event.starts_at <= utcnow():
        return None
    position = assignment.position
    held = db.session.scalar(
        sa.select(sa.func.count()).where(
            Assignment.position_id == position.id, Assignment.status.in_(HOLDING)
        )
    )
    if held >= position.max_people:
        return None
    return _open_offer(actor, assignment, OfferKind.OPEN_PLACE, "")


# --- taking --------------------------------------------------------------------------------


def _locked_offer(actor: Actor, offer_id: int) -> SwapOffer:
    get_offer(actor, offer_id)
    offer = lock(SwapOffer, offer_id)
    return offer


def _still_live(offer: SwapOffer) -> None:
    if offer.status in (OfferStatus.TAKEN, OfferStatus.NEEDS_APPROVAL):
        raise Conflict("Someone else has taken this place already.", reason="offer_taken")
    if offer.status is not OfferStatus.OPEN:
        raise Conflict(f"The offer is {offer.status.value}.", reason="offer_closed")


def _refuse_unfit(volunteer_id: int, offer: SwapOffer, exchange: Assignment | None) -> None:
    event = db.session.get(Event, offer.event_id)
    position = db.session.get(Position, offer.position_id)
    excluding = {volunteer_id: exchange.id} if exchange is not None else None
    eligible = eligible_for(
        event,
        position,
        leaving={offer.offered_by_volunteer_id},
        excluding_assignment=excluding,
        only={volunteer_id},
    )
    if volunteer_id not in eligible:
        raise Conflict(
            "You cannot take this place: a skill, your availability, another assignment, "
            "your limits or a pairing rule stands in the way.",
            reason="not_eligible",
        )
    if exchange is not None:
        offerer = db.session.get(VolunteerProfile, offer.offered_by_volunteer_id)
        found = check_fit(offerer, exchange.event, exchange.position, excluding=offer.assignment_id)
        if found:
            raise Conflict(
                f"The place you give in return does not fit {offerer.name}: {found[0].detail}",
                reason="exchange_not_fitting",
            )


def _exchange_for(actor: Actor, offer: SwapOffer, exchange_assignment_id: int | None):
    if offer.kind is not OfferKind.SWAP:
        if exchange_assignment_id is not None:
            raise Invalid({"exchange_assignment_id": ["Only a swap takes a place in return."]})
        return None
    if exchange_assignment_id is None:
        raise Invalid({"exchange_assignment_id": ["Name the place you give in return."]})
    exchange = lock(Assignment, exchange_assignment_id)
    if (
        exchange is None
        or exchange.organization_id != actor.organization_id
        or exchange.volunteer_id != actor.volunteer_id
        or exchange.status not in HOLDING
    ):
        raise Invalid({"exchange_assignment_id": ["Name one of your own places."]})
    _require_future(exchange.event)
    return exchange


def accept_offer(
    actor: Actor, offer_id: int, *, exchange_assignment_id: int | None = None
) -> SwapOffer:
    """Take an offered place; the first to accept wins, anyone after hears it is gone."""
    offer = _locked_offer(actor, offer_id)
    if actor.volunteer_id is None:
        raise Forbidden("Only volunteers take places; you have no volunteer profile here.")
    _still_live(offer)
    if offer.offered_by_volunteer_id == actor.volunteer_id:
        raise Conflict("This is your own offer.", reason="own_offer")
    event = db.session.get(Event, offer.event_id)
    _require_future(event)
    lock(Position, offer.position_id)
    lock(VolunteerProfile, actor.volunteer_id)
    exchange = _exchange_for(actor, offer, exchange_assignment_id)
    _refuse_unfit(actor.volunteer_id, offer, exchange)
    offer.taken_by_volunteer_id = actor.volunteer_id
    offer.exchange_assignment_id = exchange.id if exchange is not None else None
    settings = db.session.get(TeamRotationSettings, event.team_id) if event.team_id else None
    if settings is not None and settings.swaps_need_approval:
        offer.status = OfferStatus.NEEDS_APPROVAL
        db.session.flush()
        events.offer_event(events.SWAP_APPROVAL_REQUESTED, offer, actor)
        return offer
    return _transfer(actor, offer, exchange)


def _move(actor: Actor, original: Assignment, to_volunteer_id: int, reason: str) -> Assignment:
    """Give ``original``'s place to another volunteer: one cancelled, one confirmed."""
    if original.status in HOLDING:
        previous = original.status
        original.status = AssignmentStatus.CANCELLED
        original.responded_at = utcnow()
        db.session.flush()
        assignment_events.assignment_event(
            assignment_events.ASSIGNMENT_CANCELLED,
            original,
            actor,
            previous_status=previous.value,
            reason=reason,
        )
    now = utcnow()
    moved = Assignment(
        organization_id=original.organization_id,
        event_id=original.event_id,
        position_id=original.position_id,
        volunteer_id=to_volunteer_id,
        source=original.source,
        status=AssignmentStatus.CONFIRMED,
        responded_at=now,
        created_by_user_id=actor.user_id,
    )
    db.session.add(moved)
    db.session.flush()
    assignment_events.assignment_event(assignment_events.ASSIGNMENT_CREATED, moved, actor)
    assignment_events.assignment_event(assignment_events.ASSIGNMENT_CONFIRMED, moved, actor)
    return moved


def _transfer(actor: Actor, offer: SwapOffer, exchange: Assignment | None) -> SwapOffer:
    original = lock(Assignment, offer.assignment_id)
    if offer.kind is not OfferKind.OPEN_PLACE and original.status not in HOLDING:
        offer.status = OfferStatus.EXPIRED
        offer.closed_at = utcnow()
        db.session.flush()
        raise Conflict("The offered place was given up meanwhile.", reason="offer_closed")
    if offer.kind is OfferKind.OPEN_PLACE:
        position = lock(Position, offer.position_id)
        held = db.session.scalar(
            sa.select(sa.func.count()).where(
                Assignment.position_id == position.id, Assignment.status.in_(HOLDING)
            )
        )
        if held >= position.max_people:
            raise Conflict("The place has been filled meanwhile.", reason="offer_taken")
    label = "swapped" if offer.kind is OfferKind.SWAP else "covered"
    taken = _move(actor, original, offer.taken_by_volunteer_id, f"Place {label}.")
    if exchange is not None:
        _move(actor, exchange, offer.offered_by_volunteer_id, "Place swapped.")
    offer.new_assignment_id = taken.id
    offer.status = OfferStatus.TAKEN
    offer.closed_at = utcnow()
    db.session.flush()
    events.offer_event(events.SWAP_TAKEN, offer, actor)
    return offer


def _awaiting(actor: Actor, offer_id: int) -> SwapOffer:
    offer = _locked_offer(actor, offer_id)
    actor.require_manages(db.session.get(Event, offer.event_id).community_id)
    if offer.status is not OfferStatus.NEEDS_APPROVAL:
        raise Conflict(f"The offer is {offer.status.value}.", reason="not_awaiting_approval")
    return offer


def approve_offer(actor: Actor, offer_id: int) -> SwapOffer:
    """A coordinator approves the taker: the place moves now (if it still fits)."""
    offer = _awaiting(actor, offer_id)
    lock(Position, offer.position_id)
    exchange = (
        lock(Assignment, offer.exchange_assignment_id) if offer.exchange_assignment_id else None
    )
    _refuse_unfit(offer.taken_by_volunteer_id, offer, exchange)
    offer.decided_by_user_id = actor.user_id
    return _transfer(actor, offer, exchange)


def reject_offer(actor: Actor, offer_id: int) -> SwapOffer:
    """A coordinator turns the taker down; the place is on offer again for the others."""
    offer = _awaiting(actor, offer_id)
    offer.decided_by_user_id = actor.user_id
    rejected = offer.taken_by_volunteer_id
    offer.status = OfferStatus.OPEN
    offer.taken_by_volunteer_id = None
    offer.exchange_assignment_id = None
    offer.candidate_ids = [c for c in offer.candidate_ids if c != rejected]
    db.session.flush()
    events.offer_event(events.SWAP_REJECTED, offer, actor)
    return offer


def withdraw_offer(actor: Actor, offer_id: int) -> SwapOffer:
    """The offerer (or a coordinator) takes the offer back; withdrawing twice changes nothing."""
    offer = _locked_offer(actor, offer_id)
    own = offer.offered_by_volunteer_id == actor.volunteer_id
    if not own and not actor.manages(db.session.get(Event, offer.event_id).community_id):
        raise Forbidden("Only the volunteer who offered it or a coordinator may withdraw it.")
    if offer.status is OfferStatus.WITHDRAWN:
        return offer
    if offer.status not in LIVE:
        raise Conflict(f"The offer is {offer.status.value}.", reason="offer_closed")
    offer.status = OfferStatus.WITHDRAWN
    offer.closed_at = utcnow()
    db.session.flush()
    events.offer_event(events.SWAP_WITHDRAWN, offer, actor)
    return offer


def candidates_of(offer: SwapOffer) -> list[dict]:
    """The recorded candidates with their names, fairest first."""
    if not offer.candidate_ids:
        return []
    names = {
        profile.id: profile.name
        for profile in db.session.scalars(
            sa.select(VolunteerProfile)
            .options(selectinload(VolunteerProfile.membership).selectinload(Membership.user))
            .where(VolunteerProfile.id.in_(offer.candidate_ids))
        )
    }
    return [{"volunteer_id": v, "name": names.get(v, "")} for v in offer.candidate_ids]
