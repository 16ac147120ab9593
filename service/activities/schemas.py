"""Request and response shapes of activity types, events and positions."""

from __future__ import annotations

import marshmallow as ma

from service.activities.models import EventStatus
from service.core.fields import PatchSchema, QuerySchema, Schema, Timezone, ZonedDateTime
from service.volunteers.schemas import SKILL_KEY

ACTIVITY_KEY = ma.validate.Regexp(
    r"^[a-z0-9][a-z0-9-]{0,63}$", error="Use lower-case letters, digits and dashes: grocery-run."
)


class ActivityNamesSchema(Schema):
    en = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    zh = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    es = ma.fields.String(validate=ma.validate.Length(min=1, max=100))


class ActivityTypeSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    key = ma.fields.String(required=True, validate=ACTIVITY_KEY)
    names = ma.fields.Nested(ActivityNamesSchema, required=True)
    default_duration_minutes = ma.fields.Integer(
        load_default=120, validate=ma.validate.Range(min=5, max=24 * 60)
    )
    min_people = ma.fields.Integer(
        load_default=1,
        validate=ma.validate.Range(min=1, max=1000),
        metadata={"description": "Fewest people an event of this type needs (patrols: 2)."},
    )
    version = ma.fields.Integer(dump_only=True)


class ActivityTypeUpdateSchema(PatchSchema, ActivityTypeSchema):
    pass


class PositionSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    required_skill = ma.fields.String(
        allow_none=True,
        validate=SKILL_KEY,
        attribute="required_skill_key",
        metadata={"description": "Key of a skill every holder must have."},
    )
    min_people = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=0, max=1000))
    max_people = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1000))
    filled = ma.fields.Integer(dump_only=True, metadata={"description": "Places held."})
    waitlisted = ma.fields.Integer(dump_only=True)
    open = ma.fields.Function(
        lambda position: max(position.max_people - position.filled, 0), dump_only=True
    )

    @ma.validates_schema
    def _max_at_least_min(self, data: dict, **kwargs: object) -> None:
        if (
            "min_people" in data
            and "max_people" in data
            and data["max_people"] < data["min_people"]
        ):
            raise ma.ValidationError("Must be at least min_people.", "max_people")


class PositionUpdateSchema(Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    required_skill = ma.fields.String(
        allow_none=True, validate=SKILL_KEY, attribute="required_skill_key"
    )
    min_people = ma.fields.Integer(validate=ma.validate.Range(min=0, max=1000))
    max_people = ma.fields.Integer(validate=ma.validate.Range(min=1, max=1000))


class EventSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    community_id = ma.fields.Integer(required=True)
    team_id = ma.fields.Integer(allow_none=True)
    activity_type_id = ma.fields.Integer(required=True)
    activity_type = ma.fields.String(attribute="activity_type.key", dump_only=True)
    title = ma.fields.String(
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "Defaults to the activity type's name."},
    )
    description = ma.fields.String(load_default="")
    location = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))
    starts_at = ZonedDateTime(required=True)
    ends_at = ZonedDateTime(metadata={"description": "Defaults to the type's usual duration."})
    timezone = Timezone(metadata={"description": "Defaults to the community's zone."})
    status = ma.fields.Enum(
        EventStatus,
        by_value=True,
        load_default=EventStatus.DRAFT,
        validate=ma.validate.OneOf([EventStatus.DRAFT, EventStatus.PUBLISHED]),
    )
    signups_open = ma.fields.Boolean(
        load_default=True,
        metadata={"description": "False: places are given by coordinators only."},
    )
    cancel_reason = ma.fields.String(dump_only=True, allow_none=True)
    cancelled_at = ZonedDateTime(dump_only=True, allow_none=True)
    positions = ma.fields.List(
        ma.fields.Nested(PositionSchema),
        metadata={"description": "Defaults to one position for the type's fewest people."},
    )
    filled = ma.fields.Integer(dump_only=True)
    needed = ma.fields.Integer(dump_only=True)
    capacity = ma.fields.Integer(dump_only=True)
    fill_state = ma.fields.String(dump_only=True)
    created_at = ZonedDateTime(dump_only=True)
    updated_at = ZonedDateTime(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class EventUpdateSchema(Schema):
    team_id = ma.fields.Integer(allow_none=True)
    signups_open = ma.fields.Boolean()
    activity_type_id = ma.fields.Integer()
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    description = ma.fields.String()
    location = ma.fields.String(validate=ma.validate.Length(max=300))
    starts_at = ZonedDateTime()
    ends_at = ZonedDateTime()
    timezone = Timezone()
    status = ma.fields.Enum(
        EventStatus,
        by_value=True,
        validate=ma.validate.OneOf(
            [EventStatus.DRAFT, EventStatus.PUBLISHED],
            error="Set draft or published here; cancel with POST /events/{id}/cancel.",
        ),
    )


class EventCancelSchema(Schema):
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class EventQuerySchema(QuerySchema):
    from_ = ma.fields.AwareDateTime(
        data_key="from", format="iso", metadata={"description": "Events ending after this time."}
    )
    to = ma.fields.AwareDateTime(
        format="iso", metadata={"description": "Events starting before this time."}
    )
    community_id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    activity_type_id = ma.fields.Integer()
    status = ma.fields.Enum(EventStatus, by_value=True)
    open = ma.fields.Boolean(metadata={"description": "Only events with places still open."})
