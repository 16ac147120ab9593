"""Domain events of residents and help requests. Payloads carry ids, never contact data."""

from __future__ import annotations

from service.core import outbox
from service.core.auth import Actor
from service.residents.models import HelpRequest, Resident

HELP_REQUEST_RECEIVED = "help_request.received"
HELP_REQUEST_ACCEPTED = "help_request.accepted"
HELP_REQUEST_DETAILS_REQUESTED = "help_request.details_requested"
HELP_REQUEST_DECLINED = "help_request.declined"
HELP_REQUEST_MERGED = "help_request.merged"
HELP_REQUEST_SCHEDULED = "help_request.scheduled"
HELP_REQUEST_DONE = "help_request.done"
HELP_REQUEST_FOLLOW_UP = "help_request.follow_up"
HELP_REQUEST_CANCELLED = "help_request.cancelled"
#: A volunteer reported a health or safety concern: coordinators are alerted at once.
HELP_REQUEST_CONCERN = "help_request.concern_raised"
RESIDENT_ANONYMISED = "resident.anonymised"


def request_event(topic: str, request: HelpRequest, actor: Actor | None, **extra: object) -> None:
    outbox.record(
        topic,
        organization_id=request.organization_id,
        subject_type="help_request",
        subject_id=request.id,
        actor_user_id=actor.user_id if actor else None,
        payload={
            "help_request_id": request.id,
            "resident_id": request.resident_id,
            "community_id": request.community_id,
            "status": request.status.value,
            "event_id": request.event_id,
            **extra,
        },
    )


def resident_anonymised(resident: Resident, actor: Actor) -> None:
    outbox.record(
        RESIDENT_ANONYMISED,
        organization_id=resident.organization_id,
        subject_type="resident",
        subject_id=resident.id,
        actor_user_id=actor.user_id,
        payload={"resident_id": resident.id, "community_id": resident.community_id},
    )
