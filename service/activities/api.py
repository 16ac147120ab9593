"""HTTP for activity types, events and positions."""

from __future__ import annotations

from flask_smorest.pagination import PaginationParameters

from service.activities import operations
from service.activities.schemas import (
    ActivityTypeSchema,
    ActivityTypeUpdateSchema,
    EventCancelSchema,
    EventQuerySchema,
    EventSchema,
    EventUpdateSchema,
    PositionSchema,
    PositionUpdateSchema,
)
from service.core.api import Blueprint, expected_version, paginate, with_etag
from service.core.auth import current_actor

activity_types = Blueprint(
    "activity-types",
    __name__,
    url_prefix="/api/v1/activity-types",
    description="Kinds of work: patrol, clean-up, grocery run, home visit, ...",
)
events = Blueprint(
    "events",
    __name__,
    url_prefix="/api/v1/events",
    description="Events with their positions and how full they are.",
)


@activity_types.route("", methods=["GET"])
@activity_types.response(200, ActivityTypeSchema(many=True))
@activity_types.paginate()
def list_activity_types(pagination_parameters: PaginationParameters):
    return paginate(operations.activity_types_query(current_actor()), pagination_parameters)


@activity_types.route("", methods=["POST"])
@activity_types.arguments(ActivityTypeSchema)
@activity_types.response(201, ActivityTypeSchema)
def create_activity_type(data: dict):
    activity_type = operations.create_activity_type(current_actor(), data)
    return with_etag(activity_type, activity_type.version)


@activity_types.route("/<int:activity_type_id>", methods=["GET"])
@activity_types.response(200, ActivityTypeSchema)
def get_activity_type(activity_type_id: int):
    activity_type = operations.get_activity_type(current_actor(), activity_type_id)
    return with_etag(activity_type, activity_type.version)


@activity_types.route("/<int:activity_type_id>", methods=["PATCH"])
@activity_types.arguments(ActivityTypeUpdateSchema)
@activity_types.response(200, ActivityTypeSchema)
def update_activity_type(data: dict, activity_type_id: int):
    activity_type = operations.update_activity_type(
        current_actor(), activity_type_id, data, expected_version=expected_version()
    )
    return with_etag(activity_type, activity_type.version)


@activity_types.route("/<int:activity_type_id>", methods=["DELETE"])
@activity_types.response(204)
def delete_activity_type(activity_type_id: int):
    operations.delete_activity_type(current_actor(), activity_type_id)


@events.route("", methods=["GET"])
@events.arguments(EventQuerySchema, location="query")
@events.response(200, EventSchema(many=True))
@events.paginate()
def list_events(filters: dict, pagination_parameters: PaginationParameters):
    """Events by time range, community, team, type and status; ``open=true`` for gaps."""
    statement = operations.events_query(
        current_actor(),
        ends_after=filters.get("from_"),
        starts_before=filters.get("to"),
        community_id=filters.get("community_id"),
        team_id=filters.get("team_id"),
        activity_type_id=filters.get("activity_type_id"),
        status=filters.get("status"),
        only_open=filters.get("open", False),
    )
    return paginate(statement, pagination_parameters)


@events.route("", methods=["POST"])
@events.arguments(EventSchema)
@events.response(201, EventSchema)
def create_event(data: dict):
    event = operations.create_event(current_actor(), data)
    return with_etag(event, event.version)


@events.route("/<int:event_id>", methods=["GET"])
@events.response(200, EventSchema)
def get_event(event_id: int):
    event = operations.get_event(current_actor(), event_id)
    return with_etag(event, event.version)


@events.route("/<int:event_id>", methods=["PATCH"])
@events.arguments(EventUpdateSchema)
@events.response(200, EventSchema)
def update_event(data: dict, event_id: int):
    """Edit an event (If-Match: its ETag); a new time notifies the people assigned."""
    event = operations.update_event(
        current_actor(), event_id, data, expected_version=expected_version()
    )
    return with_etag(event, event.version)


@events.route("/<int:event_id>", methods=["DELETE"])
@events.response(204)
def delete_event(event_id: int):
    """Delete a draft nobody was assigned to; cancel anything else."""
    operations.delete_event(current_actor(), event_id)


@events.route("/<int:event_id>/cancel", methods=["POST"])
@events.arguments(EventCancelSchema)
@events.response(200, EventSchema)
def cancel_event(data: dict, event_id: int):
    """Cancel the event and every assignment in it."""
    event = operations.cancel_event(current_actor(), event_id, data["reason"])
    return with_etag(event, event.version)


@events.route("/<int:event_id>/positions", methods=["GET"])
@events.response(200, PositionSchema(many=True))
def list_positions(event_id: int):
    return operations.get_event(current_actor(), event_id).positions


@events.route("/<int:event_id>/positions", methods=["POST"])
@events.arguments(PositionSchema)
@events.response(201, PositionSchema)
def create_position(data: dict, event_id: int):
    return operations.add_position(current_actor(), event_id, data)


@events.route("/<int:event_id>/positions/<int:position_id>", methods=["GET"])
@events.response(200, PositionSchema)
def get_position(event_id: int, position_id: int):
    return operations.get_position(current_actor(), event_id, position_id)


@events.route("/<int:event_id>/positions/<int:position_id>", methods=["PATCH"])
@events.arguments(PositionUpdateSchema)
@events.response(200, PositionSchema)
def update_position(data: dict, event_id: int, position_id: int):
    return operations.update_position(current_actor(), event_id, position_id, data)


@events.route("/<int:event_id>/positions/<int:position_id>", methods=["DELETE"])
@events.response(204)
def delete_position(event_id: int, position_id: int):
    operations.delete_position(current_actor(), event_id, position_id)


blueprints = (activity_types, events)
