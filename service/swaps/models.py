"""Offers of a place for swap or cover, and who took them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.assignments.models import Assignment
from service.core.db import JSONType, UTCDateTime, db, str_enum
from service.core.time import utcnow


class OfferKind(StrEnum):
    COVER = "cover"  # someone takes the place; the offerer is free
    SWAP = "swap"  # someone takes the place and gives one of theirs in return
    OPEN_PLACE = "open_place"  # a declined place, offered the same way


class OfferStatus(StrEnum):
    OPEN = "open"  # waiting for someone to take it
    NEEDS_APPROVAL = "needs_approval"  # taken; the team wants a coordinator to approve
    TAKEN = "taken"  # done: the place moved
    WITHDRAWN = "withdrawn"  # the offerer (or a coordinator) took it back
    EXPIRED = "expired"  # the event started, was cancelled, or the place went otherwise


#: Statuses in which an offer still holds the place.
LIVE = (OfferStatus.OPEN, OfferStatus.NEEDS_APPROVAL)


class SwapOffer(db.Model):
    """A place a volunteer offers to others; the first eligible volunteer to accept takes it."""

    __tablename__ = "swap_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised tenant for scoping.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: cover, swap or open_place.
    kind: Mapped[OfferKind] = mapped_column(str_enum(OfferKind, "offer_kind"))
    #: open, needs_approval, taken, withdrawn or expired.
    status: Mapped[OfferStatus] = mapped_column(
        str_enum(OfferStatus, "offer_status"), default=OfferStatus.OPEN
    )
    #: The assignment whose place is offered (declined already, for open_place).
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    #: The event of the place (denormalised for listing).
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    #: The position of the place.
    position_id: Mapped[int] = mapped_column(sa.ForeignKey("positions.id", ondelete="CASCADE"))
    #: Who offered it (the place's holder).
    offered_by_volunteer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE")
    )
    #: A note for colleagues ("my mother is ill, can someone cover?").
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Volunteers eligible when it was offered, fairest first (fewest assignments that month).
    candidate_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    #: Who took it.
    taken_by_volunteer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="SET NULL")
    )
    #: For a swap: the taker's assignment the offerer gets in return.
    exchange_assignment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("assignments.id", ondelete="SET NULL")
    )
    #: The taker's new assignment, once the place moved.
    new_assignment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("assignments.id", ondelete="SET NULL")
    )
    #: Who offered it, as a user (the volunteer or a coordinator on their behalf).
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When it was offered.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was taken, approved, withdrawn or expired.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The coordinator who approved or rejected the taker, if the team asks for approval.
    decided_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    assignment: Mapped[Assignment] = relationship(foreign_keys=[assignment_id])

    __table_args__ = (
        # One live offer per place.
        sa.Index(
            "uq_swap_offers_live_assignment",
            "assignment_id",
            unique=True,
            sqlite_where=sa.text("status IN ('open', 'needs_approval')"),
            postgresql_where=sa.text("status IN ('open', 'needs_approval')"),
        ),
    )
    __mapper_args__ = {"version_id_col": version}
