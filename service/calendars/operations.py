"""Use cases of calendars: feed tokens, rendering and serving feeds, refreshing them, invitations.

A feed is rendered from per-event fragments (``ical.vevent``, memoised on its
input) and stored as bytes with a strong ETag; requests are answered from the
stored copy. The outbox handlers call ``refresh_feeds_for_outbox_event`` after a
change, which re-renders the stored copies of the feeds it touched; a copy older
than ``STORED_FEED_MAX_AGE`` or not stored yet is rendered on request.
"""

from __future__ import annotations

import gzip
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from service.accounts.models import Membership, User
from service.accounts.operations import actor_for_user
from service.activities.models import ActivityType, Event, EventStatus, Position
from service.assignments.models import HOLDING, Assignment, AssignmentStatus
from service.calendars import events, ical
from service.calendars.models import CalendarFeed, CalendarRendering, FeedScope
from service.calendars.texts import text
from service.communities.models import Community
from service.core.auth import Actor
from service.core.config import get_settings
from service.core.db import db, get_in_organization
from service.core.errors import Conflict, Forbidden, Invalid, NotFound, check_version
from service.core.security import digest_token, new_token
from service.core.time import utcnow
from service.teams.models import Team, TeamMember
from service.volunteers.models import VolunteerProfile

FEED_TOKEN_PREFIX = "cal"
#: Past events a feed keeps unless the URL asks otherwise (``?past_days=``), and the most it may.
PAST_DAYS_DEFAULT = 14
PAST_DAYS_MAX = 90
#: How far ahead a feed looks.
FUTURE_DAYS = 180
#: A cancelled event or place stays this long with STATUS:CANCELLED, so clients remove it.
CANCELLED_KEPT = timedelta(days=30)
#: Google Calendar silently drops what lies past about 1 MB; stay well under it.
MAX_FEED_BYTES = 700_000
#: The most events one feed reads from the database (the byte budget then trims).
MAX_FEED_EVENTS = 3_000
#: A stored copy older than this is rendered again on request (the window moves on).
STORED_FEED_MAX_AGE = timedelta(minutes=15)
#: What feeds ask clients to honour; Google refreshes every 8 to 24 hours regardless.
REFRESH_INTERVAL = timedelta(hours=1)
#: The community's default reminders: a day before and two hours before.
DEFAULT_REMINDER_OFFSETS = (timedelta(hours=24), timedelta(hours=2))

#: Statuses of an assignment in the order it can move through them (it never goes back),
#: so their sum over a volunteer's assignments in an event only ever grows.
STATUS_RANK = {
    AssignmentStatus.WAITLISTED: 0,
    AssignmentStatus.PENDING: 1,
    AssignmentStatus.CONFIRMED: 2,
    AssignmentStatus.DECLINED: 3,
    AssignmentStatus.CANCELLED: 3,
}
RELEASED = (AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED)


# --- what other work supplies ----------------------------------------------------------------


def volunteer_reminder_offsets(volunteer_id: int) -> tuple[timedelta, ...]:
    """How long before an assignment the volunteer wants to be reminded.

    The community default until volunteers can set their own preferences.
    """
    return DEFAULT_REMINDER_OFFSETS


@dataclass(frozen=True)
class EventLinks:
    """Where a calendar entry points: the event, and the volunteer's answer to a place."""

    event: str
    accept: str | None = None
    decline: str | None = None


#: Builds the links of an event, for a volunteer's assignment when one is given.
LinkBuilder = Callable[[int, int | None], EventLinks]


def event_api_links(event_id: int, assignment_id: int | None) -> EventLinks:
    """The event's API address; accepting and declining happen there too, for now."""
    return EventLinks(event=f"{get_settings().base_url}/api/v1/events/{event_id}")


# --- feeds and their tokens ------------------------------------------------------------------


@dataclass(frozen=True)
class FeedAddresses:
    """The ways to subscribe to a feed, for the API's answer."""

    url: str
    webcal_url: str
    google_url: str
    outlook_url: str
    help: str


def feed_addresses(token: str, locale: str, name: str = "") -> FeedAddresses:
    url = f"{get_settings().base_url}/calendars/{token}.ics"
    webcal = "webcal://" + url.split("://", 1)[1]
    return FeedAddresses(
        url=url,
        webcal_url=webcal,
        google_url="https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}),
        outlook_url="https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": url, "name": name or "Rounds"}, quote_via=quote),
        help=text(locale, "help"),
    )


def _check_scope(actor: Actor, scope: FeedScope, team_id: int | None, community_id: int | None):
    """Refuse a feed its owner may not (or no longer) see."""
    if scope is FeedScope.PERSONAL:
        if actor.volunteer_id is None:
            raise Forbidden("Only volunteers have a personal calendar; you have no profile here.")
    elif scope is FeedScope.TEAM:
        team = get_in_organization(Team, team_id, actor.organization_id)
        member = db.session.scalar(
            sa.select(TeamMember.team_id).where(
                TeamMember.team_id == team.id, TeamMember.volunteer_id == actor.volunteer_id
            )
        )
        if member is None and not actor.manages(team.community_id):
            raise Forbidden("Only the team's members and coordinators may subscribe to it.")
    elif scope is FeedScope.COMMUNITY:
        community = get_in_organization(Community, community_id, actor.organization_id)
        actor.require_manages(community.id)
    else:
        actor.require_coordinator()


def create_feed(actor: Actor, data: dict) -> tuple[CalendarFeed, str]:
    """A new feed and its secret (shown once; only its digest is kept)."""
    scope = FeedScope(data["scope"])
    team_id = data.get("team_id") if scope is FeedScope.TEAM else None
    community_id = data.get("community_id") if scope is FeedScope.COMMUNITY else None
    if scope is FeedScope.TEAM and team_id is None:
        raise Invalid({"team_id": ["A team calendar needs the team."]})
    if scope is FeedScope.COMMUNITY and community_id is None:
        raise Invalid({"community_id": ["A community calendar needs the community."]})
    if data.get("include_open") and scope is not FeedScope.PERSONAL:
        raise Invalid({"include_open": ["Only a personal calendar can add open places."]})
    _check_scope(actor, scope, team_id, community_id)
    locale = data.get("locale")
    if locale is None and scope is FeedScope.COMMUNITY:
        locale = db.session.get(Community, community_id).locale
    plaintext, digest = new_token(FEED_TOKEN_PREFIX)
    feed = CalendarFeed(
        organization_id=actor.organization_id,
        owner_user_id=actor.user_id,
        scope=scope,
        team_id=team_id,
        community_id=community_id,
        include_open=bool(data.get("include_open")),
        locale=locale or actor.locale,
        name=data.get("name", ""),
        token_hash=digest,
        token_prefix=plaintext[: len(FEED_TOKEN_PREFIX) + 5],
    )
    db.session.add(feed)
    db.session.flush()
    events.feed_event(events.FEED_CREATED, feed, actor)
    return feed, plaintext


def feeds_query(actor: Actor) -> sa.Select:
    """The caller's own feeds that still work, newest first."""
    return (
        sa.select(CalendarFeed)
        .where(
            CalendarFeed.organization_id == actor.organization_id,
            CalendarFeed.owner_user_id == actor.user_id,
            CalendarFeed.revoked_at.is_(None),
        )
        .order_by(CalendarFeed.id.desc())
    )


def get_feed(actor: Actor, feed_id: int) -> CalendarFeed:
    feed = db.session.scalar(feeds_query(actor).where(CalendarFeed.id == feed_id))
    if feed is None:
        raise NotFound("No such calendar.")
    return feed


def rotate_feed(
    actor: Actor, feed_id: int, *, expected_version: int | None = None
) -> tuple[CalendarFeed, str]:
    """A new secret for the feed; the old address answers 404 from now on."""
    feed = get_feed(actor, feed_id)
    check_version(feed.version, expected_version)
    plaintext, digest = new_token(FEED_TOKEN_PREFIX)
    feed.token_hash = digest
    feed.token_prefix = plaintext[: len(FEED_TOKEN_PREFIX) + 5]
    feed.rotated_at = utcnow()
    db.session.flush()
    forget_feed(feed.id)
    events.feed_event(events.FEED_ROTATED, feed, actor)
    return feed, plaintext


def revoke_feed(actor: Actor, feed_id: int) -> CalendarFeed:
    """Stop the feed for good; its address answers 404."""
    feed = get_feed(actor, feed_id)
    feed.revoked_at = utcnow()
    db.session.execute(sa.delete(CalendarRendering).where(CalendarRendering.feed_id == feed.id))
    db.session.flush()
    forget_feed(feed.id)
    events.feed_event(events.FEED_REVOKED, feed, actor)
    return feed


# --- what a feed shows -----------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    volunteer_id: int
    name: str
    position_id: int
    status: AssignmentStatus


@dataclass(frozen=True)
class FeedPosition:
    """A position as feeds show it."""

    id: int
    name: str
    min_people: int
    max_people: int
    filled: int


@dataclass(frozen=True)
class FeedEvent:
    """An event as feeds read it: plain columns, its positions, and the rows it refers to.

    Read with Core rather than as ORM objects: a feed reads thousands of events and
    the ORM's bookkeeping would cost several times the query.
    """

    id: int
    title: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    status: EventStatus
    sequence: int
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    community: Community
    team: Team | None
    activity_type: ActivityType
    positions: tuple[FeedPosition, ...]
    #: The last change to the event or to anyone's place in it (LAST-MODIFIED).
    revised_at: datetime

    # The event's own definitions of how full it is, over these positions.
    filled = Event.filled
    capacity = Event.capacity
    fill_state = Event.fill_state


_EVENT_COLUMNS = (
    Event.id,
    Event.title,
    Event.description,
    Event.location,
    Event.starts_at,
    Event.ends_at,
    Event.timezone,
    Event.status,
    Event.sequence,
    Event.created_at,
    Event.updated_at,
    Event.cancelled_at,
    Event.community_id,
    Event.team_id,
    Event.activity_type_id,
)


def _by_id(model: type, ids: set[int]) -> dict[int, Any]:
    ids.discard(None)
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


def _feed_events(where: Iterable[Any], *, limit: int = MAX_FEED_EVENTS) -> list[FeedEvent]:
    rows = db.session.execute(
        sa.select(*_EVENT_COLUMNS).where(*where).order_by(Event.starts_at, Event.id).limit(limit)
    ).all()
    positions: dict[int, list[FeedPosition]] = defaultdict(list)
    if rows:
        for event_id, *fields in db.session.execute(
            sa.select(
                Position.event_id,
                Position.id,
                Position.name,
                Position.min_people,
                Position.max_people,
                Position.filled,
            )
            .where(Position.event_id.in_([row.id for row in rows]))
            .order_by(Position.id)
        ):
            positions[event_id].append(FeedPosition(*fields))
    places_changed = dict(
        db.session.execute(
            sa.select(Assignment.event_id, sa.func.max(Assignment.updated_at))
            .where(Assignment.event_id.in_([row.id for row in rows]))
            .group_by(Assignment.event_id)
        ).all()
    )
    communities = _by_id(Community, {row.community_id for row in rows})
    teams = _by_id(Team, {row.team_id for row in rows})
    activity_types = _by_id(ActivityType, {row.activity_type_id for row in rows})
    return [
        FeedEvent(
            *row[:12],
            community=communities[row.community_id],
            team=teams.get(row.team_id),
            activity_type=activity_types[row.activity_type_id],
            positions=tuple(positions[row.id]),
            revised_at=max(row.updated_at, places_changed.get(row.id, row.updated_at)),
        )
        for row in rows
    ]


def _window(now: datetime, past_days: int) -> tuple[datetime, datetime]:
    return now - timedelta(days=past_days), now + timedelta(days=FUTURE_DAYS)


def _events(where: Iterable[Any], now: datetime, past_days: int) -> list[FeedEvent]:
    """Events in the feed window, cancelled ones only while they are kept."""
    start, end = _window(now, past_days)
    return _feed_events(
        [
            *where,
            Event.ends_at > start,
            Event.starts_at < end,
            sa.or_(
                Event.status != EventStatus.CANCELLED, Event.cancelled_at > now - CANCELLED_KEPT
            ),
        ]
    )


def _holders(event_ids: list[int]) -> dict[int, list[Holder]]:
    """Who holds places in each event, by name, in the order they came."""
    found: dict[int, list[Holder]] = defaultdict(list)
    if not event_ids:
        return found
    rows = db.session.execute(
        sa.select(
            Assignment.event_id,
            Assignment.volunteer_id,
            User.name,
            Assignment.position_id,
            Assignment.status,
        )
        .join(VolunteerProfile, VolunteerProfile.id == Assignment.volunteer_id)
        .join(Membership, Membership.id == VolunteerProfile.membership_id)
        .join(User, User.id == Membership.user_id)
        .where(Assignment.event_id.in_(event_ids), Assignment.status.in_(HOLDING))
        .order_by(Assignment.id)
    )
    for event_id, volunteer_id, name, position_id, status in rows:
        found[event_id].append(Holder(volunteer_id, name, position_id, status))
    return found


def _contact(community: Community, locale: str) -> str | None:
    fields = (community.contact_name, community.contact_phone, community.contact_email)
    parts = [field for field in fields if field]
    return f"{text(locale, 'contact')}: {', '.join(parts)}" if parts else None


def _open_places(event: FeedEvent) -> int:
    return sum(max(position.max_people - position.filled, 0) for position in event.positions)


def _base_item(
    event: FeedEvent, locale: str, *, summary: str, description: list[str | None], **fields: Any
) -> ical.CalendarEvent:
    settings = get_settings()
    if event.description:
        description = [*description, "", event.description]
    status = fields.pop("status", None) or (
        ical.Status.CANCELLED if event.status is EventStatus.CANCELLED else ical.Status.CONFIRMED
    )
    return ical.CalendarEvent(
        uid=ical.event_uid(event.id, settings.base_url),
        sequence=fields.pop("sequence", event.sequence),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        status=status,
        summary=summary,
        last_modified=fields.pop("last_modified", event.revised_at),
        created=event.created_at,
        description="\n".join(line for line in description if line is not None).strip(),
        location=event.location,
        categories=(event.activity_type.name_in(locale),),
        **fields,
    )


def _link_lines(links: EventLinks, locale: str, pending: bool) -> list[str | None]:
    lines: list[str | None] = [f"{text(locale, 'event')}: {links.event}"]
    if pending and (links.accept or links.decline):
        lines += [
            f"{text(locale, 'accept')}: {links.accept}" if links.accept else None,
            f"{text(locale, 'decline')}: {links.decline}" if links.decline else None,
        ]
    elif pending:
        lines.append(f"{text(locale, 'respond')}: {links.event}")
    return lines


def personal_item(
    event: FeedEvent,
    volunteer_id: int,
    mine: list[Assignment],
    holders: list[Holder],
    *,
    locale: str,
    now: datetime,
    links: LinkBuilder,
    alarms: tuple[timedelta, ...] = (),
    open_place: bool = False,
    keep_cancelled: bool = False,
) -> ical.CalendarEvent | None:
    """A volunteer's entry for an event: their place in it, or an open place in their team.

    ``mine`` are the volunteer's assignments in the event, oldest first. The entry
    (and its UID) is the same whether it reaches them by feed or by invitation. A
    place given up or an event cancelled shows as CANCELLED for ``CANCELLED_KEPT``
    (always with ``keep_cancelled``); None when nothing is left to show.
    """
    holding = [a for a in mine if a.status in HOLDING]
    sequence = event.sequence + sum(STATUS_RANK[a.status] for a in mine)
    last_modified = max([event.revised_at, *(a.updated_at for a in mine)])
    team = event.team.name if event.team else None
    if holding and event.status is not EventStatus.CANCELLED:
        pending = all(a.status is AssignmentStatus.PENDING for a in holding)
        status = ical.Status.TENTATIVE if pending else ical.Status.CONFIRMED
    elif open_place and event.status is EventStatus.PUBLISHED:
        status, pending = ical.Status.CONFIRMED, False
    elif mine and (
        keep_cancelled
        or (event.status is EventStatus.CANCELLED and event.cancelled_at > now - CANCELLED_KEPT)
        or (mine[-1].status in RELEASED and mine[-1].updated_at > now - CANCELLED_KEPT)
    ):
        status, pending = ical.Status.CANCELLED, False
        holding = []
    else:
        return None
    position_names = {p.id: p.name for p in event.positions}
    if holding:
        positions = [position_names[a.position_id] for a in holding]
    else:
        positions = [position_names[a.position_id] for a in mine[-1:]]
    others = [h.name for h in holders if h.volunteer_id != volunteer_id]
    assignment_id = (holding or mine)[-1].id if mine else None
    event_links = links(event.id, assignment_id)
    summary = event.title
    if holding and positions:
        summary = f"{event.title} ({', '.join(positions)})"
    if status is ical.Status.CANCELLED:
        summary = f"{text(locale, 'cancelled')}: {event.title}"
    elif not holding:
        summary = f"{text(locale, 'open_place')}: {event.title}"
    description = [
        text(locale, "pending") if pending else None,
        f"{text(locale, 'position')}: {', '.join(positions)}" if positions and holding else None,
        text(locale, "places_open", count=_open_places(event)) if not holding else None,
        f"{text(locale, 'team')}: {team}" if team else None,
        f"{text(locale, 'with')}: {', '.join(others)}"
        if holding and others and event.activity_type.min_people >= 2
        else None,
        _contact(event.community, locale),
        *_link_lines(event_links, locale, pending),
    ]
    return _base_item(
        event,
        locale,
        summary=summary,
        description=description,
        status=status,
        sequence=sequence,
        last_modified=last_modified,
        url=event_links.event,
        transparent=not holding,
        alarms=alarms if holding else (),
    )


def _holders_lines(event: FeedEvent, holders: list[Holder], locale: str) -> list[str]:
    by_position: dict[int, list[str]] = defaultdict(list)
    for holder in holders:
        by_position[holder.position_id].append(holder.name)
    lines = [text(locale, "filled", filled=event.filled, capacity=event.capacity)]
    for position in event.positions:
        names = ", ".join(by_position.get(position.id, [])) or text(locale, "nobody")
        lines.append(f"{position.name} ({position.filled}/{position.max_people}): {names}")
    return lines


def team_item(
    event: FeedEvent, holders: list[Holder], *, locale: str, links: LinkBuilder
) -> ical.CalendarEvent:
    event_links = links(event.id, None)
    description = [
        f"{text(locale, 'on_it')}:",
        *_holders_lines(event, holders, locale),
        _contact(event.community, locale),
        *_link_lines(event_links, locale, pending=False),
    ]
    return _base_item(
        event,
        locale,
        summary=event.title,
        description=description,
        url=event_links.event,
        transparent=True,
    )


def community_item(event: FeedEvent, *, locale: str) -> ical.CalendarEvent:
    """The public entry: no names, just what a resident or a newcomer needs."""
    open_places = _open_places(event)
    description = [
        text(locale, "places_open", count=open_places)
        if open_places and event.status is EventStatus.PUBLISHED
        else None,
        _contact(event.community, locale),
    ]
    return _base_item(event, locale, summary=event.title, description=description, transparent=True)


def coordinator_item(
    event: FeedEvent, holders: list[Holder], *, locale: str, links: LinkBuilder
) -> ical.CalendarEvent:
    """A coordinator's entry: how full the event is, gaps first in the title."""
    event_links = links(event.id, None)
    mark = f"[{event.filled}/{event.capacity}]"
    if event.fill_state in ("empty", "short") and event.status is not EventStatus.CANCELLED:
        mark = f"[{event.filled}/{event.capacity} {text(locale, 'short')}]"
    summary = f"{mark} {event.title}"
    if event.status is EventStatus.DRAFT:
        summary = f"{text(locale, 'draft')}: {summary}"
    if event.status is EventStatus.CANCELLED:
        summary = f"{text(locale, 'cancelled')}: {event.title}"
    description = [
        *_holders_lines(event, holders, locale),
        _contact(event.community, locale),
        *_link_lines(event_links, locale, pending=False),
    ]
    return _base_item(
        event,
        locale,
        summary=summary,
        description=description,
        status=ical.Status.TENTATIVE if event.status is EventStatus.DRAFT else None,
        url=event_links.event,
        transparent=True,
    )


def _personal_items(
    actor: Actor, feed: CalendarFeed, now: datetime, past_days: int, links: LinkBuilder
) -> list[ical.CalendarEvent]:
    start, end = _window(now, past_days)
    mine: dict[int, list[Assignment]] = defaultdict(list)
    rows = db.session.scalars(
        sa.select(Assignment)
        .join(Event, Event.id == Assignment.event_id)
        .where(
            Assignment.volunteer_id == actor.volunteer_id,
            Assignment.status != AssignmentStatus.WAITLISTED,
            Event.ends_at > start,
            Event.starts_at < end,
        )
        .order_by(Assignment.id)
    )
    for assignment in rows:
        mine[assignment.event_id].append(assignment)
    where: list[Any] = [Event.status != EventStatus.DRAFT]
    if feed.include_open:
        teams = sa.select(TeamMember.team_id).where(TeamMember.volunteer_id == actor.volunteer_id)
        open_ = sa.and_(
            Event.team_id.in_(teams),
            Event.status == EventStatus.PUBLISHED,
            Event.signups_open.is_(True),
            Event.starts_at > now,
            sa.exists().where(Position.event_id == Event.id, Position.filled < Position.max_people),
        )
        where.append(sa.or_(Event.id.in_(list(mine)), open_))
    else:
        where.append(Event.id.in_(list(mine)))
    found = _events([Event.organization_id == feed.organization_id, *where], now, past_days)
    holders = _holders([event.id for event in found])
    alarms = volunteer_reminder_offsets(actor.volunteer_id)
    items = []
    for event in found:
        item = personal_item(
            event,
            actor.volunteer_id,
            mine.get(event.id, []),
            holders.get(event.id, []),
            locale=feed.locale,
            now=now,
            links=links,
            alarms=alarms,
            open_place=feed.include_open and _open_places(event) > 0 and event.starts_at > now,
        )
        if item is not None:
            items.append(item)
    return items


def _feed_items(
    actor: Actor, feed: CalendarFeed, now: datetime, past_days: int, links: LinkBuilder
) -> list[ical.CalendarEvent]:
    if feed.scope is FeedScope.PERSONAL:
        return _personal_items(actor, feed, now, past_days, links)
    where: list[Any] = [Event.organization_id == feed.organization_id]
    if feed.scope is FeedScope.TEAM:
        where += [Event.team_id == feed.team_id, Event.status != EventStatus.DRAFT]
    elif feed.scope is FeedScope.COMMUNITY:
        # Events only coordinators staff (a visit to a resident's home) are nobody else's business.
        where += [
            Event.community_id == feed.community_id,
            Event.status != EventStatus.DRAFT,
            Event.signups_open.is_(True),
        ]
        return [community_item(e, locale=feed.locale) for e in _events(where, now, past_days)]
    elif actor.community_ids is not None:
        where.append(Event.community_id.in_(actor.community_ids))
    found = _events(where, now, past_days)
    holders = _holders([event.id for event in found])
    build = team_item if feed.scope is FeedScope.TEAM else coordinator_item
    return [build(e, holders.get(e.id, []), locale=feed.locale, links=links) for e in found]


def _header(actor: Actor, feed: CalendarFeed) -> ical.CalendarHeader:
    description = text(feed.locale, "feed_description")
    if feed.scope is FeedScope.PERSONAL:
        user = db.session.get(User, feed.owner_user_id)
        name, zone = text(feed.locale, "personal_name", name=user.name), actor.timezone
    elif feed.scope is FeedScope.TEAM:
        team = db.session.get(Team, feed.team_id)
        community = db.session.get(Community, team.community_id)
        name, zone = f"{team.name} · {community.name}", community.timezone
    elif feed.scope is FeedScope.COMMUNITY:
        community = db.session.get(Community, feed.community_id)
        name, zone = community.name, community.timezone
        description = text(feed.locale, "public_description", name=community.name)
    else:
        name, zone = text(feed.locale, "coordinator_name"), actor.timezone
    return ical.CalendarHeader(
        name=feed.name or name, description=description, timezone=zone, refresh=REFRESH_INTERVAL
    )


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    event_count: int


def render_feed(
    feed: CalendarFeed,
    *,
    past_days: int = PAST_DAYS_DEFAULT,
    now: datetime | None = None,
    links: LinkBuilder = event_api_links,
) -> RenderedFeed:
    """The feed's calendar as its owner may see it now, within the byte budget."""
    now = now or utcnow()
    actor = actor_for_user(feed.owner_user_id, feed.organization_id)
    if actor is None or feed.revoked_at is not None:
        raise NotFound("No such calendar.")
    try:
        _check_scope(actor, feed.scope, feed.team_id, feed.community_id)
    except (Forbidden, NotFound):
        raise NotFound("No such calendar.") from None
    fragments = [ical.render(item) for item in _feed_items(actor, feed, now, past_days, links)]
    chosen = ical.within_budget(fragments, MAX_FEED_BYTES, now)
    return RenderedFeed(ical.assemble(_header(actor, feed), chosen), len(chosen))


# --- stored copies and serving ---------------------------------------------------------------


def store_rendering(
    feed: CalendarFeed, past_days: int, *, now: datetime | None = None
) -> CalendarRendering:
    """Render the feed and keep the bytes; the same bytes keep their ETag and Last-Modified."""
    now = now or utcnow()
    rendered = render_feed(feed, past_days=past_days, now=now)
    etag = hashlib.sha256(rendered.body).hexdigest()[:40]
    row = db.session.get(CalendarRendering, (feed.id, past_days))
    if row is None:
        row = CalendarRendering(feed_id=feed.id, past_days=past_days, last_modified=now)
        try:
            with db.session.begin_nested():
                _fill(row, rendered, etag, now)
                db.session.add(row)
        except IntegrityError:  # another request stored it meanwhile: overwrite theirs
            row = db.session.get(CalendarRendering, (feed.id, past_days), populate_existing=True)
    if row.etag != etag:
        row.last_modified = now
    _fill(row, rendered, etag, now)
    db.session.flush()
    forget_feed(feed.id)
    return row


def _fill(row: CalendarRendering, rendered: RenderedFeed, etag: str, now: datetime) -> None:
    if row.etag != etag:
        row.body = rendered.body
        row.body_gzip = gzip.compress(rendered.body, compresslevel=6, mtime=0)
        row.etag = etag
    row.event_count = rendered.event_count
    row.rendered_at = now


@dataclass(frozen=True)
class FeedState:
    """What answering a feed request needs before the bytes: enough for a 304."""

    feed_id: int
    scope: FeedScope
    etag: str | None
    last_modified: datetime | None
    rendered_at: datetime | None


#: How long a process trusts what it last read about a feed (its owner, its stored copy's
#: ETag) before asking the database again. A burst of polls of a popular feed, such as a
#: community's public calendar, then costs no query; a change made by another process (a
#: revocation, a new rendering by a worker) shows within this time, and one made by this
#: process at once (``forget_feed``).
FEED_STATE_TTL = 1.0
RECENT_STATES_MAX = 10_000
#: (token digest, past days) -> (what the database said, when to stop trusting it).
_recent_states: dict[tuple[str, int], tuple[FeedState, float]] = {}


@cache
def _feed_state_query() -> sa.Select:
    """Built once: a feed request runs it with two parameters, nothing to compile again."""
    return (
        sa.select(
            CalendarFeed.id,
            CalendarFeed.scope,
            CalendarRendering.etag,
            CalendarRendering.last_modified,
            CalendarRendering.rendered_at,
        )
        .join(
            Membership,
            sa.and_(
                Membership.user_id == CalendarFeed.owner_user_id,
                Membership.organization_id == CalendarFeed.organization_id,
                Membership.removed_at.is_(None),
            ),
        )
        .join(User, sa.and_(User.id == CalendarFeed.owner_user_id, User.is_active))
        .outerjoin(
            CalendarRendering,
            sa.and_(
                CalendarRendering.feed_id == CalendarFeed.id,
                CalendarRendering.past_days == sa.bindparam("past_days"),
            ),
        )
        .where(
            CalendarFeed.token_hash == sa.bindparam("token_hash"),
            CalendarFeed.revoked_at.is_(None),
        )
    )


def feed_state(token: str, past_days: int) -> FeedState:
    """The feed a secret opens and the state of its stored copy, in one query; else 404.

    Only feed secrets are looked up, never API tokens, and a revoked or rotated-away
    secret, or one whose owner left, finds nothing. What was found is trusted for
    ``FEED_STATE_TTL`` (see ``_recent_states``).
    """
    key = (digest_token(token), past_days)
    recent = _recent_states.get(key)
    if recent is not None and recent[1] > time.monotonic():
        return recent[0]
    # Core, not the ORM: this runs for every poll of every calendar app.
    row = (
        db.session.connection()
        .execute(_feed_state_query(), {"token_hash": key[0], "past_days": past_days})
        .first()
    )
    if row is None:
        raise NotFound("No such calendar.")
    state = FeedState(*row)
    if len(_recent_states) >= RECENT_STATES_MAX:
        _recent_states.clear()
    _recent_states[key] = (state, time.monotonic() + FEED_STATE_TTL)
    return state


def forget_feed(feed_id: int) -> None:
    """Drop what this process remembers of a feed: it was rotated, revoked or rendered anew."""
    for key, (state, _expires) in list(_recent_states.items()):
        if state.feed_id == feed_id:
            _recent_states.pop(key, None)


def fresh_rendering(state: FeedState, past_days: int, *, now: datetime | None = None) -> FeedState:
    """The state after rendering the feed if its stored copy is missing or too old."""
    now = now or utcnow()
    if state.rendered_at is not None and state.rendered_at > now - STORED_FEED_MAX_AGE:
        return state
    row = store_rendering(db.session.get(CalendarFeed, state.feed_id), past_days, now=now)
    return FeedState(state.feed_id, state.scope, row.etag, row.last_modified, row.rendered_at)


@cache
def _feed_body_query(compressed: bool) -> sa.Select:
    column = CalendarRendering.body_gzip if compressed else CalendarRendering.body
    return sa.select(column).where(
        CalendarRendering.feed_id == sa.bindparam("feed_id"),
        CalendarRendering.past_days == sa.bindparam("past_days"),
    )


def feed_body(feed_id: int, past_days: int, *, compressed: bool) -> bytes:
    return (
        db.session.connection()
        .execute(_feed_body_query(compressed), {"feed_id": feed_id, "past_days": past_days})
        .scalar()
    )


# --- keeping stored copies current -----------------------------------------------------------

#: Topics whose subject is an event, or an assignment in one (the payload names the event).
EVENT_TOPICS = frozenset(
    {
        "event.created",
        "event.updated",
        "event.published",
        "event.rescheduled",
        "event.cancelled",
        "event.deleted",
        "assignment.created",
        "assignment.confirmed",
        "assignment.declined",
        "assignment.cancelled",
        "waitlist.promoted",
    }
)
#: Rare changes that can show in any feed of the organization (a contact, a team's name).
ORGANIZATION_TOPICS = frozenset(
    {
        "community.updated",
        "community.deleted",
        "team.updated",
        "team.deleted",
        "team.member_added",
        "team.member_removed",
        "member.removed",
    }
)


def feeds_touched(organization_id: int, topic: str, payload: dict) -> list[int]:
    """Ids of the live feeds with a stored copy that a domain event may have changed."""
    stored = sa.select(CalendarRendering.feed_id)
    statement = sa.select(CalendarFeed.id).where(
        CalendarFeed.organization_id == organization_id,
        CalendarFeed.revoked_at.is_(None),
        CalendarFeed.id.in_(stored),
    )
    if topic in ORGANIZATION_TOPICS:
        return list(db.session.scalars(statement.order_by(CalendarFeed.id)))
    if topic not in EVENT_TOPICS or "event_id" not in payload:
        return []
    event_id = payload["event_id"]
    community_id, team_id = payload.get("community_id"), payload.get("team_id")
    if community_id is None:
        row = db.session.execute(
            sa.select(Event.community_id, Event.team_id).where(Event.id == event_id)
        ).first()
        if row is None:
            return []
        community_id, team_id = row
    involved = sa.select(Membership.user_id).join(
        VolunteerProfile, VolunteerProfile.membership_id == Membership.id
    )
    in_event = involved.join(Assignment, Assignment.volunteer_id == VolunteerProfile.id).where(
        Assignment.event_id == event_id
    )
    in_team = involved.join(TeamMember, TeamMember.volunteer_id == VolunteerProfile.id).where(
        TeamMember.team_id == team_id
    )
    touched = sa.or_(
        sa.and_(CalendarFeed.scope == FeedScope.PERSONAL, CalendarFeed.owner_user_id.in_(in_event)),
        sa.and_(
            CalendarFeed.scope == FeedScope.PERSONAL,
            CalendarFeed.include_open,
            CalendarFeed.owner_user_id.in_(in_team),
        ),
        sa.and_(CalendarFeed.scope == FeedScope.TEAM, CalendarFeed.team_id == team_id),
        sa.and_(
            CalendarFeed.scope == FeedScope.COMMUNITY, CalendarFeed.community_id == community_id
        ),
        CalendarFeed.scope == FeedScope.COORDINATOR,
    )
    return list(db.session.scalars(statement.where(touched).order_by(CalendarFeed.id)))


def refresh_feed(feed_id: int, *, now: datetime | None = None) -> int:
    """Render every stored copy of a feed again; a feed that no longer opens loses them."""
    feed = db.session.get(CalendarFeed, feed_id)
    windows = db.session.scalars(
        sa.select(CalendarRendering.past_days).where(CalendarRendering.feed_id == feed_id)
    ).all()
    for past_days in windows:
        try:
            store_rendering(feed, past_days, now=now)
        except NotFound:
            db.session.execute(
                sa.delete(CalendarRendering).where(CalendarRendering.feed_id == feed_id)
            )
            forget_feed(feed_id)
            return 0
    return len(windows)


def refresh_feeds_for_outbox_event(
    organization_id: int | None, topic: str, payload: dict, *, now: datetime | None = None
) -> list[int]:
    """The outbox handler's work: re-render the stored feeds a domain event touched.

    Idempotent: rendering is deterministic, so a second delivery stores the same
    bytes, and their ETag and Last-Modified do not change.
    """
    if organization_id is None:
        return []
    feed_ids = feeds_touched(organization_id, topic, payload)
    for feed_id in feed_ids:
        refresh_feed(feed_id, now=now)
    return feed_ids


# --- invitations -----------------------------------------------------------------------------


def assignment_invitation(
    actor: Actor,
    assignment_id: int,
    *,
    now: datetime | None = None,
    links: LinkBuilder = event_api_links,
) -> ical.Invitation:
    """The ``text/calendar`` part of the e-mail about an assignment, for the notifier.

    REQUEST while the volunteer holds a place (again, with a higher SEQUENCE, after
    a change); CANCEL once the place or the event is gone. The UID is the one the
    volunteer's feed shows.
    """
    now = now or utcnow()
    assignment = get_in_organization(Assignment, assignment_id, actor.organization_id)
    [event] = _feed_events([Event.id == assignment.event_id])
    user = db.session.scalar(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .join(VolunteerProfile, VolunteerProfile.membership_id == Membership.id)
        .where(VolunteerProfile.id == assignment.volunteer_id)
    )
    mine = list(
        db.session.scalars(
            sa.select(Assignment)
            .where(
                Assignment.event_id == event.id,
                Assignment.volunteer_id == assignment.volunteer_id,
                Assignment.status != AssignmentStatus.WAITLISTED,
            )
            .order_by(Assignment.id)
        )
    )
    if not mine:
        raise Conflict(
            "A volunteer on the waitlist holds no place and gets no invitation.",
            reason="waitlisted",
        )
    item = personal_item(
        event,
        assignment.volunteer_id,
        mine,
        _holders([event.id]).get(event.id, []),
        locale=user.locale,
        now=now,
        links=links,
        keep_cancelled=True,
    )
    holding = item.status is not ical.Status.CANCELLED
    community = event.community
    host = urlsplit(get_settings().base_url).hostname or "rounds.invalid"
    organizer = ical.Person(
        community.contact_name or community.name, community.contact_email or f"noreply@{host}"
    )
    return ical.invitation(
        item,
        method="REQUEST" if holding else "CANCEL",
        organizer=organizer,
        attendee=ical.Person(user.name, user.email),
        stamp=now,
        accepted=any(a.status is AssignmentStatus.CONFIRMED for a in mine),
    )
