"""Calendar feeds through HTTP: tokens, content, stored copies, 304s (issue 4, items 1 to 3)."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
import sqlalchemy as sa
import x_wr_timezone

from service.activities.models import Event
from service.assignments.models import HOLDING, Assignment
from service.calendars.models import CalendarFeed, CalendarRendering
from service.calendars.operations import (
    FEED_STATE_TTL,
    MAX_FEED_BYTES,
    STORED_FEED_MAX_AGE,
    forget_feed,
    refresh_feeds_for_outbox_event,
    render_feed,
    store_rendering,
)
from service.core.db import db
from service.core.time import utcnow
from tests.calendars.support import (
    MADRID,
    at_madrid,
    build_world,
    by_uid,
    create_feed,
    fetch,
    last_outbox_id,
    occurrences,
    parse,
    run_feed_handlers,
    uid,
)


def _held_by(app, volunteer_id: int) -> set[tuple[str, object, object]]:
    """The volunteer's places as the database has them: (UID, start, end)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(Event.id, Event.starts_at, Event.ends_at)
            .join(Assignment, Assignment.event_id == Event.id)
            .where(Assignment.volunteer_id == volunteer_id, Assignment.status.in_(HOLDING))
        ).all()
    return {(uid(event_id), start, end) for event_id, start, end in rows}


def _events_where(app, *where) -> set[tuple[str, object, object]]:
    with app.app_context():
        rows = db.session.execute(sa.select(Event.id, Event.starts_at, Event.ends_at).where(*where))
    return {(uid(event_id), start, end) for event_id, start, end in rows}


def _without_status(found):
    return {(u, start, end) for u, start, end, _status in found}


def test_a_volunteer_feed_shows_their_places_in_their_language_and_time(app, client, make):
    world = build_world(client, make)
    feed = create_feed(client, world.ana, scope="personal")
    assert feed["url"].startswith("http://rounds.test/calendars/cal_")
    assert feed["url"].endswith(".ics")
    assert feed["webcal_url"] == "webcal://" + feed["url"].split("://", 1)[1]
    assert "calendar.google.com" in feed["google_url"]
    assert "cid=webcal%3A%2F%2Frounds.test%2Fcalendars%2Fcal_" in feed["google_url"]
    assert (
        "outlook.live.com/calendar/0/addfromweb?url=http%3A%2F%2Frounds.test"
        in (feed["outlook_url"])
    )
    assert "Rounds" in feed["help"] and "Google" in feed["help"]  # reminders come from us
    assert feed["token"] not in world.ana.token

    answer = fetch(client, feed)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert answer.headers["Cache-Control"].startswith("private")
    body = answer.data
    assert len(body) < MAX_FEED_BYTES

    # Item 1: confirmed and pending places, occurrences exactly as in the database.
    found = occurrences(body)
    assert _without_status(found) == _held_by(app, world.ana.volunteer_id)
    statuses = {u: status for u, _s, _e, status in found}
    assert statuses == {uid(world.patrol.id): "CONFIRMED", uid(world.cleanup.id): "TENTATIVE"}

    calendar = parse(body)
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Rounds: Ana García"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Madrid"
    assert [tz["TZID"] for tz in calendar.timezones] == ["Europe/Madrid"]
    events = by_uid(body)
    patrol, cleanup = events[uid(world.patrol.id)], events[uid(world.cleanup.id)]
    assert patrol["DTSTART"].params["TZID"] == "Europe/Madrid"
    assert patrol.start.astimezone(MADRID).hour == 20  # local time, as planned
    assert cleanup.start.astimezone(MADRID).hour == 10
    # Spanish, the volunteer's language; the partner on the patrol; the coordinator's contact.
    assert patrol["SUMMARY"] == "Patrulla (Caminante)"
    assert "Puesto: Caminante" in patrol["DESCRIPTION"]
    assert "Equipo: Patrulla nocturna" in patrol["DESCRIPTION"]
    assert "Con: Luis Pérez" in patrol["DESCRIPTION"]
    assert "Contacto: Marta Ruiz, +86 21 5555 0100, marta@example.org" in patrol["DESCRIPTION"]
    assert (
        f"Actividad: http://rounds.test/api/v1/events/{world.patrol.id}" in (patrol["DESCRIPTION"])
    )
    assert "Sin confirmar" in cleanup["DESCRIPTION"]
    assert (
        f"Aceptar o rechazar: http://rounds.test/api/v1/events/{world.cleanup.id}"
        in (cleanup["DESCRIPTION"])
    )
    assert str(patrol["URL"]) == f"http://rounds.test/api/v1/events/{world.patrol.id}"
    assert [str(c) for c in patrol.categories] == ["Patrulla"]
    assert [str(c) for c in cleanup.categories] == ["Limpieza"]
    # Alarms per the volunteer's reminder offsets (the community default: 24 h and 2 h).
    for event in (patrol, cleanup):
        triggers = sorted(alarm["TRIGGER"].dt for alarm in event.walk("VALARM"))
        assert triggers == [-timedelta(hours=24), -timedelta(hours=2)]
    assert patrol["TRANSP"] == "OPAQUE"


def test_moving_an_event_raises_its_sequence_and_changes_the_etag(app, client, make):
    world = build_world(client, make)
    feed = create_feed(client, world.ana, scope="personal")
    first = fetch(client, feed)
    etag = first.headers["ETag"]
    before = by_uid(first.data)[uid(world.patrol.id)]

    # An unchanged feed answers 304, to an ETag and to a date alike.
    unchanged = fetch(client, feed, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    assert unchanged.headers["ETag"] == etag
    since = fetch(client, feed, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304

    coordinator = client.as_(world.coordinator)
    current = coordinator.get(f"/api/v1/events/{world.patrol.id}")
    mark = last_outbox_id(app)
    moved = coordinator.patch(
        f"/api/v1/events/{world.patrol.id}",
        json={"starts_at": (before.start + timedelta(hours=1)).isoformat()},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.json
    # Requests are served from the stored copy; the outbox handler renders the change.
    assert fetch(client, feed, headers={"If-None-Match": etag}).status_code == 304
    assert len(run_feed_handlers(app, mark)) >= 1

    changed = fetch(client, feed, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    after = by_uid(changed.data)[uid(world.patrol.id)]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.start == before.start + timedelta(hours=1)
    assert after.start.astimezone(MADRID).hour == 21
    assert _without_status(occurrences(changed.data)) == _held_by(app, world.ana.volunteer_id)

    # Cancelling keeps the event in the feed, cancelled, so calendars remove it.
    mark = last_outbox_id(app)
    cancelled = coordinator.post(
        f"/api/v1/events/{world.patrol.id}/cancel", json={"reason": "Rain"}
    )
    assert cancelled.status_code == 200
    run_feed_handlers(app, mark)
    final = fetch(client, feed, headers={"If-None-Match": changed.headers["ETag"]})
    assert final.status_code == 200
    gone = by_uid(final.data)[uid(world.patrol.id)]
    assert gone["STATUS"] == "CANCELLED"
    assert gone["SEQUENCE"] > after["SEQUENCE"]
    assert list(gone.walk("VALARM")) == []
    assert by_uid(final.data)[uid(world.cleanup.id)]["STATUS"] == "TENTATIVE"


def test_gzip_has_its_own_etag_and_the_same_calendar(app, client, make):
    world = build_world(client, make)
    feed = create_feed(client, world.ana, scope="personal")
    plain = fetch(client, feed)
    zipped = fetch(client, feed, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    again = fetch(
        client,
        feed,
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]},
    )
    assert again.status_code == 304


def test_rotating_a_token_retires_the_old_address(app, client, make):
    world = build_world(client, make)
    feed = create_feed(client, world.ana, scope="personal", name="phone")
    assert fetch(client, feed).status_code == 200
    rotated = client.as_(world.ana).post(
        f"/api/v1/calendars/{feed['id']}/rotate", headers={"If-Match": f'"{feed["version"]}"'}
    )
    assert rotated.status_code == 200, rotated.json
    assert rotated.json["id"] == feed["id"]
    assert rotated.json["url"] != feed["url"]
    old = fetch(client, feed)
    assert old.status_code == 404
    assert old.headers["Content-Type"] == "application/problem+json"
    assert fetch(client, rotated.json).status_code == 200
    stale = client.as_(world.ana).post(
        f"/api/v1/calendars/{feed['id']}/rotate", headers={"If-Match": f'"{feed["version"]}"'}
    )
    assert stale.status_code == 412

    revoked = client.as_(world.ana).delete(f"/api/v1/calendars/{feed['id']}")
    assert revoked.status_code == 204
    assert fetch(client, rotated.json).status_code == 404
    assert client.as_(world.ana).get("/api/v1/calendars").json == []


def test_the_api_token_never_opens_a_feed(app, client, make):
    world = build_world(client, make)
    feed = create_feed(client, world.ana, scope="personal")
    assert fetch(client, f"http://rounds.test/calendars/{world.ana.token}.ics").status_code == 404
    # Nor does sending it along: the secret in the address is the only credential.
    bearer = {"Authorization": f"Bearer {world.ana.token}"}
    wrong = feed["url"].replace(feed["token"], feed["token"][:-2] + "xx")
    assert client.get(wrong.removeprefix("http://rounds.test"), headers=bearer).status_code == 404
    listed = client.as_(world.ana).get("/api/v1/calendars").json
    assert [f["id"] for f in listed] == [feed["id"]]
    assert "token" not in listed[0] and "url" not in listed[0]
    assert listed[0]["token_prefix"] == feed["token"][:8]
    with app.app_context():
        stored = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.id == feed["id"]))
        assert feed["token"] not in (stored.token_hash, stored.token_prefix)
        assert len(feed["token"].removeprefix("cal_")) >= 22  # at least 128 random bits


def test_a_volunteer_leaving_closes_their_feed(app, client, make):
    world = build_world(client, make)
    feed = create_feed(client, world.luis, scope="personal")
    assert fetch(client, feed).status_code == 200
    assert fetch(client, feed).status_code == 200  # remembered by this process a moment
    mark = last_outbox_id(app)
    removed = client.as_(world.tenant.admin).delete(f"/api/v1/members/{world.luis.member_id}")
    assert removed.status_code == 204
    run_feed_handlers(app, mark)
    assert fetch(client, feed).status_code == 404


def test_a_change_from_another_process_shows_within_the_feed_state_ttl(app, client, make):
    world = build_world(client, make)
    feed = create_feed(client, world.ana, scope="personal")
    first = fetch(client, feed)
    assert fetch(client, feed, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    with app.app_context():  # another process revokes it: nothing here is told
        db.session.execute(
            sa.update(CalendarFeed).where(CalendarFeed.id == feed["id"]).values(revoked_at=utcnow())
        )
        db.session.commit()
    time.sleep(FEED_STATE_TTL + 0.2)
    assert fetch(client, feed).status_code == 404


def test_team_community_and_coordinator_feeds_match_the_database(app, client, make):
    world = build_world(client, make)
    team = create_feed(client, world.ana, scope="team", team_id=world.team)
    community = create_feed(
        client, world.coordinator, scope="community", community_id=world.community
    )
    coordination = create_feed(client, world.coordinator, scope="coordinator", locale="en")

    team_body = fetch(client, team).data
    assert _without_status(occurrences(team_body)) == _events_where(
        app, Event.team_id == world.team
    )
    patrol = by_uid(team_body)[uid(world.patrol.id)]
    assert "Caminante (2/2): Ana García, Luis Pérez" in patrol["DESCRIPTION"]
    assert patrol["TRANSP"] == "TRANSPARENT"
    assert list(patrol.walk("VALARM")) == []

    public = fetch(client, community)
    assert public.headers["Cache-Control"] == "public, max-age=300"
    assert parse(public.data)["X-WR-CALNAME"] == "Lavapiés"
    assert parse(public.data)["X-WR-CALDESC"].startswith("Actividades de Lavapiés")
    assert _without_status(occurrences(public.data)) == _events_where(
        app, Event.community_id == world.community
    )
    text = public.data.decode()
    assert "Ana" not in text and "Luis" not in text  # public: no volunteer's name
    cleanup = by_uid(public.data)[uid(world.cleanup.id)]
    assert "3 plazas libres" in cleanup["DESCRIPTION"]
    # The same bytes for everyone: a second address of the same community serves them too.
    twin = create_feed(client, world.coordinator, scope="community", community_id=world.community)
    assert fetch(client, twin).data == public.data

    coordination_body = fetch(client, coordination).data
    assert _without_status(occurrences(coordination_body)) == _events_where(
        app, Event.community_id == world.community
    )
    summaries = {str(e["UID"]): str(e["SUMMARY"]) for e in parse(coordination_body).events}
    assert summaries[uid(world.patrol.id)] == "[2/2] Patrulla"
    assert summaries[uid(world.cleanup.id)] == "[1/4] Limpieza"


def test_open_places_in_the_volunteers_teams_are_optional(app, client, make):
    world = build_world(client, make)
    extra = make.event(
        world.tenant,
        world.community,
        team_id=world.team,
        positions=[{"name": "Caminante", "max_people": 2}],
    )
    plain = create_feed(client, world.luis, scope="personal")
    with_open = create_feed(client, world.luis, scope="personal", include_open=True)
    assert uid(extra.id) not in by_uid(fetch(client, plain).data)
    shown = by_uid(fetch(client, with_open).data)[uid(extra.id)]
    assert shown["SUMMARY"].startswith("Open place: ")
    assert shown["TRANSP"] == "TRANSPARENT"
    assert "2 places open" in shown["DESCRIPTION"]
    assert list(shown.walk("VALARM")) == []

    mark = last_outbox_id(app)
    signed = client.as_(world.luis).post(
        f"/api/v1/events/{extra.id}/signups", json={"position_id": extra.position_id}
    )
    assert signed.status_code == 201
    run_feed_handlers(app, mark)
    mine = by_uid(fetch(client, with_open).data)[uid(extra.id)]  # the same UID, now his place
    assert mine["TRANSP"] == "OPAQUE"
    assert mine["SEQUENCE"] > shown["SEQUENCE"]


def test_a_released_place_stays_cancelled_for_thirty_days(app, client, make):
    world = build_world(client, make)
    feed = create_feed(client, world.ana, scope="personal")
    before = by_uid(fetch(client, feed).data)[uid(world.cleanup.id)]
    with app.app_context():
        assignment = db.session.scalar(
            sa.select(Assignment.id).where(
                Assignment.volunteer_id == world.ana.volunteer_id,
                Assignment.event_id == world.cleanup.id,
            )
        )
    mark = last_outbox_id(app)
    declined = client.as_(world.ana).post(f"/api/v1/assignments/{assignment}/decline", json={})
    assert declined.status_code == 200
    run_feed_handlers(app, mark)
    body = fetch(client, feed).data
    entry = by_uid(body)[uid(world.cleanup.id)]
    assert entry["STATUS"] == "CANCELLED"
    assert entry["SEQUENCE"] > before["SEQUENCE"]
    assert _without_status(occurrences(body)) - {
        (uid(world.cleanup.id), before.start.astimezone(UTC), before.end.astimezone(UTC))
    } == _held_by(app, world.ana.volunteer_id)
    with app.app_context():
        stored = db.session.get(CalendarFeed, feed["id"])
        later = utcnow() + timedelta(days=31)
        store_rendering(stored, 14, now=later)
        rendered = db.session.get(CalendarRendering, (feed["id"], 14))
        assert uid(world.cleanup.id) not in by_uid(rendered.body)
        db.session.rollback()


def test_past_events_stay_for_the_window_the_address_asks(app, client, make):
    world = build_world(client, make)
    feed = create_feed(client, world.coordinator, scope="coordinator")
    with app.app_context():
        db.session.execute(
            sa.update(Event)
            .where(Event.id == world.cleanup.id)
            .values(
                starts_at=utcnow() - timedelta(days=20),
                ends_at=utcnow() - timedelta(days=20) + timedelta(hours=3),
            )
        )
        db.session.commit()
    assert uid(world.cleanup.id) not in by_uid(fetch(client, feed).data)  # 14 days by default
    wider = fetch(client, feed["url"] + "?past_days=30")
    assert uid(world.cleanup.id) in by_uid(wider.data)
    assert fetch(client, feed["url"] + "?past_days=91").status_code == 422
    assert fetch(client, feed["url"] + "?past_days=30&_=1234").status_code == 200


def test_the_outbox_handler_is_idempotent_and_stale_copies_are_rendered_again(app, client, make):
    world = build_world(client, make)
    feed = create_feed(client, world.ana, scope="personal")
    first = fetch(client, feed)
    payload = {"event_id": world.patrol.id, "community_id": world.community, "team_id": world.team}
    with app.app_context():
        organization = world.tenant.organization_id
        assert refresh_feeds_for_outbox_event(organization, "event.updated", payload) == [
            feed["id"]
        ]
        assert refresh_feeds_for_outbox_event(organization, "event.updated", payload) == [
            feed["id"]
        ]
        assert refresh_feeds_for_outbox_event(organization, "nothing.happened", {}) == []
        db.session.commit()
    again = fetch(client, feed)
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]

    with app.app_context():
        rendering = db.session.get(CalendarRendering, (feed["id"], 14))
        rendering.rendered_at = utcnow() - STORED_FEED_MAX_AGE - timedelta(minutes=1)
        old = rendering.rendered_at
        db.session.commit()
    forget_feed(feed["id"])  # as if the change came from another process, FEED_STATE_TTL ago
    assert fetch(client, feed).status_code == 200
    with app.app_context():
        assert db.session.get(CalendarRendering, (feed["id"], 14)).rendered_at > old


def test_who_may_create_which_feed(app, client, make):
    world = build_world(client, make)
    volunteer = client.as_(world.ana)
    community = {"scope": "community", "community_id": world.community}
    assert volunteer.post("/api/v1/calendars", json=community).status_code == 403
    assert volunteer.post("/api/v1/calendars", json={"scope": "coordinator"}).status_code == 403
    other = make.tenant()
    stranger_team = make.team(other, make.community(other))
    answer = volunteer.post("/api/v1/calendars", json={"scope": "team", "team_id": stranger_team})
    assert answer.status_code == 404
    personal = client.as_(world.coordinator).post("/api/v1/calendars", json={"scope": "personal"})
    assert personal.status_code == 403  # no volunteer profile
    missing = volunteer.post("/api/v1/calendars", json={"scope": "team"})
    assert missing.status_code == 422 and "team_id" in missing.json["errors"]
    mixed = volunteer.post(
        "/api/v1/calendars", json={"scope": "team", "team_id": world.team, "include_open": True}
    )
    assert mixed.status_code == 422 and "include_open" in mixed.json["errors"]
    theirs = create_feed(client, world.luis, scope="personal")
    assert volunteer.get(f"/api/v1/calendars/{theirs['id']}").status_code == 404
    assert volunteer.delete(f"/api/v1/calendars/{theirs['id']}").status_code == 404


def test_a_feed_across_madrid_dst_changes_and_two_zones_matches_the_database(app, client, make):
    tenant = make.tenant()
    madrid = make.community(tenant, name="Lavapiés", timezone="Europe/Madrid", locale="es")
    shanghai = make.community(tenant, name="复兴花园", timezone="Asia/Shanghai", locale="zh")
    created = []
    for community, zone, days in (
        (madrid, MADRID, ("2027-03-25", "2027-10-28")),
        (shanghai, ZoneInfo("Asia/Shanghai"), ("2027-03-25",)),
    ):
        for first in days:
            for day in range(7):  # across Madrid's changes on 28 March and 31 October 2027
                local = datetime.fromisoformat(f"{first}T20:00").replace(tzinfo=zone)
                local += timedelta(days=day)
                created.append(make.event(tenant, community, starts_at=local.astimezone(UTC)).id)
    feed = create_feed(client, tenant.admin, scope="coordinator")
    with app.app_context():
        stored = db.session.get(CalendarFeed, feed["id"])
        body = render_feed(stored, past_days=90, now=datetime(2027, 6, 1, tzinfo=UTC)).body
    calendar = parse(body)
    assert sorted(tz["TZID"] for tz in calendar.timezones) == ["Asia/Shanghai", "Europe/Madrid"]
    assert body.count(b"BEGIN:VTIMEZONE") == 2
    everything = _events_where(app, Event.organization_id == tenant.organization_id)
    assert len(everything) == len(created) == 21
    expanded = x_wr_timezone.to_standard(calendar)
    found = {
        (str(o["UID"]), o.start.astimezone(UTC), o.end.astimezone(UTC))
        for o in recurring_ical_events.of(expanded).between(
            datetime(2027, 1, 1), datetime(2028, 1, 1)
        )
    }
    assert found == everything
    for event in calendar.events:
        zone = ZoneInfo(event["DTSTART"].params["TZID"])
        assert event.start.astimezone(zone).hour == 20
    offsets = {
        e.start.utcoffset()
        for e in calendar.events
        if e["DTSTART"].params["TZID"] == "Europe/Madrid"
    }
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}


def test_a_change_refreshes_only_the_feeds_it_touches(app, client, make):
    world = build_world(client, make)
    ana = create_feed(client, world.ana, scope="personal")
    luis = create_feed(client, world.luis, scope="personal")
    luis_open = create_feed(client, world.luis, scope="personal", include_open=True)
    team = create_feed(client, world.ana, scope="team", team_id=world.team)
    public = create_feed(client, world.coordinator, scope="community", community_id=world.community)
    coordination = create_feed(client, world.coordinator, scope="coordinator")
    never_fetched = create_feed(client, world.ana, scope="personal")
    for feed in (ana, luis, luis_open, team, public, coordination):
        assert fetch(client, feed).status_code == 200
    organization = world.tenant.organization_id
    cleanup = {"event_id": world.cleanup.id, "community_id": world.community, "team_id": None}
    patrol = {"event_id": world.patrol.id, "community_id": world.community, "team_id": world.team}
    with app.app_context():
        touched = refresh_feeds_for_outbox_event(organization, "event.rescheduled", cleanup)
        assert set(touched) == {ana["id"], public["id"], coordination["id"]}
        touched = refresh_feeds_for_outbox_event(organization, "assignment.confirmed", patrol)
        assert set(touched) == {
            ana["id"],
            luis["id"],
            luis_open["id"],
            team["id"],
            public["id"],
            coordination["id"],
        }
        touched = refresh_feeds_for_outbox_event(organization, "community.updated", {})
        assert never_fetched["id"] not in touched  # nothing stored, nothing to refresh
        assert refresh_feeds_for_outbox_event(organization + 1000, "event.updated", patrol) == []
        db.session.rollback()


def test_a_place_given_up_shows_in_the_team_feed_with_a_new_last_modified(app, client, make):
    world = build_world(client, make)
    team = create_feed(client, world.ana, scope="team", team_id=world.team)
    with app.app_context():  # the event itself last changed an hour ago
        db.session.execute(
            sa.update(Event)
            .where(Event.id == world.patrol.id)
            .values(updated_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
    before = by_uid(fetch(client, team).data)[uid(world.patrol.id)]
    with app.app_context():
        place = db.session.scalar(
            sa.select(Assignment.id).where(
                Assignment.volunteer_id == world.luis.volunteer_id,
                Assignment.event_id == world.patrol.id,
            )
        )
    mark = last_outbox_id(app)
    assert (
        client.as_(world.luis).post(f"/api/v1/assignments/{place}/cancel", json={}).status_code
        == 200
    )
    run_feed_handlers(app, mark)
    after = by_uid(fetch(client, team).data)[uid(world.patrol.id)]
    assert "Caminante (1/2): Ana García" in after["DESCRIPTION"]
    assert "Luis" not in after["DESCRIPTION"]
    with app.app_context():
        released = db.session.get(Assignment, place).updated_at.replace(microsecond=0)
    assert after["LAST-MODIFIED"].dt == released >= before["LAST-MODIFIED"].dt
    assert after["DTSTAMP"].dt == after["LAST-MODIFIED"].dt


def test_events_only_coordinators_staff_stay_out_of_public_and_open_place_feeds(app, client, make):
    world = build_world(client, make)
    coordinator = client.as_(world.coordinator)
    types = coordinator.get("/api/v1/activity-types").json
    visit = coordinator.post(
        "/api/v1/events",
        json={
            "community_id": world.community,
            "activity_type_id": next(t["id"] for t in types if t["key"] == "home-visit"),
            "team_id": world.team,
            "title": "Visita a domicilio · Carmen L.",
            "starts_at": at_madrid(4, 11).isoformat(),
            "status": "published",
            "signups_open": False,
        },
    )
    assert visit.status_code == 201, visit.json
    public = create_feed(client, world.coordinator, scope="community", community_id=world.community)
    luis_open = create_feed(client, world.luis, scope="personal", include_open=True)
    coordination = create_feed(client, world.coordinator, scope="coordinator")
    assert uid(visit.json["id"]) not in by_uid(fetch(client, public).data)
    assert b"Carmen" not in fetch(client, public).data
    assert uid(visit.json["id"]) not in by_uid(fetch(client, luis_open).data)
    assert uid(visit.json["id"]) in by_uid(fetch(client, coordination).data)
