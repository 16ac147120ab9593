"""Every model of the service, imported once so the mappers and Alembic see them all."""

from service.accounts.models import ApiToken, Membership, Organization, User
from service.activities.models import ActivityType, Event, Position
from service.assignments.models import Assignment
from service.calendars.models import CalendarFeed, CalendarRendering
from service.communities.models import Community
from service.core.outbox import OutboxEvent
from service.residents.models import (
    CareCircleMember,
    ContactAccess,
    HelpRequest,
    Resident,
    VisitOutcome,
)
from service.rotations.models import RotationPlan, TeamRotationSettings
from service.series.models import EventSeries
from service.swaps.models import SwapOffer
from service.teams.models import Team, TeamMember
from service.volunteers.models import (
    AvailabilityWindow,
    Blackout,
    Skill,
    VolunteerPreferences,
    VolunteerProfile,
)

__all__ = [
    "ActivityType",
    "ApiToken",
    "Assignment",
    "AvailabilityWindow",
    "Blackout",
    "CalendarFeed",
    "CalendarRendering",
    "CareCircleMember",
    "Community",
    "ContactAccess",
    "Event",
    "EventSeries",
    "HelpRequest",
    "Membership",
    "Organization",
    "OutboxEvent",
    "Position",
    "Resident",
    "RotationPlan",
    "Skill",
    "SwapOffer",
    "Team",
    "TeamMember",
    "TeamRotationSettings",
    "User",
    "VisitOutcome",
    "VolunteerPreferences",
    "VolunteerProfile",
]
