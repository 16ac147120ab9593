"""Request and response shapes of event series."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import marshmallow as ma

from service.activities.models import EventStatus
from service.activities.schemas import PositionSchema
from service.core.fields import QuerySchema, Schema, Timezone, ZonedDateTime


class SeriesPositionSchema(PositionSchema):
    class Meta:
        exclude = ("id", "filled", "waitlisted", "open")


def _local_list(series: object, attribute: str) -> list[str]:
    zone = ZoneInfo(series.timezone)
    return [
        datetime.fromisoformat(item).astimezone(zone).isoformat()
        for item in getattr(series, attribute)
    ]


class SeriesSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    community_id = ma.fields.Integer(required=True)
    team_id = ma.fields.Integer(allow_none=True)
    activity_type_id = ma.fields.Integer(required=True)
    activity_type = ma.fields.String(attribute="activity_type.key", dump_only=True)
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    description = ma.fields.String(load_default="")
    location = ma.fields.String(load_default="", validate=ma.validate.Length(max=300))
    starts_at = ZonedDateTime(
        required=True, metadata={"description": "Start of the first occurrence (DTSTART)."}
    )
    ends_at = ZonedDateTime(
        load_only=True,
        metadata={"description": "End of the first occurrence; or give duration_minutes."},
    )
    duration_minutes = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=14 * 24 * 60),
        metadata={"description": "Defaults to the activity type's usual length."},
    )
    timezone = Timezone(
        metadata={"description": "Zone the rule is expanded in; defaults to the community's."}
    )
    rrule = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=500),
        metadata={
            "description": "RFC 5545 RRULE value, e.g. FREQ=DAILY or FREQ=WEEKLY;BYDAY=SA;"
            "UNTIL=20270630. A local UNTIL is read in the series' zone."
        },
    )
    exdates = ma.fields.List(
        ZonedDateTime(zone_attribute=None),
        load_default=list,
        load_only=True,
        metadata={"description": "Original starts of occurrences that do not happen."},
    )
    rdates = ma.fields.List(
        ZonedDateTime(zone_attribute=None),
        load_default=list,
        load_only=True,
        metadata={"description": "Extra starts outside the rule."},
    )
    positions = ma.fields.List(
        ma.fields.Nested(SeriesPositionSchema),
        metadata={"description": "Positions of every occurrence; default: the type's head-count."},
    )
    occurrence_status = ma.fields.Enum(
        EventStatus,
        by_value=True,
        load_default=EventStatus.PUBLISHED,
        validate=ma.validate.OneOf([EventStatus.DRAFT, EventStatus.PUBLISHED]),
    )
    horizon_days = ma.fields.Integer(
        load_default=90,
        validate=ma.validate.Range(min=1, max=366),
        metadata={"description": "Days ahead for which occurrences exist as events."},
    )
    materialised_until = ZonedDateTime(dump_only=True, allow_none=True)
    parent_series_id = ma.fields.Integer(dump_only=True, allow_none=True)
    version = ma.fields.Integer(dump_only=True)

    # Shown in the series' zone; stored as UTC text.
    @ma.post_dump(pass_original=True)
    def _local_exceptions(self, data: dict, series: object, **kwargs: object) -> dict:
        data["exdates"] = _local_list(series, "exdates")
        data["rdates"] = _local_list(series, "rdates")
        return data

    @ma.validates_schema
    def _one_length(self, data: dict, **kwargs: object) -> None:
        if "ends_at" in data and "duration_minutes" in data:
            raise ma.ValidationError("Give ends_at or duration_minutes, not both.", "ends_at")


class SeriesUpdateSchema(Schema):
    scope = ma.fields.String(
        load_default="all",
        validate=ma.validate.OneOf(["all", "following"]),
        metadata={
            "description": "all: the occurrences still to come; following: from `occurrence` "
            "on (the series is split). Edit one occurrence with PATCH /events/{id}."
        },
    )
    occurrence = ZonedDateTime(
        zone_attribute=None,
        metadata={"description": "Original start of the first occurrence to change."},
    )
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    description = ma.fields.String()
    location = ma.fields.String(validate=ma.validate.Length(max=300))
    start_time = ma.fields.Time(
        format="%H:%M", metadata={"description": "New local start time, e.g. 19:30."}
    )
    duration_minutes = ma.fields.Integer(validate=ma.validate.Range(min=1, max=14 * 24 * 60))
    rrule = ma.fields.String(validate=ma.validate.Length(min=1, max=500))


class OccurrenceCancelSchema(Schema):
    occurrence = ZonedDateTime(
        zone_attribute=None,
        required=True,
        metadata={"description": "Original start of the occurrence (its RECURRENCE-ID)."},
    )
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class SeriesQuerySchema(QuerySchema):
    community_id = ma.fields.Integer()
    team_id = ma.fields.Integer()


class OccurrenceQuerySchema(QuerySchema):
    from_ = ma.fields.AwareDateTime(data_key="from", format="iso")
    to = ma.fields.AwareDateTime(format="iso")
