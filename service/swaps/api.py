"""HTTP for swap and cover offers."""

from __future__ import annotations

from flask_smorest.pagination import PaginationParameters

from service.core.api import Blueprint, paginate, with_etag
from service.core.auth import current_actor
from service.swaps import operations
from service.swaps.schemas import AcceptSchema, OfferQuerySchema, OfferRequestSchema, OfferSchema

blp = Blueprint(
    "swaps",
    __name__,
    url_prefix="/api/v1",
    description="Swaps and cover: offer a place; eligible colleagues are asked, fairest first; "
    "the first to accept takes it.",
)


@blp.route("/assignments/<int:assignment_id>/offers", methods=["POST"])
@blp.arguments(OfferRequestSchema)
@blp.response(201, OfferSchema)
def offer_place(data: dict, assignment_id: int):
    """Offer your place for cover or swap; eligible volunteers are notified, fairest first."""
    offer = operations.offer_place(current_actor(), assignment_id, data["kind"], data["message"])
    return with_etag(offer, offer.version)


@blp.route("/swap-offers", methods=["GET"])
@blp.arguments(OfferQuerySchema, location="query")
@blp.response(200, OfferSchema(many=True))
@blp.paginate()
def list_offers(filters: dict, pagination_parameters: PaginationParameters):
    """Coordinators: every offer; volunteers: their own and those they may take."""
    return paginate(operations.offers_query(current_actor(), **filters), pagination_parameters)


@blp.route("/swap-offers/<int:offer_id>", methods=["GET"])
@blp.response(200, OfferSchema)
def get_offer(offer_id: int):
    offer = operations.get_offer(current_actor(), offer_id)
    return with_etag(offer, offer.version)


@blp.route("/swap-offers/<int:offer_id>/accept", methods=["POST"])
@blp.arguments(AcceptSchema)
@blp.response(200, OfferSchema)
def accept_offer(data: dict, offer_id: int):
    """Take the place (first come, first served); 409 ``offer_taken`` if someone was faster.

    When the team wants approval the offer waits (``needs_approval``) for a coordinator.
    """
    offer = operations.accept_offer(
        current_actor(), offer_id, exchange_assignment_id=data.get("exchange_assignment_id")
    )
    return with_etag(offer, offer.version)


@blp.route("/swap-offers/<int:offer_id>/approve", methods=["POST"])
@blp.response(200, OfferSchema)
def approve_offer(offer_id: int):
    offer = operations.approve_offer(current_actor(), offer_id)
    return with_etag(offer, offer.version)


@blp.route("/swap-offers/<int:offer_id>/reject", methods=["POST"])
@blp.response(200, OfferSchema)
def reject_offer(offer_id: int):
    """Turn the taker down; the place is on offer again for the others."""
    offer = operations.reject_offer(current_actor(), offer_id)
    return with_etag(offer, offer.version)


@blp.route("/swap-offers/<int:offer_id>/withdraw", methods=["POST"])
@blp.response(200, OfferSchema)
def withdraw_offer(offer_id: int):
    offer = operations.withdraw_offer(current_actor(), offer_id)
    return with_etag(offer, offer.version)


blueprints = (blp,)
