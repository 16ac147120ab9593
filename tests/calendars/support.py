"""Helpers of the calendar tests: a small world, fetching and reading feeds, the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import sqlalchemy as sa
import x_wr_timezone

from service.calendars import ical
from service.calendars.operations import refresh_feeds_for_outbox_event
from service.core.auth import Role
from service.core.db import db
from service.core.outbox import OutboxEvent
from service.core.time import utcnow
from tests.factories import EventRef, Factory, Person, Tenant

BASE_URL = "http://rounds.test"
MADRID = ZoneInfo("Europe/Madrid")


@dataclass
class World:
    tenant: Tenant
    community: int
    coordinator: Person
    ana: Person
    luis: Person
    team: int
    patrol: EventRef  # Ana and Luis walk it together, both confirmed
    cleanup: EventRef  # a coordinator offered Ana a place: pending


def at_madrid(days: int, hour: int) -> datetime:
    """``hour`` o'clock in Madrid, ``days`` from today, as UTC."""
    local = (utcnow().astimezone(MADRID) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return local.astimezone(UTC)


def build_world(client, make: Factory) -> World:
    tenant = make.tenant("Asociación Vecinal")
    community = make.community(tenant, name="Lavapiés", timezone="Europe/Madrid", locale="es")
    client.as_(tenant.admin).patch(
        f"/api/v1/communities/{community}",
        json={"contact_name": "Marta Ruiz", "contact_email": "marta@example.org"},
    )
    coordinator = make.person(tenant, Role.COORDINATOR, communities=[community])
    ana = make.person(
        tenant, communities=[community], name="Ana García", locale="es", timezone="Europe/Madrid"
    )
    luis = make.person(tenant, communities=[community], name="Luis Pérez")
    team = make.team(tenant, community, members=[ana, luis], name="Patrulla nocturna")
    patrol = make.event(
        tenant,
        community,
        starts_at=at_madrid(3, 20),
        team_id=team,
        positions=[{"name": "Caminante", "min_people": 2, "max_people": 2}],
    )
    cleanup = make.event(
        tenant,
        community,
        starts_at=at_madrid(5, 10),
        hours=3,
        activity="cleanup",
        positions=[{"name": "Recogida", "max_people": 4}],
    )
    for person in (ana, luis):
        signed = client.as_(person).post(
            f"/api/v1/events/{patrol.id}/signups", json={"position_id": patrol.position_id}
        )
        assert signed.status_code == 201, signed.json
    offered = client.as_(coordinator).post(
        "/api/v1/assignments",
        json={"position_id": cleanup.position_id, "volunteer_id": ana.volunteer_id},
    )
    assert offered.status_code == 201, offered.json
    assert offered.json["status"] == "pending"
    return World(tenant, community, coordinator, ana, luis, team, patrol, cleanup)


def create_feed(client, who, **body) -> dict:
    response = client.as_(who).post("/api/v1/calendars", json=body)
    assert response.status_code == 201, response.json
    return response.json


def fetch(client, feed_or_url, **kwargs):
    """GET a feed address the way a calendar app does: no API token."""
    url = feed_or_url["url"] if isinstance(feed_or_url, dict) else feed_or_url
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return client.as_(None).get(path, **kwargs)


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def occurrences(body: bytes) -> set[tuple[str, datetime, datetime, str]]:
    """What a calendar app shows: the feed made standard, expanded over two years."""
    calendar = x_wr_timezone.to_standard(parse(body))
    now = utcnow()
    return {
        (str(o["UID"]), o.start.astimezone(UTC), o.end.astimezone(UTC), str(o["STATUS"]))
        for o in recurring_ical_events.of(calendar).between(
            now - timedelta(days=365), now + timedelta(days=365)
        )
    }


def by_uid(body: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in parse(body).events}


def uid(event_id: int) -> str:
    return ical.event_uid(event_id, BASE_URL)


def last_outbox_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(OutboxEvent.id))) or 0


def run_feed_handlers(app, since: int) -> list[int]:
    """Hand every outbox row after ``since`` to the feed handler, as the workers do."""
    refreshed: list[int] = []
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboxEvent.organization_id, OutboxEvent.topic, OutboxEvent.payload)
            .where(OutboxEvent.id > since)
            .order_by(OutboxEvent.id)
        ).all()
        for organization_id, topic, payload in rows:
            refreshed += refresh_feeds_for_outbox_event(organization_id, topic, payload)
        db.session.commit()
    return refreshed
