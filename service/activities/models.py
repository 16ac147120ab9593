"""Activity types, events and the positions inside them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from service.assignments.models import HOLDING, Assignment, AssignmentStatus
from service.core.db import JSONType, UTCDateTime, db, str_enum
from service.core.time import utcnow

if TYPE_CHECKING:
    from service.communities.models import Community
    from service.teams.models import Team
    from service.volunteers.models import Skill


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class ActivityType(db.Model):
    """A kind of work (patrol, clean-up, grocery run, home visit, ...)."""

    __tablename__ = "activity_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organization whose catalogue it belongs to.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: Stable handle, e.g. ``patrol``; unique in the organization.
    key: Mapped[str] = mapped_column(sa.String(64))
    #: Names by locale: ``{"en": "Patrol", "zh": "巡逻", "es": "Patrulla"}``.
    names: Mapped[dict[str, str]] = mapped_column(JSONType)
    #: Length of a new event of this type, in minutes.
    default_duration_minutes: Mapped[int] = mapped_column(sa.Integer, default=120)
    #: Fewest people an event of this type needs (patrols: two, never one alone).
    min_people: Mapped[int] = mapped_column(sa.Integer, default=1)
    #: When it was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("organization_id", "key"),
        sa.CheckConstraint("default_duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("min_people >= 1", name="min_people_positive"),
    )
    __mapper_args__ = {"version_id_col": version}

    def name_in(self, locale: str) -> str:
        return self.names.get(locale) or self.names.get("en") or self.key


class Event(db.Model):
    """One occurrence of work at a time and place: tonight's patrol, Saturday's grocery run."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised tenant for scoping.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: The community it takes place in.
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: The team that staffs it, if any.
    team_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    #: What kind of work it is.
    activity_type_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_types.id"))
    #: Short title shown in lists and calendars.
    title: Mapped[str] = mapped_column(sa.String(200))
    #: Longer explanation for volunteers.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Where to meet.
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Start, in UTC.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: End, in UTC; after the start.
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: IANA zone the event is planned in (the community's unless given).
    timezone: Mapped[str] = mapped_column(sa.String(64))
    #: False when places are given only by coordinators (a visit to a resident's home).
    signups_open: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    #: draft (coordinators only), published (volunteers see and sign up), cancelled.
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.DRAFT
    )
    #: Why it was cancelled, told to the people assigned.
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    #: When it was cancelled.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who created it.
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When it was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: The series this event is an occurrence of, if any.
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("event_series.id", ondelete="SET NULL")
    )
    #: The occurrence's original start in its series (iCalendar RECURRENCE-ID), in UTC.
    recurrence_id: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: True once the occurrence was edited on its own: edits of the whole series leave it
    #: as it is, and feeds show it as an override of the series.
    detached: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    #: Optimistic-lock counter, the ETag; grows with every change to the event or its positions.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    #: iCalendar SEQUENCE: grows with each change a calendar must notice (time, place,
    #: title, status), so clients replace their copy of the event and its invitation.
    sequence: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")

    community: Mapped[Community] = relationship()
    team: Mapped[Team | None] = relationship()
    activity_type: Mapped[ActivityType] = relationship()
    positions: Mapped[list[Position]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Position.id"
    )

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_events_community_starts_at", "community_id", "starts_at"),
        sa.Index("ix_events_organization_starts_at", "organization_id", "starts_at"),
        # One event per occurrence, however often the horizon is extended.
        sa.UniqueConstraint("series_id", "recurrence_id"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def duration_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def filled(self) -> int:
        return sum(position.filled for position in self.positions)

    @property
    def needed(self) -> int:
        return sum(position.min_people for position in self.positions)

    @property
    def capacity(self) -> int:
        return sum(position.max_people for position in self.positions)

    @property
    def fill_state(self) -> str:
        """empty (nobody), short (fewer than needed), ok (enough, places left) or full."""
        if self.filled == 0:
            return "empty"
        if any(position.filled < position.min_people for position in self.positions):
            return "short"
        return "full" if self.filled >= self.capacity else "ok"


class Position(db.Model):
    """A role inside an event with its own head-count: "patroller" x2, "driver" x1."""

    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The event it belongs to.
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    #: Name of the role, e.g. "Patroller", "Driver".
    name: Mapped[str] = mapped_column(sa.String(200))
    #: A skill every holder must have, if any.
    required_skill_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("skills.id", ondelete="RESTRICT")
    )
    #: Fewest holders for the event to go ahead; fewer is a gap.
    min_people: Mapped[int] = mapped_column(sa.Integer, default=1)
    #: Most holders; further sign-ups go to the waitlist.
    max_people: Mapped[int] = mapped_column(sa.Integer, default=1)

    event: Mapped[Event] = relationship(back_populates="positions")
    required_skill: Mapped[Skill | None] = relationship(lazy="joined")

    @property
    def required_skill_key(self) -> str | None:
        return self.required_skill.key if self.required_skill else None

    __table_args__ = (
        sa.CheckConstraint("min_people >= 0", name="min_people_not_negative"),
        sa.CheckConstraint("max_people >= 1 AND max_people >= min_people", name="max_people_valid"),
    )


# How full a position is, loaded with it in the same SELECT (no query per position).
Position.filled = column_property(
    sa.select(sa.func.count(Assignment.id))
    .where(Assignment.position_id == Position.id, Assignment.status.in_(HOLDING))
    .correlate_except(Assignment)
    .scalar_subquery()
)
Position.waitlisted = column_property(
    sa.select(sa.func.count(Assignment.id))
    .where(
        Assignment.position_id == Position.id,
        Assignment.status == AssignmentStatus.WAITLISTED,
    )
    .correlate_except(Assignment)
    .scalar_subquery()
)
