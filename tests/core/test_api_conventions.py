"""The API's conventions: problem+json, 405 with Allow, field errors, pagination, If-Match."""

from __future__ import annotations

import json

import sqlalchemy as sa

from service.communities.models import Community
from service.core.db import db
from service.core.outbox import OutboxEvent


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_unknown_path_and_unauthenticated_requests_are_problems(client, make):
    _problem(client.get("/api/v1/nothing-here"), 404)
    body = _problem(client.get("/api/v1/communities"), 401)
    assert "Bearer" in body["detail"]
    _problem(client.as_("rnd_not-a-real-token").get("/api/v1/communities"), 401)


def test_405_keeps_its_allow_header(client, make):
    admin = client.as_(make.tenant().admin)
    response = admin.request("PUT", "/api/v1/communities")
    _problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_422_lists_every_bad_field_and_changes_nothing(app, client, make):
    tenant = make.tenant()
    admin = client.as_(tenant.admin)
    body = _problem(
        admin.post("/api/v1/communities", json={"timezone": "Mars/Base", "surprise": 1}), 422
    )
    assert set(body["errors"]) == {"name", "timezone", "surprise"}
    assert "IANA" in body["errors"]["timezone"][0]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Community)) == 0


def test_times_without_an_offset_are_refused(client, make):
    tenant = make.tenant()
    community_id = make.community(tenant)
    admin = client.as_(tenant.admin)
    patrol = next(t for t in admin.get("/api/v1/activity-types").json if t["key"] == "patrol")
    body = _problem(
        admin.post(
            "/api/v1/events",
            json={
                "community_id": community_id,
                "activity_type_id": patrol["id"],
                "starts_at": "2030-01-01T20:00:00",
            },
        ),
        422,
    )
    assert "offset" in body["errors"]["starts_at"][0]


def test_a_refused_write_leaves_no_outbox_event(app, client, make):
    tenant = make.tenant()
    community_id = make.community(tenant)
    admin = client.as_(tenant.admin)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEvent))
    patrol = next(t for t in admin.get("/api/v1/activity-types").json if t["key"] == "patrol")
    _problem(
        admin.post(
            "/api/v1/events",
            json={
                "community_id": community_id,
                "activity_type_id": patrol["id"],
                "starts_at": "2030-01-01T20:00:00+08:00",
                "ends_at": "2030-01-01T19:00:00+08:00",
            },
        ),
        422,
    )
    # The skill lookup fails after the event row was flushed: still nothing is kept.
    _problem(
        admin.post(
            "/api/v1/events",
            json={
                "community_id": community_id,
                "activity_type_id": patrol["id"],
                "starts_at": "2030-01-01T20:00:00+08:00",
                "positions": [{"name": "Medic", "required_skill": "no-such-skill"}],
            },
        ),
        422,
    )
    with app.app_context():
        after = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEvent))
    assert after == before


def test_unknown_filters_are_refused_not_ignored(client, make):
    admin = client.as_(make.tenant().admin)
    body = _problem(admin.get("/api/v1/events?stauts=draft"), 422)
    assert "stauts" in body["errors"]
    assert admin.get("/api/v1/events?status=draft&page=1&page_size=5").status_code == 200


def test_lists_are_paginated_with_x_pagination_and_link(client, make):
    tenant = make.tenant()
    for n in range(5):
        make.community(tenant, name=f"Community {n:02d}")
    admin = client.as_(tenant.admin)
    response = admin.get("/api/v1/communities?page=2&page_size=2")
    assert response.status_code == 200
    assert [c["name"] for c in response.json] == ["Community 02", "Community 03"]
    meta = json.loads(response.headers["X-Pagination"])
    assert meta == {
        "total": 5,
        "total_pages": 3,
        "first_page": 1,
        "last_page": 3,
        "page": 2,
        "previous_page": 1,
        "next_page": 3,
    }
    links = {
        part.split('rel="')[1].rstrip('"'): part.split(">")[0].lstrip("<")
        for part in response.headers["Link"].split(", ")
    }
    assert set(links) == {"first", "last", "prev", "next"}
    assert links["next"].endswith("/api/v1/communities?page=3&page_size=2")
    assert links["prev"].endswith("page=1&page_size=2")
    assert len(admin.get(links["last"].replace("http://localhost", "")).json) == 1
    too_big = admin.get("/api/v1/communities?page_size=5000")
    _problem(too_big, 422)


def test_stale_if_match_gets_412_and_changes_nothing(app, client, make):
    tenant = make.tenant()
    community_id = make.community(tenant, name="Hongda Yuan")
    admin = client.as_(tenant.admin)
    read = admin.get(f"/api/v1/communities/{community_id}")
    etag = read.headers["ETag"]
    first = admin.patch(
        f"/api/v1/communities/{community_id}",
        json={"contact_phone": "+86 1"},
        headers={"If-Match": etag},
    )
    assert first.status_code == 200
    assert first.headers["ETag"] != etag
    assert first.json["contact_phone"] == "+86 1"
    stale = admin.patch(
        f"/api/v1/communities/{community_id}",
        json={"contact_phone": "+86 2"},
        headers={"If-Match": etag},
    )
    _problem(stale, 412)
    _problem(
        admin.patch(
            f"/api/v1/communities/{community_id}",
            json={"name": "X"},
            headers={"If-Match": "garbage"},
        ),
        412,
    )
    assert admin.get(f"/api/v1/communities/{community_id}").json["contact_phone"] == "+86 1"
