"""Communities: the neighbourhoods an organization serves, each in its own time zone."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import UTCDateTime, db
from service.core.time import utcnow


class Community(db.Model):
    """A neighbourhood committee or site, e.g. Fuxing Garden or Lavapiés."""

    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organization that serves it.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: Display name, unique within the organization.
    name: Mapped[str] = mapped_column(sa.String(200))
    #: IANA time zone in which its events are planned and recurrences expanded.
    timezone: Mapped[str] = mapped_column(sa.String(64))
    #: Default language of its residents and public pages: en, zh or es.
    locale: Mapped[str] = mapped_column(sa.String(8))
    #: Who volunteers and residents call (shown in messages and on every page).
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    #: The coordinator's phone number for volunteers and residents.
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    #: The coordinator's e-mail address.
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    #: When it was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)
    __mapper_args__ = {"version_id_col": version}
