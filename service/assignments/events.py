"""Domain events of assignments."""

from __future__ import annotations

from service.assignments.models import Assignment
from service.core import outbox
from service.core.auth import Actor

ASSIGNMENT_CREATED = "assignment.created"
ASSIGNMENT_CONFIRMED = "assignment.confirmed"
ASSIGNMENT_DECLINED = "assignment.declined"
ASSIGNMENT_CANCELLED = "assignment.cancelled"
WAITLIST_PROMOTED = "waitlist.promoted"


def assignment_event(
    topic: str,
    assignment: Assignment,
    actor: Actor,
    *,
    previous_status: str | None = None,
    reason: str | None = None,
) -> None:
    payload = {
        "assignment_id": assignment.id,
        "event_id": assignment.event_id,
        "position_id": assignment.position_id,
        "volunteer_id": assignment.volunteer_id,
        "status": assignment.status.value,
        "source": assignment.source.value,
    }
    if previous_status is not None:
        payload["previous_status"] = previous_status
    if reason:
        payload["reason"] = reason
    outbox.record(
        topic,
        organization_id=assignment.organization_id,
        subject_type="assignment",
        subject_id=assignment.id,
        actor_user_id=actor.user_id,
        payload=payload,
    )
