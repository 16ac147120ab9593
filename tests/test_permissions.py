"""A matrix over every API endpoint: tenants are isolated (404) and roles are enforced (403).

The table below must name every (endpoint, method) the app serves under /api/v1: a new
endpoint without a row fails ``test_the_matrix_covers_every_endpoint``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from service.core.auth import Role
from service.core.time import utcnow
from tests.factories import Factory, Person, Tenant

RANK = {"public": 0, "volunteer": 1, "coordinator": 2, "admin": 3}


@dataclass
class World:
    tenant: Tenant
    coordinator: Person  # coordinates c1 only
    outsider: Person  # coordinates c2 only
    volunteer: Person  # volunteers in c1
    other_volunteer: Person
    ids: dict[str, int]


@dataclass(frozen=True)
class Row:
    path: str  # formatted with World.ids
    least: str  # the least role that may act: public, volunteer, coordinator, admin
    body: Any = None
    #: True when the object belongs to community c1: a coordinator of c2 gets 403.
    community_scoped: bool = False
    #: Acting needs a volunteer profile (coordinators and admins without one get 403).
    volunteers_only: bool = False
    #: For lists: the world's objects that must never appear in another tenant's answer.
    lists: tuple[str, ...] = ()
    #: A signed link is a capability: whoever holds it may use it, in any organization.
    by_link: bool = False


TABLE: dict[tuple[str, str], Row] = {
    ("tokens.create_token", "POST"): Row(
        "/api/v1/tokens", "public", {"email": "x@example.org", "password": "x" * 12}
    ),
    ("tokens.list_tokens", "GET"): Row("/api/v1/tokens", "volunteer", lists=("token",)),
    ("tokens.delete_token", "DELETE"): Row("/api/v1/tokens/{token}", "volunteer"),
    ("me.get_me", "GET"): Row("/api/v1/me", "volunteer"),
    ("me.update_me", "PATCH"): Row("/api/v1/me", "volunteer", {"name": "Me"}),
    ("members.list_members", "GET"): Row(
        "/api/v1/members",
        "coordinator",
        lists=("other_member", "admin_member", "coordinator_member"),
    ),
    ("members.create_member", "POST"): Row(
        "/api/v1/members",
        "coordinator",
        {"email": "new.member@example.org", "name": "New", "role": "volunteer"},
    ),
    ("members.get_member", "GET"): Row("/api/v1/members/{other_member}", "coordinator"),
    ("members.update_member", "PATCH"): Row(
        "/api/v1/members/{admin_member}", "admin", {"role": "coordinator"}
    ),
    ("members.delete_member", "DELETE"): Row("/api/v1/members/{coordinator_member}", "admin"),
    ("communities.list_communities", "GET"): Row(
        "/api/v1/communities", "volunteer", lists=("c1", "c2")
    ),
    ("communities.create_community", "POST"): Row(
        "/api/v1/communities", "admin", {"name": "New place", "timezone": "Asia/Shanghai"}
    ),
    ("communities.get_community", "GET"): Row("/api/v1/communities/{c1}", "volunteer"),
    ("communities.update_community", "PATCH"): Row(
        "/api/v1/communities/{c1}", "coordinator", {"contact_phone": "+86 1"}, community_scoped=True
    ),
    ("communities.delete_community", "DELETE"): Row("/api/v1/communities/{c1}", "admin"),
    ("skills.list_skills", "GET"): Row("/api/v1/skills", "volunteer", lists=("skill",)),
    ("skills.create_skill", "POST"): Row(
        "/api/v1/skills", "coordinator", {"key": "boat", "name": "Boat"}
    ),
    ("skills.get_skill", "GET"): Row("/api/v1/skills/{skill}", "volunteer"),
    ("skills.update_skill", "PATCH"): Row(
        "/api/v1/skills/{skill}", "coordinator", {"name": "First aid (certified)"}
    ),
    ("skills.delete_skill", "DELETE"): Row("/api/v1/skills/{skill}", "coordinator"),
    ("volunteers.list_volunteers", "GET"): Row(
        "/api/v1/volunteers", "coordinator", lists=("volunteer", "other_volunteer")
    ),
    ("volunteers.create_volunteer", "POST"): Row(
        "/api/v1/volunteers", "coordinator", {"email": "new.vol@example.org", "name": "New"}
    ),
    ("volunteers.get_volunteer", "GET"): Row("/api/v1/volunteers/{other_volunteer}", "coordinator"),
    ("volunteers.update_volunteer", "PATCH"): Row(
        "/api/v1/volunteers/{other_volunteer}", "coordinator", {"phone": "+86 2"}
    ),
    ("teams.list_teams", "GET"): Row("/api/v1/teams", "volunteer", lists=("team",)),
    ("teams.create_team", "POST"): Row(
        "/api/v1/teams",
        "coordinator",
        {"community_id": "{c1}", "name": "New team"},
        community_scoped=True,
    ),
    ("teams.get_team", "GET"): Row("/api/v1/teams/{team}", "volunteer"),
    ("teams.update_team", "PATCH"): Row(
        "/api/v1/teams/{team}", "coordinator", {"description": "x"}, community_scoped=True
    ),
    ("teams.delete_team", "DELETE"): Row(
        "/api/v1/teams/{team}", "coordinator", community_scoped=True
    ),
    ("teams.add_team_member", "POST"): Row(
        "/api/v1/teams/{team}/members",
        "coordinator",
        {"volunteer_id": "{other_volunteer}"},
        community_scoped=True,
    ),
    ("teams.remove_team_member", "DELETE"): Row(
        "/api/v1/teams/{team}/members/{volunteer}", "coordinator", community_scoped=True
    ),
    ("activity-types.list_activity_types", "GET"): Row(
        "/api/v1/activity-types", "volunteer", lists=("activity_type",)
    ),
    ("activity-types.create_activity_type", "POST"): Row(
        "/api/v1/activity-types", "coordinator", {"key": "repair", "names": {"en": "Repair"}}
    ),
    ("activity-types.get_activity_type", "GET"): Row(
        "/api/v1/activity-types/{activity_type}", "volunteer"
    ),
    ("activity-types.update_activity_type", "PATCH"): Row(
        "/api/v1/activity-types/{activity_type}", "coordinator", {"min_people": 2}
    ),
    ("activity-types.delete_activity_type", "DELETE"): Row(
        "/api/v1/activity-types/{activity_type}", "coordinator"
    ),
    ("events.list_events", "GET"): Row("/api/v1/events", "volunteer", lists=("event",)),
    ("events.create_event", "POST"): Row(
        "/api/v1/events",
        "coordinator",
        {
            "community_id": "{c1}",
            "activity_type_id": "{activity_type}",
            "starts_at": "2031-01-01T20:00:00+08:00",
        },
        community_scoped=True,
    ),
    ("events.get_event", "GET"): Row("/api/v1/events/{event}", "volunteer"),
    ("events.update_event", "PATCH"): Row(
        "/api/v1/events/{event}", "coordinator", {"title": "Renamed"}, community_scoped=True
    ),
    ("events.delete_event", "DELETE"): Row(
        "/api/v1/events/{event}", "coordinator", community_scoped=True
    ),
    ("events.cancel_event", "POST"): Row(
        "/api/v1/events/{event}/cancel", "coordinator", {}, community_scoped=True
    ),
    ("events.list_positions", "GET"): Row("/api/v1/events/{event}/positions", "volunteer"),
    ("events.create_position", "POST"): Row(
        "/api/v1/events/{event}/positions", "coordinator", {"name": "Extra"}, community_scoped=True
    ),
    ("events.get_position", "GET"): Row("/api/v1/events/{event}/positions/{position}", "volunteer"),
    ("events.update_position", "PATCH"): Row(
        "/api/v1/events/{event}/positions/{position}",
        "coordinator",
        {"name": "Walker"},
        community_scoped=True,
    ),
    ("events.delete_position", "DELETE"): Row(
        "/api/v1/events/{event}/positions/{position}", "coordinator", community_scoped=True
    ),
    ("assignments.sign_up", "POST"): Row(
        "/api/v1/events/{event}/signups",
        "volunteer",
        {"position_id": "{position}"},
        volunteers_only=True,
    ),
    ("assignments.create_assignment", "POST"): Row(
        "/api/v1/assignments",
        "coordinator",
        {"position_id": "{position}", "volunteer_id": "{other_volunteer}"},
        community_scoped=True,
    ),
    ("assignments.list_assignments", "GET"): Row(
        "/api/v1/assignments", "volunteer", lists=("assignment",)
    ),
    ("assignments.get_assignment", "GET"): Row("/api/v1/assignments/{assignment}", "volunteer"),
    ("assignments.accept_assignment", "POST"): Row(
        "/api/v1/assignments/{assignment}/accept", "volunteer", community_scoped=True
    ),
    ("assignments.decline_assignment", "POST"): Row(
        "/api/v1/assignments/{assignment}/decline", "volunteer", {}, community_scoped=True
    ),
    ("assignments.cancel_assignment", "POST"): Row(
        "/api/v1/assignments/{assignment}/cancel", "volunteer", {}, community_scoped=True
    ),
    ("assignments.my_assignments", "GET"): Row("/api/v1/me/assignments", "volunteer"),
    ("volunteers.get_availability", "GET"): Row(
        "/api/v1/volunteers/{other_volunteer}/availability", "coordinator"
    ),
    ("volunteers.set_availability", "PUT"): Row(
        "/api/v1/volunteers/{other_volunteer}/availability",
        "coordinator",
        {"windows": [{"weekday": 5, "start": "08:00", "end": "12:00"}]},
    ),
    ("series.list_series", "GET"): Row("/api/v1/series", "volunteer", lists=("series",)),
    ("series.create_series", "POST"): Row(
        "/api/v1/series",
        "coordinator",
        {
            "community_id": "{c1}",
            "activity_type_id": "{activity_type}",
            "starts_at": "2031-01-01T20:00:00+08:00",
            "rrule": "FREQ=DAILY;COUNT=3",
        },
        community_scoped=True,
    ),
    ("series.get_series", "GET"): Row("/api/v1/series/{series}", "volunteer"),
    ("series.update_series", "PATCH"): Row(
        "/api/v1/series/{series}", "coordinator", {"title": "Night walk"}, community_scoped=True
    ),
    ("series.list_occurrences", "GET"): Row("/api/v1/series/{series}/occurrences", "volunteer"),
    ("series.cancel_occurrence", "POST"): Row(
        "/api/v1/series/{series}/occurrences/cancel",
        "coordinator",
        {"occurrence": "{occurrence}"},
        community_scoped=True,
    ),
    ("rotations.generate_plan", "POST"): Row(
        "/api/v1/rotations",
        "coordinator",
        {"team_ids": ["{team}"], "from": "{plan_from}", "to": "{plan_to}"},
        community_scoped=True,
    ),
    ("rotations.list_plans", "GET"): Row("/api/v1/rotations", "coordinator", lists=("plan",)),
    ("rotations.get_plan", "GET"): Row("/api/v1/rotations/{plan}", "coordinator"),
    ("rotations.publish_plan", "POST"): Row(
        "/api/v1/rotations/{plan}/publish", "coordinator", community_scoped=True
    ),
    ("rotations.get_team_settings", "GET"): Row(
        "/api/v1/teams/{team}/rotation-settings", "volunteer"
    ),
    ("rotations.update_team_settings", "PUT"): Row(
        "/api/v1/teams/{team}/rotation-settings",
        "coordinator",
        {"swaps_need_approval": True},
        community_scoped=True,
    ),
    ("swaps.offer_place", "POST"): Row(
        "/api/v1/assignments/{assignment}/offers",
        "volunteer",
        {"kind": "cover"},
        community_scoped=True,
    ),
    ("swaps.list_offers", "GET"): Row("/api/v1/swap-offers", "volunteer", lists=("offer",)),
    ("swaps.get_offer", "GET"): Row("/api/v1/swap-offers/{offer}", "volunteer"),
    ("swaps.accept_offer", "POST"): Row(
        "/api/v1/swap-offers/{offer}/accept", "volunteer", {}, volunteers_only=True
    ),
    ("swaps.approve_offer", "POST"): Row(
        "/api/v1/swap-offers/{offer}/approve", "coordinator", community_scoped=True
    ),
    ("swaps.reject_offer", "POST"): Row(
        "/api/v1/swap-offers/{offer}/reject", "coordinator", community_scoped=True
    ),
    ("swaps.withdraw_offer", "POST"): Row(
        "/api/v1/swap-offers/{offer}/withdraw", "volunteer", community_scoped=True
    ),
    ("calendar-feeds.list_feeds", "GET"): Row("/api/v1/calendars", "volunteer"),
    ("calendar-feeds.create_feed", "POST"): Row(
        "/api/v1/calendars", "volunteer", {"scope": "personal"}, volunteers_only=True
    ),
    ("calendar-feeds.get_feed", "GET"): Row("/api/v1/calendars/{feed}", "volunteer"),
    ("calendar-feeds.rotate_feed", "POST"): Row("/api/v1/calendars/{feed}/rotate", "volunteer"),
    ("calendar-feeds.revoke_feed", "DELETE"): Row("/api/v1/calendars/{feed}", "volunteer"),
    ("reports.help_request_report", "GET"): Row("/api/v1/reports/help-requests", "coordinator"),
    ("reports.volunteer_load", "GET"): Row("/api/v1/reports/volunteer-load", "coordinator"),
    ("public-communities.list_public_communities", "GET"): Row(
        "/api/v1/public/communities", "public"
    ),
    ("residents.list_residents", "GET"): Row(
        "/api/v1/residents", "coordinator", lists=("resident",)
    ),
    ("residents.create_resident", "POST"): Row(
        "/api/v1/residents",
        "coordinator",
        {"community_id": "{c1}", "name": "王秀英", "language": "zh", "consent_method": "phone"},
        community_scoped=True,
    ),
    ("residents.get_resident", "GET"): Row(
        "/api/v1/residents/{resident}", "coordinator", community_scoped=True
    ),
    ("residents.update_resident", "PATCH"): Row(
        "/api/v1/residents/{resident}",
        "coordinator",
        {"notes": "Third floor"},
        community_scoped=True,
    ),
    ("residents.set_care_circle", "PUT"): Row(
        "/api/v1/residents/{resident}/circle",
        "coordinator",
        {"volunteer_ids": ["{volunteer}"]},
        community_scoped=True,
    ),
    ("residents.anonymise_resident", "POST"): Row(
        "/api/v1/residents/{resident}/anonymise", "coordinator", community_scoped=True
    ),
    ("contact-access-log.list_contact_access", "GET"): Row(
        "/api/v1/contact-access-log", "coordinator"
    ),
    ("help-requests.submit_request", "POST"): Row(
        "/api/v1/help-requests",
        "public",
        {"community_id": "{c1}", "category": "groceries", "name": "Carmen", "consent": True},
    ),
    ("help-requests.get_status", "GET"): Row(
        "/api/v1/help-requests/status/{status_token}", "public", by_link=True
    ),
    ("help-requests.cancel_by_resident", "POST"): Row(
        "/api/v1/help-requests/status/{status_token}/cancel", "public", by_link=True
    ),
    ("help-requests.list_requests", "GET"): Row(
        "/api/v1/help-requests", "coordinator", lists=("help_request",)
    ),
    ("help-requests.get_request", "GET"): Row(
        "/api/v1/help-requests/{help_request}", "coordinator", community_scoped=True
    ),
    ("help-requests.update_request", "PATCH"): Row(
        "/api/v1/help-requests/{help_request}",
        "coordinator",
        {"details": "Rice, oil"},
        community_scoped=True,
    ),
    ("help-requests.accept_request", "POST"): Row(
        "/api/v1/help-requests/{help_request}/accept", "coordinator", community_scoped=True
    ),
    ("help-requests.ask_for_details", "POST"): Row(
        "/api/v1/help-requests/{help_request}/ask",
        "coordinator",
        {"question": "Which day?"},
        community_scoped=True,
    ),
    ("help-requests.decline_request", "POST"): Row(
        "/api/v1/help-requests/{help_request}/decline",
        "coordinator",
        {"reason": "Too far"},
        community_scoped=True,
    ),
    ("help-requests.merge_request", "POST"): Row(
        "/api/v1/help-requests/{help_request}/merge",
        "coordinator",
        {"into_id": "{other_request}"},
        community_scoped=True,
    ),
    ("help-requests.cancel_request", "POST"): Row(
        "/api/v1/help-requests/{help_request}/cancel", "coordinator", {}, community_scoped=True
    ),
    ("help-requests.list_matches", "GET"): Row(
        "/api/v1/help-requests/{help_request}/matches", "coordinator", community_scoped=True
    ),
    ("help-requests.schedule_request", "POST"): Row(
        "/api/v1/help-requests/{help_request}/schedule",
        "coordinator",
        {"volunteer_id": "{volunteer}", "starts_at": "2031-01-04T09:00:00+08:00"},
        community_scoped=True,
    ),
    ("help-requests.record_outcome", "POST"): Row(
        "/api/v1/help-requests/{help_request}/outcome",
        "coordinator",
        {"outcome": "done"},
        community_scoped=True,
    ),
}


def _api_routes(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_the_matrix_covers_every_endpoint(app):
    assert _api_routes(app) == set(TABLE)


def _build_world(make: Factory) -> World:
    tenant = make.tenant()
    c1, c2 = make.community(tenant), make.community(tenant)
    skill = make.skill(tenant, "first-aid")
    coordinator = make.person(tenant, Role.COORDINATOR, communities=[c1])
    outsider = make.person(tenant, Role.COORDINATOR, communities=[c2])
    volunteer = make.person(tenant, communities=[c1])
    other = make.person(tenant, communities=[c1])
    team = make.team(tenant, c1, members=[volunteer])
    event = make.event(
        tenant,
        c1,
        starts_at=utcnow() + timedelta(days=3),
        positions=[{"name": "Walker", "max_people": 3}],
    )
    with make.app.app_context():
        from service.activities.models import ActivityType
        from service.assignments.operations import sign_up
        from service.calendars.operations import create_feed
        from service.core.db import db

        activity_type = db.session.scalar(
            db.select(ActivityType.id).where(ActivityType.organization_id == tenant.organization_id)
        )
        assignment = sign_up(make.actor(volunteer), event.id, event.position_id).id
        feed = create_feed(make.actor(volunteer), {"scope": "personal"})[0].id
        from service.residents import operations as residents

        intake = {
            "community_id": c1,
            "category": "groceries",
            "name": "王秀英",
            "phone": "+86 138 0000 1111",
            "urgency": "normal",
            "recurrence": "once",
            "preferred_time_of_day": "any",
            "language": "zh",
        }
        help_request = residents.submit_request(make.actor(coordinator), dict(intake))
        other_request = residents.submit_request(
            make.actor(coordinator), {**intake, "resident_id": help_request.resident_id}
        )
        request_ids = (
            help_request.id,
            other_request.id,
            help_request.resident_id,
            residents.status_token(help_request),
        )
        from service.rotations.operations import generate_plan
        from service.series.operations import create_series
        from service.swaps.models import OfferKind
        from service.swaps.operations import offer_place

        first_night = (utcnow() + timedelta(days=10)).replace(microsecond=0)
        series = create_series(
            make.actor(coordinator),
            {
                "community_id": c1,
                "team_id": team,
                "activity_type_id": activity_type,
                "starts_at": first_night,
                "rrule": "FREQ=DAILY;COUNT=3",
                "positions": [{"name": "Walker", "min_people": 1, "max_people": 2}],
            },
        )
        plan = generate_plan(
            make.actor(coordinator),
            team_ids=[team],
            starts_at=first_night - timedelta(hours=1),
            ends_at=first_night + timedelta(days=3),
        )
        offer = offer_place(make.actor(volunteer), assignment, OfferKind.COVER)
        later = {
            "series": series.id,
            "occurrence": first_night.isoformat(),
            "plan": plan.id,
            "offer": offer.id,
            "plan_from": (first_night - timedelta(hours=1)).isoformat(),
            "plan_to": (first_night + timedelta(days=3)).isoformat(),
        }
        db.session.commit()
    with make.app.app_context():
        from service.accounts.models import ApiToken
        from service.core.db import db

        token = db.session.scalar(
            db.select(ApiToken.id).where(ApiToken.user_id == volunteer.user_id)
        )
    ids = {
        "c1": c1,
        "c2": c2,
        "skill": skill,
        "team": team,
        "event": event.id,
        "position": event.position_id,
        "assignment": assignment,
        "activity_type": activity_type,
        "volunteer": volunteer.volunteer_id,
        "other_volunteer": other.volunteer_id,
        "other_member": other.member_id,
        "admin_member": tenant.admin.member_id,
        "coordinator_member": coordinator.member_id,
        "token": token,
        "feed": feed,
        "help_request": request_ids[0],
        "other_request": request_ids[1],
        "resident": request_ids[2],
        "status_token": request_ids[3],
        **later,
    }
    return World(tenant, coordinator, outsider, volunteer, other, ids)


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value


def _call(client, who, key, world):
    row = TABLE[key]
    path = row.path.format(**world.ids)
    return client.as_(who).request(key[1], path, json=_fill(row.body, world.ids))


def _names_objects(value: Any) -> bool:
    """Whether a request body refers to objects of the world by id."""
    if isinstance(value, str):
        return value.startswith("{") and value.endswith("}")
    if isinstance(value, dict):
        return any(_names_objects(item) for item in value.values())
    if isinstance(value, list):
        return any(_names_objects(item) for item in value)
    return False


def _tenancy_failure(client, stranger: Person, key: tuple[str, str], world: World) -> str | None:
    row = TABLE[key]
    if row.by_link or key == ("me.update_me", "PATCH"):
        return None
    answer = _call(client, stranger, key, world)
    body = answer.get_data(as_text=True)
    if "{" in row.path:
        if answer.status_code != 404 or answer.mimetype != "application/problem+json":
            return f"{answer.status_code}, not a 404 problem: {body[:200]}"
    elif _names_objects(row.body):
        # A body naming another tenant's objects finds nothing to act on.
        if answer.status_code not in (404, 422):
            return f"{answer.status_code}, not 404 or 422: {body[:200]}"
    elif row.lists:
        if answer.status_code != 200 or not answer.json:
            return f"the stranger should see its own objects: {answer.status_code} {body[:200]}"
        leaked = {item["id"] for item in answer.json} & {world.ids[name] for name in row.lists}
        if leaked:
            return f"another tenant's objects listed: {leaked}"
    return None


def _role_failures(client, key: tuple[str, str], world: World) -> list[str]:
    row = TABLE[key]
    failures = []
    if row.least != "public":
        anonymous = client.as_(None).request(
            key[1], row.path.format(**world.ids), json=_fill(row.body, world.ids)
        )
        if anonymous.status_code != 401:
            failures.append(f"anonymous got {anonymous.status_code}, not 401")
    people = {
        "volunteer": world.volunteer,
        "coordinator": world.coordinator,
        "admin": world.tenant.admin,
    }
    if row.community_scoped and RANK["coordinator"] >= RANK[row.least]:
        people["coordinator of another community"] = world.outsider
    for role, person in people.items():
        rank = RANK.get(role, RANK["coordinator"])
        refused = (
            rank < RANK[row.least]
            or (row.volunteers_only and role != "volunteer")
            or (role == "coordinator of another community")
        )
        if not refused:
            continue
        answer = _call(client, person, key, world)
        if answer.status_code != 403 or answer.mimetype != "application/problem+json":
            failures.append(
                f"{role} got {answer.status_code}, not a 403 problem: "
                f"{answer.get_data(as_text=True)[:200]}"
            )
    return failures


def test_another_organization_gets_404_for_every_object(client, make):
    world = _build_world(make)
    stranger = _build_world(make).tenant.admin  # a tenant with objects of its own
    failures = {}
    for key in sorted(TABLE):
        failure = _tenancy_failure(client, stranger, key, world)
        if failure:
            failures[f"{key[1]} {key[0]}"] = failure
    assert failures == {}


def test_roles_below_the_least_one_get_403(client, make):
    world = _build_world(make)
    failures = {}
    for key in sorted(TABLE):
        found = _role_failures(client, key, world)
        if found:
            failures[f"{key[1]} {key[0]}"] = found
    assert failures == {}
