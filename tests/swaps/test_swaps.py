"""Swaps and cover through HTTP: fairest-first candidates, approval, swap, decline (item 4)."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from service.core.db import db
from service.core.outbox import OutboxEvent
from service.core.time import utcnow
from tests.factories import Factory
from tests.services import scratch_postgres_database


def _team_with_patrols(make, size=5):
    tenant = make.tenant()
    community = make.community(tenant)
    people = [make.person(tenant, communities=[community]) for _ in range(size)]
    team = make.team(tenant, community, people)
    start = (utcnow() + timedelta(days=2)).replace(hour=12, minute=0, second=0, microsecond=0)
    events = [
        make.event(
            tenant,
            community,
            starts_at=start + timedelta(days=n),
            team_id=team,
            positions=[{"name": "Patroller", "min_people": 2, "max_people": 2}],
        )
        for n in range(3)
    ]
    return tenant, people, team, events


def _assign(admin, event, person, confirmed=True):
    answer = admin.post(
        "/api/v1/assignments",
        json={
            "position_id": event.position_id,
            "volunteer_id": person.volunteer_id,
            "confirmed": confirmed,
        },
    )
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def _topics(app, organization_id, topic):
    with app.app_context():
        return [
            payload
            for (payload,) in db.session.execute(
                sa.select(OutboxEvent.payload)
                .where(OutboxEvent.organization_id == organization_id, OutboxEvent.topic == topic)
                .order_by(OutboxEvent.id)
            )
        ]


def test_a_cover_goes_to_the_first_eligible_volunteer_to_accept_fairest_first(app, client, make):
    tenant, people, _team, events = _team_with_patrols(make)
    admin = client.as_(tenant.admin)
    a, b, c, d, e = people
    offered = _assign(admin, events[0], a)
    _assign(admin, events[0], b)
    _assign(admin, events[1], d)  # d holds more this month than c
    _assign(admin, events[1], b)
    client.as_(tenant.admin).put(  # e is never free on the patrol's weekday
        f"/api/v1/volunteers/{e.volunteer_id}/availability",
        json={
            "windows": [
                {
                    "weekday": (utcnow() + timedelta(days=9)).weekday(),
                    "start": "00:00",
                    "end": "01:00",
                }
            ]
        },
    )
    offer = client.as_(a).post(
        f"/api/v1/assignments/{offered}/offers", json={"kind": "cover", "message": "Sick child"}
    )
    assert offer.status_code == 201, offer.json
    assert [x["volunteer_id"] for x in offer.json["candidates"]] == [c.volunteer_id, d.volunteer_id]
    assert offer.json["status"] == "open"
    notified = _topics(app, tenant.organization_id, "swap.offered")
    assert notified[-1]["candidate_ids"] == [c.volunteer_id, d.volunteer_id]
    twice = client.as_(a).post(f"/api/v1/assignments/{offered}/offers", json={})
    assert twice.status_code == 409 and twice.json["reason"] == "already_offered"

    # The offer is visible to candidates, not to others.
    assert [o["id"] for o in client.as_(d).get("/api/v1/swap-offers").json] == [offer.json["id"]]
    assert client.as_(e).get(f"/api/v1/swap-offers/{offer.json['id']}").status_code == 404
    refused = client.as_(e).post(f"/api/v1/swap-offers/{offer.json['id']}/accept", json={})
    assert refused.status_code == 404

    taken = client.as_(d).post(f"/api/v1/swap-offers/{offer.json['id']}/accept", json={})
    assert taken.status_code == 200, taken.json
    assert taken.json["status"] == "taken" and taken.json["taken_by_volunteer_id"] == d.volunteer_id
    late = client.as_(c).post(f"/api/v1/swap-offers/{offer.json['id']}/accept", json={})
    assert late.status_code == 409 and late.json["reason"] == "offer_taken"
    assert admin.get(f"/api/v1/assignments/{offered}").json["status"] == "cancelled"
    new = admin.get(f"/api/v1/assignments/{taken.json['new_assignment_id']}").json
    assert (new["volunteer_id"], new["status"], new["event_id"]) == (
        d.volunteer_id,
        "confirmed",
        events[0].id,
    )
    assert [
        p["assignment_id"] for p in _topics(app, tenant.organization_id, "assignment.cancelled")
    ][-1] == offered
    assert _topics(app, tenant.organization_id, "swap.taken")[-1]["new_assignment_id"] == new["id"]


def test_a_team_that_asks_for_approval_gets_it_and_a_swap_exchanges_places(app, client, make):
    tenant, people, team, events = _team_with_patrols(make, size=4)
    admin = client.as_(tenant.admin)
    a, b, c, d = people
    settings = admin.put(
        f"/api/v1/teams/{team}/rotation-settings", json={"swaps_need_approval": True}
    )
    assert settings.status_code == 200 and settings.json["swaps_need_approval"] is True
    mine = _assign(admin, events[0], a)
    _assign(admin, events[0], b)
    theirs = _assign(admin, events[2], c)
    offer = client.as_(a).post(f"/api/v1/assignments/{mine}/offers", json={"kind": "swap"}).json
    assert c.volunteer_id in [x["volunteer_id"] for x in offer["candidates"]]
    missing = client.as_(c).post(f"/api/v1/swap-offers/{offer['id']}/accept", json={})
    assert missing.status_code == 422
    claimed = client.as_(c).post(
        f"/api/v1/swap-offers/{offer['id']}/accept", json={"exchange_assignment_id": theirs}
    )
    assert claimed.status_code == 200, claimed.json
    assert claimed.json["status"] == "needs_approval"
    assert admin.get(f"/api/v1/assignments/{mine}").json["status"] == "confirmed"  # not yet
    other = client.as_(d).post(f"/api/v1/swap-offers/{offer['id']}/accept", json={})
    assert other.status_code == 409 and other.json["reason"] == "offer_taken"
    assert client.as_(a).post(f"/api/v1/swap-offers/{offer['id']}/approve").status_code == 403
    approved = admin.post(f"/api/v1/swap-offers/{offer['id']}/approve")
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "taken"
    a_places = client.as_(a).get("/api/v1/me/assignments").json
    c_places = client.as_(c).get("/api/v1/me/assignments").json
    assert {(p["event_id"], p["status"]) for p in a_places} == {
        (events[0].id, "cancelled"),
        (events[2].id, "confirmed"),
    }
    assert {(p["event_id"], p["status"]) for p in c_places} == {
        (events[2].id, "cancelled"),
        (events[0].id, "confirmed"),
    }
    assert _topics(app, tenant.organization_id, "swap.approval_requested")


def test_declining_offers_the_place_to_eligible_colleagues(app, client, make):
    tenant, people, _team, events = _team_with_patrols(make, size=4)
    admin = client.as_(tenant.admin)
    pending = _assign(admin, events[1], people[0], confirmed=False)
    declined = client.as_(people[0]).post(f"/api/v1/assignments/{pending}/decline", json={})
    assert declined.status_code == 200 and declined.json["status"] == "declined"
    offers = admin.get("/api/v1/swap-offers").json
    assert len(offers) == 1 and offers[0]["kind"] == "open_place"
    assert people[0].volunteer_id not in [x["volunteer_id"] for x in offers[0]["candidates"]]
    assert len(offers[0]["candidates"]) == 3
    taken = client.as_(people[2]).post(f"/api/v1/swap-offers/{offers[0]['id']}/accept", json={})
    assert taken.status_code == 200, taken.json
    places = admin.get("/api/v1/assignments", query_string={"event_id": events[1].id}).json
    assert {(p["volunteer_id"], p["status"]) for p in places} == {
        (people[0].volunteer_id, "declined"),
        (people[2].volunteer_id, "confirmed"),
    }


def test_two_volunteers_accepting_at_the_same_moment_one_wins(tmp_path):
    """Real threads, real PostgreSQL: the offer row lock lets exactly one through."""
    from tests.api_client import ApiClient
    from tests.conftest import build_app

    with scratch_postgres_database() as url:
        app = build_app(url, tmp_path)
        try:
            make = Factory(app)
            tenant, people, _team, events = _team_with_patrols(make, size=4)
            admin = ApiClient(app.test_client(), tenant.admin.token)
            offered = _assign(admin, events[0], people[0])
            _assign(admin, events[0], people[1])
            offer = ApiClient(app.test_client(), people[0].token).post(
                f"/api/v1/assignments/{offered}/offers", json={"kind": "cover"}
            )
            assert offer.status_code == 201, offer.json
            takers = [people[2], people[3]]
            assert {x["volunteer_id"] for x in offer.json["candidates"]} == {
                p.volunteer_id for p in takers
            }
            barrier = threading.Barrier(len(takers))
            answers = {}

            def accept(person):
                api = ApiClient(app.test_client(), person.token)
                barrier.wait()
                answers[person.volunteer_id] = api.post(
                    f"/api/v1/swap-offers/{offer.json['id']}/accept", json={}
                )

            threads = [threading.Thread(target=accept, args=(p,)) for p in takers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            statuses = sorted(answer.status_code for answer in answers.values())
            assert statuses == [200, 409], {k: v.json for k, v in answers.items()}
            loser = next(a for a in answers.values() if a.status_code == 409)
            assert loser.json["reason"] == "offer_taken"
            winner = next(v for v, a in answers.items() if a.status_code == 200)
            with app.app_context():
                from service.assignments.models import Assignment

                holders = (
                    db.session.execute(
                        sa.select(Assignment.volunteer_id).where(
                            Assignment.event_id == events[0].id,
                            Assignment.status.in_(["pending", "confirmed"]),
                        )
                    )
                    .scalars()
                    .all()
                )
                taken = db.session.scalars(
                    sa.select(OutboxEvent.payload).where(OutboxEvent.topic == "swap.taken")
                ).all()
            assert sorted(holders) == sorted([people[1].volunteer_id, winner])
            assert [p["taken_by_volunteer_id"] for p in taken] == [winner]
        finally:
            with app.app_context():
                db.engine.dispose()


def test_a_declined_place_filled_meanwhile_is_not_overfilled(client, make):
    tenant, people, _team, events = _team_with_patrols(make, size=4)
    admin = client.as_(tenant.admin)
    _assign(admin, events[1], people[1])
    pending = _assign(admin, events[1], people[0], confirmed=False)
    assert (
        client.as_(people[0]).post(f"/api/v1/assignments/{pending}/decline", json={}).status_code
        == 200
    )
    offer = admin.get("/api/v1/swap-offers").json[0]
    signed = client.as_(people[3]).post(
        f"/api/v1/events/{events[1].id}/signups", json={"position_id": events[1].position_id}
    )
    assert signed.status_code == 201 and signed.json["status"] == "confirmed"
    late = client.as_(people[2]).post(f"/api/v1/swap-offers/{offer['id']}/accept", json={})
    assert late.status_code == 409 and late.json["reason"] == "offer_taken"
    position = admin.get(f"/api/v1/events/{events[1].id}").json["positions"][0]
    assert (position["filled"], position["max_people"]) == (2, 2)
