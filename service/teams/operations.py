"""Use cases of teams and their members."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from service.communities.operations import get_community
from service.core.auth import Actor
from service.core.db import db, get_in_organization, touch
from service.core.errors import Conflict, NotFound, check_version
from service.teams import events
from service.teams.models import Team, TeamMember
from service.volunteers.models import VolunteerProfile

_TEAM_LOAD = (selectinload(Team.members).selectinload(TeamMember.volunteer),)


def teams_query(actor: Actor, *, community_id: int | None = None) -> sa.Select:
    statement = (
        sa.select(Team)
        .options(*_TEAM_LOAD)
        .where(Team.organization_id == actor.organization_id)
        .order_by(Team.name, Team.id)
    )
    if community_id is not None:
        statement = statement.where(Team.community_id == community_id)
    if not actor.is_coordinator and actor.community_ids is not None:
        statement = statement.where(Team.community_id.in_(actor.community_ids))
    return statement


def get_team(actor: Actor, team_id: int) -> Team:
    team = get_in_organization(Team, team_id, actor.organization_id, options=_TEAM_LOAD)
    if not actor.is_coordinator and not actor.in_community(team.community_id):
        raise NotFound("No such team.")
    return team


def _refuse_duplicate(community_id: int, name: str, except_id: int | None = None) -> None:
    statement = sa.select(Team.id).where(Team.community_id == community_id, Team.name == name)
    if except_id is not None:
        statement = statement.where(Team.id != except_id)
    if db.session.scalar(statement) is not None:
        raise Conflict(f"The community has a team named {name!r}.", reason="name_taken")


def create_team(actor: Actor, *, community_id: int, name: str, description: str = "") -> Team:
    community = get_community(actor, community_id)
    actor.require_manages(community.id)
    _refuse_duplicate(community.id, name)
    team = Team(
        organization_id=actor.organization_id,
        community_id=community.id,
        name=name,
        description=description,
    )
    db.session.add(team)
    db.session.flush()
    events.team_event(events.TEAM_CREATED, team, actor)
    return team


def update_team(
    actor: Actor, team_id: int, changes: dict, *, expected_version: int | None = None
) -> Team:
    team = get_team(actor, team_id)
    actor.require_manages(team.community_id)
    check_version(team.version, expected_version)
    if "name" in changes:
        _refuse_duplicate(team.community_id, changes["name"], except_id=team.id)
        team.name = changes["name"]
    if "description" in changes:
        team.description = changes["description"]
    db.session.flush()
    events.team_event(events.TEAM_UPDATED, team, actor)
    return team


def delete_team(actor: Actor, team_id: int) -> None:
    """Delete a team; its events stay, without a team."""
    team = get_team(actor, team_id)
    actor.require_manages(team.community_id)
    events.team_event(events.TEAM_DELETED, team, actor)
    db.session.delete(team)
    db.session.flush()


def add_team_member(
    actor: Actor, team_id: int, *, volunteer_id: int, is_lead: bool = False
) -> Team:
    team = get_team(actor, team_id)
    actor.require_manages(team.community_id)
    volunteer = get_in_organization(
        VolunteerProfile, volunteer_id, actor.organization_id, label="volunteer"
    )
    if volunteer.membership.removed_at is not None:
        raise NotFound("No such volunteer.")
    communities = volunteer.community_ids
    if communities is not None and team.community_id not in communities:
        raise Conflict(
            f"{volunteer.name} does not volunteer in this team's community.",
            reason="not_in_community",
        )
    if any(member.volunteer_id == volunteer.id for member in team.members):
        raise Conflict(f"{volunteer.name} is in this team already.", reason="already_in_team")
    team.members.append(TeamMember(volunteer_id=volunteer.id, is_lead=is_lead))
    touch(team)
    events.team_event(events.TEAM_MEMBER_ADDED, team, actor, volunteer_id=volunteer.id)
    return team


def remove_team_member(actor: Actor, team_id: int, volunteer_id: int) -> Team:
    team = get_team(actor, team_id)
    actor.require_manages(team.community_id)
    member = next((m for m in team.members if m.volunteer_id == volunteer_id), None)
    if member is None:
        raise NotFound("This volunteer is not in the team.")
    team.members.remove(member)
    touch(team)
    events.team_event(events.TEAM_MEMBER_REMOVED, team, actor, volunteer_id=volunteer_id)
    return team
