"""Residents ask for help without an account; the form is guarded without a captcha."""

from __future__ import annotations

import re

import sqlalchemy as sa

from service.core.auth import Role
from service.core.db import db
from service.core.outbox import OutboxEvent
from service.residents.models import HelpRequest, Resident


def _form(community_id, **changes):
    return {
        "community_id": community_id,
        "category": "groceries",
        "name": "王秀英",
        "phone": "+86 138 1234 5678",
        "address": "复兴花园 3号楼 502",
        "language": "zh-CN",
        "details": "每周六买菜",
        "recurrence": "weekly",
        "preferred_weekdays": [5],
        "preferred_time_of_day": "morning",
        "consent": True,
        **changes,
    }


def _post(client, body, address="127.0.0.1"):
    return client.as_(None).post(
        "/api/v1/help-requests", json=body, environ_base={"REMOTE_ADDR": address}
    )


def test_an_anonymous_request_in_chinese_gets_a_reference_and_a_status_link(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant, name="复兴花园", locale="zh")
    answer = _post(client, _form(community))
    assert answer.status_code == 201, answer.json
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", answer.json["reference"])
    assert answer.json["status"] == "received" and answer.json["language"] == "zh"
    assert "id" not in answer.json  # the public answer names no internal id
    link = answer.json["status_url"]
    assert link.startswith("http://rounds.test/r/")
    status = client.as_(None).get(f"/api/v1/help-requests/status/{link.rsplit('/', 1)[1]}")
    assert status.status_code == 200
    assert status.json["reference"] == answer.json["reference"]
    assert (status.json["status"], status.json["resident"]) == ("received", "秀英")
    text = status.get_data(as_text=True)
    assert "1234" not in text and "502" not in text and "王秀英" not in text
    with app.app_context():
        resident = db.session.scalar(sa.select(Resident))
        assert (resident.consent_method, resident.language) == ("web", "zh")
        assert resident.phone_normalized == "+8613812345678"
        topics = db.session.scalars(
            sa.select(OutboxEvent.topic).where(OutboxEvent.subject_type == "help_request")
        ).all()
        assert topics == ["help_request.received"]
        payload = db.session.scalar(
            sa.select(OutboxEvent.payload).where(OutboxEvent.subject_type == "help_request")
        )
        assert "phone" not in str(payload) and "address" not in str(payload)


def test_a_forged_status_link_finds_nothing(client, make):
    answer = client.as_(None).get("/api/v1/help-requests/status/not-a-signed-token")
    assert answer.status_code == 404
    assert "community office" in answer.json["detail"]


def test_the_21st_request_from_one_phone_within_an_hour_is_refused(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    for n in range(20):  # twenty different client addresses, one phone
        assert _post(client, _form(community), f"10.0.0.{n + 1}").status_code == 201
    refused = _post(client, _form(community), "10.0.1.1")
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert "Retry-After" in refused.headers
    other_phone = _post(client, _form(community, phone="+86 139 0000 0000"), "10.0.1.1")
    assert other_phone.status_code == 201
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(HelpRequest)) == 21


def test_one_address_is_limited_too_but_coordinators_are_not(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    for n in range(20):
        assert (
            _post(client, _form(community, phone=f"+34 611 000 {n:03d}"), "192.0.2.7").status_code
            == 201
        )
    assert _post(client, _form(community, phone="+34 611 999 999"), "192.0.2.7").status_code == 429
    assert _post(client, _form(community, phone=None), "192.0.2.7").status_code == 429
    coordinator = make.person(tenant, Role.COORDINATOR, communities=[community])
    phoned_in = _form(community)
    del phoned_in["consent"]  # the coordinator records how the resident agreed instead
    for _ in range(3):
        phoned = client.as_(coordinator).post(
            "/api/v1/help-requests", json=phoned_in, environ_base={"REMOTE_ADDR": "192.0.2.7"}
        )
        assert phoned.status_code == 201, phoned.json
        assert phoned.json["id"]


def test_refused_forms_change_nothing_and_say_why(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    robot = _post(client, _form(community, website="http://spam.example"))
    assert robot.status_code == 400 and "call" in robot.json["detail"]
    no_consent = _post(client, _form(community, consent=False))
    assert no_consent.status_code == 422 and "consent" in no_consent.json["errors"]
    bad = _post(client, _form(community, phone="12", category="teleport", name=""))
    assert bad.status_code == 422
    assert {"phone", "category", "name"} <= set(bad.json["errors"])
    nowhere = _post(client, _form(999999))
    assert nowhere.status_code == 422 and "community_id" in nowhere.json["errors"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Resident)) == 0


def test_a_returning_phone_is_the_same_resident_whose_record_the_form_cannot_change(
    app, client, make
):
    tenant = make.tenant()
    community = make.community(tenant)
    _post(client, _form(community))
    again = _post(
        client,
        _form(
            community,
            name="Someone Else",
            address="Elsewhere 1",
            category="ride",
            phone="0086 138-1234-5678",
        ),
    )
    assert again.status_code == 201
    with app.app_context():
        residents = db.session.scalars(sa.select(Resident)).all()
        assert len(residents) == 1 and residents[0].address == "复兴花园 3号楼 502"
        latest = db.session.scalars(sa.select(HelpRequest).order_by(HelpRequest.id)).all()[-1]
        assert "Address given: Elsewhere 1" in latest.details
        assert latest.resident_id == residents[0].id


def test_residents_withdraw_their_request_through_the_link(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    link = _post(client, _form(community)).json["status_url"]
    token = link.rsplit("/", 1)[1]
    cancelled = client.as_(None).post(f"/api/v1/help-requests/status/{token}/cancel")
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert (
        client.as_(None).post(f"/api/v1/help-requests/status/{token}/cancel").json["status"]
        == "cancelled"
    )
