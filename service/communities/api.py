"""HTTP for communities."""

from __future__ import annotations

from flask_smorest.pagination import PaginationParameters

from service.communities import operations
from service.communities.schemas import (
    CommunitySchema,
    CommunityUpdateSchema,
    PublicCommunityQuerySchema,
    PublicCommunitySchema,
)
from service.core.api import Blueprint, expected_version, paginate, with_etag
from service.core.api import public as public_view
from service.core.auth import current_actor

blp = Blueprint(
    "communities",
    __name__,
    url_prefix="/api/v1/communities",
    description="Neighbourhoods served, each with its IANA time zone.",
)


@blp.route("", methods=["GET"])
@blp.response(200, CommunitySchema(many=True))
@blp.paginate()
def list_communities(pagination_parameters: PaginationParameters):
    return paginate(operations.communities_query(current_actor()), pagination_parameters)


@blp.route("", methods=["POST"])
@blp.arguments(CommunitySchema)
@blp.response(201, CommunitySchema)
def create_community(data: dict):
    """Create a community (administrators)."""
    community = operations.create_community(current_actor(), data)
    return with_etag(community, community.version)


@blp.route("/<int:community_id>", methods=["GET"])
@blp.response(200, CommunitySchema)
def get_community(community_id: int):
    community = operations.get_community(current_actor(), community_id)
    return with_etag(community, community.version)


@blp.route("/<int:community_id>", methods=["PATCH"])
@blp.arguments(CommunityUpdateSchema)
@blp.response(200, CommunitySchema)
def update_community(data: dict, community_id: int):
    community = operations.update_community(
        current_actor(), community_id, data, expected_version=expected_version()
    )
    return with_etag(community, community.version)


@blp.route("/<int:community_id>", methods=["DELETE"])
@blp.response(204)
def delete_community(community_id: int):
    """Delete a community that has no events or teams (administrators)."""
    operations.delete_community(current_actor(), community_id)


public = Blueprint(
    "public-communities",
    __name__,
    url_prefix="/api/v1/public/communities",
    description="Communities residents can choose on the help form (no login).",
)


@public.route("", methods=["GET"])
@public_view
@public.arguments(PublicCommunityQuerySchema, location="query")
@public.response(200, PublicCommunitySchema(many=True))
@public.paginate()
def list_public_communities(filters: dict, pagination_parameters: PaginationParameters):
    statement = operations.public_communities_query(filters.get("organization"))
    return paginate(statement, pagination_parameters)


blueprints = (blp, public)
