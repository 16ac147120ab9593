"""Domain events of teams."""

from __future__ import annotations

from service.core import outbox
from service.core.auth import Actor
from service.teams.models import Team

TEAM_CREATED = "team.created"
TEAM_UPDATED = "team.updated"
TEAM_DELETED = "team.deleted"
TEAM_MEMBER_ADDED = "team.member_added"
TEAM_MEMBER_REMOVED = "team.member_removed"


def team_event(topic: str, team: Team, actor: Actor, **extra: object) -> None:
    outbox.record(
        topic,
        organization_id=team.organization_id,
        subject_type="team",
        subject_id=team.id,
        actor_user_id=actor.user_id,
        payload={"team_id": team.id, "community_id": team.community_id, **extra},
    )
