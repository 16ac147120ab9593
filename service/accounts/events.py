"""Domain events of accounts: topics and payloads."""

from __future__ import annotations

from service.accounts.models import Membership, Organization
from service.core import outbox
from service.core.auth import Actor

ORGANIZATION_CREATED = "organization.created"
MEMBER_ADDED = "member.added"
MEMBER_UPDATED = "member.updated"
MEMBER_REMOVED = "member.removed"


def organization_created(organization: Organization, admin_user_id: int) -> None:
    outbox.record(
        ORGANIZATION_CREATED,
        organization_id=organization.id,
        subject_type="organization",
        subject_id=organization.id,
        actor_user_id=None,
        payload={"organization_id": organization.id, "admin_user_id": admin_user_id},
    )


def member_event(topic: str, membership: Membership, actor: Actor) -> None:
    outbox.record(
        topic,
        organization_id=membership.organization_id,
        subject_type="member",
        subject_id=membership.id,
        actor_user_id=actor.user_id,
        payload={
            "member_id": membership.id,
            "user_id": membership.user_id,
            "role": membership.role.value,
        },
    )
