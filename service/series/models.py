"""Event series: a template event plus an RFC 5545 recurrence in the community's zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.activities.models import ActivityType, EventStatus
from service.core.db import JSONType, UTCDateTime, db, str_enum
from service.core.time import utcnow

#: Days ahead for which occurrences exist as events, unless the series says otherwise.
DEFAULT_HORIZON_DAYS = 90


class EventSeries(db.Model):
    """A recurring activity: tonight's and every night's 20:00 patrol, Saturday grocery runs.

    Its occurrences are ordinary events (``Event.series_id``) created ahead for a rolling
    horizon, so sign-ups, reminders and feeds work on them unchanged. A calendar feed
    renders the series as one VEVENT: ``DTSTART;TZID=<timezone>`` from ``starts_at``,
    ``RRULE:<rrule>``, ``EXDATE`` from ``exdates``, ``RDATE`` from ``rdates``, and every
    occurrence event with ``detached`` set (or cancelled) as a ``RECURRENCE-ID`` override.
    """

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised tenant for scoping.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: The community it takes place in; its zone is the series' default zone.
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: The team that staffs it, if any.
    team_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    #: What kind of work it is.
    activity_type_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_types.id"))
    #: Title of every occurrence.
    title: Mapped[str] = mapped_column(sa.String(200))
    #: Explanation for volunteers, copied to every occurrence.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Where to meet.
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Start of the first occurrence (the DTSTART), in UTC; local time comes from ``timezone``.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Length of every occurrence, in minutes.
    duration_minutes: Mapped[int] = mapped_column(sa.Integer)
    #: IANA zone the rule is expanded in (the community's unless given).
    timezone: Mapped[str] = mapped_column(sa.String(64))
    #: The RRULE value, normalised: ``FREQ=DAILY``, ``FREQ=WEEKLY;BYDAY=SA;UNTIL=...Z``.
    rrule: Mapped[str] = mapped_column(sa.String(500))
    #: Original starts (UTC ISO 8601) of occurrences removed from the series (EXDATE).
    exdates: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Extra occurrence starts (UTC ISO 8601) outside the rule (RDATE).
    rdates: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Positions every occurrence gets: ``[{"name", "required_skill_key", "min_people",
    #: "max_people"}]``.
    positions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    #: Status new occurrences get: draft or published.
    occurrence_status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.PUBLISHED
    )
    #: Days ahead for which occurrences are materialised as events.
    horizon_days: Mapped[int] = mapped_column(sa.Integer, default=DEFAULT_HORIZON_DAYS)
    #: Occurrences starting before this instant exist as events; later ones not yet.
    materialised_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The series this one was split from by a "this and following" edit.
    parent_series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_series.id", ondelete="SET NULL")
    )
    #: Who created it.
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When it was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    activity_type: Mapped[ActivityType] = relationship()

    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("horizon_days > 0", name="horizon_positive"),
    )
    __mapper_args__ = {"version_id_col": version}
