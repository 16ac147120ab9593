"""Ranking volunteers for a request, and saying why."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.core.auth import Role
from service.core.time import utcnow
from service.residents.matching import Candidate, rank
from service.residents.privacy import short_name


def _candidate(volunteer_id, **facts):
    base = {
        "name": f"V{volunteer_id}",
        "skills": frozenset(),
        "languages": frozenset(),
        "community_ids": frozenset({1}),
        "free_at_preferred_time": None,
        "recent_load": 0,
        "load_allowance": None,
        "in_care_circle": False,
        "past_visits_to_resident": 0,
    }
    return Candidate(volunteer_id=volunteer_id, **{**base, **facts})


def test_continuity_and_language_outweigh_a_lighter_load():
    familiar = _candidate(
        1,
        languages=frozenset({"es"}),
        in_care_circle=True,
        recent_load=6,
        past_visits_to_resident=3,
    )
    stranger = _candidate(2, languages=frozenset({"en"}), recent_load=0)
    ranked = rank([stranger, familiar], category="visit", resident_language="es", community_id=1)
    assert [m.volunteer_id for m in ranked] == [1, 2]
    reasons = {r.factor: r for r in ranked[0].reasons if r.factor != "continuity"}
    assert reasons["language"].points > 0
    assert sum(r.points for r in ranked[0].reasons if r.factor == "continuity") == 50
    assert ranked[0].score == sum(r.points for r in ranked[0].reasons)


def test_a_required_skill_and_broken_rules_make_a_candidate_ineligible():
    walker = _candidate(1, languages=frozenset({"zh"}))
    tired = _candidate(2, skills=frozenset({"driver"}), blockers=("More than 2 a week.",))
    driver = _candidate(3, skills=frozenset({"driver"}))
    ranked = rank([walker, tired, driver], category="ride", resident_language="zh", community_id=1)
    assert [(m.volunteer_id, m.eligible) for m in ranked] == [(3, True), (2, False), (1, False)]
    assert "More than 2 a week." in [r.detail for r in ranked[1].reasons]
    assert "does not have the skill driver" in [r.detail for r in ranked[2].reasons]


def test_short_names_show_a_first_or_given_name_only():
    assert short_name("Carmen López García") == "Carmen"
    assert short_name("王秀英") == "秀英"
    assert short_name("李明") == "李明"
    assert short_name("  ") == ""


def test_a_free_chinese_speaking_driver_of_the_community_ranks_first(client, make):
    tenant = make.tenant()
    make.skill(tenant, "driver")
    fuxing = make.community(tenant, name="Fuxing Garden")
    other = make.community(tenant, name="Hongda Yuan")
    best = make.person(
        tenant, communities=[fuxing], skills=["driver"], languages=["zh"], name="张伟"
    )
    busy = make.person(tenant, communities=[fuxing], skills=["driver"], languages=["zh"])
    spanish = make.person(tenant, communities=[fuxing], skills=["driver"], languages=["es"])
    walker = make.person(tenant, communities=[fuxing], languages=["zh"])
    far = make.person(tenant, communities=[other], skills=["driver"], languages=["zh"])
    shanghai = ZoneInfo("Asia/Shanghai")
    day = (utcnow().astimezone(shanghai) + timedelta(days=4)).date()
    clash = make.event(tenant, fuxing, starts_at=datetime.combine(day, time(9), shanghai))
    assert (
        client.as_(busy)
        .post(f"/api/v1/events/{clash.id}/signups", json={"position_id": clash.position_id})
        .status_code
        == 201
    )
    coordinator = client.as_(make.person(tenant, Role.COORDINATOR, communities=[fuxing]))
    submitted = coordinator.post(
        "/api/v1/help-requests",
        json={
            "community_id": fuxing,
            "category": "ride",
            "name": "王秀英",
            "language": "zh",
            "details": "去社区医院复诊",
            "preferred_date": day.isoformat(),
            "preferred_time_of_day": "morning",
        },
    )
    assert submitted.status_code == 201, submitted.json
    matches = coordinator.get(f"/api/v1/help-requests/{submitted.json['id']}/matches")
    assert matches.status_code == 200
    order = [m["volunteer_id"] for m in matches.json]
    assert order[0] == best.volunteer_id
    first = matches.json[0]
    assert first["eligible"] and first["name"] == "张伟"
    details = " / ".join(r["detail"] for r in first["reasons"])
    for why in (
        "has the skill driver",
        "speaks the resident's language (zh)",
        "volunteers in this community",
        "is free at the preferred time",
    ):
        assert why in details
    assert order.index(best.volunteer_id) < order.index(busy.volunteer_id)
    assert order.index(best.volunteer_id) < order.index(spanish.volunteer_id)
    assert order.index(best.volunteer_id) < order.index(far.volunteer_id)
    by_id = {m["volunteer_id"]: m for m in matches.json}
    assert by_id[walker.volunteer_id]["eligible"] is False
    assert "is busy at the preferred time" in [
        r["detail"] for r in by_id[busy.volunteer_id]["reasons"]
    ]
