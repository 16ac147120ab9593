"""Request and response shapes of communities."""

from __future__ import annotations

import marshmallow as ma

from service.core.fields import (
    Locale,
    PatchSchema,
    QuerySchema,
    Schema,
    Timezone,
    ZonedDateTime,
)


class CommunitySchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    timezone = Timezone(required=True, metadata={"description": "IANA zone, e.g. Asia/Shanghai."})
    locale = Locale(metadata={"description": "Residents' usual language: en, zh or es."})
    contact_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    contact_phone = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    contact_email = ma.fields.Email(allow_none=True)
    created_at = ZonedDateTime(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class CommunityUpdateSchema(PatchSchema, CommunitySchema):
    pass


class PublicCommunitySchema(Schema):
    """What a resident needs to pick their community on the help form."""

    id = ma.fields.Integer()
    name = ma.fields.String()
    locale = ma.fields.String()
    timezone = ma.fields.String()
    contact_phone = ma.fields.String(allow_none=True)


class PublicCommunityQuerySchema(QuerySchema):
    organization = ma.fields.String(metadata={"description": "The organization's handle."})
