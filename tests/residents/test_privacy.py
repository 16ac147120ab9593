"""Who sees a resident's phone and address: a matrix over every endpoint that shows residents.

The rule: coordinators of the resident's community (and admins) always; a volunteer
holding a place in one of the resident's visits from a day before it to a day after;
everyone else the first name only. Every read that shows contact details is logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from service.core.auth import Role
from service.core.db import db
from service.core.time import utcnow
from service.residents.models import ContactAccess, HelpRequest
from service.residents.operations import status_token

PHONE = "+86 138 2222 3333"
ADDRESS = "复兴花园 7号楼 301室"


@dataclass
class Scene:
    people: dict
    resident_id: int
    soon_request: int
    later_request: int
    status_token: str


def _schedule(api, request_id, volunteer, starts_at):
    answer = api.post(
        f"/api/v1/help-requests/{request_id}/schedule",
        json={"volunteer_id": volunteer.volunteer_id, "starts_at": starts_at.isoformat()},
    )
    assert answer.status_code == 200, answer.json
    return answer.json


@pytest.fixture
def scene(client, make) -> Scene:
    tenant = make.tenant()
    c1, c2 = make.community(tenant), make.community(tenant)
    people = {
        "admin": tenant.admin,
        "coordinator": make.person(tenant, Role.COORDINATOR, communities=[c1]),
        "coordinator elsewhere": make.person(tenant, Role.COORDINATOR, communities=[c2]),
        "volunteer visiting soon": make.person(tenant, communities=[c1], languages=["zh"]),
        "volunteer visiting later": make.person(tenant, communities=[c1]),
        "other volunteer": make.person(tenant, communities=[c1]),
    }
    coordinator = client.as_(people["coordinator"])
    first = coordinator.post(
        "/api/v1/help-requests",
        json={
            "community_id": c1,
            "category": "visit",
            "name": "王秀英",
            "phone": PHONE,
            "address": ADDRESS,
            "language": "zh",
        },
    ).json
    resident_id = _resident_of(coordinator, first["id"])
    second = coordinator.post(
        "/api/v1/help-requests",
        json={"community_id": c1, "category": "groceries", "resident_id": resident_id},
    ).json
    now = utcnow().replace(microsecond=0)
    _schedule(
        coordinator, first["id"], people["volunteer visiting soon"], now + timedelta(hours=20)
    )
    _schedule(
        coordinator, second["id"], people["volunteer visiting later"], now + timedelta(days=5)
    )
    with client.client.application.app_context():
        token = status_token(db.session.get(HelpRequest, first["id"]))
    return Scene(people, resident_id, first["id"], second["id"], token)


def _resident_of(api, request_id):
    return api.get(f"/api/v1/help-requests/{request_id}").json["resident"]["id"]


def _shows_contact(response) -> bool:
    text = response.get_data(as_text=True)
    return "2222" in text or "7号楼" in text


#: endpoint -> who -> (expected status, whether phone or address are in the answer).
EXPECTED = {
    "GET resident": {
        "admin": (200, True),
        "coordinator": (200, True),
        "coordinator elsewhere": (403, False),
        "volunteer visiting soon": (200, True),
        "volunteer visiting later": (200, False),
        "other volunteer": (403, False),
    },
    "GET soon request": {
        "admin": (200, True),
        "coordinator": (200, True),
        "coordinator elsewhere": (403, False),
        "volunteer visiting soon": (200, True),
        "volunteer visiting later": (403, False),
        "other volunteer": (403, False),
    },
    "GET later request": {
        "admin": (200, True),
        "coordinator": (200, True),
        "coordinator elsewhere": (403, False),
        "volunteer visiting soon": (403, False),
        "volunteer visiting later": (200, False),
        "other volunteer": (403, False),
    },
    "GET residents": {
        "admin": (200, False),
        "coordinator": (200, False),
        "coordinator elsewhere": (200, False),
        "volunteer visiting soon": (403, False),
        "volunteer visiting later": (403, False),
        "other volunteer": (403, False),
    },
    "GET requests": {
        "admin": (200, False),
        "coordinator": (200, False),
        "coordinator elsewhere": (200, False),
        "volunteer visiting soon": (403, False),
        "volunteer visiting later": (403, False),
        "other volunteer": (403, False),
    },
    "GET event": {
        who: (200, False)
        for who in (
            "admin",
            "coordinator",
            "coordinator elsewhere",
            "volunteer visiting soon",
            "volunteer visiting later",
            "other volunteer",
        )
    },
}


def _paths(scene: Scene, api) -> dict[str, str]:
    event_id = api.get(f"/api/v1/help-requests/{scene.soon_request}").json["event_id"]
    return {
        "GET resident": f"/api/v1/residents/{scene.resident_id}",
        "GET soon request": f"/api/v1/help-requests/{scene.soon_request}",
        "GET later request": f"/api/v1/help-requests/{scene.later_request}",
        "GET residents": "/api/v1/residents",
        "GET requests": "/api/v1/help-requests",
        "GET event": f"/api/v1/events/{event_id}",
    }


def test_each_role_sees_exactly_what_the_rules_allow_and_every_read_is_logged(app, client, scene):
    admin = client.as_(scene.people["admin"])
    paths = _paths(scene, admin)
    with app.app_context():
        db.session.execute(sa.delete(ContactAccess))
        db.session.commit()
    expected_log = []
    for endpoint, path in paths.items():
        for who, person in scene.people.items():
            status, shown = EXPECTED[endpoint][who]
            answer = client.as_(person).get(path)
            assert answer.status_code == status, (endpoint, who, answer.get_data(as_text=True))
            assert _shows_contact(answer) is shown, (endpoint, who)
            if shown:
                expected_log.append((person.user_id, path))
    with app.app_context():
        logged = db.session.execute(
            sa.select(
                ContactAccess.user_id,
                ContactAccess.purpose,
                ContactAccess.role,
                ContactAccess.fields,
            ).order_by(ContactAccess.id)
        ).all()
    assert [(row.user_id, row.purpose.split(" ", 1)[1]) for row in logged] == expected_log
    assert all(set(row.fields) == {"phone", "address"} for row in logged)
    volunteer = scene.people["volunteer visiting soon"].user_id
    assert {row.role for row in logged if row.user_id == volunteer} == {"assigned_volunteer"}
    readable = client.as_(scene.people["coordinator"]).get(
        f"/api/v1/contact-access-log?resident_id={scene.resident_id}"
    )
    assert len(readable.json) == len(expected_log)
    assert (
        client.as_(scene.people["other volunteer"]).get("/api/v1/contact-access-log").status_code
        == 403
    )


def test_the_public_status_link_shows_first_names_only(client, scene):
    status = client.as_(None).get(f"/api/v1/help-requests/status/{scene.status_token}")
    assert status.status_code == 200
    assert status.json["status"] == "scheduled"
    assert status.json["resident"] == "秀英"
    assert status.json["volunteer"] and " " not in status.json["volunteer"]
    assert not _shows_contact(status)
    assert "王" not in status.get_data(as_text=True)


def test_the_visit_event_carries_no_address_and_takes_no_sign_ups(client, scene):
    admin = client.as_(scene.people["admin"])
    event_id = admin.get(f"/api/v1/help-requests/{scene.soon_request}").json["event_id"]
    event = admin.get(f"/api/v1/events/{event_id}").json
    assert event["signups_open"] is False and event["location"] == ""
    assert event["title"].endswith("秀英")
    other = client.as_(scene.people["other volunteer"])
    taken = other.post(
        f"/api/v1/events/{event_id}/signups", json={"position_id": event["positions"][0]["id"]}
    )
    assert taken.status_code == 409 and taken.json["reason"] == "signups_closed"
    assert event_id not in [e["id"] for e in other.get("/api/v1/events?open=true").json]
