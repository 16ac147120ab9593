"""HTTP for tokens, the current user and members; and API authentication."""

from __future__ import annotations

from flask import current_app, g, request
from flask_smorest.pagination import PaginationParameters

from service.accounts import operations
from service.accounts.schemas import (
    IssuedTokenSchema,
    MemberCreateSchema,
    MemberQuerySchema,
    MemberSchema,
    MemberUpdateSchema,
    MeSchema,
    MeUpdateSchema,
    TokenRequestSchema,
    TokenSchema,
)
from service.core.api import Blueprint, expected_version, paginate, public, with_etag
from service.core.auth import current_actor
from service.core.errors import Unauthorized
from service.core.ratelimit import email_in_body, failed, limiter

API_PREFIX = "/api/v1/"
#: Failed sign-ins allowed per client address, and per account, before a pause.
SIGN_IN_ATTEMPTS = "10/15 minutes"

tokens = Blueprint(
    "tokens",
    __name__,
    url_prefix="/api/v1/tokens",
    description="API tokens: exchange an e-mail and password for a bearer token.",
)
me = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The signed-in user.")
members = Blueprint(
    "members",
    __name__,
    url_prefix="/api/v1/members",
    description="People in the organization and their roles.",
)


@tokens.before_app_request
def authenticate_api_request() -> None:
    """Resolve ``Authorization: Bearer`` into the request's actor for every API view."""
    if not request.path.startswith(API_PREFIX) or request.endpoint is None:
        return  # not the API, or a 404/405 that routing will answer
    view = current_app.view_functions.get(request.endpoint)
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if getattr(view, "public", False) and not credentials.strip():
        return  # public views also serve signed-in callers (a coordinator's phoned-in request)
    if scheme.lower() != "bearer" or not credentials.strip():
        raise Unauthorized()
    actor = operations.actor_for_token(credentials.strip())
    if actor is None:
        raise Unauthorized("This token is unknown, revoked or expired.")
    g.actor = actor


@tokens.route("", methods=["POST"])
@public
@limiter.limit(SIGN_IN_ATTEMPTS, deduct_when=failed, scope="sign-in-by-address")
@limiter.limit(
    SIGN_IN_ATTEMPTS,
    key_func=email_in_body,
    deduct_when=failed,
    exempt_when=lambda: not email_in_body(),
    scope="sign-in-by-email",
)
@tokens.arguments(TokenRequestSchema)
@tokens.response(201, IssuedTokenSchema)
def create_token(data: dict):
    """Exchange an e-mail address and password for a new API token (shown once)."""
    token, plaintext = operations.issue_token(
        data["email"],
        data["password"],
        organization_id=data.get("organization_id"),
        name=data["name"],
        expires_in_days=data.get("expires_in_days"),
    )
    token.token = plaintext
    return token


@tokens.route("", methods=["GET"])
@tokens.response(200, TokenSchema(many=True))
@tokens.paginate()
def list_tokens(pagination_parameters: PaginationParameters):
    """Your tokens in this organization (never their secrets)."""
    return paginate(operations.tokens_query(current_actor()), pagination_parameters)


@tokens.route("/<int:token_id>", methods=["DELETE"])
@tokens.response(204)
def delete_token(token_id: int):
    """Revoke a token: yours, or anyone's if you are an administrator."""
    operations.revoke_token(current_actor(), token_id)


@me.route("", methods=["GET"])
@me.response(200, MeSchema)
def get_me():
    """Who you are, in which organization, with which role."""
    membership = operations.get_me(current_actor())
    return with_etag(membership, membership.user.version)


@me.route("", methods=["PATCH"])
@me.arguments(MeUpdateSchema)
@me.response(200, MeSchema)
def update_me(data: dict):
    """Change your name, language, time zone or password (If-Match: the ETag you read)."""
    membership = operations.update_me(current_actor(), data, expected_version=expected_version())
    return with_etag(membership, membership.user.version)


@members.route("", methods=["GET"])
@members.arguments(MemberQuerySchema, location="query")
@members.response(200, MemberSchema(many=True))
@members.paginate()
def list_members(filters: dict, pagination_parameters: PaginationParameters):
    """Members of the organization (coordinators and admins)."""
    statement = operations.members_query(
        current_actor(),
        role=filters.get("role"),
        community_id=filters.get("community_id"),
        search=filters.get("q"),
    )
    return paginate(statement, pagination_parameters)


@members.route("", methods=["POST"])
@members.arguments(MemberCreateSchema)
@members.response(201, MemberSchema)
def create_member(data: dict):
    """Add a person with a role; coordinators may add volunteers to their communities."""
    membership = operations.add_member(current_actor(), **data)
    return with_etag(membership, membership.version)


@members.route("/<int:member_id>", methods=["GET"])
@members.response(200, MemberSchema)
def get_member(member_id: int):
    membership = operations.get_member(current_actor(), member_id)
    return with_etag(membership, membership.version)


@members.route("/<int:member_id>", methods=["PATCH"])
@members.arguments(MemberUpdateSchema)
@members.response(200, MemberSchema)
def update_member(data: dict, member_id: int):
    """Change a member's role (admins) or communities."""
    membership = operations.update_member(
        current_actor(), member_id, **data, expected_version=expected_version()
    )
    return with_etag(membership, membership.version)


@members.route("/<int:member_id>", methods=["DELETE"])
@members.response(204)
def delete_member(member_id: int):
    """Remove a person: their tokens stop working and future assignments are withdrawn."""
    operations.remove_member(current_actor(), member_id)


blueprints = (tokens, me, members)
