"""Use cases of accounts: organizations, sign-in tokens, the current user, members."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from service.accounts import events
from service.accounts.models import ApiToken, Membership, Organization, User
from service.communities.models import Community
from service.core.auth import Actor, Role
from service.core.db import db
from service.core.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
    check_version,
)
from service.core.security import (
    MIN_PASSWORD_LENGTH,
    digest_token,
    hash_password,
    new_token,
    password_needs_rehash,
    verify_password,
)
from service.core.time import utcnow
from service.volunteers.models import VolunteerProfile

API_TOKEN_PREFIX = "rnd"
#: Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# --- organizations -------------------------------------------------------------------------


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "organization"


def _free_slug(wanted: str) -> str:
    taken = set(
        db.session.scalars(
            sa.select(Organization.slug).where(
                sa.or_(Organization.slug == wanted, Organization.slug.like(f"{wanted}-%"))
            )
        )
    )
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted}-{number}"


def create_organization(
    name: str,
    *,
    admin_email: str,
    admin_name: str | None = None,
    admin_password: str | None = None,
    slug: str | None = None,
    locale: str = "en",
    timezone: str = "UTC",
) -> tuple[Organization, Membership, str]:
    """Create a tenant, its first administrator and a one-time API token for them."""
    from service.activities.operations import seed_activity_types

    name = name.strip()
    if not name:
        raise Invalid({"name": ["Give the organization a name."]})
    if slug:
        slug = _slugify(slug)
        if db.session.scalar(sa.select(Organization.id).where(Organization.slug == slug)):
            raise Conflict(f"An organization with the handle {slug!r} exists.", reason="slug_taken")
    organization = Organization(name=name, slug=slug or _free_slug(_slugify(name)))
    db.session.add(organization)
    db.session.flush()
    user = _find_or_create_user(
        admin_email, admin_name or admin_email.split("@")[0], locale, timezone, admin_password
    )
    membership = Membership(user=user, organization_id=organization.id, role=Role.ADMIN)
    db.session.add(membership)
    db.session.flush()
    seed_activity_types(organization.id)
    _token, plaintext = issue_token_for(user.id, organization.id, "first administrator token")
    events.organization_created(organization, user.id)
    return organization, membership, plaintext


# --- users and passwords -------------------------------------------------------------------


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid({"password": [f"Use at least {MIN_PASSWORD_LENGTH} characters."]})


def _find_or_create_user(
    email: str, name: str, locale: str, timezone: str, password: str | None
) -> User:
    email = normalize_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None:
        return user
    if password is not None:
        _check_password_strength(password)
    user = User(
        email=email,
        name=name.strip() or email.split("@")[0],
        locale=locale,
        timezone=timezone,
        password_hash=hash_password(password) if password else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User:
    """The active user with this e-mail and password; 401 with one message for every failure."""
    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if not verify_password(user.password_hash if user else None, password) or not (
        user and user.is_active
    ):
        raise Unauthorized("Wrong e-mail address or password.")
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# --- API tokens ----------------------------------------------------------------------------


def issue_token_for(
    user_id: int, organization_id: int, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    plaintext, digest = new_token(API_TOKEN_PREFIX)
    token = ApiToken(
        user_id=user_id,
        organization_id=organization_id,
        name=name,
        token_hash=digest,
        prefix=plaintext[: len(API_TOKEN_PREFIX) + 5],
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    return token, plaintext


def _active_memberships(user_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.user_id == user_id, Membership.removed_at.is_(None))
            .order_by(Membership.id)
        )
    )


def issue_token(
    email: str,
    password: str,
    *,
    organization_id: int | None = None,
    name: str = "",
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Exchange an e-mail and password for a new API token (shown once)."""
    user = authenticate(email, password)
    memberships = _active_memberships(user.id)
    if not memberships:
        raise Forbidden("Your account belongs to no organization.")
    if organization_id is None:
        if len(memberships) > 1:
            choices = ", ".join(str(m.organization_id) for m in memberships)
            raise Invalid(
                {"organization_id": [f"You belong to several organizations: choose {choices}."]}
            )
        membership = memberships[0]
    else:
        membership = next((m for m in memberships if m.organization_id == organization_id), None)
        if membership is None:
            raise Invalid({"organization_id": ["You are not a member of this organization."]})
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    return issue_token_for(user.id, membership.organization_id, name, expires_at)


def tokens_query(actor: Actor) -> sa.Select:
    """The caller's own tokens in this organization, newest first."""
    return (
        sa.select(ApiToken)
        .where(
            ApiToken.user_id == actor.user_id,
            ApiToken.organization_id == actor.organization_id,
        )
        .order_by(ApiToken.id.desc())
    )


def revoke_token(actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token: the owner their own, an administrator anyone's in the organization."""
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.organization_id == actor.organization_id
        )
    )
    if token is None or (token.user_id != actor.user_id and not actor.is_admin):
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def _revoke_all_tokens(user_id: int, organization_id: int) -> None:
    db.session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.user_id == user_id,
            ApiToken.organization_id == organization_id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


def actor_for_token(plaintext: str) -> Actor | None:
    """The actor a bearer token stands for, or None if it is unknown, revoked or expired."""
    now = utcnow()
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == digest_token(plaintext))
    )
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    membership = _membership_of(token.user_id, token.organization_id)
    if membership is None or not membership.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
    return actor_for_membership(membership)


def _membership_of(user_id: int, organization_id: int) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership)
        .options(
            selectinload(Membership.communities),
            selectinload(Membership.volunteer),
            selectinload(Membership.user),
        )
        .where(
            Membership.user_id == user_id,
            Membership.organization_id == organization_id,
            Membership.removed_at.is_(None),
        )
    )


def actor_for_membership(membership: Membership) -> Actor:
    return Actor(
        user_id=membership.user_id,
        organization_id=membership.organization_id,
        role=membership.role,
        community_ids=membership.community_ids,
        volunteer_id=membership.volunteer.id if membership.volunteer else None,
        locale=membership.user.locale,
        timezone=membership.user.timezone,
    )


def actor_for_user(user_id: int, organization_id: int) -> Actor | None:
    """The actor for a signed-in user (web session, one-time link), or None if not a member."""
    membership = _membership_of(user_id, organization_id)
    if membership is None or not membership.user.is_active:
        return None
    return actor_for_membership(membership)


# --- the current user ----------------------------------------------------------------------


def get_me(actor: Actor) -> Membership:
    membership = _membership_of(actor.user_id, actor.organization_id)
    if membership is None:
        raise NotFound("Your membership no longer exists.")
    return membership


def update_me(
    actor: Actor,
    changes: dict,
    *,
    expected_version: int | None = None,
) -> Membership:
    """Change one's own name, language, time zone or password."""
    membership = get_me(actor)
    user = membership.user
    check_version(user.version, expected_version)
    if "password" in changes:
        new_password = changes.pop("password")
        current = changes.pop("current_password", None)
        if user.password_hash and not verify_password(user.password_hash, current or ""):
            raise Invalid({"current_password": ["Give your current password to change it."]})
        _check_password_strength(new_password)
        user.password_hash = hash_password(new_password)
    changes.pop("current_password", None)
    for field in ("name", "locale", "timezone"):
        if field in changes:
            setattr(user, field, changes[field])
    db.session.flush()
    return membership


# --- members -------------------------------------------------------------------------------


def _communities(actor: Actor, community_ids: Iterable[int]) -> list[Community]:
    wanted = sorted(set(community_ids))
    if not wanted:
        return []
    found = list(
        db.session.scalars(
            sa.select(Community).where(
                Community.id.in_(wanted), Community.organization_id == actor.organization_id
            )
        )
    )
    missing = set(wanted) - {community.id for community in found}
    if missing:
        raise Invalid({"community_ids": [f"No community {sorted(missing)} in this organization."]})
    return found


def _allowed_communities(actor: Actor, role: Role, community_ids: Iterable[int]) -> list[Community]:
    """Check what a coordinator may grant; admins grant anything."""
    communities = _communities(actor, community_ids)
    if actor.is_admin:
        return communities
    if role is not Role.VOLUNTEER:
        raise Forbidden("Only an administrator may add or promote coordinators and admins.")
    if actor.community_ids is not None:
        if not communities:
            return _communities(actor, actor.community_ids)
        outside = [c.id for c in communities if c.id not in actor.community_ids]
        if outside:
            raise Forbidden(f"You do not coordinate communities {outside}.")
    return communities


def members_query(
    actor: Actor,
    *,
    role: Role | None = None,
    community_id: int | None = None,
    search: str | None = None,
) -> sa.Select:
    actor.require_coordinator()
    statement = (
        sa.select(Membership)
        .join(Membership.user)
        .options(selectinload(Membership.communities), selectinload(Membership.user))
        .where(
            Membership.organization_id == actor.organization_id,
            Membership.removed_at.is_(None),
        )
        .order_by(User.name, Membership.id)
    )
    if role is not None:
        statement = statement.where(Membership.role == role)
    if community_id is not None:
        from service.accounts.models import membership_communities as mc

        statement = statement.where(
            sa.or_(
                Membership.id.in_(
                    sa.select(mc.c.membership_id).where(mc.c.community_id == community_id)
                ),
                ~sa.exists().where(mc.c.membership_id == Membership.id),
            )
        )
    if search:
        pattern = f"%{search.strip().lower()}%"
        statement = statement.where(
            sa.or_(sa.func.lower(User.name).like(pattern), User.email.like(pattern))
        )
    return statement


def get_member(actor: Actor, member_id: int) -> Membership:
    membership = db.session.scalar(
        sa.select(Membership).where(
            Membership.id == member_id,
            Membership.organization_id == actor.organization_id,
            Membership.removed_at.is_(None),
        )
    )
    if membership is None:
        raise NotFound("No such member.")
    if membership.user_id != actor.user_id:
        actor.require_coordinator()
    return membership


def _require_may_manage_member(actor: Actor, membership: Membership) -> None:
    if actor.is_admin:
        return
    actor.require_coordinator()
    if membership.role is not Role.VOLUNTEER:
        raise Forbidden("Only an administrator may change coordinators and admins.")
    ids = membership.community_ids
    if actor.community_ids is not None and (ids is None or not ids & actor.community_ids):
        raise Forbidden("This volunteer is in none of the communities you coordinate.")


def add_member(
    actor: Actor,
    *,
    email: str,
    name: str,
    role: Role,
    community_ids: Iterable[int] = (),
    locale: str | None = None,
    timezone: str | None = None,
    password: str | None = None,
) -> Membership:
    """Add a person to the organization with a role, creating their account if needed."""
    actor.require_coordinator()
    communities = _allowed_communities(actor, role, community_ids)
    user = _find_or_create_user(
        email, name, locale or actor.locale, timezone or actor.timezone, password
    )
    membership = db.session.scalar(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organization_id == actor.organization_id
        )
    )
    if membership is not None and membership.removed_at is None:
        raise Conflict(f"{user.email} is already a member.", reason="already_member")
    if membership is None:
        membership = Membership(user=user, organization_id=actor.organization_id, role=role)
        db.session.add(membership)
    else:  # a former member comes back
        membership.removed_at = None
        membership.role = role
    membership.communities = communities
    db.session.flush()
    if role is Role.VOLUNTEER:
        ensure_volunteer_profile(membership).active = True
    events.member_event(events.MEMBER_ADDED, membership, actor)
    return membership


def ensure_volunteer_profile(membership: Membership) -> VolunteerProfile:
    """The member's volunteer profile, created if needed."""
    profile = db.session.scalar(
        sa.select(VolunteerProfile).where(VolunteerProfile.membership_id == membership.id)
    )
    if profile is None:
        profile = VolunteerProfile(
            membership_id=membership.id, organization_id=membership.organization_id, languages=[]
        )
        db.session.add(profile)
        db.session.flush()
    return profile


def update_member(
    actor: Actor,
    member_id: int,
    *,
    role: Role | None = None,
    community_ids: Iterable[int] | None = None,
    expected_version: int | None = None,
) -> Membership:
    membership = get_member(actor, member_id)
    _require_may_manage_member(actor, membership)
    check_version(membership.version, expected_version)
    if role is not None and role is not membership.role:
        actor.require_admin()
        if membership.role is Role.ADMIN:
            _refuse_last_admin(membership)
        membership.role = role
        if role is Role.VOLUNTEER:
            ensure_volunteer_profile(membership)
    if community_ids is not None:
        membership.communities = _allowed_communities(actor, membership.role, community_ids)
    db.session.flush()
    events.member_event(events.MEMBER_UPDATED, membership, actor)
    return membership


def _refuse_last_admin(membership: Membership) -> None:
    admins = db.session.scalar(
        sa.select(sa.func.count()).where(
            Membership.organization_id == membership.organization_id,
            Membership.role == Role.ADMIN,
            Membership.removed_at.is_(None),
        )
    )
    if admins <= 1:
        raise Conflict(
            "This is the organization's last administrator; appoint another first.",
            reason="last_admin",
        )


def remove_member(actor: Actor, member_id: int) -> Membership:
    """Take a person out of the organization: tokens revoked, future assignments withdrawn.

    The membership is kept, marked removed, so the history of their work stays intact.
    """
    from service.assignments.operations import withdraw_volunteer

    membership = get_member(actor, member_id)
    _require_may_manage_member(actor, membership)
    if membership.role is Role.ADMIN:
        _refuse_last_admin(membership)
    membership.removed_at = utcnow()
    _revoke_all_tokens(membership.user_id, membership.organization_id)
    if membership.volunteer is not None:
        membership.volunteer.active = False
        withdraw_volunteer(actor, membership.volunteer.id)
    db.session.flush()
    events.member_event(events.MEMBER_REMOVED, membership, actor)
    return membership
