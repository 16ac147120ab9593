"""A demo organization that a coordinator recognises: patrols, grocery runs, a clean-up day.

The nightly patrol and the weekly grocery run are series (recurring, materialised 90
days ahead); a few patrollers state availability, a holiday, trainee status and whom
they will not walk with, so a generated rotation has real rules to respect.

Loaded by ``rounds demo`` or ``rounds serve --demo``, once; later runs only hand
out a fresh administrator token. Everything goes through the domain operations,
exactly as the API would do it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask

from service.accounts.models import Organization
from service.accounts.operations import (
    actor_for_membership,
    add_member,
    create_organization,
    issue_token_for,
)
from service.activities.models import ActivityType, Event, EventStatus
from service.activities.operations import create_event
from service.assignments.operations import assign
from service.communities.models import Community
from service.communities.operations import create_community
from service.core.auth import Actor, Role
from service.core.db import db
from service.core.errors import ProblemError
from service.core.security import hash_password
from service.core.time import utcnow
from service.rotations.operations import update_team_settings
from service.series.operations import create_series
from service.teams.operations import add_team_member, create_team
from service.volunteers.operations import create_skill, set_availability, update_volunteer

DEMO_SLUG = "xinghai-demo"
DEMO_PASSWORD = "rounds-demo-2026"
DEMO_DOMAIN = "demo.example.org"

SKILLS = {
    "first-aid": "First aid",
    "driver": "Driver",
    "haircut": "Haircut",
    "elderly-care": "Elderly care",
    "translation": "Interpreting (zh-es)",
}

# name, email handle, languages, skills, limits (per week, hours per month, rest hours)
FUXING_VOLUNTEERS = [
    ("李明", "li.ming", ["zh"], ["first-aid"], (3, 24, 12)),
    ("张伟", "zhang.wei", ["zh", "en"], ["first-aid", "driver"], (2, 16, 12)),
    ("王秀英", "wang.xiuying", ["zh"], ["elderly-care"], (2, 12, 24)),
    ("刘洋", "liu.yang", ["zh"], ["first-aid"], (3, 24, 12)),
    ("陈静", "chen.jing", ["zh", "en"], [], (2, 16, 12)),
    ("杨帆", "yang.fan", ["zh"], ["driver"], (3, 20, 12)),
    ("赵磊", "zhao.lei", ["zh"], ["first-aid"], (4, 30, 10)),
    ("黄丽", "huang.li", ["zh"], ["haircut"], (2, 12, 12)),
    ("周杰", "zhou.jie", ["zh"], [], (3, 24, 12)),
    ("吴敏", "wu.min", ["zh", "yue"], ["elderly-care"], (2, 16, 12)),
    ("徐强", "xu.qiang", ["zh"], ["first-aid"], (3, 24, 12)),
    ("孙燕", "sun.yan", ["zh"], ["haircut", "elderly-care"], (2, 12, 24)),
    ("马超", "ma.chao", ["zh"], [], (3, 24, 12)),
    ("朱红", "zhu.hong", ["zh"], ["first-aid"], (2, 16, 12)),
    ("胡斌", "hu.bin", ["zh", "en"], ["driver"], (3, 20, 12)),
    ("郭玲", "guo.ling", ["zh"], [], (2, 12, 12)),
    ("林峰", "lin.feng", ["zh"], ["first-aid"], (3, 24, 12)),
    ("何芳", "he.fang", ["zh"], ["elderly-care"], (2, 16, 12)),
    ("高翔", "gao.xiang", ["zh"], [], (4, 30, 10)),
    ("罗娟", "luo.juan", ["zh"], ["haircut"], (2, 12, 12)),
    ("梁晨", "liang.chen", ["zh", "en"], ["first-aid"], (3, 24, 12)),
    ("宋佳", "song.jia", ["zh"], [], (2, 16, 12)),
    ("郑浩", "zheng.hao", ["zh"], ["driver"], (3, 20, 12)),
    ("谢婷", "xie.ting", ["zh"], ["elderly-care"], (2, 12, 24)),
    ("韩冰", "han.bing", ["zh"], ["first-aid"], (3, 24, 12)),
    ("唐亮", "tang.liang", ["zh"], [], (3, 24, 12)),
]
LAVAPIES_VOLUNTEERS = [
    ("Lucía García", "lucia.garcia", ["es", "en"], ["driver"], (2, 16, 12)),
    ("Javier Martín", "javier.martin", ["es"], ["first-aid"], (3, 20, 12)),
    ("Carmen López", "carmen.lopez", ["es"], ["elderly-care"], (2, 12, 24)),
    ("Pablo Sánchez", "pablo.sanchez", ["es"], ["driver"], (3, 20, 12)),
    ("María Fernández", "maria.fernandez", ["es", "en"], [], (2, 16, 12)),
    ("Chen Li", "chen.li", ["zh", "es"], ["translation"], (2, 16, 12)),
    ("Ana Ruiz", "ana.ruiz", ["es"], ["haircut"], (2, 12, 12)),
    ("Diego Torres", "diego.torres", ["es"], ["first-aid", "driver"], (3, 20, 12)),
    ("Wang Mei", "wang.mei", ["zh", "es"], ["translation", "elderly-care"], (2, 16, 12)),
    ("Sofía Romero", "sofia.romero", ["es"], [], (2, 12, 12)),
    ("Hugo Navarro", "hugo.navarro", ["es", "en"], ["driver"], (3, 20, 12)),
    ("Elena Gil", "elena.gil", ["es"], ["elderly-care"], (2, 16, 24)),
    ("Marta Díaz", "marta.diaz", ["es"], [], (2, 12, 12)),
    ("Zhang Hui", "zhang.hui", ["zh", "es"], ["translation"], (2, 16, 12)),
]


PHONE_PREFIX = {"Asia/Shanghai": "+86 138", "Europe/Madrid": "+34 611"}


def _at(day: date, clock: time, zone: str) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone))


def _activity_type_id(organization_id: int, key: str) -> int:
    return db.session.scalar(
        sa.select(ActivityType.id).where(
            ActivityType.organization_id == organization_id, ActivityType.key == key
        )
    )


def _add_people(admin: Actor, community: Community, people: list, shared_hash: str) -> list[int]:
    volunteer_ids = []
    for name, handle, languages, skills, (per_week, per_month, rest) in people:
        membership = add_member(
            admin,
            email=f"{handle}@{DEMO_DOMAIN}",
            name=name,
            role=Role.VOLUNTEER,
            community_ids=[community.id],
            locale=languages[0],
            timezone=community.timezone,
        )
        membership.user.password_hash = shared_hash
        volunteer = update_volunteer(
            admin,
            membership.volunteer.id,
            {
                "languages": languages,
                "skills": skills,
                "phone": f"{PHONE_PREFIX[community.timezone]} {len(volunteer_ids):04d} 2026",
                "limits": {
                    "max_assignments_per_week": per_week,
                    "max_hours_per_month": per_month,
                    "min_rest_hours": rest,
                },
            },
        )
        volunteer_ids.append(volunteer.id)
    return volunteer_ids


def _fill(admin: Actor, position_id: int, volunteer_ids: list[int]) -> None:
    """Give places to the first volunteers whom the rules allow, as a coordinator would."""
    for volunteer_id in volunteer_ids:
        try:
            with db.session.begin_nested():
                assign(admin, position_id=position_id, volunteer_id=volunteer_id, confirmed=True)
        except ProblemError:
            continue


def _occurrences(series_id: int) -> list[Event]:
    return list(
        db.session.scalars(
            sa.select(Event).where(Event.series_id == series_id).order_by(Event.starts_at)
        )
    )


def _patrol_availability(admin: Actor, patrollers: list[int], today: date) -> None:
    """What real patrollers say: evenings only on weekdays, a holiday, a trainee, a feud."""
    weekday_evenings = [{"weekday": d, "start": "18:00", "end": "23:00"} for d in range(5)]
    weekends = [{"weekday": d, "start": "08:00", "end": "23:00"} for d in (5, 6)]
    empty = {
        "windows": [],
        "blackouts": [],
        "preferred_activity_types": [],
        "avoided_activity_types": [],
        "pair_with": [],
        "not_together": [],
    }
    holiday = _at(today + timedelta(days=12), time(0), "Asia/Shanghai")
    wishes = {
        1: {"windows": weekday_evenings},
        2: {"windows": weekends, "avoided_activity_types": ["cleanup"]},
        4: {
            "blackouts": [
                {
                    "starts_at": holiday,
                    "ends_at": holiday + timedelta(days=7),
                    "reason": "Family visit 探亲",
                }
            ]
        },
        6: {"preferred_activity_types": ["patrol"], "pair_with": [patrollers[8]]},
        9: {"trainee": True},
        12: {"trainee": True, "not_together": [patrollers[13]]},
    }
    for index, wish in wishes.items():
        set_availability(admin, patrollers[index], {**empty, **wish})


def load_demo(app: Flask, base_url: str | None = None) -> list[str]:
    """Create the demo organization if it is not there; return what to print."""
    base_url = base_url or app.extensions["rounds.settings"].base_url
    existing = db.session.scalar(sa.select(Organization).where(Organization.slug == DEMO_SLUG))
    if existing is not None:
        from service.accounts.models import Membership

        admin_membership = db.session.scalar(
            sa.select(Membership)
            .where(Membership.organization_id == existing.id, Membership.role == Role.ADMIN)
            .order_by(Membership.id)
        )
        _token, plaintext = issue_token_for(admin_membership.user_id, existing.id, "demo")
        summary = _summary(existing.name, base_url, plaintext, loaded=False)
        db.session.commit()
        return summary

    organization, admin_membership, token = create_organization(
        "Xinghai Street Social Work Station",
        slug=DEMO_SLUG,
        admin_email=f"admin@{DEMO_DOMAIN}",
        admin_name="Admin (Xinghai Station)",
        locale="en",
        timezone="Asia/Shanghai",
    )
    shared_hash = hash_password(DEMO_PASSWORD)
    admin_membership.user.password_hash = shared_hash
    admin = actor_for_membership(admin_membership)
    for key, name in SKILLS.items():
        create_skill(admin, key, name)

    fuxing = create_community(
        admin,
        {
            "name": "Fuxing Garden 复兴花园",
            "timezone": "Asia/Shanghai",
            "locale": "zh",
            "contact_name": "王芳",
            "contact_phone": "+86 21 5555 0101",
            "contact_email": f"wang.fang@{DEMO_DOMAIN}",
        },
    )
    lavapies = create_community(
        admin,
        {
            "name": "Lavapiés",
            "timezone": "Europe/Madrid",
            "locale": "es",
            "contact_name": "Lucía Fernández",
            "contact_phone": "+34 915 550 102",
            "contact_email": f"lucia.fernandez@{DEMO_DOMAIN}",
        },
    )
    for name, handle, community, locale, zone in (
        ("王芳", "wang.fang", fuxing, "zh", "Asia/Shanghai"),
        ("Lucía Fernández", "lucia.fernandez", lavapies, "es", "Europe/Madrid"),
    ):
        coordinator = add_member(
            admin,
            email=f"{handle}@{DEMO_DOMAIN}",
            name=name,
            role=Role.COORDINATOR,
            community_ids=[community.id],
            locale=locale,
            timezone=zone,
        )
        coordinator.user.password_hash = shared_hash

    fuxing_ids = _add_people(admin, fuxing, FUXING_VOLUNTEERS, shared_hash)
    lavapies_ids = _add_people(admin, lavapies, LAVAPIES_VOLUNTEERS, shared_hash)

    patrol_team = create_team(
        admin,
        community_id=fuxing.id,
        name="Night patrol 夜间巡逻",
        description="Two people walk the estate every evening and report "
        "hazards to the neighbourhood committee.",
    )
    patrollers = fuxing_ids[:14]
    for index, volunteer_id in enumerate(patrollers):
        add_team_member(admin, patrol_team.id, volunteer_id=volunteer_id, is_lead=index == 0)
    grocery_team = create_team(
        admin,
        community_id=lavapies.id,
        name="Compra semanal",
        description="Weekly grocery runs for elderly neighbours who live alone.",
    )
    for index, volunteer_id in enumerate(lavapies_ids[:9]):
        add_team_member(admin, grocery_team.id, volunteer_id=volunteer_id, is_lead=index == 0)

    today = utcnow().astimezone(ZoneInfo("Asia/Shanghai")).date()
    patrol_type = _activity_type_id(organization.id, "patrol")
    patrol = create_series(
        admin,
        {
            "community_id": fuxing.id,
            "team_id": patrol_team.id,
            "activity_type_id": patrol_type,
            "title": "Evening patrol 晚间巡逻",
            "location": "North gate, Fuxing Garden 复兴花园北门",
            "starts_at": _at(today + timedelta(days=1), time(20, 0), "Asia/Shanghai"),
            "duration_minutes": 120,
            "rrule": "FREQ=DAILY",
            "positions": [{"name": "Patroller 巡逻员", "min_people": 2, "max_people": 2}],
        },
    )
    nights = _occurrences(patrol.id)
    for night, event in enumerate(nights[:10]):
        if night not in (3, 7):
            pair = [patrollers[(2 * night + k) % len(patrollers)] for k in range(4)]
            _fill(admin, event.positions[0].id, pair[:2] if night != 5 else pair[:1])
    _patrol_availability(admin, patrollers, today)

    grocery_type = _activity_type_id(organization.id, "grocery-run")
    madrid_today = utcnow().astimezone(ZoneInfo("Europe/Madrid")).date()
    first_saturday = madrid_today + timedelta(days=(5 - madrid_today.weekday()) % 7 or 7)
    grocery = create_series(
        admin,
        {
            "community_id": lavapies.id,
            "team_id": grocery_team.id,
            "activity_type_id": grocery_type,
            "title": "Compra semanal para mayores",
            "location": "Mercado de San Fernando, Calle de Embajadores 41",
            "starts_at": _at(first_saturday, time(10, 0), "Europe/Madrid"),
            "duration_minutes": 90,
            "rrule": "FREQ=WEEKLY;BYDAY=SA",
            "positions": [
                {
                    "name": "Conductor/a",
                    "required_skill_key": "driver",
                    "min_people": 1,
                    "max_people": 1,
                },
                {"name": "Compras", "min_people": 1, "max_people": 2},
            ],
        },
    )
    for week, event in enumerate(_occurrences(grocery.id)[:2]):
        drivers = [lavapies_ids[i] for i in (0, 3, 7, 10)]
        _fill(admin, event.positions[0].id, drivers[week:] + drivers[:week])
        _fill(admin, event.positions[1].id, lavapies_ids[4 + week * 2 : 6 + week * 2])
    update_team_settings(admin, grocery_team.id, {"swaps_need_approval": True})

    cleanup_day = today + timedelta(days=(5 - today.weekday()) % 7 + 7)
    cleanup = create_event(
        admin,
        {
            "community_id": fuxing.id,
            "activity_type_id": _activity_type_id(organization.id, "cleanup"),
            "title": "Community clean-up day 社区环境清洁日",
            "description": "Streets, green belts and the canal bank with the property company "
            "and the neighbourhood committee. Gloves and tools provided.",
            "location": "Fuxing Garden square 复兴花园广场",
            "starts_at": _at(cleanup_day, time(8, 30), "Asia/Shanghai"),
            "ends_at": _at(cleanup_day, time(11, 30), "Asia/Shanghai"),
            "status": EventStatus.PUBLISHED,
            "positions": [
                {"name": "Volunteer 志愿者", "min_people": 30, "max_people": 100},
                {
                    "name": "First-aid point 急救点",
                    "required_skill_key": "first-aid",
                    "min_people": 1,
                    "max_people": 2,
                },
            ],
        },
    )
    _fill(admin, cleanup.positions[0].id, fuxing_ids[10:26])
    _fill(admin, cleanup.positions[1].id, [fuxing_ids[i] for i in (0, 3, 6)])
    summary = _summary(organization.name, base_url, token, loaded=True)
    db.session.commit()
    return summary


def _summary(name: str, base_url: str, token: str, *, loaded: bool) -> list[str]:
    state = "loaded" if loaded else "already loaded"
    return [
        f"Demo organization {state}: {name}",
        f"  Web:        {base_url}/",
        f"  API docs:   {base_url}/api/docs",
        f"  Admin API token (shown once): {token}",
        f"  Try:        curl -H 'Authorization: Bearer {token}' {base_url}/api/v1/events?open=true",
        f"  Sign in as  admin@{DEMO_DOMAIN}, wang.fang@{DEMO_DOMAIN} (coordinator) or "
        f"li.ming@{DEMO_DOMAIN} (volunteer); password {DEMO_PASSWORD}",
    ]
