"""Teams: the patrol team, the grocery team, a care circle."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.db import UTCDateTime, db
from service.core.time import utcnow

if TYPE_CHECKING:
    from service.volunteers.models import VolunteerProfile


class Team(db.Model):
    """A group of volunteers in one community who share a kind of work."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised tenant for scoping.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: The community the team works in.
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: Display name, unique within the community.
    name: Mapped[str] = mapped_column(sa.String(200))
    #: What the team does, for newcomers.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: When it was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamMember.volunteer_id"
    )

    __table_args__ = (sa.UniqueConstraint("community_id", "name"),)
    __mapper_args__ = {"version_id_col": version}


class TeamMember(db.Model):
    """A volunteer's place in a team."""

    __tablename__ = "team_members"

    #: The team.
    team_id: Mapped[int] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    #: The volunteer.
    volunteer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: Team leads organise the team and are the first contact of its members.
    is_lead: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: When the volunteer joined.
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="members")
    volunteer: Mapped[VolunteerProfile] = relationship()
