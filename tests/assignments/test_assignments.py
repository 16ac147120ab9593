"""Sign-ups and coordinator assignments through the API: the rules, overrides, responses."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from service.core.auth import Role
from service.core.db import db
from service.core.outbox import OutboxEvent
from service.core.time import utcnow


def _soon(days: float = 3, hour: int = 12):
    return (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _signup(client, person, event):
    return client.as_(person).post(
        f"/api/v1/events/{event.id}/signups", json={"position_id": event.position_id}
    )


def _topics(app, assignment_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(OutboxEvent.topic)
            .where(
                OutboxEvent.subject_type == "assignment", OutboxEvent.subject_id == assignment_id
            )
            .order_by(OutboxEvent.id)
        ).all()


def test_a_volunteer_cannot_be_in_two_places_at_once(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    volunteer = make.person(tenant, communities=[community])
    first = make.event(tenant, community, starts_at=_soon(), hours=3)
    second = make.event(tenant, community, starts_at=_soon() + timedelta(hours=2))
    assert _signup(client, volunteer, first).status_code == 201
    refused = _signup(client, volunteer, second)
    assert refused.status_code == 409 and refused.json["reason"] == "overlaps_assignment"
    twice = _signup(client, volunteer, first)
    assert twice.status_code == 409 and twice.json["reason"] == "already_assigned"


def test_limits_protect_volunteers(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    volunteer = make.person(
        tenant,
        communities=[community],
        limits={"max_assignments_per_week": 1, "min_rest_hours": 10},
    )
    monday = _soon(7)
    monday -= timedelta(days=monday.weekday())
    events = [
        make.event(tenant, community, starts_at=monday + timedelta(hours=h)) for h in (0, 8, 24 * 7)
    ]
    assert _signup(client, volunteer, events[0]).status_code == 201
    refused = _signup(client, volunteer, events[1])
    assert refused.status_code == 409 and refused.json["reason"] == "limit_exceeded"
    assert {v["limit"] for v in refused.json["violations"]} == {
        "rest_hours",
        "assignments_per_week",
    }
    assert _signup(client, volunteer, events[2]).status_code == 201


def test_sign_ups_need_a_published_future_event(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    volunteer = make.person(tenant, communities=[community])
    started = make.event(tenant, community, starts_at=utcnow() - timedelta(minutes=5))
    answer = _signup(client, volunteer, started)
    assert answer.status_code == 409 and answer.json["reason"] == "event_started"
    coordinator = make.person(tenant, Role.COORDINATOR)
    assert (
        client.as_(coordinator)
        .post(f"/api/v1/events/{started.id}/signups", json={"position_id": started.position_id})
        .status_code
        == 403
    )  # coordinators without a volunteer profile assign instead


def test_coordinator_assignment_is_pending_until_accepted(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    volunteer = make.person(tenant, communities=[community])
    coordinator = client.as_(make.person(tenant, Role.COORDINATOR, communities=[community]))
    event = make.event(tenant, community)
    offered = coordinator.post(
        "/api/v1/assignments",
        json={"position_id": event.position_id, "volunteer_id": volunteer.volunteer_id},
    )
    assert offered.status_code == 201, offered.json
    assert (offered.json["status"], offered.json["source"]) == ("pending", "coordinator")
    mine = client.as_(volunteer).get("/api/v1/me/assignments").json
    assert [a["id"] for a in mine] == [offered.json["id"]]
    assert mine[0]["event"]["starts_at"].endswith("+08:00")
    accepted = client.as_(volunteer).post(f"/api/v1/assignments/{offered.json['id']}/accept")
    assert accepted.json["status"] == "confirmed"
    again = client.as_(volunteer).post(f"/api/v1/assignments/{offered.json['id']}/accept")
    assert again.status_code == 200 and again.json["version"] == accepted.json["version"]
    declined_late = client.as_(volunteer).post(
        f"/api/v1/assignments/{offered.json['id']}/decline", json={}
    )
    assert declined_late.status_code == 409 and declined_late.json["reason"] == "invalid_state"
    assert _topics(app, offered.json["id"]) == ["assignment.created", "assignment.confirmed"]


def test_declining_an_offer_frees_the_place_for_the_waitlist(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    offered_to, waiting = (make.person(tenant, communities=[community]) for _ in range(2))
    event = make.event(tenant, community, positions=[{"name": "Driver", "max_people": 1}])
    offer = (
        client.as_(tenant.admin)
        .post(
            "/api/v1/assignments",
            json={"position_id": event.position_id, "volunteer_id": offered_to.volunteer_id},
        )
        .json
    )
    queued = _signup(client, waiting, event).json
    assert queued["status"] == "waitlisted"
    declined = client.as_(offered_to).post(
        f"/api/v1/assignments/{offer['id']}/decline", json={"reason": "Away that weekend"}
    )
    assert declined.json["status"] == "declined"
    assert client.as_(waiting).get(f"/api/v1/assignments/{queued['id']}").json["status"] == (
        "confirmed"
    )
    assert _topics(app, offer["id"])[-1] == "assignment.declined"
    assert _topics(app, queued["id"])[-2:] == ["waitlist.promoted", "assignment.confirmed"]


def test_the_waitlist_passes_over_people_who_no_longer_fit(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    holder, busy, free = (make.person(tenant, communities=[community]) for _ in range(3))
    event = make.event(
        tenant, community, starts_at=_soon(4), positions=[{"name": "A", "max_people": 1}]
    )
    clash = make.event(tenant, community, starts_at=_soon(4) + timedelta(hours=1))
    held = _signup(client, holder, event).json
    busy_wait = _signup(client, busy, event).json
    free_wait = _signup(client, free, event).json
    assert (busy_wait["waitlist_rank"], free_wait["waitlist_rank"]) == (1, 2)
    assert _signup(client, busy, clash).status_code == 201  # now busy at that time
    client.as_(holder).post(f"/api/v1/assignments/{held['id']}/cancel", json={})
    admin = client.as_(tenant.admin)
    assert admin.get(f"/api/v1/assignments/{free_wait['id']}").json["status"] == "confirmed"
    still = admin.get(f"/api/v1/assignments/{busy_wait['id']}").json
    assert (still["status"], still["waitlist_rank"]) == ("waitlisted", 1)


def test_coordinators_override_checks_on_record_but_never_overfill(client, make):
    tenant = make.tenant()
    make.skill(tenant, "driver")
    community = make.community(tenant)
    volunteer, other = (make.person(tenant, communities=[community]) for _ in range(2))
    event = make.event(
        tenant,
        community,
        positions=[{"name": "Driver", "required_skill_key": "driver", "max_people": 1}],
    )
    admin = client.as_(tenant.admin)
    body = {"position_id": event.position_id, "volunteer_id": volunteer.volunteer_id}
    refused = admin.post("/api/v1/assignments", json=body)
    assert refused.status_code == 409 and refused.json["reason"] == "missing_skill"
    unexplained = admin.post("/api/v1/assignments", json={**body, "override": True})
    assert unexplained.status_code == 422 and "override_reason" in unexplained.json["errors"]
    forced = admin.post(
        "/api/v1/assignments",
        json={
            **body,
            "override": True,
            "override_reason": "Licence renewed, card in the post",
            "confirmed": True,
        },
    )
    assert forced.status_code == 201, forced.json
    assert forced.json["overridden_checks"] == ["missing_skill"]
    assert forced.json["override_reason"] == "Licence renewed, card in the post"
    assert forced.json["status"] == "confirmed"
    full = admin.post(
        "/api/v1/assignments",
        json={
            "position_id": event.position_id,
            "volunteer_id": other.volunteer_id,
            "override": True,
            "override_reason": "Need two",
        },
    )
    assert full.status_code == 409 and full.json["reason"] == "position_full"


def test_assignment_lists_filter_and_volunteers_see_only_their_own(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    first, second = (make.person(tenant, communities=[community]) for _ in range(2))
    event = make.event(tenant, community, positions=[{"name": "A", "max_people": 1}])
    mine = _signup(client, first, event).json
    theirs = _signup(client, second, event).json
    assert [a["id"] for a in client.as_(first).get("/api/v1/assignments").json] == [mine["id"]]
    assert (
        client.as_(first).get(f"/api/v1/assignments?volunteer_id={second.volunteer_id}").status_code
        == 403
    )
    assert client.as_(first).get(f"/api/v1/assignments/{theirs['id']}").status_code == 404
    admin = client.as_(tenant.admin)
    waiting = admin.get(f"/api/v1/assignments?event_id={event.id}&status=waitlisted").json
    assert [a["id"] for a in waiting] == [theirs["id"]]
    both = admin.get("/api/v1/assignments?status=waitlisted&status=confirmed").json
    assert {a["id"] for a in both} == {mine["id"], theirs["id"]}
