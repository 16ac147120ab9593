"""HTTP for calendar feeds: managing them under /api/v1, and the feeds themselves."""

from __future__ import annotations

from flask import Response, request
from flask_smorest.pagination import PaginationParameters
from werkzeug.http import http_date

from service.calendars import operations
from service.calendars.models import FeedScope
from service.calendars.schemas import FeedCreateSchema, FeedSchema, IssuedFeedSchema
from service.core.api import Blueprint, expected_version, paginate, public, with_etag
from service.core.auth import current_actor
from service.core.errors import Invalid

blp = Blueprint(
    "calendar-feeds",
    __name__,
    url_prefix="/api/v1/calendars",
    description="iCal feeds: your assignments, a team, a community or your communities, "
    "each with its own secret address.",
)
feeds = Blueprint(
    "calendars",
    __name__,
    url_prefix="/calendars",
    description="The feeds themselves: the secret in the address is the only credential.",
)

#: Calendar apps poll; a shared cache may keep the public community feed this long.
CACHE_SECONDS = 300
GZIP_SUFFIX = "-gzip"
PAST_DAYS_PARAMETER = {
    "type": "integer",
    "minimum": 0,
    "maximum": operations.PAST_DAYS_MAX,
    "default": operations.PAST_DAYS_DEFAULT,
    "description": "Days of past events to keep.",
}


def _issued(feed: object, token: str) -> object:
    feed.token = token
    feed.addresses = operations.feed_addresses(token, feed.locale, feed.name)
    return feed


@blp.route("", methods=["GET"])
@blp.response(200, FeedSchema(many=True))
@blp.paginate()
def list_feeds(pagination_parameters: PaginationParameters):
    """Your calendar feeds that still work (never their secrets)."""
    return paginate(operations.feeds_query(current_actor()), pagination_parameters)


@blp.route("", methods=["POST"])
@blp.arguments(FeedCreateSchema)
@blp.response(201, IssuedFeedSchema)
def create_feed(data: dict):
    """Create a feed: the answer holds its secret address, https and webcal, and links that
    add it to Google Calendar or Outlook. Reminders come from Rounds itself."""
    feed, token = operations.create_feed(current_actor(), data)
    return with_etag(_issued(feed, token), feed.version)


@blp.route("/<int:feed_id>", methods=["GET"])
@blp.response(200, FeedSchema)
def get_feed(feed_id: int):
    feed = operations.get_feed(current_actor(), feed_id)
    return with_etag(feed, feed.version)


@blp.route("/<int:feed_id>/rotate", methods=["POST"])
@blp.response(200, IssuedFeedSchema)
def rotate_feed(feed_id: int):
    """Give the feed a new secret address; the old one answers 404 from now on."""
    feed, token = operations.rotate_feed(
        current_actor(), feed_id, expected_version=expected_version()
    )
    return with_etag(_issued(feed, token), feed.version)


@blp.route("/<int:feed_id>", methods=["DELETE"])
@blp.response(204)
def revoke_feed(feed_id: int):
    """Revoke the feed: its address answers 404 for good."""
    operations.revoke_feed(current_actor(), feed_id)


@feeds.route("/<token>.ics", methods=["GET"])
@public
@feeds.doc(
    security=[],
    parameters=[{"in": "query", "name": "past_days", "schema": PAST_DAYS_PARAMETER}],
    responses={
        "200": {
            "description": "The calendar, with a strong ETag and Last-Modified.",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        "304": {"description": "Unchanged since the ETag or date the client sent."},
        "404": {"description": "No feed has this secret (revoked, rotated or never issued)."},
    },
)
def get_calendar(token: str) -> Response:
    """The iCalendar document (text/calendar), answering 304 to If-None-Match or
    If-Modified-Since and gzip-compressed when the client accepts it."""
    past_days = _past_days()
    state = operations.fresh_rendering(operations.feed_state(token, past_days), past_days)
    compressed = request.accept_encodings["gzip"] > 0
    etag = state.etag + (GZIP_SUFFIX if compressed else "")
    headers = {
        "ETag": f'"{etag}"',
        "Last-Modified": http_date(state.last_modified),
        "Cache-Control": (
            f"public, max-age={CACHE_SECONDS}"
            if state.scope is FeedScope.COMMUNITY
            else f"private, max-age={CACHE_SECONDS}"
        ),
        "Vary": "Accept-Encoding",
    }
    if _not_modified(state):
        return Response(status=304, headers=headers)
    response = Response(
        operations.feed_body(state.feed_id, past_days, compressed=compressed),
        mimetype="text/calendar",
        headers=headers,
    )
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="rounds.ics"'
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    return response


def _past_days() -> int:
    """``?past_days=``, read by hand: this view answers every poll of every calendar app.

    Calendar apps append parameters of their own, so others are ignored.
    """
    raw = request.args.get("past_days")
    if raw is None:
        return operations.PAST_DAYS_DEFAULT
    if not raw.isdigit() or int(raw) > operations.PAST_DAYS_MAX:
        raise Invalid(
            {"past_days": [f"Give a whole number of days from 0 to {operations.PAST_DAYS_MAX}."]}
        )
    return int(raw)


def _not_modified(state: operations.FeedState) -> bool:
    if request.if_none_match:
        tags = request.if_none_match
        return tags.contains_weak(state.etag) or tags.contains_weak(state.etag + GZIP_SUFFIX)
    since = request.if_modified_since
    return since is not None and state.last_modified.replace(microsecond=0) <= since


blueprints = (blp, feeds)
