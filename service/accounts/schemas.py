"""Request and response shapes of tokens, the current user and members."""

from __future__ import annotations

import marshmallow as ma

from service.core.auth import Role
from service.core.fields import Locale, QuerySchema, Schema, Timezone, ZonedDateTime


class TokenRequestSchema(Schema):
    email = ma.fields.Email(required=True)
    password = ma.fields.String(required=True, load_only=True)
    organization_id = ma.fields.Integer(
        metadata={"description": "Needed only when you belong to several organizations."}
    )
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))
    expires_in_days = ma.fields.Integer(validate=ma.validate.Range(min=1, max=3650))


class TokenSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String()
    prefix = ma.fields.String(metadata={"description": "First characters, to tell tokens apart."})
    organization_id = ma.fields.Integer()
    created_at = ZonedDateTime(zone_attribute=None)
    last_used_at = ZonedDateTime(zone_attribute=None, allow_none=True)
    expires_at = ZonedDateTime(zone_attribute=None, allow_none=True)
    revoked_at = ZonedDateTime(zone_attribute=None, allow_none=True)


class IssuedTokenSchema(TokenSchema):
    token = ma.fields.String(
        metadata={"description": "The secret. Shown this once; only its digest is stored."}
    )


class OrganizationRefSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    slug = ma.fields.String()


def _community_ids(membership: object) -> list[int]:
    return [community.id for community in membership.communities]


def _volunteer_id(membership: object) -> int | None:
    return membership.volunteer.id if membership.volunteer else None


class MemberSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    user_id = ma.fields.Integer()
    email = ma.fields.String(attribute="user.email")
    name = ma.fields.String(attribute="user.name")
    locale = ma.fields.String(attribute="user.locale")
    timezone = ma.fields.String(attribute="user.timezone")
    role = ma.fields.Enum(Role, by_value=True)
    community_ids = ma.fields.Function(_community_ids)
    volunteer_id = ma.fields.Function(_volunteer_id)
    created_at = ZonedDateTime(zone_attribute=None)
    version = ma.fields.Integer()


class MeSchema(Schema):
    id = ma.fields.Integer(attribute="user_id", metadata={"description": "Your user id."})
    member_id = ma.fields.Integer(attribute="id")
    email = ma.fields.String(attribute="user.email")
    name = ma.fields.String(attribute="user.name")
    locale = ma.fields.String(attribute="user.locale")
    timezone = ma.fields.String(attribute="user.timezone")
    role = ma.fields.Enum(Role, by_value=True)
    organization = ma.fields.Nested(OrganizationRefSchema)
    community_ids = ma.fields.Function(_community_ids)
    volunteer_id = ma.fields.Function(_volunteer_id)
    version = ma.fields.Integer(attribute="user.version")


class MeUpdateSchema(Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    locale = Locale()
    timezone = Timezone()
    password = ma.fields.String(load_only=True)
    current_password = ma.fields.String(load_only=True)


class MemberCreateSchema(Schema):
    email = ma.fields.Email(required=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    role = ma.fields.Enum(Role, by_value=True, required=True)
    community_ids = ma.fields.List(ma.fields.Integer(), load_default=list)
    locale = Locale()
    timezone = Timezone()
    password = ma.fields.String(
        load_only=True,
        metadata={"description": "Initial password; without it the person signs in by link."},
    )


class MemberUpdateSchema(Schema):
    role = ma.fields.Enum(Role, by_value=True)
    community_ids = ma.fields.List(ma.fields.Integer())


class MemberQuerySchema(QuerySchema):
    role = ma.fields.Enum(Role, by_value=True)
    community_id = ma.fields.Integer()
    q = ma.fields.String(metadata={"description": "Part of a name or e-mail address."})
