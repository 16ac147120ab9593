"""Volunteer profiles: who may see and change what, and finding the right people."""

from __future__ import annotations

from service.core.auth import Role


def test_a_volunteer_edits_their_contact_and_limits_but_not_their_skills(client, make):
    tenant = make.tenant()
    make.skill(tenant, "first-aid")
    volunteer = make.person(tenant, phone="+86 138 0000 0000")
    api = client.as_(volunteer)
    mine = api.get(f"/api/v1/volunteers/{volunteer.volunteer_id}")
    assert mine.status_code == 200 and mine.json["phone"] == "+86 138 0000 0000"
    changed = api.patch(
        f"/api/v1/volunteers/{volunteer.volunteer_id}",
        json={
            "phone": "+86 139 1111 2222",
            "languages": ["zh", "yue", "zh"],
            "limits": {"max_assignments_per_week": 2, "min_rest_hours": 12},
        },
        headers={"If-Match": mine.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["languages"] == ["yue", "zh"]
    assert changed.json["limits"] == {
        "max_assignments_per_week": 2,
        "max_hours_per_month": None,
        "min_rest_hours": 12,
    }
    refused = api.patch(
        f"/api/v1/volunteers/{volunteer.volunteer_id}", json={"skills": ["first-aid"]}
    )
    assert refused.status_code == 403 and "skills" in refused.json["detail"]
    bad = api.patch(
        f"/api/v1/volunteers/{volunteer.volunteer_id}",
        json={"languages": ["not a language"], "limits": {"min_rest_hours": -1}},
    )
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"languages", "limits"}


def test_skills_are_vouched_for_by_coordinators_and_must_exist(client, make):
    tenant = make.tenant()
    make.skill(tenant, "driver")
    volunteer = make.person(tenant)
    admin = client.as_(tenant.admin)
    unknown = admin.patch(
        f"/api/v1/volunteers/{volunteer.volunteer_id}", json={"skills": ["driver", "pilot"]}
    )
    assert unknown.status_code == 422 and "pilot" in unknown.json["errors"]["skills"][0]
    etag = admin.get(f"/api/v1/volunteers/{volunteer.volunteer_id}").headers["ETag"]
    granted = admin.patch(
        f"/api/v1/volunteers/{volunteer.volunteer_id}", json={"skills": ["driver"]}
    )
    assert granted.json["skills"] == ["driver"]
    assert granted.headers["ETag"] != etag  # a change of skills is a new version


def test_profiles_are_private_to_their_owner_and_coordinators(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    first, second = make.person(tenant, communities=[community]), make.person(tenant)
    assert client.as_(first).get(f"/api/v1/volunteers/{second.volunteer_id}").status_code == 403
    assert client.as_(first).get("/api/v1/volunteers").status_code == 403
    coordinator = make.person(tenant, Role.COORDINATOR, communities=[community])
    assert (
        client.as_(coordinator).get(f"/api/v1/volunteers/{first.volunteer_id}").status_code == 200
    )


def test_coordinators_find_volunteers_by_skill_language_and_community(client, make):
    tenant = make.tenant()
    make.skill(tenant, "driver")
    fuxing, lavapies = make.community(tenant), make.community(tenant, timezone="Europe/Madrid")
    driver_zh = make.person(tenant, communities=[fuxing], skills=["driver"], languages=["zh"])
    make.person(tenant, communities=[fuxing], languages=["zh"])
    driver_es = make.person(
        tenant, communities=[lavapies], skills=["driver"], languages=["es", "zh"]
    )
    everywhere = make.person(tenant, languages=["en"])
    admin = client.as_(tenant.admin)

    def ids(query):
        response = admin.get(f"/api/v1/volunteers?{query}")
        assert response.status_code == 200, response.json
        return {v["id"] for v in response.json}

    assert ids("skill=driver") == {driver_zh.volunteer_id, driver_es.volunteer_id}
    assert ids("skill=driver&language=zh") == {driver_zh.volunteer_id, driver_es.volunteer_id}
    assert ids("language=es") == {driver_es.volunteer_id}
    # Someone not limited to a community counts as a volunteer of every community.
    assert ids(f"community_id={lavapies}") == {driver_es.volunteer_id, everywhere.volunteer_id}
    assert ids("active=false") == set()
