"""Volunteers: their skills, languages, contact and the limits that protect them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.db import JSONType, UTCDateTime, db
from service.core.time import utcnow

if TYPE_CHECKING:
    from service.accounts.models import Membership


class Skill(db.Model):
    """Something a position may require: first-aid, driver, haircut, ..."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organization whose vocabulary it belongs to.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: Stable handle used in the API, e.g. ``first-aid``; unique in the organization.
    key: Mapped[str] = mapped_column(sa.String(64))
    #: Human label.
    name: Mapped[str] = mapped_column(sa.String(200))
    #: When it was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("organization_id", "key"),)


volunteer_skills = sa.Table(
    "volunteer_skills",
    db.metadata,
    sa.Column(
        "volunteer_id",
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("skill_id", sa.ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True),
)


class VolunteerProfile(db.Model):
    """What a member brings as a volunteer, and how much may be asked of them."""

    __tablename__ = "volunteer_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised tenant, so every query can be scoped without a join.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: The membership (user + organization) this profile belongs to.
    membership_id: Mapped[int] = mapped_column(
        sa.ForeignKey("memberships.id", ondelete="CASCADE"), unique=True
    )
    #: Mobile number for SMS and for the coordinator; seen by coordinators only.
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    #: Languages spoken, as language codes (``zh``, ``es``, ``en``, ``yue``).
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Most assignments in one week (Monday to Sunday, community time); None: no limit.
    max_assignments_per_week: Mapped[int | None] = mapped_column(sa.Integer)
    #: Most hours of assignments in one calendar month; None: no limit.
    max_hours_per_month: Mapped[int | None] = mapped_column(sa.Integer)
    #: Least hours between the end of one assignment and the start of the next.
    min_rest_hours: Mapped[int | None] = mapped_column(sa.Integer)
    #: False while the volunteer takes no new work (the profile and history stay).
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    #: When the profile was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    membership: Mapped[Membership] = relationship(back_populates="volunteer")
    skills: Mapped[list[Skill]] = relationship(secondary=volunteer_skills, order_by="Skill.key")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        sa.CheckConstraint(
            "max_assignments_per_week IS NULL OR max_assignments_per_week >= 0",
            name="max_assignments_per_week_not_negative",
        ),
        sa.CheckConstraint(
            "max_hours_per_month IS NULL OR max_hours_per_month >= 0",
            name="max_hours_per_month_not_negative",
        ),
        sa.CheckConstraint(
            "min_rest_hours IS NULL OR min_rest_hours >= 0", name="min_rest_hours_not_negative"
        ),
    )

    @property
    def user_id(self) -> int:
        return self.membership.user_id

    @property
    def name(self) -> str:
        return self.membership.user.name

    @property
    def skill_keys(self) -> set[str]:
        return {skill.key for skill in self.skills}

    @property
    def community_ids(self) -> frozenset[int] | None:
        return self.membership.community_ids


class AvailabilityWindow(db.Model):
    """A weekly time the volunteer can work, in the local time of the event's community."""

    __tablename__ = "availability_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Whose window it is.
    volunteer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True
    )
    #: Day of the week, Monday 0 to Sunday 6.
    weekday: Mapped[int] = mapped_column(sa.SmallInteger)
    #: Minutes after local midnight when it opens.
    start_minute: Mapped[int] = mapped_column(sa.SmallInteger)
    #: Minutes after local midnight when it closes (1440: midnight at the end of the day).
    end_minute: Mapped[int] = mapped_column(sa.SmallInteger)

    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_valid"),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND end_minute > start_minute",
            name="minutes_valid",
        ),
    )


class Blackout(db.Model):
    """A period the volunteer is away: holiday, leave, "resting this month"."""

    __tablename__ = "blackouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Whose period it is.
    volunteer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True
    )
    #: Start, in UTC.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: End, in UTC; after the start.
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Why, for the coordinator ("holiday", "resting"); optional.
    reason: Mapped[str] = mapped_column(sa.String(200), default="")

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)


class VolunteerPreferences(db.Model):
    """What a rotation should honour besides limits: likes, pairings, being a trainee."""

    __tablename__ = "volunteer_preferences"

    #: The volunteer (one row each, created on first edit).
    volunteer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    #: A trainee is never scheduled only with trainees (set by a coordinator).
    trainee: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: Activity type keys the volunteer would like more of.
    preferred_activity_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Activity type keys the volunteer would rather not do.
    avoided_activity_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Volunteer ids they like to work with (a soft goal).
    pair_with: Mapped[list[int]] = mapped_column(JSONType, default=list)
    #: Volunteer ids they must never share an event with (a hard rule, both ways).
    not_together: Mapped[list[int]] = mapped_column(JSONType, default=list)
