"""Domain events of rotations."""

from __future__ import annotations

from service.core import outbox
from service.core.auth import Actor
from service.rotations.models import RotationPlan, TeamRotationSettings

ROTATION_PLANNED = "rotation.planned"
ROTATION_PUBLISHED = "rotation.published"
TEAM_ROTATION_SETTINGS_UPDATED = "team.rotation_settings_updated"


def plan_event(topic: str, plan: RotationPlan, actor: Actor) -> None:
    outbox.record(
        topic,
        organization_id=plan.organization_id,
        subject_type="rotation_plan",
        subject_id=plan.id,
        actor_user_id=actor.user_id,
        payload={
            "plan_id": plan.id,
            "status": plan.status.value,
            "team_ids": list(plan.team_ids),
            "event_ids": list(plan.event_ids),
            "places_planned": len(plan.proposals),
            "places_open": sum(item["places"] for item in plan.unfilled),
            "assignment_ids": list(plan.assignment_ids),
        },
    )


def team_settings_event(settings: TeamRotationSettings, actor: Actor) -> None:
    outbox.record(
        TEAM_ROTATION_SETTINGS_UPDATED,
        organization_id=settings.organization_id,
        subject_type="team",
        subject_id=settings.team_id,
        actor_user_id=actor.user_id,
        payload={
            "team_id": settings.team_id,
            "site_rotation_weeks": settings.site_rotation_weeks,
            "swaps_need_approval": settings.swaps_need_approval,
        },
    )
