"""Who is acting, and what their role lets them do.

Operations receive an ``Actor`` as an argument; only the HTTP boundary builds it
(from an API token or a web session), so the same operation runs from HTTP, the
CLI and a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask import g

from service.core.errors import Forbidden, Unauthorized


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VOLUNTEER = "volunteer"


@dataclass(frozen=True)
class Actor:
    """A user acting inside one organization."""

    #: None for the service itself (scheduler, workers), which acts as an administrator.
    user_id: int | None
    organization_id: int
    role: Role
    #: Communities the membership is limited to; None means every community of the
    #: organization (admins always; coordinators and volunteers when not limited).
    community_ids: frozenset[int] | None
    #: The user's volunteer profile in this organization, if they have one.
    volunteer_id: int | None = None
    locale: str = "en"
    timezone: str = "UTC"

    @classmethod
    def system(cls, organization_id: int) -> Actor:
        """The service acting on its own (a scheduled job, a worker)."""
        return cls(
            user_id=None, organization_id=organization_id, role=Role.ADMIN, community_ids=None
        )

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_coordinator(self) -> bool:
        """Coordinators and admins: the people who manage communities."""
        return self.role in (Role.ADMIN, Role.COORDINATOR)

    def in_community(self, community_id: int) -> bool:
        return self.community_ids is None or community_id in self.community_ids

    def manages(self, community_id: int) -> bool:
        return self.is_admin or (self.role is Role.COORDINATOR and self.in_community(community_id))

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Only an administrator of the organization may do this.")

    def require_coordinator(self) -> None:
        if not self.is_coordinator:
            raise Forbidden("Only a coordinator or an administrator may do this.")

    def require_manages(self, community_id: int) -> None:
        if not self.manages(community_id):
            raise Forbidden("You do not coordinate this community.")


def current_actor() -> Actor:
    """The actor the HTTP boundary authenticated for this request."""
    actor = g.get("actor")
    if actor is None:
        raise Unauthorized()
    return actor
