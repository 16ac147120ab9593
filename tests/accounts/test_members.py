"""Members: who may add whom, the last administrator, and leaving without losing history."""

from __future__ import annotations

from datetime import timedelta

from service.core.auth import Role
from service.core.time import utcnow


def test_coordinators_add_volunteers_only_to_their_own_communities(client, make):
    tenant = make.tenant()
    ours, theirs = make.community(tenant), make.community(tenant)
    coordinator = client.as_(make.person(tenant, Role.COORDINATOR, communities=[ours]))

    defaulted = coordinator.post(
        "/api/v1/members", json={"email": "new@example.org", "name": "New", "role": "volunteer"}
    )
    assert defaulted.status_code == 201, defaulted.json
    assert defaulted.json["community_ids"] == [ours]
    assert defaulted.json["volunteer_id"] is not None

    outside = coordinator.post(
        "/api/v1/members",
        json={
            "email": "other@example.org",
            "name": "Other",
            "role": "volunteer",
            "community_ids": [theirs],
        },
    )
    assert outside.status_code == 403
    promoted = coordinator.post(
        "/api/v1/members", json={"email": "boss@example.org", "name": "Boss", "role": "coordinator"}
    )
    assert promoted.status_code == 403
    duplicate = coordinator.post(
        "/api/v1/members", json={"email": "NEW@example.org", "name": "New", "role": "volunteer"}
    )
    assert duplicate.status_code == 409 and duplicate.json["reason"] == "already_member"
    unknown = client.as_(tenant.admin).post(
        "/api/v1/members",
        json={
            "email": "x@example.org",
            "name": "X",
            "role": "volunteer",
            "community_ids": [999999],
        },
    )
    assert unknown.status_code == 422 and "community_ids" in unknown.json["errors"]


def test_volunteers_may_not_list_members(client, make):
    tenant = make.tenant()
    volunteer = make.person(tenant)
    assert client.as_(volunteer).get("/api/v1/members").status_code == 403
    own = client.as_(volunteer).get(f"/api/v1/members/{volunteer.member_id}")
    assert own.status_code == 200 and own.json["email"] == volunteer.email


def test_the_last_administrator_stays(client, make):
    tenant = make.tenant()
    admin = client.as_(tenant.admin)
    demote = admin.patch(f"/api/v1/members/{tenant.admin.member_id}", json={"role": "coordinator"})
    assert demote.status_code == 409 and demote.json["reason"] == "last_admin"
    leave = admin.delete(f"/api/v1/members/{tenant.admin.member_id}")
    assert leave.status_code == 409 and leave.json["reason"] == "last_admin"
    second = make.person(tenant, Role.ADMIN)
    assert (
        admin.patch(f"/api/v1/members/{second.member_id}", json={"role": "coordinator"}).status_code
        == 200
    )
    assert client.as_(second).get("/api/v1/me").json["role"] == "coordinator"


def test_removing_a_member_revokes_access_and_frees_their_places(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    leaving, waiting = (
        make.person(tenant, communities=[community]),
        make.person(tenant, communities=[community]),
    )
    event = make.event(
        tenant,
        community,
        positions=[{"name": "Walker", "max_people": 1}],
        starts_at=utcnow() + timedelta(days=1),
    )
    held = client.as_(leaving).post(
        f"/api/v1/events/{event.id}/signups", json={"position_id": event.position_id}
    )
    queued = client.as_(waiting).post(
        f"/api/v1/events/{event.id}/signups", json={"position_id": event.position_id}
    )
    assert (held.json["status"], queued.json["status"]) == ("confirmed", "waitlisted")

    admin = client.as_(tenant.admin)
    assert admin.delete(f"/api/v1/members/{leaving.member_id}").status_code == 204
    assert client.as_(leaving).get("/api/v1/me").status_code == 401
    assert admin.get(f"/api/v1/assignments/{held.json['id']}").json["status"] == "cancelled"
    assert admin.get(f"/api/v1/assignments/{queued.json['id']}").json["status"] == "confirmed"
    assert leaving.member_id not in [m["id"] for m in admin.get("/api/v1/members").json]
    assert admin.get(f"/api/v1/members/{leaving.member_id}").status_code == 404

    back = admin.post(
        "/api/v1/members",
        json={
            "email": leaving.email,
            "name": "Back",
            "role": "volunteer",
            "community_ids": [community],
        },
    )
    assert back.status_code == 201 and back.json["id"] == leaving.member_id
    profile = admin.get(f"/api/v1/volunteers/{leaving.volunteer_id}").json
    assert profile["active"] is True
