"""HTTP for teams and their members."""

from __future__ import annotations

from flask_smorest.pagination import PaginationParameters

from service.core.api import Blueprint, expected_version, paginate, with_etag
from service.core.auth import current_actor
from service.teams import operations
from service.teams.schemas import TeamMemberSchema, TeamQuerySchema, TeamSchema, TeamUpdateSchema

blp = Blueprint(
    "teams",
    __name__,
    url_prefix="/api/v1/teams",
    description="Teams of volunteers in a community (patrol team, grocery team).",
)


@blp.route("", methods=["GET"])
@blp.arguments(TeamQuerySchema, location="query")
@blp.response(200, TeamSchema(many=True))
@blp.paginate()
def list_teams(filters: dict, pagination_parameters: PaginationParameters):
    statement = operations.teams_query(current_actor(), community_id=filters.get("community_id"))
    return paginate(statement, pagination_parameters)


@blp.route("", methods=["POST"])
@blp.arguments(TeamSchema)
@blp.response(201, TeamSchema)
def create_team(data: dict):
    team = operations.create_team(current_actor(), **data)
    return with_etag(team, team.version)


@blp.route("/<int:team_id>", methods=["GET"])
@blp.response(200, TeamSchema)
def get_team(team_id: int):
    team = operations.get_team(current_actor(), team_id)
    return with_etag(team, team.version)


@blp.route("/<int:team_id>", methods=["PATCH"])
@blp.arguments(TeamUpdateSchema)
@blp.response(200, TeamSchema)
def update_team(data: dict, team_id: int):
    team = operations.update_team(
        current_actor(), team_id, data, expected_version=expected_version()
    )
    return with_etag(team, team.version)


@blp.route("/<int:team_id>", methods=["DELETE"])
@blp.response(204)
def delete_team(team_id: int):
    operations.delete_team(current_actor(), team_id)


@blp.route("/<int:team_id>/members", methods=["POST"])
@blp.arguments(TeamMemberSchema)
@blp.response(201, TeamSchema)
def add_team_member(data: dict, team_id: int):
    """Add a volunteer of the team's community to the team."""
    team = operations.add_team_member(current_actor(), team_id, **data)
    return with_etag(team, team.version)


@blp.route("/<int:team_id>/members/<int:volunteer_id>", methods=["DELETE"])
@blp.response(204)
def remove_team_member(team_id: int, volunteer_id: int):
    operations.remove_team_member(current_actor(), team_id, volunteer_id)


blueprints = (blp,)
