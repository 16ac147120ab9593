"""Domain events of volunteers."""

from __future__ import annotations

from service.core import outbox
from service.core.auth import Actor
from service.volunteers.models import VolunteerProfile

VOLUNTEER_CREATED = "volunteer.created"
VOLUNTEER_UPDATED = "volunteer.updated"
VOLUNTEER_AVAILABILITY_CHANGED = "volunteer.availability_changed"


def volunteer_event(topic: str, volunteer: VolunteerProfile, actor: Actor) -> None:
    outbox.record(
        topic,
        organization_id=volunteer.organization_id,
        subject_type="volunteer",
        subject_id=volunteer.id,
        actor_user_id=actor.user_id,
        payload={"volunteer_id": volunteer.id, "active": volunteer.active},
    )
