"""The transactional outbox: domain events written in the same transaction as the change.

An operation never talks to Redis. It appends rows here; after the transaction
commits they are handed to the workers, and a periodic sweep hands over any that
a crash left behind. A rolled-back request therefore leaves no event, and a
committed one never loses its event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import BigIntPK, JSONType, UTCDateTime, db
from service.core.time import utcnow

#: Key in ``Session.info`` under which the rows appended in this transaction wait.
PENDING_KEY = "rounds.outbox.pending"


class OutboxEvent(db.Model):
    """One domain event, waiting to be (or already) handed to the workers."""

    __tablename__ = "outbox"

    #: Increasing id; handlers see events of one subject in this order.
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    #: What happened, ``<subject>.<verb>``: ``assignment.confirmed``, ``event.rescheduled``.
    topic: Mapped[str] = mapped_column(sa.String(64))
    #: The tenant the event belongs to; handlers stay inside it.
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    #: Kind of the object the event is about (``assignment``, ``event``, ...).
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    #: Id of that object.
    subject_id: Mapped[int] = mapped_column(sa.BigInteger)
    #: The user whose action caused it; None for the system (scheduler, rotation run).
    actor_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: Ids and the facts a handler needs that may have changed since (old start time, ...).
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: When the change was made.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the relay handed it to the broker; None while it waits.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: How many times the relay tried to hand it over.
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)

    __table_args__ = (
        sa.Index(
            "ix_outbox_undispatched",
            "id",
            sqlite_where=sa.text("dispatched_at IS NULL"),
            postgresql_where=sa.text("dispatched_at IS NULL"),
        ),
        sa.Index("ix_outbox_subject", "subject_type", "subject_id"),
    )


def record(
    topic: str,
    *,
    organization_id: int | None,
    subject_type: str,
    subject_id: int,
    actor_user_id: int | None,
    payload: dict[str, Any],
) -> OutboxEvent:
    """Append a domain event to the current transaction."""
    row = OutboxEvent(
        topic=topic,
        organization_id=organization_id,
        subject_type=subject_type,
        subject_id=subject_id,
        actor_user_id=actor_user_id,
        payload=payload,
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.info.setdefault(PENDING_KEY, []).append(row)
    return row
