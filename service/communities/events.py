"""Domain events of communities."""

from __future__ import annotations

from service.communities.models import Community
from service.core import outbox
from service.core.auth import Actor

COMMUNITY_CREATED = "community.created"
COMMUNITY_UPDATED = "community.updated"
COMMUNITY_DELETED = "community.deleted"


def community_event(topic: str, community: Community, actor: Actor) -> None:
    outbox.record(
        topic,
        organization_id=community.organization_id,
        subject_type="community",
        subject_id=community.id,
        actor_user_id=actor.user_id,
        payload={"community_id": community.id, "timezone": community.timezone},
    )
