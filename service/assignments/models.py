"""Assignments: who holds, or waits for, a place in a position."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.db import JSONType, UTCDateTime, db, str_enum
from service.core.time import utcnow

if TYPE_CHECKING:
    from service.activities.models import Event, Position
    from service.volunteers.models import VolunteerProfile


class AssignmentStatus(StrEnum):
    PENDING = "pending"  # holds the place, waits for the volunteer to accept
    CONFIRMED = "confirmed"  # holds the place, accepted
    WAITLISTED = "waitlisted"  # waits for a place to free up, in rank order
    DECLINED = "declined"  # the volunteer said no
    CANCELLED = "cancelled"  # withdrawn by the volunteer, a coordinator or the event


#: Statuses that occupy a place in the position.
HOLDING = (AssignmentStatus.PENDING, AssignmentStatus.CONFIRMED)
#: Statuses that still concern the volunteer (a place held or awaited).
ACTIVE = (*HOLDING, AssignmentStatus.WAITLISTED)


class AssignmentSource(StrEnum):
    SELF = "self"  # the volunteer signed up
    COORDINATOR = "coordinator"  # a coordinator assigned them
    ROTATION = "rotation"  # a published rotation plan
    REQUEST = "request"  # scheduling a resident's help request


def _status_in(statuses: tuple[AssignmentStatus, ...]) -> sa.TextClause:
    values = ", ".join(f"'{status.value}'" for status in statuses)
    return sa.text(f"status IN ({values})")


class Assignment(db.Model):
    """A volunteer in a position of an event."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised tenant for scoping.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: The event (denormalised from the position, for time-range queries).
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    #: The position whose place is held or awaited.
    position_id: Mapped[int] = mapped_column(sa.ForeignKey("positions.id", ondelete="CASCADE"))
    #: The volunteer.
    volunteer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE")
    )
    #: pending | confirmed | waitlisted | declined | cancelled.
    status: Mapped[AssignmentStatus] = mapped_column(
        str_enum(AssignmentStatus, "assignment_status")
    )
    #: How it came about: self | coordinator | rotation | request.
    source: Mapped[AssignmentSource] = mapped_column(
        str_enum(AssignmentSource, "assignment_source")
    )
    #: Place in the waitlist (lower goes first); set only while waitlisted.
    waitlist_rank: Mapped[int | None] = mapped_column(sa.Integer)
    #: Checks a coordinator chose to override (``missing_skill``, ``limit_exceeded``, ...).
    overridden_checks: Mapped[list[str] | None] = mapped_column(JSONType)
    #: Why the coordinator overrode them.
    override_reason: Mapped[str | None] = mapped_column(sa.String(500))
    #: Who created the assignment.
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When it was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: When the volunteer accepted or declined, or the waitlist promoted them.
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the event moved to another time after this place was given; the volunteer
    #: should check the new time. None while the time is the one they agreed to.
    rescheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    event: Mapped[Event] = relationship()
    position: Mapped[Position] = relationship()
    volunteer: Mapped[VolunteerProfile] = relationship()

    __table_args__ = (
        sa.Index("ix_assignments_volunteer_status", "volunteer_id", "status"),
        sa.Index("ix_assignments_position_status", "position_id", "status"),
        sa.Index("ix_assignments_event", "event_id"),
        # One live assignment per volunteer and position, however many came before.
        sa.Index(
            "uq_assignments_active_volunteer",
            "position_id",
            "volunteer_id",
            unique=True,
            sqlite_where=_status_in(ACTIVE),
            postgresql_where=_status_in(ACTIVE),
        ),
        # Distinct waitlist ranks per position, enforced by the database.
        sa.Index(
            "uq_assignments_waitlist_rank",
            "position_id",
            "waitlist_rank",
            unique=True,
            sqlite_where=sa.text("status = 'waitlisted'"),
            postgresql_where=sa.text("status = 'waitlisted'"),
        ),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDING
