"""Calendar feeds (each with its own secret) and their stored renderings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from service.core.db import UTCDateTime, db, str_enum
from service.core.time import utcnow


class FeedScope(StrEnum):
    PERSONAL = "personal"  # a volunteer's own assignments (optionally open places in their teams)
    TEAM = "team"  # a team's events
    COMMUNITY = "community"  # a community's published events: public, for residents and newcomers
    COORDINATOR = "coordinator"  # every event of the communities a coordinator manages


class CalendarFeed(db.Model):
    """A subscription address: ``/calendars/{token}.ics``. Only the token's digest is stored."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The tenant whose events it shows.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: Who created it and alone may rotate or revoke it; the feed shows what they may see.
    owner_user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: personal | team | community | coordinator.
    scope: Mapped[FeedScope] = mapped_column(str_enum(FeedScope, "feed_scope"))
    #: The team of a team feed.
    team_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    #: The community of a community feed.
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: Personal feeds only: also show places still open in the volunteer's teams.
    include_open: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: Language of titles and descriptions: en, zh or es.
    locale: Mapped[str] = mapped_column(sa.String(8))
    #: A label the owner chose ("phone", "poster at the gate").
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    #: SHA-256 hex digest of the secret token in the URL.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: First characters of the token, so the owner can tell feeds apart.
    token_prefix: Mapped[str] = mapped_column(sa.String(16))
    #: When it was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the token was last replaced; the previous one stopped working then.
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When it was revoked; a revoked feed answers 404 for good.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Optimistic-lock counter, the ETag of the feed's settings.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __table_args__ = (
        sa.CheckConstraint("scope != 'team' OR team_id IS NOT NULL", name="team_feed_has_team"),
        sa.CheckConstraint(
            "scope != 'community' OR community_id IS NOT NULL",
            name="community_feed_has_community",
        ),
    )
    __mapper_args__ = {"version_id_col": version}


class CalendarRendering(db.Model):
    """A feed's rendered bytes for one window of past days, served as they are.

    Derived data: the outbox handlers re-render it when a change touches the feed,
    and a request renders it when it is missing or older than its maximum age.
    """

    __tablename__ = "calendar_renderings"

    #: The feed.
    feed_id: Mapped[int] = mapped_column(
        sa.ForeignKey("calendar_feeds.id", ondelete="CASCADE"), primary_key=True
    )
    #: How many days of past events it keeps (the ``past_days`` of the request).
    past_days: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    #: The iCalendar document, UTF-8.
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    #: The same document gzip-compressed, for clients that accept it.
    body_gzip: Mapped[bytes] = mapped_column(sa.LargeBinary)
    #: Strong validator: a digest of ``body``; the same bytes always give the same ETag.
    etag: Mapped[str] = mapped_column(sa.String(64))
    #: How many events it holds.
    event_count: Mapped[int] = mapped_column(sa.Integer)
    #: When the bytes last changed (Last-Modified); a re-render to the same bytes keeps it.
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When it was last rendered, changed or not.
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime)
