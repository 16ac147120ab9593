"""Request and response shapes of swap and cover offers."""

from __future__ import annotations

import marshmallow as ma

from service.core.fields import QuerySchema, Schema, ZonedDateTime
from service.swaps.models import OfferKind, OfferStatus


class OfferRequestSchema(Schema):
    kind = ma.fields.Enum(
        OfferKind,
        by_value=True,
        load_default=OfferKind.COVER,
        validate=ma.validate.OneOf([OfferKind.COVER, OfferKind.SWAP]),
        metadata={"description": "cover: someone takes it; swap: someone gives a place back."},
    )
    message = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class AcceptSchema(Schema):
    exchange_assignment_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "For a swap: your place the offerer gets."}
    )


class CandidateSchema(Schema):
    volunteer_id = ma.fields.Integer()
    name = ma.fields.String()


class OfferSchema(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.Enum(OfferKind, by_value=True)
    status = ma.fields.Enum(OfferStatus, by_value=True)
    assignment_id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    position_id = ma.fields.Integer()
    offered_by_volunteer_id = ma.fields.Integer()
    message = ma.fields.String()
    candidates = ma.fields.Method(
        "_candidates", metadata={"description": "Who may take it, fairest first."}
    )
    taken_by_volunteer_id = ma.fields.Integer(allow_none=True)
    exchange_assignment_id = ma.fields.Integer(allow_none=True)
    new_assignment_id = ma.fields.Integer(allow_none=True)
    created_at = ZonedDateTime(zone_attribute=None)
    closed_at = ZonedDateTime(zone_attribute=None, allow_none=True)
    version = ma.fields.Integer()

    def _candidates(self, offer: object) -> list[dict]:
        from service.swaps.operations import candidates_of

        return candidates_of(offer)


class OfferQuerySchema(QuerySchema):
    status = ma.fields.Enum(OfferStatus, by_value=True)
