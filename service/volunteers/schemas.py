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


class WindowSchema(Schema):
    weekday = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(min=0, max=6),
        metadata={"description": "Monday 0 ... Sunday 6."},
    )
    start = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Use HH:MM, e.g. 18:00."),
    )
    end = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(
            r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$", error="Use HH:MM, e.g. 22:00 (24:00: midnight)."
        ),
    )

    @ma.validates_schema
    def _end_after_start(self, data: dict, **kwargs: object) -> None:
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ma.ValidationError(
                "Must be after start; split a window that crosses midnight in two.", "end"
            )


class BlackoutSchema(Schema):
    starts_at = ZonedDateTime(zone_attribute=None, required=True)
    ends_at = ZonedDateTime(zone_attribute=None, required=True)
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))

    @ma.validates_schema
    def _end_after_start(self, data: dict, **kwargs: object) -> None:
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ma.ValidationError("Must be after starts_at.", "ends_at")


class AvailabilitySchema(Schema):
    """When and how a volunteer can be scheduled; PUT replaces all of it."""

    volunteer_id = ma.fields.Integer(dump_only=True)
    windows = ma.fields.List(
        ma.fields.Nested(WindowSchema),
        load_default=list,
        metadata={"description": "Weekly windows in the community's local time; none: any time."},
    )
    blackouts = ma.fields.List(ma.fields.Nested(BlackoutSchema), load_default=list)
    preferred_activity_types = ma.fields.List(ma.fields.String(), load_default=list)
    avoided_activity_types = ma.fields.List(ma.fields.String(), load_default=list)
    pair_with = ma.fields.List(
        ma.fields.Integer(), load_default=list, metadata={"description": "Volunteer ids."}
    )
    not_together = ma.fields.List(
        ma.fields.Integer(),
        load_default=list,
        metadata={"description": "Volunteer ids never to share an event with."},
    )
    trainee = ma.fields.Boolean(
        metadata={"description": "Set by coordinators; never scheduled only with trainees."}
    )
    limits = ma.fields.Nested(
        LimitsSchema,
        dump_only=True,
        metadata={"description": "Change them with PATCH /volunteers/{id}."},
    )
