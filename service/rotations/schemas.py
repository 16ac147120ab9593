"""Request and response shapes of rotation plans and team rotation settings."""

from __future__ import annotations

import marshmallow as ma

from service.core.fields import QuerySchema, Schema, ZonedDateTime
from service.rotations.models import PlanStatus


class WeightsSchema(Schema):
    fairness = ma.fields.Float(validate=ma.validate.Range(min=0, max=10_000))
    preference = ma.fields.Float(validate=ma.validate.Range(min=0, max=10_000))
    pairing = ma.fields.Float(validate=ma.validate.Range(min=0, max=10_000))
    resident = ma.fields.Float(validate=ma.validate.Range(min=0, max=10_000))
    site = ma.fields.Float(validate=ma.validate.Range(min=0, max=10_000))
    stability = ma.fields.Float(validate=ma.validate.Range(min=0, max=10_000))


class PlanRequestSchema(Schema):
    team_ids = ma.fields.List(
        ma.fields.Integer(), required=True, validate=ma.validate.Length(min=1, max=50)
    )
    series_ids = ma.fields.List(
        ma.fields.Integer(),
        load_default=list,
        metadata={"description": "Staff these series' occurrences (default: the teams' events)."},
    )
    event_ids = ma.fields.List(
        ma.fields.Integer(), load_default=list, metadata={"description": "Staff these events."}
    )
    from_ = ZonedDateTime(data_key="from", zone_attribute=None, required=True)
    to = ZonedDateTime(zone_attribute=None, required=True)
    weights = ma.fields.Nested(
        WeightsSchema,
        metadata={
            "description": "Soft goals' weights: fairness 100, preference 10, pairing 5, "
            "resident 5, site 5, stability 50 (keeping re-planned places with whoever had "
            "them) unless given. Hard rules are never traded."
        },
    )
    replan_unconfirmed = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "Plan rotation places not yet accepted afresh; publishing then "
            "cancels those the new plan does not keep. Confirmed places are always kept."
        },
    )


class PlanItemSchema(Schema):
    event_id = ma.fields.Integer()
    position_id = ma.fields.Integer()
    title = ma.fields.String()
    position = ma.fields.String()
    starts_at = ma.fields.String()
    ends_at = ma.fields.String()
    volunteer_id = ma.fields.Integer()
    volunteer_name = ma.fields.String()


class NarrowingSchema(Schema):
    rule = ma.fields.String()
    left = ma.fields.Integer()


class UnfilledSchema(PlanItemSchema):
    class Meta:
        exclude = ("volunteer_id", "volunteer_name")

    places = ma.fields.Integer()
    reason = ma.fields.String(
        metadata={
            "description": "no_candidates, missing_skill, unavailable, blackout, busy, "
            "rest_hours, at_limit, not_together, trainees_only or would_be_alone."
        }
    )
    detail = ma.fields.String()
    narrowing = ma.fields.List(ma.fields.Nested(NarrowingSchema))


class LoadSchema(Schema):
    volunteer_id = ma.fields.Integer()
    name = ma.fields.String()
    assignments = ma.fields.Integer()
    hours = ma.fields.Float()
    kept = ma.fields.Integer()
    eligible_places = ma.fields.Integer()


class FairnessSchema(Schema):
    spread = ma.fields.Integer(metadata={"description": "Most minus fewest assignments."})
    spread_equally_available = ma.fields.Integer()
    stdev = ma.fields.Float()
    places_filled = ma.fields.Integer()
    places_open = ma.fields.Integer()
    places_kept = ma.fields.Integer()
    preferences_met = ma.fields.Integer()
    avoided_given = ma.fields.Integer()
    loads = ma.fields.List(ma.fields.Nested(LoadSchema))


class DiffSchema(Schema):
    previous_plan_id = ma.fields.Integer(allow_none=True)
    added = ma.fields.List(ma.fields.Nested(PlanItemSchema))
    removed = ma.fields.List(ma.fields.Nested(PlanItemSchema))
    unchanged = ma.fields.Integer()


class PlanSchema(Schema):
    id = ma.fields.Integer()
    status = ma.fields.Enum(PlanStatus, by_value=True)
    team_ids = ma.fields.List(ma.fields.Integer())
    series_ids = ma.fields.List(ma.fields.Integer())
    event_ids = ma.fields.List(ma.fields.Integer())
    from_ = ZonedDateTime(data_key="from", attribute="period_start", zone_attribute=None)
    to = ZonedDateTime(attribute="period_end", zone_attribute=None)
    weights = ma.fields.Nested(WeightsSchema)
    replan_unconfirmed = ma.fields.Boolean()
    assignments = ma.fields.List(ma.fields.Nested(PlanItemSchema), attribute="proposals")
    unfilled = ma.fields.List(ma.fields.Nested(UnfilledSchema))
    fairness = ma.fields.Nested(FairnessSchema)
    diff = ma.fields.Nested(DiffSchema)
    previous_plan_id = ma.fields.Integer(allow_none=True)
    assignment_ids = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "Created when it was published."}
    )
    solve_seconds = ma.fields.Float()
    created_at = ZonedDateTime(zone_attribute=None)
    published_at = ZonedDateTime(zone_attribute=None, allow_none=True)
    version = ma.fields.Integer()


class PlanQuerySchema(QuerySchema):
    status = ma.fields.Enum(PlanStatus, by_value=True)


class TeamRotationSettingsSchema(Schema):
    team_id = ma.fields.Integer(dump_only=True)
    site_rotation_weeks = ma.fields.Integer(
        allow_none=True,
        validate=ma.validate.Range(min=1, max=52),
        metadata={"description": "Change site every this many weeks; null: no site rotation."},
    )
    swaps_need_approval = ma.fields.Boolean(
        metadata={"description": "A taken swap or cover waits for a coordinator's approval."}
    )
    version = ma.fields.Integer(dump_only=True)
