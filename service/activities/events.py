"""Domain events of activities: events (the happenings) and their positions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from service.activities.models import Event
from service.core import outbox
from service.core.auth import Actor

EVENT_CREATED = "event.created"
EVENT_UPDATED = "event.updated"
EVENT_PUBLISHED = "event.published"
EVENT_RESCHEDULED = "event.rescheduled"
EVENT_CANCELLED = "event.cancelled"
EVENT_DELETED = "event.deleted"


def event_event(
    topic: str,
    event: Event,
    actor: Actor,
    *,
    changed: Iterable[str] = (),
    previous_starts_at: datetime | None = None,
    previous_ends_at: datetime | None = None,
    assignment_ids: Iterable[int] = (),
) -> None:
    payload: dict = {
        "event_id": event.id,
        "community_id": event.community_id,
        "team_id": event.team_id,
        "status": event.status.value,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "version": event.version,
    }
    if changed:
        payload["changed"] = sorted(set(changed))
    if previous_starts_at is not None:
        payload["previous_starts_at"] = previous_starts_at.isoformat()
    if previous_ends_at is not None:
        payload["previous_ends_at"] = previous_ends_at.isoformat()
    assignment_ids = sorted(assignment_ids)
    if assignment_ids:
        payload["assignment_ids"] = assignment_ids
    outbox.record(
        topic,
        organization_id=event.organization_id,
        subject_type="event",
        subject_id=event.id,
        actor_user_id=actor.user_id,
        payload=payload,
    )
