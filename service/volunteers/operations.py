"""Use cases of skills and volunteer profiles."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from service.accounts.models import Membership, User, membership_communities
from service.accounts.operations import add_member, ensure_volunteer_profile, normalize_email
from service.core.auth import Actor, Role
from service.core.db import db, get_in_organization, json_array_contains, touch
from service.core.errors import Conflict, Forbidden, Invalid, check_version
from service.volunteers import events
from service.volunteers.models import Skill, VolunteerProfile, volunteer_skills

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
