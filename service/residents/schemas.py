"""Request and response shapes of residents and help requests.

Contact details (full name, phone, address, emergency contact, notes) appear only in
answers to people the privacy rules allow; the operations decide and log, these
schemas only shape.
"""

from __future__ import annotations

import marshmallow as ma

from service.core.fields import (
    Locale,
    PatchSchema,
    QuerySchema,
    Schema,
    ZonedDateTime,
)
from service.core.phone import is_plausible_phone
from service.residents.models import (
    Category,
    Channel,
    Concern,
    Outcome,
    Recurrence,
    RequestStatus,
    TimeOfDay,
    Urgency,
)

NEEDS = ("mobility", "hearing", "sight", "memory", "diet", "language", "stairs", "pets")
CONSENT_METHODS = ("web", "phone", "in_person", "paper")


def _phone(value: str) -> None:
    if not is_plausible_phone(value):
        raise ma.ValidationError("This does not look like a phone number.")


class ResidentPublicSchema(Schema):
    """What anyone allowed to know of the resident sees."""

    id = ma.fields.Integer()
    short_name = ma.fields.String()
    community_id = ma.fields.Integer()
    language = ma.fields.String()
    needs = ma.fields.List(ma.fields.String())
    anonymised = ma.fields.Function(lambda resident: resident.anonymised_at is not None)


class ResidentListSchema(ResidentPublicSchema):
    """A line of the coordinators' list: the name, no contact details."""

    name = ma.fields.String()


class ResidentSchema(ResidentPublicSchema):
    """The record; its private fields only when the operation marked it ``contact_visible``
    for this reader (and logged the read)."""

    PRIVATE = (
        "name",
        "phone",
        "address",
        "notes",
        "emergency_contact_name",
        "emergency_contact_phone",
    )

    name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    notes = ma.fields.String()
    emergency_contact_name = ma.fields.String(allow_none=True)
    emergency_contact_phone = ma.fields.String(allow_none=True)
    consent_given_at = ZonedDateTime(zone_attribute=None, allow_none=True)
    consent_method = ma.fields.String(allow_none=True)
    circle = ma.fields.Function(lambda resident: [m.volunteer_id for m in resident.circle])
    contact_visible = ma.fields.Function(lambda r: bool(getattr(r, "contact_visible", False)))
    created_at = ZonedDateTime(zone_attribute=None)
    version = ma.fields.Integer()

    @ma.post_dump(pass_original=True)
    def _hide_private(self, data: dict, resident: object, **kwargs: object) -> dict:
        if not getattr(resident, "contact_visible", False):
            for name in self.PRIVATE:
                data.pop(name, None)
        return data


class ResidentInputSchema(Schema):
    community_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    short_name = ma.fields.String(
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "Defaults to the first/given name."},
    )
    phone = ma.fields.String(allow_none=True, validate=_phone)
    address = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    language = Locale(required=True)
    needs = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(NEEDS)), load_default=list)
    notes = ma.fields.String(load_default="", validate=ma.validate.Length(max=4000))
    emergency_contact_name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    emergency_contact_phone = ma.fields.String(allow_none=True, validate=_phone)
    consent_method = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(CONSENT_METHODS),
        metadata={"description": "How the resident agreed."},
    )


class ResidentUpdateSchema(PatchSchema, ResidentInputSchema):
    pass


class CircleSchema(Schema):
    volunteer_ids = ma.fields.List(
        ma.fields.Integer(), required=True, validate=ma.validate.Length(max=12)
    )


class _RequestFields(Schema):
    category = ma.fields.Enum(Category, by_value=True, required=True)
    details = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))
    urgency = ma.fields.Enum(Urgency, by_value=True, load_default=Urgency.NORMAL)
    recurrence = ma.fields.Enum(Recurrence, by_value=True, load_default=Recurrence.ONCE)
    preferred_date = ma.fields.Date(allow_none=True)
    preferred_weekdays = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(min=0, max=6)),
        load_default=list,
        metadata={"description": "0 = Monday ... 6 = Sunday."},
    )
    preferred_time_of_day = ma.fields.Enum(TimeOfDay, by_value=True, load_default=TimeOfDay.ANY)


class IntakeSchema(_RequestFields):
    """A resident's own request (no account), or one a coordinator types in during a call."""

    community_id = ma.fields.Integer(required=True)
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    phone = ma.fields.String(allow_none=True, validate=_phone)
    address = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    language = Locale()
    consent = ma.fields.Boolean(
        metadata={
            "description": "The resident agrees that their details are kept to "
            "arrange the help. Required on the public form."
        },
    )
    #: Coordinators only: an existing resident instead of name/phone/address.
    resident_id = ma.fields.Integer()
    channel = ma.fields.Enum(Channel, by_value=True)
    #: A field people never see: a form that fills it is a robot.
    website = ma.fields.String(load_default="", metadata={"description": "Leave empty."})


class IntakeReceiptSchema(Schema):
    reference = ma.fields.String(metadata={"description": "Short code to quote on the phone."})
    status = ma.fields.Enum(RequestStatus, by_value=True)
    status_url = ma.fields.String(metadata={"description": "Signed link to follow the request."})
    language = ma.fields.String()
    id = ma.fields.Integer(metadata={"description": "Only in answers to coordinators."})


class OutcomeSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    event_id = ma.fields.Integer(allow_none=True)
    outcome = ma.fields.Enum(Outcome, by_value=True, required=True)
    concern = ma.fields.Enum(Concern, by_value=True, load_default=Concern.NONE)
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=2000))
    recorded_at = ZonedDateTime(zone_attribute=None, dump_only=True)


class HelpRequestSchema(_RequestFields):
    id = ma.fields.Integer()
    reference = ma.fields.String()
    community_id = ma.fields.Integer()
    resident = ma.fields.Nested(ResidentSchema)
    channel = ma.fields.Enum(Channel, by_value=True)
    status = ma.fields.Enum(RequestStatus, by_value=True)
    status_note = ma.fields.String(allow_none=True)
    merged_into_id = ma.fields.Integer(allow_none=True)
    event_id = ma.fields.Integer(allow_none=True)
    outcomes = ma.fields.List(ma.fields.Nested(OutcomeSchema))
    created_at = ZonedDateTime(zone_attribute=None)
    updated_at = ZonedDateTime(zone_attribute=None)
    version = ma.fields.Integer()


class HelpRequestUpdateSchema(PatchSchema, _RequestFields):
    pass


class HelpRequestQuerySchema(QuerySchema):
    status = ma.fields.List(ma.fields.Enum(RequestStatus, by_value=True))
    urgency = ma.fields.List(ma.fields.Enum(Urgency, by_value=True))
    category = ma.fields.List(ma.fields.Enum(Category, by_value=True))
    community_id = ma.fields.Integer()
    resident_id = ma.fields.Integer()


class DeclineSchema(Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class CancelRequestSchema(Schema):
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class AskSchema(Schema):
    question = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class MergeSchema(Schema):
    into_id = ma.fields.Integer(required=True)


class ScheduleSchema(Schema):
    volunteer_id = ma.fields.Integer(required=True)
    starts_at = ZonedDateTime(required=True)
    ends_at = ZonedDateTime(metadata={"description": "Defaults to the activity's duration."})
    note = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=500),
        metadata={"description": "Shown to the volunteer."},
    )


class MatchReasonSchema(Schema):
    factor = ma.fields.String()
    points = ma.fields.Integer()
    detail = ma.fields.String()


class MatchSchema(Schema):
    volunteer_id = ma.fields.Integer()
    name = ma.fields.String()
    score = ma.fields.Integer()
    eligible = ma.fields.Boolean()
    reasons = ma.fields.List(ma.fields.Nested(MatchReasonSchema))


class PublicStatusSchema(Schema):
    """What the signed status link shows: no contact data, first names only."""

    reference = ma.fields.String()
    status = ma.fields.String()
    category = ma.fields.String()
    resident = ma.fields.String(metadata={"description": "The resident's first name."})
    language = ma.fields.String()
    status_note = ma.fields.String(allow_none=True)
    volunteer = ma.fields.String(
        allow_none=True, metadata={"description": "The volunteer's first name."}
    )
    starts_at = ma.fields.String(allow_none=True, metadata={"description": "Local time."})
    community_phone = ma.fields.String(allow_none=True)
    received_at = ma.fields.String()


class AccessLogSchema(Schema):
    id = ma.fields.Integer()
    resident_id = ma.fields.Integer()
    user_id = ma.fields.Integer(allow_none=True)
    role = ma.fields.String()
    fields = ma.fields.List(ma.fields.String())
    purpose = ma.fields.String()
    accessed_at = ZonedDateTime(zone_attribute=None)


class AccessLogQuerySchema(QuerySchema):
    resident_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
