"""HTTP for reports."""

from __future__ import annotations

from service.core.api import Blueprint
from service.core.auth import current_actor
from service.reports import operations
from service.reports.schemas import (
    HelpRequestReportQuerySchema,
    HelpRequestReportSchema,
    LoadQuerySchema,
    VolunteerLoadSchema,
)

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="Counts and loads for coordinators.",
)


@blp.route("/help-requests", methods=["GET"])
@blp.arguments(HelpRequestReportQuerySchema, location="query")
@blp.response(200, HelpRequestReportSchema)
def help_request_report(filters: dict):
    """Help requests by category, status, urgency and channel; visit outcomes and concerns."""
    return operations.help_request_report(
        current_actor(),
        received_from=filters.get("from_"),
        received_to=filters.get("to"),
        community_id=filters.get("community_id"),
    )


@blp.route("/volunteer-load", methods=["GET"])
@blp.arguments(LoadQuerySchema, location="query")
@blp.response(200, VolunteerLoadSchema(many=True))
def volunteer_load(filters: dict):
    """Each volunteer's assignments and hours this month against their limits."""
    return operations.volunteer_load(
        current_actor(), month=filters.get("month"), community_id=filters.get("community_id")
    )


blueprints = (blp,)
