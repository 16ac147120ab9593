"""Shapes of the reports."""

from __future__ import annotations

import marshmallow as ma

from service.core.fields import QuerySchema, Schema


class HelpRequestReportQuerySchema(QuerySchema):
    from_ = ma.fields.AwareDateTime(data_key="from", format="iso")
    to = ma.fields.AwareDateTime(format="iso")
    community_id = ma.fields.Integer()


class HelpRequestReportSchema(Schema):
    total = ma.fields.Integer()
    residents = ma.fields.Integer(metadata={"description": "Distinct residents helped or asking."})
    anonymised_residents = ma.fields.Integer()
    by_category = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_urgency = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_channel = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    visits = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        metadata={"description": "Recorded visit outcomes by kind."},
    )
    concerns = ma.fields.Integer()


class LoadQuerySchema(QuerySchema):
    month = ma.fields.String(
        validate=ma.validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="Use YYYY-MM."),
        metadata={"description": "Calendar month, YYYY-MM (default: this month)."},
    )
    community_id = ma.fields.Integer()


class VolunteerLoadSchema(Schema):
    volunteer_id = ma.fields.Integer()
    name = ma.fields.String()
    assignments = ma.fields.Integer()
    hours = ma.fields.Float()
    max_hours_per_month = ma.fields.Integer(allow_none=True)
    max_assignments_per_week = ma.fields.Integer(allow_none=True)
    busiest_week = ma.fields.Integer(metadata={"description": "Most assignments in one week."})
    over_limit = ma.fields.Boolean()
