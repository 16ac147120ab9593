"""API tokens and the current user."""

from __future__ import annotations

import sqlalchemy as sa

from service.accounts.models import ApiToken, User
from service.core.auth import Role
from service.core.db import db

PASSWORD = "a long enough password"


def test_password_exchanges_for_a_token_stored_only_as_a_digest(app, client, make):
    tenant = make.tenant()
    volunteer = make.person(tenant, password=PASSWORD, name="李明")
    issued = client.post(
        "/api/v1/tokens",
        json={"email": volunteer.email.upper(), "password": PASSWORD, "name": "phone"},
    )
    assert issued.status_code == 201, issued.json
    token = issued.json["token"]
    assert token.startswith("rnd_") and len(token) > 40
    assert issued.json["prefix"] == token[:8]
    with app.app_context():
        stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
        user = db.session.scalar(sa.select(User).where(User.id == volunteer.user_id))
        assert token not in stored and all(len(digest) == 64 for digest in stored)
        assert user.password_hash.startswith("$argon2")
    me = client.as_(token).get("/api/v1/me")
    assert me.status_code == 200
    assert (me.json["name"], me.json["role"], me.json["organization"]["id"]) == (
        "李明",
        "volunteer",
        tenant.organization_id,
    )
    listed = client.as_(token).get("/api/v1/tokens").json
    assert {"phone", "tests"} <= {t["name"] for t in listed}
    assert all("token" not in t for t in listed)
    phone_token = next(t for t in listed if t["name"] == "phone")
    assert phone_token["last_used_at"] is not None


def test_wrong_credentials_get_one_answer_for_every_case(client, make):
    tenant = make.tenant()
    volunteer = make.person(tenant, password=PASSWORD)
    for email, password in ((volunteer.email, "wrong password!"), ("nobody@example.org", PASSWORD)):
        answer = client.post("/api/v1/tokens", json={"email": email, "password": password})
        assert answer.status_code == 401
        assert answer.json["detail"] == "Wrong e-mail address or password."


def test_revoked_and_expired_tokens_stop_working(app, client, make):
    tenant = make.tenant()
    volunteer = make.person(tenant, password=PASSWORD)
    token = client.post(
        "/api/v1/tokens", json={"email": volunteer.email, "password": PASSWORD}
    ).json
    api = client.as_(token["token"])
    assert api.delete(f"/api/v1/tokens/{token['id']}").status_code == 204
    assert api.get("/api/v1/me").status_code == 401
    short = client.post(
        "/api/v1/tokens",
        json={"email": volunteer.email, "password": PASSWORD, "expires_in_days": 1},
    ).json
    with app.app_context():
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == short["id"]).values(expires_at=_past())
        )
        db.session.commit()
    assert client.as_(short["token"]).get("/api/v1/me").status_code == 401


def _past():
    from datetime import timedelta

    from service.core.time import utcnow

    return utcnow() - timedelta(minutes=1)


def test_someone_elses_token_cannot_be_revoked_except_by_an_admin(client, make):
    tenant = make.tenant()
    first = make.person(tenant, password=PASSWORD)
    second = make.person(tenant)
    token = client.post("/api/v1/tokens", json={"email": first.email, "password": PASSWORD}).json
    assert client.as_(second).delete(f"/api/v1/tokens/{token['id']}").status_code == 404
    assert client.as_(first).get("/api/v1/me").status_code == 200
    assert client.as_(tenant.admin).delete(f"/api/v1/tokens/{token['id']}").status_code == 204
    assert client.as_(token["token"]).get("/api/v1/me").status_code == 401


def test_several_organizations_choose_one(client, make):
    first, second = make.tenant(), make.tenant()
    person = make.person(first, password=PASSWORD)
    admin = client.as_(second.admin)
    added = admin.post(
        "/api/v1/members", json={"email": person.email, "name": "ignored", "role": "coordinator"}
    )
    assert added.status_code == 201
    assert added.json["name"] != "ignored"  # an existing account keeps its own name
    ambiguous = client.post("/api/v1/tokens", json={"email": person.email, "password": PASSWORD})
    assert ambiguous.status_code == 422 and "organization_id" in ambiguous.json["errors"]
    chosen = client.post(
        "/api/v1/tokens",
        json={
            "email": person.email,
            "password": PASSWORD,
            "organization_id": second.organization_id,
        },
    )
    me = client.as_(chosen.json["token"]).get("/api/v1/me").json
    assert (me["organization"]["id"], me["role"]) == (
        second.organization_id,
        Role.COORDINATOR.value,
    )


def test_me_updates_with_if_match_and_password_change_needs_the_current_one(client, make):
    tenant = make.tenant()
    person = make.person(tenant, password=PASSWORD)
    api = client.as_(person)
    etag = api.get("/api/v1/me").headers["ETag"]
    changed = api.patch(
        "/api/v1/me",
        json={"locale": "zh-CN", "timezone": "Asia/Shanghai"},
        headers={"If-Match": etag},
    )
    assert changed.status_code == 200
    assert (changed.json["locale"], changed.json["timezone"]) == ("zh", "Asia/Shanghai")
    assert (
        api.patch("/api/v1/me", json={"name": "x"}, headers={"If-Match": etag}).status_code == 412
    )
    refused = api.patch("/api/v1/me", json={"password": "another long password"})
    assert refused.status_code == 422 and "current_password" in refused.json["errors"]
    too_short = api.patch("/api/v1/me", json={"password": "short", "current_password": PASSWORD})
    assert too_short.status_code == 422 and "password" in too_short.json["errors"]
    assert (
        api.patch(
            "/api/v1/me", json={"password": "another long password", "current_password": PASSWORD}
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/api/v1/tokens", json={"email": person.email, "password": PASSWORD}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/tokens", json={"email": person.email, "password": "another long password"}
        ).status_code
        == 201
    )


def test_password_guessing_is_slowed_per_account_and_per_address(client, make):
    tenant = make.tenant()
    person = make.person(tenant, password=PASSWORD)
    for n in range(10):
        wrong = client.post(
            "/api/v1/tokens",
            json={"email": person.email, "password": "nope!"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
        )
        assert wrong.status_code == 401
    paused = client.post(
        "/api/v1/tokens",
        json={"email": person.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.200"},
    )
    assert paused.status_code == 429 and "Retry-After" in paused.headers
    other = make.person(tenant, password=PASSWORD)
    assert (
        client.post(
            "/api/v1/tokens",
            json={"email": other.email, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "198.51.100.200"},
        ).status_code
        == 201
    )
