"""Request and response shapes of assignments."""

from __future__ import annotations

import marshmallow as ma

from service.assignments.models import AssignmentSource, AssignmentStatus
from service.core.fields import QuerySchema, Schema, ZonedDateTime


class AssignmentEventSchema(Schema):
    """The event an assignment belongs to, in brief."""

    id = ma.fields.Integer()
    title = ma.fields.String()
    community_id = ma.fields.Integer()
    team_id = ma.fields.Integer(allow_none=True)
    activity_type = ma.fields.String(attribute="activity_type.key")
    location = ma.fields.String()
    starts_at = ZonedDateTime()
    ends_at = ZonedDateTime()
    timezone = ma.fields.String()
    status = ma.fields.String(attribute="status.value")


class AssignmentSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    event_id = ma.fields.Integer()
    position_id = ma.fields.Integer()
    position = ma.fields.String(attribute="position.name")
    volunteer_id = ma.fields.Integer()
    volunteer_name = ma.fields.String(attribute="volunteer.name")
    status = ma.fields.Enum(AssignmentStatus, by_value=True)
    source = ma.fields.Enum(AssignmentSource, by_value=True)
    waitlist_rank = ma.fields.Integer(allow_none=True)
    overridden_checks = ma.fields.List(ma.fields.String(), allow_none=True)
    override_reason = ma.fields.String(allow_none=True)
    event = ma.fields.Nested(AssignmentEventSchema)
    created_at = ZonedDateTime(zone_attribute=None)
    responded_at = ZonedDateTime(zone_attribute=None, allow_none=True)
    rescheduled_at = ZonedDateTime(
        zone_attribute=None,
        allow_none=True,
        metadata={"description": "Set when the event moved after the place was given."},
    )
    version = ma.fields.Integer()


class SignupSchema(Schema):
    position_id = ma.fields.Integer(required=True)


class AssignSchema(Schema):
    position_id = ma.fields.Integer(required=True)
    volunteer_id = ma.fields.Integer(required=True)
    confirmed = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "The volunteer agreed already (e.g. on the phone)."},
    )
    override = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Override skill, overlap, limit and community checks."},
    )
    override_reason = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=500),
        metadata={"description": "Required with override; recorded on the assignment."},
    )


class ReasonSchema(Schema):
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class AssignmentQuerySchema(QuerySchema):
    from_ = ma.fields.AwareDateTime(data_key="from", format="iso")
    to = ma.fields.AwareDateTime(format="iso")
    volunteer_id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    position_id = ma.fields.Integer()
    community_id = ma.fields.Integer()
    status = ma.fields.List(ma.fields.Enum(AssignmentStatus, by_value=True))
    source = ma.fields.Enum(AssignmentSource, by_value=True)


class MyAssignmentQuerySchema(QuerySchema):
    from_ = ma.fields.AwareDateTime(data_key="from", format="iso")
    to = ma.fields.AwareDateTime(format="iso")
