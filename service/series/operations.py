"""Use cases of event series: create, materialise ahead, edit all or following, cancel one."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from service.activities.models import Event, EventStatus
from service.activities.operations import (
    _activity_type_for,
    _team_in_community,
    cancel_event,
    create_event,
    update_event,
)
from service.communities.operations import get_community
from service.core.auth import Actor
from service.core.db import db, get_in_organization, lock
from service.core.errors import Conflict, Invalid, NotFound, check_version
from service.core.time import utcnow
from service.series import events, recurrence
from service.series.models import EventSeries
from service.volunteers.operations import skills_by_key

#: Fields copied from a series to each of its occurrences.
TEMPLATE_FIELDS = ("title", "description", "location")
#: Occurrences already past are history: series edits and materialisation leave them.
PAST_MARGIN = timedelta(days=1)


def recurrence_of(series: EventSeries) -> recurrence.Recurrence:
    return recurrence.Recurrence(
        starts_at=series.starts_at,
        duration=timedelta(minutes=series.duration_minutes),
        timezone=series.timezone,
        rule=series.rrule,
        exdates=tuple(datetime.fromisoformat(item) for item in series.exdates),
        rdates=tuple(datetime.fromisoformat(item) for item in series.rdates),
    )


def _checked(candidate: recurrence.Recurrence) -> recurrence.Recurrence:
    try:
        recurrence.validate(candidate)
    except recurrence.RecurrenceError as error:
        raise Invalid(error.errors) from None
    return candidate


def _normalised_rule(rule: str, timezone: str) -> str:
    try:
        return recurrence.normalise_rule(rule, timezone)
    except recurrence.RecurrenceError as error:
        raise Invalid(error.errors) from None


def _utc_list(moments: list[datetime]) -> list[str]:
    return sorted({moment.astimezone(UTC).isoformat() for moment in moments})


# --- reading -------------------------------------------------------------------------------


def series_query(
    actor: Actor, *, community_id: int | None = None, team_id: int | None = None
) -> sa.Select:
    statement = (
        sa.select(EventSeries)
        .where(EventSeries.organization_id == actor.organization_id)
        .order_by(EventSeries.starts_at, EventSeries.id)
    )
    if not actor.is_coordinator and actor.community_ids is not None:
        statement = statement.where(EventSeries.community_id.in_(actor.community_ids))
    if community_id is not None:
        statement = statement.where(EventSeries.community_id == community_id)
    if team_id is not None:
        statement = statement.where(EventSeries.team_id == team_id)
    return statement


def get_series(actor: Actor, series_id: int) -> EventSeries:
    series = get_in_organization(EventSeries, series_id, actor.organization_id, label="series")
    if not actor.is_coordinator and not actor.in_community(series.community_id):
        raise NotFound("No such series.")
    return series


def occurrences_query(
    actor: Actor,
    series_id: int,
    *,
    ends_after: datetime | None = None,
    starts_before: datetime | None = None,
) -> sa.Select:
    """The series' occurrences that exist as events, in start order."""
    from service.activities.operations import events_query

    series = get_series(actor, series_id)
    return events_query(actor, ends_after=ends_after, starts_before=starts_before).where(
        Event.series_id == series.id
    )


# --- creating and materialising -------------------------------------------------------------


def create_series(actor: Actor, data: dict, *, now: datetime | None = None) -> EventSeries:
    """A recurring activity; its occurrences within the horizon become events at once."""
    community = get_community(actor, data["community_id"])
    actor.require_manages(community.id)
    activity_type = _activity_type_for(actor, data["activity_type_id"])
    _team_in_community(actor, data.get("team_id"), community.id)
    timezone = data.get("timezone") or community.timezone
    starts_at = data["starts_at"]
    if data.get("ends_at") is not None:
        duration = data["ends_at"] - starts_at
    else:
        duration = timedelta(
            minutes=data.get("duration_minutes") or activity_type.default_duration_minutes
        )
    rule = _normalised_rule(data["rrule"], timezone)
    _checked(
        recurrence.Recurrence(
            starts_at,
            duration,
            timezone,
            rule,
            exdates=tuple(data.get("exdates", ())),
            rdates=tuple(data.get("rdates", ())),
        )
    )
    positions = data.get("positions") or [
        {
            "name": activity_type.name_in(community.locale),
            "min_people": activity_type.min_people,
            "max_people": activity_type.min_people,
        }
    ]
    skills_by_key(
        actor.organization_id,
        [p["required_skill_key"] for p in positions if p.get("required_skill_key")],
        field="positions",
    )
    series = EventSeries(
        organization_id=actor.organization_id,
        community_id=community.id,
        team_id=data.get("team_id"),
        activity_type_id=activity_type.id,
        title=data.get("title") or activity_type.name_in(community.locale),
        description=data.get("description", ""),
        location=data.get("location", ""),
        starts_at=starts_at,
        duration_minutes=round(duration.total_seconds() / 60),
        timezone=timezone,
        rrule=rule,
        exdates=_utc_list(data.get("exdates", [])),
        rdates=_utc_list(data.get("rdates", [])),
        positions=[
            {
                "name": p["name"],
                "required_skill_key": p.get("required_skill_key"),
                "min_people": p.get("min_people", 1),
                "max_people": p.get("max_people", 1),
            }
            for p in positions
        ],
        occurrence_status=data.get("occurrence_status", EventStatus.PUBLISHED),
        horizon_days=data.get("horizon_days") or 90,
        created_by_user_id=actor.user_id,
    )
    db.session.add(series)
    db.session.flush()
    created = materialise(actor, series, (now or utcnow()) + timedelta(days=series.horizon_days))
    events.series_event(
        events.SERIES_CREATED, series, actor, event_ids=[event.id for event in created]
    )
    return series


def _occurrence_data(series: EventSeries, start: datetime) -> dict:
    start_utc = start.astimezone(UTC)
    return {
        "community_id": series.community_id,
        "team_id": series.team_id,
        "activity_type_id": series.activity_type_id,
        "title": series.title,
        "description": series.description,
        "location": series.location,
        "starts_at": start_utc,
        "ends_at": start_utc + timedelta(minutes=series.duration_minutes),
        "timezone": series.timezone,
        "status": series.occurrence_status,
        "positions": [dict(position) for position in series.positions],
    }


def _create_occurrence(actor: Actor, series: EventSeries, start: datetime) -> Event:
    event = create_event(actor, _occurrence_data(series, start))
    event.series_id = series.id
    event.recurrence_id = start.astimezone(UTC)
    return event


def materialise(
    actor: Actor, series: EventSeries, until: datetime, *, now: datetime | None = None
) -> list[Event]:
    """Create the events of occurrences starting before ``until`` that do not exist yet."""
    now = now or utcnow()
    start = max(series.materialised_until or series.starts_at, series.starts_at, now - PAST_MARGIN)
    if start >= until:
        return []
    existing = set(
        db.session.scalars(
            sa.select(Event.recurrence_id).where(
                Event.series_id == series.id,
                Event.recurrence_id >= start,
                Event.recurrence_id < until,
            )
        )
    )
    created = []
    for moment in recurrence.occurrences(recurrence_of(series), start, until):
        if moment.astimezone(UTC) not in existing:
            created.append(_create_occurrence(actor, series, moment))
    series.materialised_until = until
    db.session.flush()
    return created


def extend_series_horizons(now: datetime | None = None) -> int:
    """Materialise every series up to its horizon from ``now``; return the events created.

    The periodic scheduler calls this (daily is plenty). Each series is locked while it
    is extended and events are unique per occurrence, so two runs at once are harmless.
    """
    now = now or utcnow()
    due = db.session.execute(
        sa.select(EventSeries.id, EventSeries.organization_id).order_by(EventSeries.id)
    ).all()
    created = 0
    for series_id, organization_id in due:
        series = lock(EventSeries, series_id)
        until = now + timedelta(days=series.horizon_days)
        if series.materialised_until is not None and series.materialised_until >= until:
            continue
        created += len(materialise(Actor.system(organization_id), series, until, now=now))
    return created


# --- editing -------------------------------------------------------------------------------


def _future_events(series_id: int, since: datetime) -> list[Event]:
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(
                Event.series_id == series_id,
                Event.recurrence_id >= since,
                Event.detached.is_(False),
                Event.status != EventStatus.CANCELLED,
            )
            .order_by(Event.recurrence_id)
        )
    )


def _sync(actor: Actor, series: EventSeries, since: datetime, moved: list[Event]) -> list[int]:
    """Make the events in ``moved`` match the series' occurrences from ``since`` on.

    Events and occurrences are matched by local date (the n-th of a day to the n-th),
    so a new time of day or length moves each event instead of replacing it, and the
    assignments in it survive (flagged when their time changed). Events of dates the
    rule no longer has are cancelled; new dates get new events.
    """
    until = max(series.materialised_until or since, since)
    wanted = recurrence.occurrences(recurrence_of(series), since, until)
    by_day: dict = defaultdict(list)
    for moment in wanted:
        by_day[moment.date()].append(moment)
    zone = recurrence_of(series).zone
    for event in moved:
        event.recurrence_id = None  # re-keyed below; avoids a transient duplicate key
    db.session.flush()
    touched = []
    taken: dict = defaultdict(int)
    for event in sorted(moved, key=lambda e: e.starts_at):
        day = event.starts_at.astimezone(zone).date()
        slots = by_day.get(day, [])
        if taken[day] >= len(slots):
            cancel_event(actor, event.id, "No longer part of the series.")
            event.series_id = series.id
            touched.append(event.id)
            continue
        moment = slots[taken[day]]
        taken[day] += 1
        data = _occurrence_data(series, moment)
        changes = {
            field: data[field]
            for field in (*TEMPLATE_FIELDS, "starts_at", "ends_at")
            if getattr(event, field) != data[field]
        }
        if changes:
            update_event(actor, event.id, changes, detach=False)
            touched.append(event.id)
        event.series_id = series.id
        event.recurrence_id = moment.astimezone(UTC)
    db.session.flush()
    for day, slots in by_day.items():
        for moment in slots[taken[day] :]:
            existing = db.session.scalar(
                sa.select(Event.id).where(
                    Event.series_id == series.id, Event.recurrence_id == moment.astimezone(UTC)
                )
            )
            if existing is None:
                touched.append(_create_occurrence(actor, series, moment).id)
    db.session.flush()
    return touched


def _series_for_update(actor: Actor, series_id: int, expected_version: int | None) -> EventSeries:
    series = get_series(actor, series_id)
    actor.require_manages(series.community_id)
    series = lock(EventSeries, series.id)
    check_version(series.version, expected_version)
    return series


def _apply_changes(
    series: EventSeries, changes: dict, anchor: datetime
) -> tuple[datetime, timedelta, str]:
    """The new (first start, duration, rule) after ``changes``, anchored on ``anchor``'s day."""
    zone = recurrence_of(series).zone
    local_anchor = anchor.astimezone(zone)
    start_time: time = changes.get("start_time") or local_anchor.time()
    new_start = datetime.combine(local_anchor.date(), start_time, tzinfo=zone)
    duration = timedelta(minutes=changes.get("duration_minutes") or series.duration_minutes)
    rule = (
        _normalised_rule(changes["rrule"], series.timezone) if "rrule" in changes else series.rrule
    )
    return new_start.astimezone(UTC), duration, rule


def update_series(
    actor: Actor,
    series_id: int,
    changes: dict,
    *,
    scope: str = "all",
    occurrence: datetime | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> EventSeries:
    """Edit the whole series (its occurrences still to come) or this and the following ones.

    ``scope="following"`` splits the series at ``occurrence``: the old one now ends just
    before it, a new one (``parent_series_id``) carries the change from it on, and the
    events from there move to the new series. Occurrences edited on their own
    (``detached``) keep their edits either way.
    """
    now = now or utcnow()
    series = _series_for_update(actor, series_id, expected_version)
    if scope == "following":
        if occurrence is None:
            raise Invalid({"occurrence": ["Say from which occurrence on the change applies."]})
        return _split(actor, series, changes, occurrence, now)
    start, duration, rule = _apply_changes(series, changes, series.starts_at)
    _checked(
        recurrence.Recurrence(
            start,
            duration,
            series.timezone,
            rule,
            exdates=recurrence_of(series).exdates,
            rdates=recurrence_of(series).rdates,
        )
    )
    for field in TEMPLATE_FIELDS:
        if field in changes:
            setattr(series, field, changes[field])
    series.starts_at, series.rrule = start, rule
    series.duration_minutes = round(duration.total_seconds() / 60)
    db.session.flush()
    since = now - timedelta(minutes=1)
    touched = _sync(actor, series, max(since, series.starts_at), _future_events(series.id, since))
    events.series_event(
        events.SERIES_UPDATED, series, actor, changed=sorted(changes), event_ids=touched
    )
    return series


def _is_occurrence(series: EventSeries, moment: datetime) -> bool:
    found = db.session.scalar(
        sa.select(Event.id).where(
            Event.series_id == series.id, Event.recurrence_id == moment.astimezone(UTC)
        )
    )
    if found is not None:
        return True
    hits = recurrence.occurrences(
        recurrence_of(series), moment, moment.astimezone(UTC) + timedelta(seconds=1)
    )
    return bool(hits) and hits[0].astimezone(UTC) == moment.astimezone(UTC)


def _split(
    actor: Actor, series: EventSeries, changes: dict, occurrence: datetime, now: datetime
) -> EventSeries:
    if not _is_occurrence(series, occurrence):
        raise Invalid({"occurrence": ["That is not the start of an occurrence of this series."]})
    if occurrence.astimezone(UTC) <= series.starts_at:
        return update_series(actor, series.id, changes, scope="all", now=now)
    old = recurrence_of(series)
    start, duration, rule = _apply_changes(
        series,
        {**changes, "rrule": changes.get("rrule") or recurrence.continued_from(old, occurrence)},
        occurrence,
    )
    later_exdates = [d for d in old.exdates if d >= occurrence]
    later_rdates = [d for d in old.rdates if d >= occurrence]
    _checked(
        recurrence.Recurrence(
            start,
            duration,
            series.timezone,
            rule,
            exdates=tuple(later_exdates),
            rdates=tuple(later_rdates),
        )
    )
    following = EventSeries(
        organization_id=series.organization_id,
        community_id=series.community_id,
        team_id=series.team_id,
        activity_type_id=series.activity_type_id,
        title=changes.get("title", series.title),
        description=changes.get("description", series.description),
        location=changes.get("location", series.location),
        starts_at=start,
        duration_minutes=round(duration.total_seconds() / 60),
        timezone=series.timezone,
        rrule=rule,
        exdates=_utc_list(later_exdates),
        rdates=_utc_list(later_rdates),
        positions=[dict(p) for p in series.positions],
        occurrence_status=series.occurrence_status,
        horizon_days=series.horizon_days,
        materialised_until=series.materialised_until,
        parent_series_id=series.id,
        created_by_user_id=actor.user_id,
    )
    db.session.add(following)
    series.rrule = recurrence.truncated_before(old, occurrence)
    series.exdates = _utc_list([d for d in old.exdates if d < occurrence])
    series.rdates = _utc_list([d for d in old.rdates if d < occurrence])
    db.session.flush()
    moved = _future_events(series.id, occurrence.astimezone(UTC))
    touched = _sync(actor, following, start, moved)
    events.series_event(
        events.SERIES_SPLIT,
        series,
        actor,
        changed=sorted(changes),
        event_ids=touched,
        new_series_id=following.id,
    )
    events.series_event(events.SERIES_CREATED, following, actor, event_ids=touched)
    return following


def cancel_occurrence(
    actor: Actor, series_id: int, occurrence: datetime, reason: str = ""
) -> EventSeries:
    """Remove one occurrence (an EXDATE); its event and the places in it are cancelled."""
    series = _series_for_update(actor, series_id, None)
    moment = occurrence.astimezone(UTC)
    if not _is_occurrence(series, moment):
        raise Invalid({"occurrence": ["That is not the start of an occurrence of this series."]})
    event = db.session.scalar(
        sa.select(Event).where(Event.series_id == series.id, Event.recurrence_id == moment)
    )
    if moment.isoformat() not in series.exdates:
        series.exdates = sorted({*series.exdates, moment.isoformat()})
        if (
            not recurrence.occurrences(
                recurrence_of(series), series.starts_at, series.starts_at + timedelta(days=366 * 5)
            )
            and event is None
        ):
            raise Conflict(
                "That is the only occurrence left; cancel the event instead.",
                reason="last_occurrence",
            )
        db.session.flush()
    if event is not None and event.status is not EventStatus.CANCELLED:
        cancel_event(actor, event.id, reason or "Cancelled in the series.")
    events.series_event(
        events.SERIES_OCCURRENCE_CANCELLED,
        series,
        actor,
        event_ids=[event.id] if event is not None else [],
        occurrence=moment.isoformat(),
    )
    return series
