"""Event series through HTTP: DST-proof expansion, exceptions, edits, validation (item 1)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from service.assignments.models import Assignment
from service.core.db import db
from service.core.outbox import OutboxEvent
from service.core.time import utcnow
from service.series.operations import extend_series_horizons

MADRID = ZoneInfo("Europe/Madrid")


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def _next_october_change() -> date:
    today = utcnow().date()
    year = today.year
    while _last_sunday(year, 10) - timedelta(days=10) <= today:
        year += 1
    return _last_sunday(year, 10)


def _patrol_type(api) -> int:
    return next(t["id"] for t in api.get("/api/v1/activity-types").json if t["key"] == "patrol")


def _series(api, community_id, **overrides):
    october = _next_october_change()
    body = {
        "community_id": community_id,
        "activity_type_id": _patrol_type(api),
        "title": "Ronda nocturna",
        "starts_at": datetime.combine(october - timedelta(days=5), time(20), MADRID).isoformat(),
        "duration_minutes": 120,
        "rrule": "FREQ=DAILY",
        "horizon_days": 366,
        "positions": [{"name": "Patrulla", "min_people": 2, "max_people": 2}],
    }
    body.update(overrides)
    return api.post("/api/v1/series", json={k: v for k, v in body.items() if v is not None})


def _occurrences(api, series_id, start: date, days: int) -> list[dict]:
    answer = api.get(
        f"/api/v1/series/{series_id}/occurrences",
        query_string={
            "from": datetime.combine(start, time(0), MADRID).isoformat(),
            "to": datetime.combine(start + timedelta(days=days), time(0), MADRID).isoformat(),
            "page_size": 200,
        },
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def test_nightly_patrol_keeps_20_00_across_both_dst_changes_and_one_night_can_be_cancelled(
    app, client, make
):
    tenant = make.tenant()
    admin = client.as_(tenant.admin)
    community = make.community(tenant, "Lavapiés", timezone="Europe/Madrid", locale="es")
    created = _series(admin, community)
    assert created.status_code == 201, created.json
    series = created.json
    assert series["rrule"] == "FREQ=DAILY"
    assert series["starts_at"].endswith("T20:00:00+02:00")

    october = _next_october_change()
    march = _last_sunday(october.year + 1, 3)
    with app.app_context():
        # The scheduler extends the rolling horizon; run it as if months had passed.
        extend_series_horizons(datetime.combine(october, time(12), MADRID) + timedelta(days=60))
        db.session.commit()

    around_october = _occurrences(admin, series["id"], october - timedelta(days=2), 5)
    around_march = _occurrences(admin, series["id"], march - timedelta(days=2), 5)
    for night in (*around_october, *around_march):
        local = datetime.fromisoformat(night["starts_at"])
        assert local.astimezone(MADRID).time() == time(20), night["starts_at"]
        assert night["series_id"] == series["id"]
        assert night["recurrence_id"] == night["starts_at"]
    assert [n["starts_at"][-6:] for n in around_october] == ["+02:00"] * 2 + ["+01:00"] * 3
    assert [n["starts_at"][-6:] for n in around_march] == ["+01:00"] * 2 + ["+02:00"] * 3
    utc_hours = {
        datetime.fromisoformat(n["starts_at"]).utctimetuple().tm_hour for n in around_october
    }
    assert utc_hours == {18, 19}  # the instant moves, the local time does not

    # Two volunteers hold places on the night of the change and on the next one.
    skilled = [make.person(tenant, communities=[community]) for _ in range(2)]
    change_night, next_night = around_october[2], around_october[3]
    for night in (change_night, next_night):
        for person in skilled:
            assigned = admin.post(
                "/api/v1/assignments",
                json={
                    "position_id": night["positions"][0]["id"],
                    "volunteer_id": person.volunteer_id,
                    "confirmed": True,
                },
            )
            assert assigned.status_code == 201, assigned.json
    before = len(_occurrences(admin, series["id"], october - timedelta(days=5), 30))

    cancelled = admin.post(
        f"/api/v1/series/{series['id']}/occurrences/cancel",
        json={"occurrence": change_night["recurrence_id"], "reason": "Fiesta del barrio"},
    )
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["exdates"] == [change_night["recurrence_id"]]
    nights = _occurrences(admin, series["id"], october - timedelta(days=5), 30)
    assert len(nights) == before  # the event stays, cancelled, for the record
    statuses = {n["id"]: n["status"] for n in nights}
    assert statuses[change_night["id"]] == "cancelled"
    assert [i for i, s in statuses.items() if s == "cancelled"] == [change_night["id"]]
    with app.app_context():
        held = dict(
            db.session.execute(
                sa.select(Assignment.event_id, sa.func.count())
                .where(Assignment.status == "confirmed")
                .group_by(Assignment.event_id)
            ).all()
        )
    assert change_night["id"] not in held and held[next_night["id"]] == 2

    # Cancelling again changes nothing; the horizon extension never brings it back.
    again = admin.post(
        f"/api/v1/series/{series['id']}/occurrences/cancel",
        json={"occurrence": change_night["recurrence_id"]},
    )
    assert again.status_code == 200 and again.json["exdates"] == [change_night["recurrence_id"]]
    with app.app_context():
        assert extend_series_horizons(datetime.combine(october, time(12), MADRID)) == 0
        db.session.commit()

    not_one = admin.post(
        f"/api/v1/series/{series['id']}/occurrences/cancel",
        json={"occurrence": datetime.combine(october, time(21), MADRID).isoformat()},
    )
    assert not_one.status_code == 422
    assert "not the start of an occurrence" in not_one.json["errors"]["occurrence"][0]


def test_invalid_rules_are_refused_with_a_clear_message(client, make):
    tenant = make.tenant()
    admin = client.as_(tenant.admin)
    community = make.community(tenant, timezone="Europe/Madrid", locale="es")
    cases = {
        "rrule": ({"rrule": "FREQ=SOMETIMES"}, "is not a valid RFC 5545 rule"),
        "timezone": ({"timezone": "Europe/Atlantis"}, "is not an IANA time zone"),
        "ends_at": (
            {
                "duration_minutes": None,
                "ends_at": (datetime.now(MADRID) + timedelta(days=5)).isoformat(),
                "starts_at": (datetime.now(MADRID) + timedelta(days=6)).isoformat(),
            },
            "must end after it starts",
        ),
        "no occurrence": ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "no occurrence"),
        "too many": ({"rrule": "FREQ=HOURLY"}, "more than 3660 occurrences a year"),
        "overlap": ({"rrule": "FREQ=HOURLY;BYHOUR=20,21", "duration_minutes": 120}, "overlap"),
    }
    for name, (overrides, message) in cases.items():
        answer = _series(admin, community, **overrides)
        assert answer.status_code == 422, (name, answer.json)
        assert answer.headers["Content-Type"] == "application/problem+json"
        text = " ".join(m for messages in answer.json["errors"].values() for m in messages)
        assert message in text, (name, answer.json)
    assert admin.get("/api/v1/series").json == []


def test_edits_keep_assignments_when_the_time_stays_and_flag_them_when_it_moves(app, client, make):
    tenant = make.tenant()
    admin = client.as_(tenant.admin)
    community = make.community(tenant, timezone="Europe/Madrid", locale="es")
    start = datetime.combine(utcnow().date() + timedelta(days=3), time(20), MADRID)
    created = _series(
        admin, community, starts_at=start.isoformat(), rrule="FREQ=DAILY;COUNT=6", horizon_days=30
    )
    assert created.status_code == 201, created.json
    series_id = created.json["id"]
    nights = _occurrences(admin, series_id, start.date(), 10)
    assert len(nights) == 6
    people = [make.person(tenant, communities=[community]) for _ in range(2)]
    assignment_ids = []
    for night in nights:
        for person in people:
            answer = admin.post(
                "/api/v1/assignments",
                json={
                    "position_id": night["positions"][0]["id"],
                    "volunteer_id": person.volunteer_id,
                },
            )
            assert answer.status_code == 201, answer.json
            assignment_ids.append(answer.json["id"])

    # One occurrence edited on its own keeps its edit through series-wide edits.
    lone = admin.patch(f"/api/v1/events/{nights[1]['id']}", json={"location": "Plaza de Cascorro"})
    assert lone.status_code == 200 and lone.json["detached"] is True

    renamed = admin.patch(
        f"/api/v1/series/{series_id}",
        json={"title": "Ronda de tarde"},
        headers={"If-Match": f'"{created.json["version"]}"'},
    )
    assert renamed.status_code == 200, renamed.json
    nights = _occurrences(admin, series_id, start.date(), 10)
    # The occurrence edited on its own is left as it was edited.
    assert [n["title"] for n in nights] == ["Ronda de tarde", "Ronda nocturna"] + [
        "Ronda de tarde"
    ] * 4
    assert nights[1]["location"] == "Plaza de Cascorro"
    for assignment_id in assignment_ids:
        kept = admin.get(f"/api/v1/assignments/{assignment_id}").json
        assert kept["status"] == "pending" and kept["rescheduled_at"] is None

    stale = admin.patch(
        f"/api/v1/series/{series_id}",
        json={"title": "x"},
        headers={"If-Match": f'"{created.json["version"]}"'},
    )
    assert stale.status_code == 412

    # From the fourth night on, the patrol starts at 19:30: a new series carries it.
    moved = admin.patch(
        f"/api/v1/series/{series_id}",
        json={
            "scope": "following",
            "occurrence": nights[3]["recurrence_id"],
            "start_time": "19:30",
        },
    )
    assert moved.status_code == 200, moved.json
    following = moved.json
    assert following["parent_series_id"] == series_id
    assert following["rrule"] == "FREQ=DAILY;COUNT=3"
    assert following["starts_at"].endswith("T19:30:00" + following["starts_at"][-6:])
    old = admin.get(f"/api/v1/series/{series_id}").json
    assert "UNTIL=" in old["rrule"] and "COUNT" not in old["rrule"]
    early = _occurrences(admin, series_id, start.date(), 10)
    late = _occurrences(admin, following["id"], start.date(), 10)
    assert [n["id"] for n in early] == [n["id"] for n in nights[:3]]
    assert [n["id"] for n in late] == [n["id"] for n in nights[3:]]  # same events, moved
    assert {datetime.fromisoformat(n["starts_at"]).astimezone(MADRID).time() for n in late} == {
        time(19, 30)
    }
    for night in early + late:
        places = admin.get("/api/v1/assignments", query_string={"event_id": night["id"]}).json
        assert len(places) == 2 and {p["status"] for p in places} == {"pending"}
        flagged = {p["rescheduled_at"] is not None for p in places}
        assert flagged == ({True} if night in late else {False})
    with app.app_context():
        topics = [
            topic
            for (topic,) in db.session.execute(
                sa.select(OutboxEvent.topic).where(
                    OutboxEvent.organization_id == tenant.organization_id
                )
            )
        ]
    assert topics.count("event.rescheduled") == 3
    assert "series.split" in topics and topics.count("series.created") == 2
