"""Request and response shapes of calendar feeds."""

from __future__ import annotations

import marshmallow as ma

from service.calendars.models import FeedScope
from service.core.fields import Locale, Schema, ZonedDateTime


class FeedCreateSchema(Schema):
    scope = ma.fields.Enum(
        FeedScope,
        by_value=True,
        required=True,
        metadata={
            "description": "personal: your assignments; team: a team's events; community: "
            "a community's published events (public); coordinator: your communities' events."
        },
    )
    team_id = ma.fields.Integer(metadata={"description": "The team of a team calendar."})
    community_id = ma.fields.Integer(
        metadata={"description": "The community of a community calendar."}
    )
    include_open = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Personal calendars: also show open places in your teams."},
    )
    locale = Locale(metadata={"description": "Language of the entries; defaults to yours."})
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))


class FeedSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    scope = ma.fields.Enum(FeedScope, by_value=True)
    team_id = ma.fields.Integer(allow_none=True)
    community_id = ma.fields.Integer(allow_none=True)
    include_open = ma.fields.Boolean()
    locale = ma.fields.String()
    name = ma.fields.String()
    token_prefix = ma.fields.String(
        metadata={"description": "First characters of the secret, to tell calendars apart."}
    )
    created_at = ZonedDateTime(zone_attribute=None)
    rotated_at = ZonedDateTime(zone_attribute=None, allow_none=True)
    version = ma.fields.Integer()


class IssuedFeedSchema(FeedSchema):
    """A feed with its secret address: shown when it is created or rotated, never again."""

    token = ma.fields.String(metadata={"description": "The secret; only its digest is stored."})
    url = ma.fields.String(
        attribute="addresses.url", metadata={"description": "/calendars/{token}.ics"}
    )
    webcal_url = ma.fields.String(
        attribute="addresses.webcal_url",
        metadata={"description": "The same address for calendar apps (webcal://)."},
    )
    google_url = ma.fields.String(
        attribute="addresses.google_url",
        metadata={"description": 'Opens Google Calendar\'s "add by URL" with this feed.'},
    )
    outlook_url = ma.fields.String(
        attribute="addresses.outlook_url",
        metadata={"description": 'Opens Outlook on the web\'s "subscribe from web".'},
    )
    help = ma.fields.String(
        attribute="addresses.help",
        metadata={"description": "How to subscribe; reminders come from Rounds itself."},
    )
