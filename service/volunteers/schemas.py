"""Request and response shapes of skills and volunteers."""

from __future__ import annotations

import marshmallow as ma

from service.core.fields import (
    LanguageCode,
    Locale,
    QuerySchema,
    Schema,
    Timezone,
    ZonedDateTime,
)

SKILL_KEY = ma.validate.Regexp(
    r"^[a-z0-9][a-z0-9-]{0,63}$", error="Use lower-case letters, digits and dashes: first-aid."
)


class SkillSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    key = ma.fields.String(required=True, validate=SKILL_KEY)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class SkillUpdateSchema(Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))


class LimitsSchema(Schema):
    max_assignments_per_week = ma.fields.Integer(
        allow_none=True,
        validate=ma.validate.Range(min=0, max=50),
        metadata={"description": "Most assignments Monday to Sunday; null for no limit."},
    )
    max_hours_per_month = ma.fields.Integer(
        allow_none=True,
        validate=ma.validate.Range(min=0, max=400),
        metadata={"description": "Most hours of assignments in a calendar month."},
    )
    min_rest_hours = ma.fields.Integer(
        allow_none=True,
        validate=ma.validate.Range(min=0, max=168),
        metadata={"description": "Least hours between two assignments."},
    )


class VolunteerSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    member_id = ma.fields.Integer(attribute="membership_id", dump_only=True)
    user_id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(dump_only=True)
    email = ma.fields.String(attribute="membership.user.email", dump_only=True)
    phone = ma.fields.String(allow_none=True)
    languages = ma.fields.List(ma.fields.String())
    skills = ma.fields.Method("_skills")
    community_ids = ma.fields.Method("_community_ids")
    limits = ma.fields.Method("_limits")
    active = ma.fields.Boolean()
    created_at = ZonedDateTime(zone_attribute=None, dump_only=True)
    version = ma.fields.Integer(dump_only=True)

    def _skills(self, volunteer: object) -> list[str]:
        return sorted(volunteer.skill_keys)

    def _community_ids(self, volunteer: object) -> list[int]:
        return [community.id for community in volunteer.membership.communities]

    def _limits(self, volunteer: object) -> dict:
        return {
            "max_assignments_per_week": volunteer.max_assignments_per_week,
            "max_hours_per_month": volunteer.max_hours_per_month,
            "min_rest_hours": volunteer.min_rest_hours,
        }


class VolunteerUpdateSchema(Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    phone = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    languages = ma.fields.List(LanguageCode())
    skills = ma.fields.List(ma.fields.String(validate=SKILL_KEY))
    community_ids = ma.fields.List(ma.fields.Integer())
    limits = ma.fields.Nested(LimitsSchema)
    active = ma.fields.Boolean()


class VolunteerCreateSchema(VolunteerUpdateSchema):
    email = ma.fields.Email(required=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    locale = Locale()
    timezone = Timezone()
    password = ma.fields.String(load_only=True)


class VolunteerQuerySchema(QuerySchema):
    community_id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    skill = ma.fields.String(metadata={"description": "Only volunteers with this skill key."})
    language = ma.fields.String(metadata={"description": "Only volunteers speaking it."})
    active = ma.fields.Boolean()
    q = ma.fields.String(metadata={"description": "Part of a name or e-mail address."})
