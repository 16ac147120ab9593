"""HTTP for residents and help requests, including the public form and status link."""

from __future__ import annotations

from flask import g, request
from flask_smorest.pagination import PaginationParameters

from service.core.api import Blueprint, expected_version, paginate, public, with_etag
from service.core.auth import current_actor
from service.core.config import get_settings
from service.core.ratelimit import limiter, phone_in_body, succeeded
from service.residents import operations
from service.residents.schemas import (
    AccessLogQuerySchema,
    AccessLogSchema,
    AskSchema,
    CancelRequestSchema,
    CircleSchema,
    DeclineSchema,
    HelpRequestQuerySchema,
    HelpRequestSchema,
    HelpRequestUpdateSchema,
    IntakeReceiptSchema,
    IntakeSchema,
    MatchSchema,
    MergeSchema,
    OutcomeSchema,
    PublicStatusSchema,
    ResidentInputSchema,
    ResidentListSchema,
    ResidentPublicSchema,
    ResidentSchema,
    ResidentUpdateSchema,
    ScheduleSchema,
)

residents = Blueprint(
    "residents",
    __name__,
    url_prefix="/api/v1/residents",
    description="Residents who receive help; contact details are private.",
)
requests = Blueprint(
    "help-requests",
    __name__,
    url_prefix="/api/v1/help-requests",
    description="Residents' requests for help, from intake to the visit.",
)
access_log = Blueprint(
    "contact-access-log",
    __name__,
    url_prefix="/api/v1/contact-access-log",
    description="Every read of a resident's phone or address.",
)


def _purpose() -> str:
    return f"{request.method} {request.path}"


# --- residents ------------------------------------------------------------------------------


@residents.route("", methods=["GET"])
@residents.response(200, ResidentListSchema(many=True))
@residents.paginate()
def list_residents(pagination_parameters: PaginationParameters):
    """Residents of your communities (names; contact details only on each resident)."""
    return paginate(
        operations.residents_query(current_actor(), search=request.args.get("q")),
        pagination_parameters,
    )


@residents.route("", methods=["POST"])
@residents.arguments(ResidentInputSchema)
@residents.response(201, ResidentSchema)
def create_resident(data: dict):
    """Record a resident, e.g. while on the phone with them; consent method required."""
    resident = operations.create_resident(current_actor(), data, purpose=_purpose())
    return with_etag(resident, resident.version)


@residents.route("/<int:resident_id>", methods=["GET"])
@residents.response(200, ResidentSchema)
def get_resident(resident_id: int):
    """The resident; phone and address only for those allowed, and every such read is logged."""
    resident = operations.get_resident(current_actor(), resident_id, purpose=_purpose())
    return with_etag(resident, resident.version)


@residents.route("/<int:resident_id>", methods=["PATCH"])
@residents.arguments(ResidentUpdateSchema)
@residents.response(200, ResidentSchema)
def update_resident(data: dict, resident_id: int):
    resident = operations.update_resident(
        current_actor(), resident_id, data, purpose=_purpose(), expected_version=expected_version()
    )
    return with_etag(resident, resident.version)


@residents.route("/<int:resident_id>/circle", methods=["PUT"])
@residents.arguments(CircleSchema)
@residents.response(200, ResidentPublicSchema)
def set_care_circle(data: dict, resident_id: int):
    """The volunteers who share this resident's recurring visits (e.g. three for one)."""
    return operations.set_care_circle(current_actor(), resident_id, data["volunteer_ids"])


@residents.route("/<int:resident_id>/anonymise", methods=["POST"])
@residents.response(200, ResidentPublicSchema)
def anonymise_resident(resident_id: int):
    """Erase the resident's personal data on their request; statistics stay."""
    return operations.anonymise_resident(current_actor(), resident_id)


@access_log.route("", methods=["GET"])
@access_log.arguments(AccessLogQuerySchema, location="query")
@access_log.response(200, AccessLogSchema(many=True))
@access_log.paginate()
def list_contact_access(filters: dict, pagination_parameters: PaginationParameters):
    """Who read which resident's contact details, and through what (coordinators)."""
    return paginate(operations.access_log_query(current_actor(), **filters), pagination_parameters)


# --- intake ---------------------------------------------------------------------------------


def _per_hour() -> str:
    return f"{get_settings().help_requests_per_hour}/hour"


def _entered_by_coordinator() -> bool:
    actor = g.get("actor")
    return actor is not None and actor.is_coordinator


@requests.route("", methods=["POST"])
@public
@limiter.limit(
    _per_hour,
    exempt_when=_entered_by_coordinator,
    deduct_when=succeeded,
    scope="help-requests-by-address",
)
@limiter.limit(
    _per_hour,
    key_func=phone_in_body,
    deduct_when=succeeded,
    exempt_when=lambda: _entered_by_coordinator() or not phone_in_body(),
    scope="help-requests-by-phone",
)
@requests.arguments(IntakeSchema)
@requests.response(201, IntakeReceiptSchema)
def submit_request(data: dict):
    """Ask for help. No account needed; coordinators use the same path for phoned-in requests.

    Limited per client address and per phone number (HELP_REQUESTS_PER_HOUR, 20 by
    default): the 21st within an hour gets 429.
    """
    actor = g.get("actor")
    help_request = operations.submit_request(actor, data)
    receipt = {
        "reference": help_request.reference,
        "status": help_request.status,
        "status_url": operations.status_url(help_request),
        "language": help_request.resident.language,
    }
    if actor is not None:
        receipt["id"] = help_request.id
    return receipt


@requests.route("/status/<token>", methods=["GET"])
@public
@requests.response(200, PublicStatusSchema)
def get_status(token: str):
    """Where a request stands, through its signed link: first names only, no contact data."""
    return operations.public_status(token)


@requests.route("/status/<token>/cancel", methods=["POST"])
@public
@requests.response(200, PublicStatusSchema)
def cancel_by_resident(token: str):
    """The resident withdraws their request through its signed link."""
    operations.cancel_by_resident(token)
    return operations.public_status(token)


# --- triage ---------------------------------------------------------------------------------


@requests.route("", methods=["GET"])
@requests.arguments(HelpRequestQuerySchema, location="query")
@requests.response(200, HelpRequestSchema(many=True))
@requests.paginate()
def list_requests(filters: dict, pagination_parameters: PaginationParameters):
    """Requests of your communities, most urgent and oldest first, filterable."""
    statement = operations.requests_query(
        current_actor(),
        statuses=filters.get("status", ()),
        urgencies=filters.get("urgency", ()),
        categories=filters.get("category", ()),
        community_id=filters.get("community_id"),
        resident_id=filters.get("resident_id"),
    )
    return paginate(statement, pagination_parameters)


@requests.route("/<int:request_id>", methods=["GET"])
@requests.response(200, HelpRequestSchema)
def get_request(request_id: int):
    """A request: its coordinators, or the volunteer sent (address from a day before)."""
    help_request = operations.get_request(current_actor(), request_id, purpose=_purpose())
    return with_etag(help_request, help_request.version)


@requests.route("/<int:request_id>", methods=["PATCH"])
@requests.arguments(HelpRequestUpdateSchema)
@requests.response(200, HelpRequestSchema)
def update_request(data: dict, request_id: int):
    help_request = operations.update_request(
        current_actor(), request_id, data, expected_version=expected_version()
    )
    return with_etag(help_request, help_request.version)


@requests.route("/<int:request_id>/accept", methods=["POST"])
@requests.response(200, HelpRequestSchema)
def accept_request(request_id: int):
    return operations.accept_request(current_actor(), request_id)


@requests.route("/<int:request_id>/ask", methods=["POST"])
@requests.arguments(AskSchema)
@requests.response(200, HelpRequestSchema)
def ask_for_details(data: dict, request_id: int):
    """Ask the resident for details; they hear the question by SMS and on their status page."""
    return operations.ask_for_details(current_actor(), request_id, data["question"])


@requests.route("/<int:request_id>/decline", methods=["POST"])
@requests.arguments(DeclineSchema)
@requests.response(200, HelpRequestSchema)
def decline_request(data: dict, request_id: int):
    return operations.decline_request(current_actor(), request_id, data["reason"])


@requests.route("/<int:request_id>/merge", methods=["POST"])
@requests.arguments(MergeSchema)
@requests.response(200, HelpRequestSchema)
def merge_request(data: dict, request_id: int):
    """Fold this duplicate into another request of the same community."""
    return operations.merge_request(current_actor(), request_id, data["into_id"])


@requests.route("/<int:request_id>/cancel", methods=["POST"])
@requests.arguments(CancelRequestSchema)
@requests.response(200, HelpRequestSchema)
def cancel_request(data: dict, request_id: int):
    return operations.cancel_request(current_actor(), request_id, data["reason"])


@requests.route("/<int:request_id>/matches", methods=["GET"])
@requests.response(200, MatchSchema(many=True))
def list_matches(request_id: int):
    """Volunteers ranked for this request, with the reason for every point."""
    return operations.matches(current_actor(), request_id)


@requests.route("/<int:request_id>/schedule", methods=["POST"])
@requests.arguments(ScheduleSchema)
@requests.response(200, HelpRequestSchema)
def schedule_request(data: dict, request_id: int):
    """Create the visit and offer it to the chosen volunteer, who accepts as for any place."""
    return operations.schedule_request(current_actor(), request_id, **data)


@requests.route("/<int:request_id>/outcome", methods=["POST"])
@requests.arguments(OutcomeSchema)
@requests.response(200, HelpRequestSchema)
def record_outcome(data: dict, request_id: int):
    """How the visit went; "needs follow-up" or a concern alerts the coordinators at once."""
    return operations.record_outcome(current_actor(), request_id, data)


blueprints = (residents, requests, access_log)
