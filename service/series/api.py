"""HTTP for event series."""

from __future__ import annotations

from flask_smorest.pagination import PaginationParameters

from service.activities.schemas import EventSchema
from service.core.api import Blueprint, expected_version, paginate, with_etag
from service.core.auth import current_actor
from service.series import operations
from service.series.schemas import (
    OccurrenceCancelSchema,
    OccurrenceQuerySchema,
    SeriesQuerySchema,
    SeriesSchema,
    SeriesUpdateSchema,
)

blp = Blueprint(
    "series",
    __name__,
    url_prefix="/api/v1/series",
    description="Recurring activities (RFC 5545 RRULE in the community's zone), whose "
    "occurrences exist as events for a rolling horizon.",
)


@blp.route("", methods=["GET"])
@blp.arguments(SeriesQuerySchema, location="query")
@blp.response(200, SeriesSchema(many=True))
@blp.paginate()
def list_series(filters: dict, pagination_parameters: PaginationParameters):
    statement = operations.series_query(current_actor(), **filters)
    return paginate(statement, pagination_parameters)


@blp.route("", methods=["POST"])
@blp.arguments(SeriesSchema)
@blp.response(201, SeriesSchema)
def create_series(data: dict):
    """Create a series; occurrences within the horizon become events at once.

    422 for an unparseable rule, an unknown zone, an end before the start, a rule with
    no occurrence or with more than 3,660 a year, or occurrences that overlap.
    """
    series = operations.create_series(current_actor(), data)
    return with_etag(series, series.version)


@blp.route("/<int:series_id>", methods=["GET"])
@blp.response(200, SeriesSchema)
def get_series(series_id: int):
    series = operations.get_series(current_actor(), series_id)
    return with_etag(series, series.version)


@blp.route("/<int:series_id>", methods=["PATCH"])
@blp.arguments(SeriesUpdateSchema)
@blp.response(200, SeriesSchema)
def update_series(data: dict, series_id: int):
    """Edit the whole series or this and the following occurrences (answers the new series).

    Assignments stay in events whose time is unchanged; those whose time changed are
    flagged (``rescheduled_at``) and their volunteers notified.
    """
    scope = data.pop("scope")
    occurrence = data.pop("occurrence", None)
    series = operations.update_series(
        current_actor(),
        series_id,
        data,
        scope=scope,
        occurrence=occurrence,
        expected_version=expected_version(),
    )
    return with_etag(series, series.version)


@blp.route("/<int:series_id>/occurrences", methods=["GET"])
@blp.arguments(OccurrenceQuerySchema, location="query")
@blp.response(200, EventSchema(many=True))
@blp.paginate()
def list_occurrences(filters: dict, series_id: int, pagination_parameters: PaginationParameters):
    """The occurrences that exist as events, between ``from`` and ``to``."""
    statement = operations.occurrences_query(
        current_actor(),
        series_id,
        ends_after=filters.get("from_"),
        starts_before=filters.get("to"),
    )
    return paginate(statement, pagination_parameters)


@blp.route("/<int:series_id>/occurrences/cancel", methods=["POST"])
@blp.arguments(OccurrenceCancelSchema)
@blp.response(200, SeriesSchema)
def cancel_occurrence(data: dict, series_id: int):
    """Cancel one occurrence: it becomes an exception (EXDATE); its places are cancelled."""
    series = operations.cancel_occurrence(
        current_actor(), series_id, data["occurrence"], data["reason"]
    )
    return with_etag(series, series.version)


blueprints = (blp,)
