"""Invitations for the assignment e-mail: the same UID as the feed (issue 4, item 4)."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import icalendar
import sqlalchemy as sa

from service.assignments.models import Assignment
from service.calendars.operations import assignment_invitation
from service.core.auth import Actor
from service.core.db import db
from tests.calendars.support import MADRID, build_world, by_uid, create_feed, fetch, uid


def _assignment(app, volunteer_id: int, event_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(Assignment.id).where(
                Assignment.volunteer_id == volunteer_id, Assignment.event_id == event_id
            )
        )


def _invitation(app, world, assignment_id):
    with app.app_context():
        invitation = assignment_invitation(
            Actor.system(world.tenant.organization_id), assignment_id
        )
    calendar = icalendar.Calendar.from_ical(invitation.body)
    [event] = calendar.events
    return invitation, calendar, event


def test_the_invitation_uid_equals_the_feed_uid_and_changes_raise_the_sequence(app, client, make):
    world = build_world(client, make)
    offered = _assignment(app, world.ana.volunteer_id, world.cleanup.id)
    invitation, calendar, event = _invitation(app, world, offered)
    assert invitation.content_type == "text/calendar; method=REQUEST; charset=UTF-8"
    assert calendar["METHOD"] == "REQUEST"
    feed = by_uid(fetch(client, create_feed(client, world.ana, scope="personal")).data)
    in_feed = feed[uid(world.cleanup.id)]
    assert event["UID"] == in_feed["UID"] == uid(world.cleanup.id)
    assert event["SEQUENCE"] == in_feed["SEQUENCE"]
    assert event.start == in_feed.start
    assert event["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert [tz["TZID"] for tz in calendar.timezones] == ["Europe/Madrid"]
    assert event["STATUS"] == "TENTATIVE"
    assert str(event["ORGANIZER"]) == "mailto:marta@example.org"
    assert event["ORGANIZER"].params["CN"] == "Marta Ruiz"
    assert str(event["ATTENDEE"]) == f"mailto:{world.ana.email}"
    assert event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert event["SUMMARY"] == "Limpieza (Recogida)"  # in Ana's language

    coordinator = client.as_(world.coordinator)
    current = coordinator.get(f"/api/v1/events/{world.cleanup.id}")
    moved = coordinator.patch(
        f"/api/v1/events/{world.cleanup.id}",
        json={"starts_at": (event.start + timedelta(hours=2)).isoformat()},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert moved.status_code == 200
    *_, updated = _invitation(app, world, offered)
    assert updated["UID"] == event["UID"]
    assert updated["SEQUENCE"] > event["SEQUENCE"]
    assert updated.start.astimezone(MADRID).hour == 12

    accepted = client.as_(world.ana).post(f"/api/v1/assignments/{offered}/accept")
    assert accepted.status_code == 200
    *_, confirmed = _invitation(app, world, offered)
    assert confirmed["STATUS"] == "CONFIRMED"
    assert confirmed["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert confirmed["SEQUENCE"] > updated["SEQUENCE"]

    cancelled = coordinator.post(f"/api/v1/events/{world.cleanup.id}/cancel", json={})
    assert cancelled.status_code == 200
    cancel, calendar, withdrawn = _invitation(app, world, offered)
    assert cancel.content_type == "text/calendar; method=CANCEL; charset=UTF-8"
    assert calendar["METHOD"] == "CANCEL"
    assert withdrawn["UID"] == event["UID"]
    assert withdrawn["STATUS"] == "CANCELLED"
    assert withdrawn["SEQUENCE"] > confirmed["SEQUENCE"]


def test_a_volunteer_who_gives_up_a_place_gets_a_cancel(app, client, make):
    world = build_world(client, make)
    place = _assignment(app, world.luis.volunteer_id, world.patrol.id)
    *_, before = _invitation(app, world, place)
    assert before["STATUS"] == "CONFIRMED"
    given_up = client.as_(world.luis).post(f"/api/v1/assignments/{place}/cancel", json={})
    assert given_up.status_code == 200
    _, calendar, after = _invitation(app, world, place)
    assert calendar["METHOD"] == "CANCEL"
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]


def test_the_invitation_attaches_to_an_email_as_calendar_apps_expect(app, client, make):
    world = build_world(client, make)
    offered = _assignment(app, world.ana.volunteer_id, world.cleanup.id)
    with app.app_context():
        invitation = assignment_invitation(Actor.system(world.tenant.organization_id), offered)
    message = EmailMessage()
    message["Subject"] = "Limpieza"
    message.set_content("Te ofrecemos una plaza.")
    message.add_alternative(
        invitation.body, maintype="text", subtype="calendar", params={"method": "REQUEST"}
    )
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    [part] = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"
    assert calendar.events[0]["UID"] == uid(world.cleanup.id)
