"""Organizations, users, memberships and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.auth import Role
from service.core.db import UTCDateTime, db, str_enum
from service.core.time import utcnow

if TYPE_CHECKING:
    from service.communities.models import Community
    from service.volunteers.models import VolunteerProfile


class Organization(db.Model):
    """A tenant: one social-work team or association. Nothing is shared across them."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Display name, e.g. "Xinghai Street Social Work Station".
    name: Mapped[str] = mapped_column(sa.String(200))
    #: Short unique handle used in URLs and the CLI.
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: When the organization was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(db.Model):
    """A person who signs in: coordinator, volunteer or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Sign-in address, stored lower-cased; unique across the installation.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    #: Full name as the person wants to be called.
    name: Mapped[str] = mapped_column(sa.String(200))
    #: Language for messages and pages: en, zh or es.
    locale: Mapped[str] = mapped_column(sa.String(8), default="en")
    #: IANA time zone for times shown to this person.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    #: argon2 hash of the password; None until the person sets one.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    #: False once the account is disabled; its tokens then stop working.
    is_active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    #: When the account was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Optimistic-lock counter, the ETag of /me.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    __mapper_args__ = {"version_id_col": version}


membership_communities = sa.Table(
    "membership_communities",
    db.metadata,
    sa.Column(
        "membership_id", sa.ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column(
        "community_id", sa.ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Membership(db.Model):
    """A user's role in one organization, optionally limited to some communities."""

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The member.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    #: The organization they belong to.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: admin (everything), coordinator (their communities), volunteer (their own work).
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    #: When the membership was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the person left; the row stays so the history of their work stays intact.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Optimistic-lock counter, the member's ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship()
    #: Communities the member works in; empty means all of the organization's.
    communities: Mapped[list[Community]] = relationship(
        secondary=membership_communities, order_by="Community.id"
    )
    volunteer: Mapped[VolunteerProfile | None] = relationship(
        back_populates="membership", uselist=False
    )

    __table_args__ = (sa.UniqueConstraint("user_id", "organization_id"),)
    __mapper_args__ = {"version_id_col": version}

    @property
    def community_ids(self) -> frozenset[int] | None:
        if self.role is Role.ADMIN or not self.communities:
            return None
        return frozenset(community.id for community in self.communities)


class ApiToken(db.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored; it is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Whose token it is.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The organization the token acts in.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    #: A label the owner chose ("laptop", "calendar sync script").
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    #: SHA-256 hex digest of the token.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: First characters of the token, so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    #: When it was issued.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Last time it authenticated a request (updated at most once a minute).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When it stops working by itself; None for never.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When it was revoked; a revoked token never works again.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
