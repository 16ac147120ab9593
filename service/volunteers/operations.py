"""Use cases of skills and volunteer profiles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from service.accounts.models import Membership, User, membership_communities
from service.accounts.operations import add_member, ensure_volunteer_profile, normalize_email
from service.core.auth import Actor, Role
from service.core.db import db, get_in_organization, json_array_contains, touch
from service.core.errors import Conflict, Forbidden, Invalid, check_version
from service.volunteers import events
from service.volunteers.models import (
    AvailabilityWindow,
    Blackout,
    Skill,
    VolunteerPreferences,
    VolunteerProfile,
    volunteer_skills,
)

LIMIT_FIELDS = ("max_assignments_per_week", "max_hours_per_month", "min_rest_hours")
#: What volunteers may change in their own profile; skills and communities are vouched
#: for by a coordinator.
SELF_EDITABLE = {"name", "phone", "languages", "limits", "active"}

_PROFILE_LOAD = (
    selectinload(VolunteerProfile.skills),
    selectinload(VolunteerProfile.membership).selectinload(Membership.user),
    selectinload(VolunteerProfile.membership).selectinload(Membership.communities),
)


# --- skills --------------------------------------------------------------------------------


def skills_query(actor: Actor) -> sa.Select:
    return (
        sa.select(Skill).where(Skill.organization_id == actor.organization_id).order_by(Skill.key)
    )


def get_skill(actor: Actor, skill_id: int) -> Skill:
    return get_in_organization(Skill, skill_id, actor.organization_id)


def create_skill(actor: Actor, key: str, name: str) -> Skill:
    actor.require_coordinator()
    if skills_by_key(actor.organization_id, [key], missing_ok=True):
        raise Conflict(f"The skill {key!r} exists already.", reason="key_taken")
    skill = Skill(organization_id=actor.organization_id, key=key, name=name)
    db.session.add(skill)
    db.session.flush()
    return skill


def update_skill(actor: Actor, skill_id: int, name: str) -> Skill:
    actor.require_coordinator()
    skill = get_skill(actor, skill_id)
    skill.name = name
    db.session.flush()
    return skill


def delete_skill(actor: Actor, skill_id: int) -> None:
    from service.activities.models import Position

    actor.require_coordinator()
    skill = get_skill(actor, skill_id)
    used = db.session.scalar(
        sa.select(sa.func.count()).where(Position.required_skill_id == skill.id)
    )
    if used:
        raise Conflict(
            f"{used} positions require this skill; change them first.", reason="skill_in_use"
        )
    db.session.delete(skill)
    db.session.flush()


def skills_by_key(
    organization_id: int, keys: Iterable[str], *, field: str = "skills", missing_ok: bool = False
) -> list[Skill]:
    """The organization's skills with these keys; 422 naming any unknown key."""
    wanted = sorted(set(keys))
    if not wanted:
        return []
    found = list(
        db.session.scalars(
            sa.select(Skill).where(Skill.organization_id == organization_id, Skill.key.in_(wanted))
        )
    )
    missing = set(wanted) - {skill.key for skill in found}
    if missing and not missing_ok:
        raise Invalid({field: [f"Unknown skill {', '.join(sorted(missing))}."]})
    return found


# --- volunteers ----------------------------------------------------------------------------


def manages_volunteer(actor: Actor, volunteer: VolunteerProfile) -> bool:
    """Admins manage every volunteer; a coordinator those sharing a community with them."""
    if actor.is_admin:
        return True
    if not actor.is_coordinator:
        return False
    theirs = volunteer.community_ids
    return actor.community_ids is None or theirs is None or bool(theirs & actor.community_ids)


def volunteers_query(
    actor: Actor,
    *,
    community_id: int | None = None,
    team_id: int | None = None,
    skill: str | None = None,
    language: str | None = None,
    active: bool | None = None,
    search: str | None = None,
) -> sa.Select:
    """Volunteers of the organization, for coordinators (profiles hold phone numbers)."""
    from service.teams.models import TeamMember

    actor.require_coordinator()
    statement = (
        sa.select(VolunteerProfile)
        .join(VolunteerProfile.membership)
        .join(Membership.user)
        .options(*_PROFILE_LOAD)
        .where(
            VolunteerProfile.organization_id == actor.organization_id,
            Membership.removed_at.is_(None),
        )
        .order_by(User.name, VolunteerProfile.id)
    )
    if community_id is not None:
        mc = membership_communities
        statement = statement.where(
            sa.or_(
                sa.exists().where(
                    mc.c.membership_id == Membership.id, mc.c.community_id == community_id
                ),
                ~sa.exists().where(mc.c.membership_id == Membership.id),
            )
        )
    if team_id is not None:
        statement = statement.where(
            sa.exists().where(
                TeamMember.volunteer_id == VolunteerProfile.id, TeamMember.team_id == team_id
            )
        )
    if skill is not None:
        statement = statement.where(
            sa.exists().where(
                volunteer_skills.c.volunteer_id == VolunteerProfile.id,
                volunteer_skills.c.skill_id == Skill.id,
                Skill.key == skill,
            )
        )
    if language is not None:
        statement = statement.where(json_array_contains(VolunteerProfile.languages, language))
    if active is not None:
        statement = statement.where(VolunteerProfile.active.is_(active))
    if search:
        pattern = f"%{search.strip().lower()}%"
        statement = statement.where(
            sa.or_(sa.func.lower(User.name).like(pattern), User.email.like(pattern))
        )
    return statement


def get_volunteer(actor: Actor, volunteer_id: int) -> VolunteerProfile:
    volunteer = get_in_organization(
        VolunteerProfile,
        volunteer_id,
        actor.organization_id,
        label="volunteer",
        options=_PROFILE_LOAD,
    )
    if volunteer.membership.removed_at is not None:
        from service.core.errors import NotFound

        raise NotFound("No such volunteer.")
    if volunteer.id != actor.volunteer_id and not manages_volunteer(actor, volunteer):
        raise Forbidden("You may see only your own volunteer profile.")
    return volunteer


def create_volunteer(actor: Actor, data: dict) -> VolunteerProfile:
    """Add a volunteer: a new member with the volunteer role, or a profile for a member."""
    actor.require_coordinator()
    existing = db.session.scalar(
        sa.select(Membership)
        .join(Membership.user)
        .where(
            User.email == normalize_email(data["email"]),
            Membership.organization_id == actor.organization_id,
            Membership.removed_at.is_(None),
        )
    )
    if existing is None:
        membership = add_member(
            actor,
            email=data["email"],
            name=data["name"],
            role=Role.VOLUNTEER,
            community_ids=data.get("community_ids", ()),
            locale=data.get("locale"),
            timezone=data.get("timezone"),
            password=data.get("password"),
        )
    else:
        if existing.volunteer is not None:
            raise Conflict(
                f"{data['email']} has a volunteer profile already.", reason="already_volunteer"
            )
        membership = existing
    volunteer = ensure_volunteer_profile(membership)
    _apply(actor, volunteer, {k: v for k, v in data.items() if k in _PROFILE_FIELDS})
    db.session.flush()
    events.volunteer_event(events.VOLUNTEER_CREATED, volunteer, actor)
    return volunteer


_PROFILE_FIELDS = {"phone", "languages", "skills", "limits", "active"}


def update_volunteer(
    actor: Actor, volunteer_id: int, changes: dict, *, expected_version: int | None = None
) -> VolunteerProfile:
    volunteer = get_volunteer(actor, volunteer_id)
    if not manages_volunteer(actor, volunteer):
        not_allowed = sorted(set(changes) - SELF_EDITABLE)
        if not_allowed:
            raise Forbidden(f"Only a coordinator may change {', '.join(not_allowed)}.")
    check_version(volunteer.version, expected_version)
    if "name" in changes:
        volunteer.membership.user.name = changes["name"]
    if "community_ids" in changes:
        from service.accounts.operations import update_member

        update_member(actor, volunteer.membership_id, community_ids=changes["community_ids"])
    _apply(actor, volunteer, changes)
    db.session.flush()
    events.volunteer_event(events.VOLUNTEER_UPDATED, volunteer, actor)
    return volunteer


def _apply(actor: Actor, volunteer: VolunteerProfile, changes: dict) -> None:
    if "phone" in changes:
        volunteer.phone = changes["phone"]
    if "languages" in changes:
        volunteer.languages = sorted(set(changes["languages"]))
    if "skills" in changes:
        volunteer.skills = skills_by_key(actor.organization_id, changes["skills"])
    for field in LIMIT_FIELDS:
        if field in changes.get("limits", {}):
            setattr(volunteer, field, changes["limits"][field])
    if "active" in changes:
        volunteer.active = changes["active"]
    # The profile's version is its ETag: a change of skills or name counts too.
    touch(volunteer)


# --- availability and preferences -------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """A volunteer's availability and preferences, as the rotation and swaps read them."""

    volunteer_id: int
    #: (weekday, start minute, end minute) in the event's local time.
    windows: tuple[tuple[int, int, int], ...] = ()
    #: (start, end) in UTC.
    blackouts: tuple[tuple[datetime, datetime, str], ...] = ()
    trainee: bool = False
    preferred_activity_types: frozenset[str] = frozenset()
    avoided_activity_types: frozenset[str] = frozenset()
    pair_with: frozenset[int] = frozenset()
    not_together: frozenset[int] = frozenset()


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def availability_of(volunteer_ids: Iterable[int]) -> dict[int, Availability]:
    """Availability of many volunteers in three queries (empty for those who set none)."""
    ids = sorted(set(volunteer_ids))
    windows: dict[int, list] = {i: [] for i in ids}
    blackouts: dict[int, list] = {i: [] for i in ids}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        for window in db.session.scalars(
            sa.select(AvailabilityWindow)
            .where(AvailabilityWindow.volunteer_id.in_(chunk))
            .order_by(AvailabilityWindow.weekday, AvailabilityWindow.start_minute)
        ):
            windows[window.volunteer_id].append(
                (window.weekday, window.start_minute, window.end_minute)
            )
        for blackout in db.session.scalars(
            sa.select(Blackout).where(Blackout.volunteer_id.in_(chunk)).order_by(Blackout.starts_at)
        ):
            blackouts[blackout.volunteer_id].append(
                (blackout.starts_at, blackout.ends_at, blackout.reason)
            )
    preferences = {
        row.volunteer_id: row
        for start in range(0, len(ids), 500)
        for row in db.session.scalars(
            sa.select(VolunteerPreferences).where(
                VolunteerPreferences.volunteer_id.in_(ids[start : start + 500])
            )
        )
    }
    found = {}
    for volunteer_id in ids:
        row = preferences.get(volunteer_id)
        found[volunteer_id] = Availability(
            volunteer_id=volunteer_id,
            windows=tuple(windows[volunteer_id]),
            blackouts=tuple(blackouts[volunteer_id]),
            trainee=bool(row and row.trainee),
            preferred_activity_types=frozenset(row.preferred_activity_types if row else ()),
            avoided_activity_types=frozenset(row.avoided_activity_types if row else ()),
            pair_with=frozenset(row.pair_with if row else ()),
            not_together=frozenset(row.not_together if row else ()),
        )
    return found


def get_availability(actor: Actor, volunteer_id: int) -> dict:
    """A volunteer's windows, blackouts, preferences, pairings, trainee flag and limits."""
    volunteer = get_volunteer(actor, volunteer_id)
    availability = availability_of([volunteer.id])[volunteer.id]
    return {
        "volunteer_id": volunteer.id,
        "windows": [
            {"weekday": day, "start": _clock(start), "end": _clock(end)}
            for day, start, end in availability.windows
        ],
        "blackouts": [
            {"starts_at": start, "ends_at": end, "reason": reason}
            for start, end, reason in availability.blackouts
        ],
        "preferred_activity_types": sorted(availability.preferred_activity_types),
        "avoided_activity_types": sorted(availability.avoided_activity_types),
        "pair_with": sorted(availability.pair_with),
        "not_together": sorted(availability.not_together),
        "trainee": availability.trainee,
        "limits": {field: getattr(volunteer, field) for field in LIMIT_FIELDS},
    }


def set_availability(actor: Actor, volunteer_id: int, data: dict) -> dict:
    """Replace a volunteer's availability: their own, or any a coordinator manages.

    The trainee flag is a coordinator's call; a volunteer sending it gets 403.
    """
    from service.activities.models import ActivityType

    volunteer = get_volunteer(actor, volunteer_id)
    manages = manages_volunteer(actor, volunteer)
    if not manages and "trainee" in data:
        raise Forbidden("Only a coordinator may mark someone as a trainee.")
    keys = set(data["preferred_activity_types"]) | set(data["avoided_activity_types"])
    known = set(
        db.session.scalars(
            sa.select(ActivityType.key).where(
                ActivityType.organization_id == actor.organization_id, ActivityType.key.in_(keys)
            )
        )
    )
    errors: dict[str, list[str]] = {}
    for field in ("preferred_activity_types", "avoided_activity_types"):
        unknown = sorted(set(data[field]) - known)
        if unknown:
            errors[field] = [f"Unknown activity type {', '.join(unknown)}."]
    both = set(data["preferred_activity_types"]) & set(data["avoided_activity_types"])
    if both:
        errors["avoided_activity_types"] = [
            f"Both preferred and avoided: {', '.join(sorted(both))}."
        ]
    people = set(data["pair_with"]) | set(data["not_together"])
    existing = set(
        db.session.scalars(
            sa.select(VolunteerProfile.id).where(
                VolunteerProfile.organization_id == actor.organization_id,
                VolunteerProfile.id.in_(people),
            )
        )
    )
    for field in ("pair_with", "not_together"):
        wrong = sorted(set(data[field]) - existing)
        if wrong:
            errors[field] = [f"No volunteer {', '.join(map(str, wrong))} in this organization."]
        if volunteer.id in data[field]:
            errors[field] = ["A volunteer cannot be paired with themselves."]
    clash = set(data["pair_with"]) & set(data["not_together"])
    if clash:
        errors["not_together"] = ["Someone cannot be both a wished-for partner and kept apart."]
    if errors:
        raise Invalid(errors)
    db.session.execute(
        sa.delete(AvailabilityWindow).where(AvailabilityWindow.volunteer_id == volunteer.id)
    )
    db.session.execute(sa.delete(Blackout).where(Blackout.volunteer_id == volunteer.id))
    for window in data["windows"]:
        db.session.add(
            AvailabilityWindow(
                volunteer_id=volunteer.id,
                weekday=window["weekday"],
                start_minute=_minutes(window["start"]),
                end_minute=_minutes(window["end"]),
            )
        )
    for blackout in data["blackouts"]:
        db.session.add(Blackout(volunteer_id=volunteer.id, **blackout))
    preferences = db.session.get(VolunteerPreferences, volunteer.id)
    if preferences is None:
        preferences = VolunteerPreferences(volunteer_id=volunteer.id, trainee=False)
        db.session.add(preferences)
    if "trainee" in data:
        preferences.trainee = data["trainee"]
    preferences.preferred_activity_types = sorted(set(data["preferred_activity_types"]))
    preferences.avoided_activity_types = sorted(set(data["avoided_activity_types"]))
    preferences.pair_with = sorted(set(data["pair_with"]))
    preferences.not_together = sorted(set(data["not_together"]))
    touch(volunteer)
    events.volunteer_event(events.VOLUNTEER_AVAILABILITY_CHANGED, volunteer, actor)
    return get_availability(actor, volunteer.id)
