"""Request and response shapes of teams."""

from __future__ import annotations

import marshmallow as ma

from service.core.fields import QuerySchema, Schema, ZonedDateTime


class TeamMemberSchema(Schema):
    volunteer_id = ma.fields.Integer(required=True)
    name = ma.fields.String(attribute="volunteer.name", dump_only=True)
    is_lead = ma.fields.Boolean(load_default=False)
    joined_at = ZonedDateTime(zone_attribute=None, dump_only=True)


class TeamSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    community_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    description = ma.fields.String(load_default="")
    members = ma.fields.List(ma.fields.Nested(TeamMemberSchema), dump_only=True)
    created_at = ZonedDateTime(zone_attribute=None, dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class TeamUpdateSchema(Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    description = ma.fields.String()


class TeamQuerySchema(QuerySchema):
    community_id = ma.fields.Integer()
