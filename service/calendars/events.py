"""Domain events of calendars: feeds created, given a new secret, revoked."""

from __future__ import annotations

from service.calendars.models import CalendarFeed
from service.core import outbox
from service.core.auth import Actor

FEED_CREATED = "calendar_feed.created"
FEED_ROTATED = "calendar_feed.rotated"
FEED_REVOKED = "calendar_feed.revoked"


def feed_event(topic: str, feed: CalendarFeed, actor: Actor) -> None:
    outbox.record(
        topic,
        organization_id=feed.organization_id,
        subject_type="calendar_feed",
        subject_id=feed.id,
        actor_user_id=actor.user_id,
        payload={
            "feed_id": feed.id,
            "scope": feed.scope.value,
            "owner_user_id": feed.owner_user_id,
            "team_id": feed.team_id,
            "community_id": feed.community_id,
        },
    )
