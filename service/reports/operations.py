"""Use cases of reports: read-only, scoped to the caller's organization and communities."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from service.accounts.models import Membership
from service.activities.models import Event, EventStatus
from service.assignments.models import HOLDING, Assignment
from service.core.auth import Actor
from service.core.db import db
from service.core.time import local_week_start, to_local, utcnow
from service.residents.models import HelpRequest, Resident, VisitOutcome
from service.volunteers.models import VolunteerProfile


def _community_filter(actor: Actor, column: sa.ColumnElement, community_id: int | None):
    conditions = []
    if not actor.is_admin and actor.community_ids is not None:
        conditions.append(column.in_(actor.community_ids))
    if community_id is not None:
        conditions.append(column == community_id)
    return conditions


def help_request_report(
    actor: Actor,
    *,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    community_id: int | None = None,
) -> dict:
    """Counts of help requests; anonymised residents are still counted (without names)."""
    actor.require_coordinator()
    conditions = [
        HelpRequest.organization_id == actor.organization_id,
        *_community_filter(actor, HelpRequest.community_id, community_id),
    ]
    if received_from is not None:
        conditions.append(HelpRequest.created_at >= received_from)
    if received_to is not None:
        conditions.append(HelpRequest.created_at < received_to)
    rows = db.session.execute(
        sa.select(
            HelpRequest.category,
            HelpRequest.status,
            HelpRequest.urgency,
            HelpRequest.channel,
            HelpRequest.resident_id,
            Resident.anonymised_at,
        )
        .join(Resident, Resident.id == HelpRequest.resident_id)
        .where(*conditions)
    ).all()
    outcomes = db.session.execute(
        sa.select(VisitOutcome.outcome, VisitOutcome.concern)
        .join(HelpRequest, HelpRequest.id == VisitOutcome.request_id)
        .where(*conditions)
    ).all()
    return {
        "total": len(rows),
        "residents": len({row.resident_id for row in rows}),
        "anonymised_residents": len({row.resident_id for row in rows if row.anonymised_at}),
        "by_category": dict(Counter(row.category.value for row in rows)),
        "by_status": dict(Counter(row.status.value for row in rows)),
        "by_urgency": dict(Counter(row.urgency.value for row in rows)),
        "by_channel": dict(Counter(row.channel.value for row in rows)),
        "visits": dict(Counter(outcome.outcome.value for outcome in outcomes)),
        "concerns": sum(1 for outcome in outcomes if outcome.concern.value != "none"),
    }


def volunteer_load(
    actor: Actor, *, month: str | None = None, community_id: int | None = None
) -> list[dict]:
    """Each volunteer's assignments and hours in a calendar month, against their limits."""
    actor.require_coordinator()
    first = date.fromisoformat(f"{month}-01") if month else utcnow().date().replace(day=1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    volunteers = list(
        db.session.scalars(
            sa.select(VolunteerProfile)
            .join(VolunteerProfile.membership)
            .options(
                selectinload(VolunteerProfile.membership).selectinload(Membership.user),
                selectinload(VolunteerProfile.membership).selectinload(Membership.communities),
            )
            .where(
                VolunteerProfile.organization_id == actor.organization_id,
                Membership.removed_at.is_(None),
            )
        )
    )
    if community_id is not None:
        volunteers = [
            v for v in volunteers if v.community_ids is None or community_id in v.community_ids
        ]
    rows = db.session.execute(
        sa.select(Assignment.volunteer_id, Event.starts_at, Event.ends_at, Event.timezone)
        .join(Event, Event.id == Assignment.event_id)
        .where(
            Assignment.organization_id == actor.organization_id,
            Assignment.status.in_(HOLDING),
            Event.status != EventStatus.CANCELLED,
            # A day's margin on each side covers every zone; the month is then cut in
            # each event's own zone below.
            Event.starts_at >= datetime.combine(first - timedelta(days=1), time(), UTC),
            Event.starts_at < datetime.combine(after + timedelta(days=1), time(), UTC),
        )
    ).all()
    per_volunteer: dict[int, list] = defaultdict(list)
    for row in rows:
        local_day = to_local(row.starts_at, row.timezone).date()
        if first <= local_day < after:
            per_volunteer[row.volunteer_id].append(row)
    report = []
    for volunteer in sorted(volunteers, key=lambda v: (v.name, v.id)):
        mine = per_volunteer.get(volunteer.id, [])
        hours = round(sum((r.ends_at - r.starts_at).total_seconds() for r in mine) / 3600, 2)
        weeks = Counter(local_week_start(r.starts_at, r.timezone) for r in mine)
        busiest = max(weeks.values(), default=0)
        over = (
            volunteer.max_hours_per_month is not None and hours > volunteer.max_hours_per_month
        ) or (
            volunteer.max_assignments_per_week is not None
            and busiest > volunteer.max_assignments_per_week
        )
        report.append(
            {
                "volunteer_id": volunteer.id,
                "name": volunteer.name,
                "assignments": len(mine),
                "hours": hours,
                "max_hours_per_month": volunteer.max_hours_per_month,
                "max_assignments_per_week": volunteer.max_assignments_per_week,
                "busiest_week": busiest,
                "over_limit": over,
            }
        )
    return report
