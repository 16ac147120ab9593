"""A request from triage to the visit's outcome, anonymisation, and the reports that remain."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from service.core.auth import Role
from service.core.db import db
from service.core.outbox import OutboxEvent
from service.core.time import utcnow
from service.residents.models import ContactAccess, Resident


def _topics(app, request_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(OutboxEvent.topic)
            .where(OutboxEvent.subject_type == "help_request", OutboxEvent.subject_id == request_id)
            .order_by(OutboxEvent.id)
        ).all()


def _phoned_in(api, community, **extra):
    body = {
        "community_id": community,
        "category": "groceries",
        "name": "Carmen López",
        "phone": "+34 611 222 333",
        "address": "Calle de Embajadores 41, 3ºB",
        "language": "es",
        **extra,
    }
    answer = api.post("/api/v1/help-requests", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def test_triage_accept_ask_decline_and_merge(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant, timezone="Europe/Madrid", locale="es")
    coordinator = client.as_(make.person(tenant, Role.COORDINATOR, communities=[community]))
    first = _phoned_in(coordinator, community)
    asked = coordinator.post(
        f"/api/v1/help-requests/{first}/ask", json={"question": "¿Qué día le viene mejor?"}
    )
    assert (asked.json["status"], asked.json["status_note"]) == (
        "needs_details",
        "¿Qué día le viene mejor?",
    )
    accepted = coordinator.post(f"/api/v1/help-requests/{first}/accept")
    assert (accepted.json["status"], accepted.json["status_note"]) == ("accepted", None)
    duplicate = _phoned_in(coordinator, community, details="Leche y pan")
    merged = coordinator.post(f"/api/v1/help-requests/{duplicate}/merge", json={"into_id": first})
    assert (merged.json["status"], merged.json["merged_into_id"]) == ("merged", first)
    assert "Leche y pan" in coordinator.get(f"/api/v1/help-requests/{first}").json["details"]
    third = _phoned_in(coordinator, community, category="repair")
    declined = coordinator.post(
        f"/api/v1/help-requests/{third}/decline", json={"reason": "No tenemos fontaneros."}
    )
    assert declined.json["status"] == "declined"
    again = coordinator.post(f"/api/v1/help-requests/{third}/accept")
    assert again.status_code == 409 and again.json["reason"] == "invalid_state"
    listed = coordinator.get("/api/v1/help-requests?status=accepted&category=groceries").json
    assert [r["id"] for r in listed] == [first]
    assert _topics(app, first) == [
        "help_request.received",
        "help_request.details_requested",
        "help_request.accepted",
    ]


def test_scheduled_visit_accepted_done_and_a_worry_reaches_coordinators(app, client, make):
    tenant = make.tenant()
    make.skill(tenant, "driver")
    community = make.community(tenant, timezone="Europe/Madrid", locale="es")
    coordinator = client.as_(make.person(tenant, Role.COORDINATOR, communities=[community]))
    volunteer = make.person(tenant, communities=[community], languages=["es"], name="Lucía Gil")
    request_id = _phoned_in(coordinator, community, urgency="high")
    starts = (utcnow() + timedelta(hours=6)).replace(microsecond=0)
    scheduled = coordinator.post(
        f"/api/v1/help-requests/{request_id}/schedule",
        json={
            "volunteer_id": volunteer.volunteer_id,
            "starts_at": starts.isoformat(),
            "note": "Bring the shopping trolley.",
        },
    )
    assert scheduled.status_code == 200, scheduled.json
    assert scheduled.json["status"] == "scheduled"
    mine = client.as_(volunteer).get("/api/v1/me/assignments").json
    assert len(mine) == 1 and (mine[0]["status"], mine[0]["source"]) == ("pending", "request")
    assert mine[0]["event"]["id"] == scheduled.json["event_id"]
    assert (
        client.as_(volunteer).post(f"/api/v1/assignments/{mine[0]['id']}/accept").json["status"]
        == "confirmed"
    )
    twice = coordinator.post(
        f"/api/v1/help-requests/{request_id}/schedule",
        json={"volunteer_id": volunteer.volunteer_id, "starts_at": starts.isoformat()},
    )
    assert twice.status_code == 409

    reported = client.as_(volunteer).post(
        f"/api/v1/help-requests/{request_id}/outcome",
        json={
            "outcome": "needs_follow_up",
            "concern": "health",
            "note": "Le cuesta respirar; avisé a su hija.",
        },
    )
    assert reported.status_code == 200, reported.json
    assert reported.json["status"] == "follow_up"
    assert reported.json["outcomes"][0]["concern"] == "health"
    done = client.as_(volunteer).post(
        f"/api/v1/help-requests/{request_id}/outcome", json={"outcome": "done"}
    )
    assert done.json["status"] == "done"
    assert _topics(app, request_id) == [
        "help_request.received",
        "help_request.scheduled",
        "help_request.follow_up",
        "help_request.concern_raised",
        "help_request.done",
    ]
    stranger = make.person(tenant, communities=[community])
    assert (
        client.as_(stranger)
        .post(f"/api/v1/help-requests/{request_id}/outcome", json={"outcome": "done"})
        .status_code
        == 403
    )


def test_recurring_requests_wait_for_a_series(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    volunteer = make.person(tenant, communities=[community])
    coordinator = client.as_(tenant.admin)
    request_id = _phoned_in(coordinator, community, recurrence="weekly")
    answer = coordinator.post(
        f"/api/v1/help-requests/{request_id}/schedule",
        json={
            "volunteer_id": volunteer.volunteer_id,
            "starts_at": (utcnow() + timedelta(days=2)).isoformat(),
        },
    )
    assert answer.status_code == 409 and answer.json["reason"] == "recurring_request"


def test_anonymising_removes_contact_data_everywhere_and_keeps_the_counts(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant, timezone="Europe/Madrid", locale="es")
    admin = client.as_(tenant.admin)
    volunteer = make.person(tenant, communities=[community])
    done_id = _phoned_in(admin, community, category="visit")
    starts = (utcnow() + timedelta(hours=3)).replace(microsecond=0)
    admin.post(
        f"/api/v1/help-requests/{done_id}/schedule",
        json={"volunteer_id": volunteer.volunteer_id, "starts_at": starts.isoformat()},
    )
    admin.post(
        f"/api/v1/help-requests/{done_id}/outcome",
        json={"outcome": "done", "note": "Carmen was cheerful."},
    )
    resident_id = admin.get(f"/api/v1/help-requests/{done_id}").json["resident"]["id"]
    again = admin.post(
        "/api/v1/help-requests",
        json={"community_id": community, "category": "ride", "resident_id": resident_id},
    )
    assert again.status_code == 201, again.json
    open_id = again.json["id"]
    before = admin.get("/api/v1/reports/help-requests").json
    assert (before["total"], before["residents"], before["by_category"]) == (
        2,
        1,
        {"visit": 1, "ride": 1},
    )

    gone = admin.post(f"/api/v1/residents/{resident_id}/anonymise")
    assert gone.status_code == 200 and gone.json["anonymised"] is True
    assert admin.get(f"/api/v1/help-requests/{open_id}").json["status"] == "cancelled"
    everything = "".join(
        admin.get(path).get_data(as_text=True)
        for path in (
            f"/api/v1/residents/{resident_id}",
            f"/api/v1/help-requests/{done_id}",
            f"/api/v1/help-requests/{open_id}",
            "/api/v1/help-requests",
            "/api/v1/residents",
            f"/api/v1/events/{admin.get(f'/api/v1/help-requests/{done_id}').json['event_id']}",
        )
    )
    for trace in ("Carmen", "611", "Embajadores", "cheerful"):
        assert trace not in everything
    with app.app_context():
        resident = db.session.get(Resident, resident_id)
        assert (resident.phone, resident.address, resident.phone_normalized) == (None,) * 3
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactAccess)) >= 1
    after = admin.get("/api/v1/reports/help-requests").json
    assert (after["total"], after["residents"], after["anonymised_residents"]) == (2, 1, 1)
    assert after["by_category"] == before["by_category"]
    assert after["visits"] == {"done": 1}
    assert (
        admin.patch(
            f"/api/v1/residents/{resident_id}", json={"phone": "+34 600 000 000"}
        ).status_code
        == 409
    )


def test_volunteer_load_report_counts_hours_against_limits(client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    busy = make.person(
        tenant, communities=[community], name="Busy", limits={"max_hours_per_month": 3}
    )
    make.person(tenant, communities=[community], name="Idle")
    base = (utcnow() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    month = base.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    for hours in (0, 3):
        event = make.event(tenant, community, starts_at=base + timedelta(hours=hours), hours=2)
        client.as_(tenant.admin).post(
            "/api/v1/assignments",
            json={
                "position_id": event.position_id,
                "volunteer_id": busy.volunteer_id,
                "override": True,
                "override_reason": "Only one who could",
                "confirmed": True,
            },
        )
    report = client.as_(tenant.admin).get(f"/api/v1/reports/volunteer-load?month={month}").json
    by_name = {row["name"]: row for row in report}
    assert (
        by_name["Busy"]["assignments"],
        by_name["Busy"]["hours"],
        by_name["Busy"]["over_limit"],
    ) == (2, 4.0, True)
    assert (by_name["Idle"]["assignments"], by_name["Idle"]["over_limit"]) == (0, False)
