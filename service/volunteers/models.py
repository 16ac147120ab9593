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
