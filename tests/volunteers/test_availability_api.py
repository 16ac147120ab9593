"""Availability, blackouts, preferences and pairings through HTTP."""

from __future__ import annotations

from datetime import timedelta

from service.core.auth import Role
from service.core.time import utcnow


def test_volunteers_edit_their_own_and_coordinators_any_in_their_communities(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    elsewhere = make.community(tenant)
    me = make.person(tenant, communities=[community], limits={"max_assignments_per_week": 2})
    partner = make.person(tenant, communities=[community])
    stranger = make.person(tenant, communities=[elsewhere])
    coordinator = make.person(tenant, Role.COORDINATOR, communities=[community])
    away = utcnow().replace(microsecond=0) + timedelta(days=10)
    body = {
        "windows": [
            {"weekday": 0, "start": "18:00", "end": "22:00"},
            {"weekday": 5, "start": "08:00", "end": "24:00"},
        ],
        "blackouts": [
            {
                "starts_at": away.isoformat(),
                "ends_at": (away + timedelta(days=7)).isoformat(),
                "reason": "holiday",
            }
        ],
        "preferred_activity_types": ["patrol"],
        "avoided_activity_types": ["cleanup"],
        "pair_with": [partner.volunteer_id],
        "not_together": [stranger.volunteer_id],
    }
    mine = client.as_(me).put(f"/api/v1/volunteers/{me.volunteer_id}/availability", json=body)
    assert mine.status_code == 200, mine.json
    assert mine.json["windows"] == body["windows"]
    assert mine.json["blackouts"][0]["reason"] == "holiday"
    assert mine.json["pair_with"] == [partner.volunteer_id]
    assert mine.json["trainee"] is False
    assert mine.json["limits"]["max_assignments_per_week"] == 2

    trainee = client.as_(me).put(
        f"/api/v1/volunteers/{me.volunteer_id}/availability", json={**body, "trainee": True}
    )
    assert trainee.status_code == 403
    others = client.as_(me).put(f"/api/v1/volunteers/{partner.volunteer_id}/availability", json={})
    assert others.status_code == 403

    marked = client.as_(coordinator).put(
        f"/api/v1/volunteers/{me.volunteer_id}/availability", json={**body, "trainee": True}
    )
    assert marked.status_code == 200 and marked.json["trainee"] is True
    assert client.as_(me).get(f"/api/v1/volunteers/{me.volunteer_id}/availability").json == (
        marked.json
    )
    outside = client.as_(coordinator).put(
        f"/api/v1/volunteers/{stranger.volunteer_id}/availability", json={}
    )
    assert outside.status_code == 403

    for wrong, field in (
        ({"windows": [{"weekday": 7, "start": "18:00", "end": "20:00"}]}, "windows"),
        ({"windows": [{"weekday": 1, "start": "22:00", "end": "02:00"}]}, "windows"),
        ({"preferred_activity_types": ["juggling"]}, "preferred_activity_types"),
        ({"pair_with": [me.volunteer_id]}, "pair_with"),
        (
            {"pair_with": [partner.volunteer_id], "not_together": [partner.volunteer_id]},
            "not_together",
        ),
    ):
        refused = client.as_(me).put(
            f"/api/v1/volunteers/{me.volunteer_id}/availability", json={**body, **wrong}
        )
        assert refused.status_code == 422, (wrong, refused.json)
        assert field in refused.json["errors"], refused.json
    unchanged = client.as_(me).get(f"/api/v1/volunteers/{me.volunteer_id}/availability")
    assert unchanged.json == marked.json
