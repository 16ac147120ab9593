"""HTTP for rotation plans and the teams' rotation settings."""

from __future__ import annotations

from flask_smorest.pagination import PaginationParameters

from service.core.api import Blueprint, expected_version, paginate, with_etag
from service.core.auth import current_actor
from service.rotations import operations
from service.rotations.schemas import (
    PlanQuerySchema,
    PlanRequestSchema,
    PlanSchema,
    TeamRotationSettingsSchema,
)

blp = Blueprint(
    "rotations",
    __name__,
    url_prefix="/api/v1",
    description="Fair rotations: generate a draft plan, read why places stay open, publish it.",
)


@blp.route("/rotations", methods=["POST"])
@blp.arguments(PlanRequestSchema)
@blp.response(201, PlanSchema)
def generate_plan(data: dict):
    """Generate a draft plan for the teams' events (or the series or events named) in a period.

    It fills each position's needed places (``min_people``) with team members, never
    breaking availability, blackouts, skills, overlaps, rest and load limits or pairing
    rules, keeps places already held, spreads the load fairly, and says why every place
    it leaves open stays open. Compare with the previous plan in ``diff``.
    """
    plan = operations.generate_plan(
        current_actor(),
        team_ids=data["team_ids"],
        series_ids=data["series_ids"],
        event_ids=data["event_ids"],
        starts_at=data["from_"],
        ends_at=data["to"],
        weights=data.get("weights"),
        replan_unconfirmed=data["replan_unconfirmed"],
    )
    return with_etag(plan, plan.version)


@blp.route("/rotations", methods=["GET"])
@blp.arguments(PlanQuerySchema, location="query")
@blp.response(200, PlanSchema(many=True))
@blp.paginate()
def list_plans(filters: dict, pagination_parameters: PaginationParameters):
    return paginate(operations.plans_query(current_actor(), **filters), pagination_parameters)


@blp.route("/rotations/<int:plan_id>", methods=["GET"])
@blp.response(200, PlanSchema)
def get_plan(plan_id: int):
    plan = operations.get_plan(current_actor(), plan_id)
    return with_etag(plan, plan.version)


@blp.route("/rotations/<int:plan_id>/publish", methods=["POST"])
@blp.response(200, PlanSchema)
def publish_plan(plan_id: int):
    """Create the plan's assignments (pending, source rotation) in one transaction.

    Publishing again changes nothing. 409 ``plan_stale`` lists places that no longer
    fit (nothing is created then); 409 ``plan_superseded`` when a newer plan replaced it.
    """
    plan = operations.publish_plan(current_actor(), plan_id)
    return with_etag(plan, plan.version)


@blp.route("/teams/<int:team_id>/rotation-settings", methods=["GET"])
@blp.response(200, TeamRotationSettingsSchema)
def get_team_settings(team_id: int):
    settings = operations.team_settings(current_actor(), team_id)
    return with_etag(settings, settings.version)


@blp.route("/teams/<int:team_id>/rotation-settings", methods=["PUT"])
@blp.arguments(TeamRotationSettingsSchema)
@blp.response(200, TeamRotationSettingsSchema)
def update_team_settings(data: dict, team_id: int):
    """Site rotation every N weeks; whether swaps need a coordinator's approval."""
    settings = operations.update_team_settings(
        current_actor(), team_id, data, expected_version=expected_version()
    )
    return with_etag(settings, settings.version)


blueprints = (blp,)
