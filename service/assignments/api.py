"""HTTP for sign-ups and assignments."""

from __future__ import annotations

from flask_smorest.pagination import PaginationParameters

from service.assignments import operations
from service.assignments.schemas import (
    AssignmentQuerySchema,
    AssignmentSchema,
    AssignSchema,
    MyAssignmentQuerySchema,
    ReasonSchema,
    SignupSchema,
)
from service.core.api import Blueprint, paginate, with_etag
from service.core.auth import current_actor

blp = Blueprint(
    "assignments",
    __name__,
    url_prefix="/api/v1",
    description="Who holds or waits for a place: sign-ups, assignments, waitlists.",
)


@blp.route("/events/<int:event_id>/signups", methods=["POST"])
@blp.arguments(SignupSchema)
@blp.response(201, AssignmentSchema)
def sign_up(data: dict, event_id: int):
    """Take a place in a position; when it is full you join its waitlist (status waitlisted).

    409 reasons: missing_skill, overlaps_assignment, limit_exceeded, already_assigned,
    event_cancelled, event_not_published, event_started.
    """
    assignment = operations.sign_up(current_actor(), event_id, data["position_id"])
    return with_etag(assignment, assignment.version)


@blp.route("/assignments", methods=["POST"])
@blp.arguments(AssignSchema)
@blp.response(201, AssignmentSchema)
def create_assignment(data: dict):
    """Assign a volunteer (coordinators); the same checks as a sign-up, overridable on record."""
    assignment = operations.assign(current_actor(), **data)
    return with_etag(assignment, assignment.version)


@blp.route("/assignments", methods=["GET"])
@blp.arguments(AssignmentQuerySchema, location="query")
@blp.response(200, AssignmentSchema(many=True))
@blp.paginate()
def list_assignments(filters: dict, pagination_parameters: PaginationParameters):
    statement = operations.assignments_query(
        current_actor(),
        volunteer_id=filters.get("volunteer_id"),
        event_id=filters.get("event_id"),
        position_id=filters.get("position_id"),
        community_id=filters.get("community_id"),
        statuses=filters.get("status", ()),
        source=filters.get("source"),
        ends_after=filters.get("from_"),
        starts_before=filters.get("to"),
    )
    return paginate(statement, pagination_parameters)


@blp.route("/assignments/<int:assignment_id>", methods=["GET"])
@blp.response(200, AssignmentSchema)
def get_assignment(assignment_id: int):
    assignment = operations.get_assignment(current_actor(), assignment_id)
    return with_etag(assignment, assignment.version)


@blp.route("/assignments/<int:assignment_id>/accept", methods=["POST"])
@blp.response(200, AssignmentSchema)
def accept_assignment(assignment_id: int):
    assignment = operations.accept(current_actor(), assignment_id)
    return with_etag(assignment, assignment.version)


@blp.route("/assignments/<int:assignment_id>/decline", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, AssignmentSchema)
def decline_assignment(data: dict, assignment_id: int):
    assignment = operations.decline(current_actor(), assignment_id, data["reason"])
    return with_etag(assignment, assignment.version)


@blp.route("/assignments/<int:assignment_id>/cancel", methods=["POST"])
@blp.arguments(ReasonSchema)
@blp.response(200, AssignmentSchema)
def cancel_assignment(data: dict, assignment_id: int):
    assignment = operations.cancel(current_actor(), assignment_id, data["reason"])
    return with_etag(assignment, assignment.version)


@blp.route("/me/assignments", methods=["GET"])
@blp.arguments(MyAssignmentQuerySchema, location="query")
@blp.response(200, AssignmentSchema(many=True))
@blp.paginate()
def my_assignments(filters: dict, pagination_parameters: PaginationParameters):
    """Your assignments, optionally between ``from`` and ``to``."""
    statement = operations.my_assignments_query(
        current_actor(), ends_after=filters.get("from_"), starts_before=filters.get("to")
    )
    return paginate(statement, pagination_parameters)


blueprints = (blp,)
