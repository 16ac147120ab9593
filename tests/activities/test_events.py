"""Events and positions: defaults, time zones, filters, reschedules, cancellation."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from service.core.auth import Role
from service.core.db import db
from service.core.outbox import OutboxEvent
from service.core.time import utcnow


def _type_id(api, key):
    return next(t["id"] for t in api.get("/api/v1/activity-types").json if t["key"] == key)


def _outbox(app, event_id):
    with app.app_context():
        return db.session.execute(
            sa.select(OutboxEvent.topic, OutboxEvent.payload)
            .where(OutboxEvent.subject_type == "event", OutboxEvent.subject_id == event_id)
            .order_by(OutboxEvent.id)
        ).all()


def test_a_new_event_takes_its_defaults_from_the_type_and_community(client, make):
    tenant = make.tenant()
    madrid = make.community(tenant, name="Lavapiés", timezone="Europe/Madrid", locale="es")
    admin = client.as_(tenant.admin)
    created = admin.post(
        "/api/v1/events",
        json={
            "community_id": madrid,
            "activity_type_id": _type_id(admin, "patrol"),
            "starts_at": "2030-04-06T18:00:00+00:00",
        },
    )
    assert created.status_code == 201, created.json
    event = created.json
    assert event["title"] == "Patrulla"  # the type's name in the community's language
    assert event["timezone"] == "Europe/Madrid"
    assert event["starts_at"] == "2030-04-06T20:00:00+02:00"  # summer time in Madrid
    assert event["ends_at"] == "2030-04-06T22:00:00+02:00"  # the patrol's two hours
    assert event["status"] == "draft"
    assert [(p["min_people"], p["max_people"]) for p in event["positions"]] == [(2, 2)]
    assert (event["filled"], event["needed"], event["capacity"], event["fill_state"]) == (
        0,
        2,
        2,
        "empty",
    )


def test_volunteers_see_published_events_of_their_communities(client, make):
    tenant = make.tenant()
    ours, theirs = make.community(tenant), make.community(tenant)
    published = make.event(tenant, ours)
    draft = make.event(tenant, ours, status="draft")
    elsewhere = make.event(tenant, theirs)
    volunteer = client.as_(make.person(tenant, communities=[ours]))
    assert [e["id"] for e in volunteer.get("/api/v1/events").json] == [published.id]
    assert volunteer.get(f"/api/v1/events/{draft.id}").status_code == 404
    assert volunteer.get(f"/api/v1/events/{elsewhere.id}").status_code == 404
    coordinator = client.as_(make.person(tenant, Role.COORDINATOR, communities=[ours]))
    assert {e["id"] for e in coordinator.get("/api/v1/events").json} == {
        published.id,
        draft.id,
        elsewhere.id,
    }
    # Seeing is not managing: a coordinator acts only in their own communities.
    assert coordinator.post(f"/api/v1/events/{elsewhere.id}/cancel", json={}).status_code == 403


def test_events_filter_by_range_team_and_open_places(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    team = make.team(tenant, community)
    base = (utcnow() + timedelta(days=10)).replace(hour=12, minute=0, second=0, microsecond=0)
    early = make.event(
        tenant, community, starts_at=base, team_id=team, positions=[{"name": "A", "max_people": 1}]
    )
    late = make.event(tenant, community, starts_at=base + timedelta(days=2))
    volunteer = make.person(tenant, communities=[community])
    client.as_(volunteer).post(
        f"/api/v1/events/{early.id}/signups", json={"position_id": early.position_id}
    )
    admin = client.as_(tenant.admin)

    def ids(query):
        response = admin.get(f"/api/v1/events?{query}")
        assert response.status_code == 200, response.json
        return [e["id"] for e in response.json]

    window = (
        f"from={(base + timedelta(days=1)).isoformat()}&to={(base + timedelta(days=3)).isoformat()}"
    )
    assert ids(window.replace("+", "%2B")) == [late.id]
    assert ids(f"team_id={team}") == [early.id]
    assert ids("open=true") == [late.id]
    assert ids(f"community_id={community}&status=published") == [early.id, late.id]


def test_moving_an_event_is_a_reschedule_told_to_the_people_on_it(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    starts = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    event = make.event(tenant, community, starts_at=starts)
    volunteer = make.person(tenant, communities=[community])
    signed = (
        client.as_(volunteer)
        .post(f"/api/v1/events/{event.id}/signups", json={"position_id": event.position_id})
        .json
    )
    admin = client.as_(tenant.admin)
    etag = admin.get(f"/api/v1/events/{event.id}").headers["ETag"]
    moved = admin.patch(
        f"/api/v1/events/{event.id}",
        json={"starts_at": (starts + timedelta(days=1)).isoformat()},
        headers={"If-Match": etag},
    )
    assert moved.status_code == 200, moved.json
    shanghai = ZoneInfo("Asia/Shanghai")
    assert moved.json["starts_at"] == (starts + timedelta(days=1)).astimezone(shanghai).isoformat()
    assert (
        moved.json["ends_at"]
        == (starts + timedelta(days=1, hours=2)).astimezone(shanghai).isoformat()
    )  # the length is kept
    topic, payload = _outbox(app, event.id)[-1]
    assert topic == "event.rescheduled"
    assert datetime.fromisoformat(payload["previous_starts_at"]) == starts
    assert payload["assignment_ids"] == [signed["id"]]
    retitled = admin.patch(f"/api/v1/events/{event.id}", json={"title": "Evening walk"})
    assert retitled.status_code == 200
    assert _outbox(app, event.id)[-1][0] == "event.updated"
    unchanged = admin.patch(f"/api/v1/events/{event.id}", json={"title": "Evening walk"})
    assert unchanged.json["version"] == retitled.json["version"]
    assert len(_outbox(app, event.id)) == 3  # created, rescheduled, updated: no empty event


def test_cancelling_an_event_cancels_its_assignments_once(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    event = make.event(tenant, community, positions=[{"name": "A", "max_people": 1}])
    people = [make.person(tenant, communities=[community]) for _ in range(2)]
    ids = [
        client.as_(p)
        .post(f"/api/v1/events/{event.id}/signups", json={"position_id": event.position_id})
        .json["id"]
        for p in people
    ]
    admin = client.as_(tenant.admin)
    cancelled = admin.post(f"/api/v1/events/{event.id}/cancel", json={"reason": "Typhoon"})
    assert cancelled.status_code == 200
    assert (cancelled.json["status"], cancelled.json["cancel_reason"]) == ("cancelled", "Typhoon")
    assert cancelled.json["filled"] == 0
    for assignment_id in ids:
        assert admin.get(f"/api/v1/assignments/{assignment_id}").json["status"] == "cancelled"
    again = admin.post(f"/api/v1/events/{event.id}/cancel", json={})
    assert again.status_code == 200
    topics = [topic for topic, _ in _outbox(app, event.id)]
    assert topics.count("event.cancelled") == 1
    assert _outbox(app, event.id)[-1][1]["assignment_ids"] == sorted(ids)
    late = client.as_(people[0]).post(
        f"/api/v1/events/{event.id}/signups", json={"position_id": event.position_id}
    )
    assert late.status_code == 409 and late.json["reason"] == "event_cancelled"
    edit = admin.patch(f"/api/v1/events/{event.id}", json={"title": "x"})
    assert edit.status_code == 409 and edit.json["reason"] == "event_cancelled"


def test_only_untouched_drafts_can_be_deleted(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    draft = make.event(tenant, community, status="draft")
    published = make.event(tenant, community)
    admin = client.as_(tenant.admin)
    refused = admin.delete(f"/api/v1/events/{published.id}")
    assert refused.status_code == 409 and refused.json["reason"] == "event_not_deletable"
    assert admin.delete(f"/api/v1/events/{draft.id}").status_code == 204
    assert admin.get(f"/api/v1/events/{draft.id}").status_code == 404


def test_more_places_promote_the_waitlist_and_fewer_cannot_evict(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    event = make.event(tenant, community, positions=[{"name": "A", "max_people": 1}])
    people = [make.person(tenant, communities=[community]) for _ in range(3)]
    results = [
        client.as_(p)
        .post(f"/api/v1/events/{event.id}/signups", json={"position_id": event.position_id})
        .json
        for p in people
    ]
    assert [r["status"] for r in results] == ["confirmed", "waitlisted", "waitlisted"]
    admin = client.as_(tenant.admin)
    path = f"/api/v1/events/{event.id}/positions/{event.position_id}"
    grown = admin.patch(path, json={"max_people": 2})
    assert grown.status_code == 200, grown.json
    assert (grown.json["filled"], grown.json["waitlisted"]) == (2, 1)
    assert admin.get(f"/api/v1/assignments/{results[1]['id']}").json["status"] == "confirmed"
    shrink = admin.patch(path, json={"max_people": 1})
    assert shrink.status_code == 409 and shrink.json["reason"] == "position_has_holders"
    invalid = admin.patch(path, json={"min_people": 3})
    assert invalid.status_code == 422
    extra = admin.post(
        f"/api/v1/events/{event.id}/positions", json={"name": "Driver", "max_people": 1}
    )
    assert extra.status_code == 201
    assert (
        admin.delete(f"/api/v1/events/{event.id}/positions/{extra.json['id']}").status_code == 204
    )
    busy = admin.delete(path)
    assert busy.status_code == 409 and busy.json["reason"] == "position_has_holders"
