"""Factories for common objects, built through the domain operations (the real code paths)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask

from service.accounts import operations as accounts
from service.activities import operations as activities
from service.activities.models import ActivityType, EventStatus
from service.communities import operations as communities
from service.core.auth import Actor, Role
from service.core.db import db
from service.core.time import utcnow
from service.teams import operations as teams
from service.volunteers import operations as volunteers


@contextlib.contextmanager
def in_app(app: Flask) -> Iterator[None]:
    """Run domain code as a worker would: an app context, committed at the end."""
    with app.app_context():
        yield
        db.session.commit()


@dataclass(frozen=True)
class Person:
    user_id: int
    member_id: int
    organization_id: int
    role: Role
    email: str
    token: str
    volunteer_id: int | None = None


@dataclass(frozen=True)
class Tenant:
    organization_id: int
    admin: Person


@dataclass(frozen=True)
class EventRef:
    id: int
    position_ids: list[int] = field(default_factory=list)

    @property
    def position_id(self) -> int:
        return self.position_ids[0]


class Factory:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._numbers = itertools.count(1)

    def _n(self) -> int:
        return next(self._numbers)

    def actor(self, person: Person) -> Actor:
        with self.app.app_context():
            actor = accounts.actor_for_user(person.user_id, person.organization_id)
        assert actor is not None
        return actor

    def tenant(self, name: str | None = None) -> Tenant:
        n = self._n()
        with in_app(self.app):
            organization, membership, token = accounts.create_organization(
                name or f"Organization {n}",
                admin_email=f"admin{n}-{id(self)}@example.org",
                admin_name=f"Admin {n}",
            )
            admin = Person(
                membership.user_id,
                membership.id,
                organization.id,
                Role.ADMIN,
                membership.user.email,
                token,
            )
            return Tenant(organization.id, admin)

    def community(
        self,
        tenant: Tenant,
        name: str | None = None,
        timezone: str = "Asia/Shanghai",
        locale: str = "zh",
    ) -> int:
        with in_app(self.app):
            community = communities.create_community(
                self.actor(tenant.admin),
                {
                    "name": name or f"Community {self._n()}",
                    "timezone": timezone,
                    "locale": locale,
                    "contact_phone": "+86 21 5555 0100",
                },
            )
            return community.id

    def skill(self, tenant: Tenant, key: str, name: str | None = None) -> int:
        with in_app(self.app):
            return volunteers.create_skill(self.actor(tenant.admin), key, name or key).id

    def person(
        self,
        tenant: Tenant,
        role: Role = Role.VOLUNTEER,
        *,
        communities: Iterable[int] = (),
        skills: Iterable[str] = (),
        languages: Iterable[str] = (),
        limits: dict | None = None,
        name: str | None = None,
        password: str | None = None,
        locale: str = "en",
        timezone: str = "UTC",
        phone: str | None = None,
    ) -> Person:
        n = self._n()
        email = f"person{n}-{id(self)}@example.org"
        admin = self.actor(tenant.admin)
        with in_app(self.app):
            membership = accounts.add_member(
                admin,
                email=email,
                name=name or f"Person {n}",
                role=role,
                community_ids=list(communities),
                locale=locale,
                timezone=timezone,
                password=password,
            )
            volunteer_id = None
            if role is Role.VOLUNTEER:
                volunteer = volunteers.update_volunteer(
                    admin,
                    membership.volunteer.id,
                    {
                        "skills": list(skills),
                        "languages": list(languages),
                        "limits": limits or {},
                        "phone": phone,
                    },
                )
                volunteer_id = volunteer.id
            _token, plaintext = accounts.issue_token_for(
                membership.user_id, tenant.organization_id, "tests"
            )
            return Person(
                membership.user_id,
                membership.id,
                tenant.organization_id,
                role,
                email,
                plaintext,
                volunteer_id,
            )

    def team(
        self,
        tenant: Tenant,
        community_id: int,
        members: Iterable[Person] = (),
        name: str | None = None,
    ) -> int:
        admin = self.actor(tenant.admin)
        with in_app(self.app):
            team = teams.create_team(
                admin, community_id=community_id, name=name or f"Team {self._n()}"
            )
            for member in members:
                teams.add_team_member(admin, team.id, volunteer_id=member.volunteer_id)
            return team.id

    def event(
        self,
        tenant: Tenant,
        community_id: int,
        *,
        starts_at: datetime | None = None,
        hours: float = 2,
        activity: str = "patrol",
        positions: list[dict] | None = None,
        status: EventStatus = EventStatus.PUBLISHED,
        team_id: int | None = None,
        title: str | None = None,
    ) -> EventRef:
        starts_at = starts_at or (utcnow() + timedelta(days=2)).replace(microsecond=0)
        admin = self.actor(tenant.admin)
        with in_app(self.app):
            activity_type_id = db.session.scalar(
                db.select(ActivityType.id).where(
                    ActivityType.organization_id == tenant.organization_id,
                    ActivityType.key == activity,
                )
            )
            data = {
                "community_id": community_id,
                "activity_type_id": activity_type_id,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=hours),
                "status": EventStatus(status),
                "team_id": team_id,
            }
            if title:
                data["title"] = title
            if positions is not None:
                data["positions"] = positions
            event = activities.create_event(admin, data)
            return EventRef(event.id, [position.id for position in event.positions])
