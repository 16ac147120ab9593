"""Rotation plans and the rotation settings of teams."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import JSONType, UTCDateTime, db, str_enum
from service.core.time import utcnow


class PlanStatus(StrEnum):
    DRAFT = "draft"  # generated, to be reviewed
    PUBLISHED = "published"  # its assignments exist
    SUPERSEDED = "superseded"  # a newer draft for the same teams and period replaced it


class RotationPlan(db.Model):
    """A generated rotation: who would fill which place, why others stay open, how fair it is."""

    __tablename__ = "rotation_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised tenant for scoping.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: draft, published or superseded.
    status: Mapped[PlanStatus] = mapped_column(
        str_enum(PlanStatus, "plan_status"), default=PlanStatus.DRAFT
    )
    #: Teams whose members were rotated (sorted ids).
    team_ids: Mapped[list[int]] = mapped_column(JSONType)
    #: Series the events were taken from, when the request named series.
    series_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    #: Events staffed by the plan (sorted ids).
    event_ids: Mapped[list[int]] = mapped_column(JSONType)
    #: Start of the period planned, in UTC.
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    #: End of the period planned, in UTC.
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The soft goals' weights the solver used.
    weights: Mapped[dict[str, float]] = mapped_column(JSONType)
    #: True when pending rotation places were planned afresh instead of kept.
    replan_unconfirmed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: Places the plan gives: ``[{event_id, position_id, volunteer_id, ...}]``.
    proposals: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    #: Places it leaves open, each with its reason: ``[{event_id, position_id, places,
    #: reason, detail, ...}]``.
    unfilled: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    #: Per-volunteer counts and hours, spread and standard deviation.
    fairness: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: Difference to the previous plan of the same teams and period.
    diff: Mapped[dict[str, Any]] = mapped_column(JSONType)
    #: The plan this one was compared with (and superseded, if it was a draft).
    previous_plan_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("rotation_plans.id", ondelete="SET NULL")
    )
    #: Assignments created when it was published.
    assignment_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    #: Seconds the solver took.
    solve_seconds: Mapped[float] = mapped_column(sa.Float, default=0.0)
    #: Who generated it.
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When it was generated.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who published it.
    published_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When it was published.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __table_args__ = (sa.CheckConstraint("period_end > period_start", name="period_valid"),)
    __mapper_args__ = {"version_id_col": version}


class TeamRotationSettings(db.Model):
    """How a team wants to be rotated and whether its swaps need a coordinator's approval."""

    __tablename__ = "team_rotation_settings"

    #: The team (one row each, created on first change).
    team_id: Mapped[int] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    #: Denormalised tenant for scoping.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: Volunteers change site every this many weeks; None: no site rotation.
    site_rotation_weeks: Mapped[int | None] = mapped_column(sa.Integer)
    #: A swap or cover taken by another volunteer waits for a coordinator's approval.
    swaps_need_approval: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
