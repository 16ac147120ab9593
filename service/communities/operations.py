"""Use cases of communities."""

from __future__ import annotations

import sqlalchemy as sa

from service.communities import events
from service.communities.models import Community
from service.core.auth import Actor
from service.core.config import get_settings
from service.core.db import db, get_in_organization
from service.core.errors import Conflict, NotFound, check_version

EDITABLE = ("name", "timezone", "locale", "contact_name", "contact_phone", "contact_email")


def communities_query(actor: Actor) -> sa.Select:
    """Communities the caller may see: all for coordinators, their own for volunteers."""
    statement = (
        sa.select(Community)
        .where(Community.organization_id == actor.organization_id)
        .order_by(Community.name, Community.id)
    )
    if not actor.is_coordinator and actor.community_ids is not None:
        statement = statement.where(Community.id.in_(actor.community_ids))
    return statement


def public_communities_query(organization_slug: str | None = None) -> sa.Select:
    """Communities a resident can choose on the public help form (no login)."""
    from service.accounts.models import Organization

    statement = sa.select(Community).order_by(Community.name, Community.id)
    if organization_slug:
        statement = statement.join(
            Organization, Organization.id == Community.organization_id
        ).where(Organization.slug == organization_slug)
    return statement


def get_community(actor: Actor, community_id: int) -> Community:
    community = get_in_organization(Community, community_id, actor.organization_id)
    if not actor.is_coordinator and not actor.in_community(community.id):
        raise NotFound("No such community.")
    return community


def _refuse_duplicate_name(actor: Actor, name: str, except_id: int | None = None) -> None:
    statement = sa.select(Community.id).where(
        Community.organization_id == actor.organization_id, Community.name == name
    )
    if except_id is not None:
        statement = statement.where(Community.id != except_id)
    if db.session.scalar(statement) is not None:
        raise Conflict(f"A community named {name!r} exists already.", reason="name_taken")


def create_community(actor: Actor, data: dict) -> Community:
    actor.require_admin()
    _refuse_duplicate_name(actor, data["name"])
    community = Community(
        organization_id=actor.organization_id,
        locale=data.get("locale") or get_settings().default_locale,
        **{field: data[field] for field in EDITABLE if field in data and field != "locale"},
    )
    db.session.add(community)
    db.session.flush()
    events.community_event(events.COMMUNITY_CREATED, community, actor)
    return community


def update_community(
    actor: Actor, community_id: int, changes: dict, *, expected_version: int | None = None
) -> Community:
    community = get_community(actor, community_id)
    actor.require_manages(community.id)
    check_version(community.version, expected_version)
    if "name" in changes:
        _refuse_duplicate_name(actor, changes["name"], except_id=community.id)
    for field in EDITABLE:
        if field in changes:
            setattr(community, field, changes[field])
    db.session.flush()
    events.community_event(events.COMMUNITY_UPDATED, community, actor)
    return community


def delete_community(actor: Actor, community_id: int) -> None:
    """Delete an unused community; one with events keeps its history and is refused."""
    from service.activities.models import Event
    from service.teams.models import Team

    community = get_community(actor, community_id)
    actor.require_admin()
    for model, what in ((Event, "events"), (Team, "teams")):
        used = db.session.scalar(
            sa.select(sa.func.count()).where(model.community_id == community.id)
        )
        if used:
            raise Conflict(
                f"The community still has {used} {what}; remove them first.",
                reason="community_in_use",
            )
    events.community_event(events.COMMUNITY_DELETED, community, actor)
    db.session.delete(community)
    db.session.flush()
