"""The foundation's acceptance story, through HTTP only (issue: foundation, item 3)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from service.core.db import db
from service.core.outbox import OutboxEvent
from service.core.time import utcnow

PASSWORD = "correct horse battery"


def _token(client, email):
    response = client.as_(None).post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return response.json["token"]


def test_patrol_signups_with_skill_waitlist_promotion_and_tenant_isolation(app, client, make):
    tenant = make.tenant("Xinghai Street Station")
    admin = client.as_(tenant.admin)

    community = admin.post(
        "/api/v1/communities",
        json={"name": "Fuxing Garden", "timezone": "Asia/Shanghai", "locale": "zh"},
    )
    assert community.status_code == 201, community.json
    community_id = community.json["id"]

    coordinator = admin.post(
        "/api/v1/members",
        json={
            "email": "wang.fang@example.org",
            "name": "王芳",
            "role": "coordinator",
            "community_ids": [community_id],
            "password": PASSWORD,
        },
    )
    assert coordinator.status_code == 201, coordinator.json
    coord = client.as_(_token(client, "wang.fang@example.org"))
    assert coord.get("/api/v1/me").json["role"] == "coordinator"

    assert (
        coord.post("/api/v1/skills", json={"key": "first-aid", "name": "First aid"}).status_code
        == 201
    )

    volunteers = []
    for n, skills in enumerate((["first-aid"], ["first-aid"], [])):
        created = coord.post(
            "/api/v1/volunteers",
            json={
                "email": f"v{n}@example.org",
                "name": f"Volunteer {n}",
                "password": PASSWORD,
                "community_ids": [community_id],
                "skills": skills,
                "languages": ["zh"],
            },
        )
        assert created.status_code == 201, created.json
        assert created.json["skills"] == skills
        volunteers.append(
            {"id": created.json["id"], "api": client.as_(_token(client, f"v{n}@example.org"))}
        )

    team = coord.post("/api/v1/teams", json={"community_id": community_id, "name": "Night patrol"})
    assert team.status_code == 201, team.json
    for volunteer in volunteers:
        added = coord.post(
            f"/api/v1/teams/{team.json['id']}/members", json={"volunteer_id": volunteer["id"]}
        )
        assert added.status_code == 201, added.json
    assert len(coord.get(f"/api/v1/teams/{team.json['id']}").json["members"]) == 3

    patrol_type = next(t for t in coord.get("/api/v1/activity-types").json if t["key"] == "patrol")
    starts_at = (utcnow() + timedelta(days=3)).replace(hour=12, minute=0, second=0, microsecond=0)
    event = coord.post(
        "/api/v1/events",
        json={
            "community_id": community_id,
            "team_id": team.json["id"],
            "activity_type_id": patrol_type["id"],
            "title": "Evening patrol",
            "starts_at": starts_at.isoformat(),
            "status": "published",
            "positions": [
                {
                    "name": "Patroller",
                    "required_skill": "first-aid",
                    "min_people": 2,
                    "max_people": 2,
                }
            ],
        },
    )
    assert event.status_code == 201, event.json
    assert event.json["starts_at"].endswith("+08:00")  # shown in the community's zone
    assert (
        event.json["ends_at"]
        == (starts_at + timedelta(hours=2))
        .astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
        .isoformat()
    )
    event_id, position_id = event.json["id"], event.json["positions"][0]["id"]

    # A volunteer without the skill is refused, with the machine-readable reason.
    refused = volunteers[2]["api"].post(
        f"/api/v1/events/{event_id}/signups", json={"position_id": position_id}
    )
    assert refused.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json["reason"] == "missing_skill"

    version = coord.get(f"/api/v1/volunteers/{volunteers[2]['id']}").headers["ETag"]
    granted = coord.patch(
        f"/api/v1/volunteers/{volunteers[2]['id']}",
        json={"skills": ["first-aid"]},
        headers={"If-Match": version},
    )
    assert granted.status_code == 200, granted.json

    statuses = []
    for volunteer in volunteers:
        signed = volunteer["api"].post(
            f"/api/v1/events/{event_id}/signups", json={"position_id": position_id}
        )
        assert signed.status_code == 201, signed.json
        statuses.append((signed.json["status"], signed.json["waitlist_rank"], signed.json["id"]))
    assert [s[:2] for s in statuses] == [
        ("confirmed", None),
        ("confirmed", None),
        ("waitlisted", 1),
    ]

    position = coord.get(f"/api/v1/events/{event_id}").json["positions"][0]
    assert (position["filled"], position["waitlisted"], position["open"]) == (2, 1, 0)

    cancelled = volunteers[0]["api"].post(f"/api/v1/assignments/{statuses[0][2]}/cancel", json={})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    promoted = volunteers[2]["api"].get(f"/api/v1/assignments/{statuses[2][2]}")
    assert promoted.json["status"] == "confirmed"
    assert promoted.json["waitlist_rank"] is None

    with app.app_context():
        topics = db.session.execute(
            sa.select(OutboxEvent.topic, OutboxEvent.payload)
            .where(OutboxEvent.organization_id == tenant.organization_id)
            .order_by(OutboxEvent.id)
        ).all()
    promotions = [payload for topic, payload in topics if topic == "waitlist.promoted"]
    assert promotions == [
        {
            "assignment_id": statuses[2][2],
            "event_id": event_id,
            "position_id": position_id,
            "volunteer_id": volunteers[2]["id"],
            "status": "confirmed",
            "source": "self",
            "previous_status": "waitlisted",
        }
    ]
    assert [t for t, _ in topics if t.startswith("assignment.")].count("assignment.cancelled") == 1

    # Another organization sees none of it.
    other = client.as_(make.tenant("Elsewhere").admin)
    for path in (
        f"/api/v1/communities/{community_id}",
        f"/api/v1/events/{event_id}",
        f"/api/v1/teams/{team.json['id']}",
        f"/api/v1/volunteers/{volunteers[0]['id']}",
        f"/api/v1/assignments/{statuses[1][2]}",
        f"/api/v1/events/{event_id}/positions/{position_id}",
        f"/api/v1/members/{coordinator.json['id']}",
    ):
        answer = other.get(path)
        assert answer.status_code == 404, (path, answer.json)
        assert answer.json["status"] == 404
    assert other.post(f"/api/v1/events/{event_id}/cancel", json={}).status_code == 404
    assert other.post(f"/api/v1/assignments/{statuses[1][2]}/cancel", json={}).status_code == 404
    assert event_id not in [e["id"] for e in other.get("/api/v1/events").json]
