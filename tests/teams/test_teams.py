"""Teams and their members."""

from __future__ import annotations


def test_team_members_come_from_the_team_community(client, make):
    tenant = make.tenant()
    fuxing, lavapies = make.community(tenant), make.community(tenant, timezone="Europe/Madrid")
    local = make.person(tenant, communities=[fuxing], name="李明")
    foreign = make.person(tenant, communities=[lavapies])
    admin = client.as_(tenant.admin)
    team = admin.post("/api/v1/teams", json={"community_id": fuxing, "name": "Night patrol"}).json

    added = admin.post(
        f"/api/v1/teams/{team['id']}/members",
        json={"volunteer_id": local.volunteer_id, "is_lead": True},
    )
    assert added.status_code == 201
    assert added.json["members"][0]["name"] == "李明" and added.json["members"][0]["is_lead"]
    again = admin.post(
        f"/api/v1/teams/{team['id']}/members", json={"volunteer_id": local.volunteer_id}
    )
    assert again.status_code == 409 and again.json["reason"] == "already_in_team"
    outsider = admin.post(
        f"/api/v1/teams/{team['id']}/members", json={"volunteer_id": foreign.volunteer_id}
    )
    assert outsider.status_code == 409 and outsider.json["reason"] == "not_in_community"

    same_name = admin.post("/api/v1/teams", json={"community_id": fuxing, "name": "Night patrol"})
    assert same_name.status_code == 409 and same_name.json["reason"] == "name_taken"

    assert (
        admin.delete(f"/api/v1/teams/{team['id']}/members/{local.volunteer_id}").status_code == 204
    )
    assert admin.get(f"/api/v1/teams/{team['id']}").json["members"] == []
    assert (
        admin.delete(f"/api/v1/teams/{team['id']}/members/{local.volunteer_id}").status_code == 404
    )


def test_volunteers_see_the_teams_of_their_communities_only(client, make):
    tenant = make.tenant()
    fuxing, lavapies = make.community(tenant), make.community(tenant, timezone="Europe/Madrid")
    ours = make.team(tenant, fuxing, name="Grocery")
    theirs = make.team(tenant, lavapies, name="Compra")
    volunteer = client.as_(make.person(tenant, communities=[fuxing]))
    assert [t["id"] for t in volunteer.get("/api/v1/teams").json] == [ours]
    assert volunteer.get(f"/api/v1/teams/{theirs}").status_code == 404
    assert (
        volunteer.post("/api/v1/teams", json={"community_id": fuxing, "name": "Mine"}).status_code
        == 403
    )
