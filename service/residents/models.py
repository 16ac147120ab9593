"""Residents, their help requests, care circles, visit outcomes and the contact access log."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.core.db import BigIntPK, JSONType, UTCDateTime, db, str_enum
from service.core.time import utcnow

if TYPE_CHECKING:
    from service.communities.models import Community


class Category(StrEnum):
    GROCERIES = "groceries"
    RIDE = "ride"  # a ride or an escort: to the clinic, to an office
    VISIT = "visit"  # a home visit or companionship
    HAIRCUT = "haircut"
    REPAIR = "repair"  # a small home repair
    OTHER = "other"


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Recurrence(StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class TimeOfDay(StrEnum):
    ANY = "any"
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class RequestStatus(StrEnum):
    RECEIVED = "received"  # waits for a coordinator
    NEEDS_DETAILS = "needs_details"  # a coordinator asked the resident something
    ACCEPTED = "accepted"  # triaged, waits for a volunteer and a time
    SCHEDULED = "scheduled"  # an event with an assigned volunteer exists
    FOLLOW_UP = "follow_up"  # the visit found something that needs a coordinator
    DONE = "done"
    DECLINED = "declined"  # not something the organization can do; reason given
    CANCELLED = "cancelled"  # withdrawn by the resident or a coordinator
    MERGED = "merged"  # a duplicate, folded into another request


#: Requests still being worked on.
OPEN_STATUSES = (
    RequestStatus.RECEIVED,
    RequestStatus.NEEDS_DETAILS,
    RequestStatus.ACCEPTED,
    RequestStatus.SCHEDULED,
    RequestStatus.FOLLOW_UP,
)


class Channel(StrEnum):
    WEB = "web"  # the resident filled the form
    PHONE = "phone"  # a coordinator typed it in during a call
    IN_PERSON = "in_person"  # at the office or a publicity stand


class Outcome(StrEnum):
    DONE = "done"
    NOT_AT_HOME = "not_at_home"
    NEEDS_FOLLOW_UP = "needs_follow_up"


class Concern(StrEnum):
    NONE = "none"
    HEALTH = "health"
    SAFETY = "safety"


class Resident(db.Model):
    """A person who receives help, often elderly, often without an account."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised tenant for scoping.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: The community they live in; its coordinators look after them.
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: Full name. Private: coordinators and the assigned volunteer only.
    name: Mapped[str] = mapped_column(sa.String(200))
    #: What everyone else sees (a first or given name); never enough to find them.
    short_name: Mapped[str] = mapped_column(sa.String(100))
    #: Phone number as given. Private, and every read is logged.
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    #: Digits of the phone with its + (for finding a returning resident). Private.
    phone_normalized: Mapped[str | None] = mapped_column(sa.String(24), index=True)
    #: Home address. Private, and every read is logged.
    address: Mapped[str | None] = mapped_column(sa.Text)
    #: Language they prefer to be spoken to in (en, zh, es).
    language: Mapped[str] = mapped_column(sa.String(8))
    #: Needs a volunteer should know of: mobility, hearing, sight, diet, memory, ...
    needs: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Free notes by coordinators (access, stairs, pets). Private.
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    #: Whom to call in an emergency. Private.
    emergency_contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    #: Their phone number. Private.
    emergency_contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    #: When the resident agreed that we keep and use their data.
    consent_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: How they agreed: web form, phone, in person, paper.
    consent_method: Mapped[str | None] = mapped_column(sa.String(20))
    #: The coordinator who recorded the consent; None when the resident gave it online.
    consent_recorded_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When the contact data was erased on request; the statistics stay.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the record was created.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    community: Mapped[Community] = relationship()
    circle: Mapped[list[CareCircleMember]] = relationship(
        back_populates="resident",
        cascade="all, delete-orphan",
        order_by="CareCircleMember.volunteer_id",
    )

    __mapper_args__ = {"version_id_col": version}


class CareCircleMember(db.Model):
    """A volunteer in a resident's standing circle (three for one elderly person, say)."""

    __tablename__ = "care_circle_members"

    #: The resident.
    resident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    #: The volunteer.
    volunteer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: When they joined the circle.
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resident: Mapped[Resident] = relationship(back_populates="circle")


class HelpRequest(db.Model):
    """A resident's request for help, from intake to the volunteer at the door."""

    __tablename__ = "help_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Denormalised tenant for scoping.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: The community that handles it (the resident's).
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: Who needs the help.
    resident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    #: Short code the resident can read out on the phone, e.g. ``K7MX-42QD``.
    reference: Mapped[str] = mapped_column(sa.String(9), unique=True)
    #: groceries, ride, visit, haircut, repair or other.
    category: Mapped[Category] = mapped_column(str_enum(Category, "help_category"))
    #: What the resident asked for, in their words. Erased on anonymisation.
    details: Mapped[str] = mapped_column(sa.Text, default="")
    #: low, normal, high or urgent.
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, "help_urgency"))
    #: once, weekly, fortnightly or monthly ("every Saturday morning").
    recurrence: Mapped[Recurrence] = mapped_column(str_enum(Recurrence, "help_recurrence"))
    #: A day the resident would like, if any.
    preferred_date: Mapped[date | None] = mapped_column(sa.Date)
    #: Weekdays that suit them, 0 = Monday.
    preferred_weekdays: Mapped[list[int]] = mapped_column(JSONType, default=list)
    #: morning, afternoon, evening or any.
    preferred_time_of_day: Mapped[TimeOfDay] = mapped_column(str_enum(TimeOfDay, "time_of_day"))
    #: How it reached us: web, phone or in person.
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "help_channel"))
    #: Where it stands; see RequestStatus.
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "help_request_status"), index=True
    )
    #: Why it was declined, or what the coordinator asked, told to the resident.
    status_note: Mapped[str | None] = mapped_column(sa.String(500))
    #: The request this duplicate was folded into.
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("help_requests.id", ondelete="SET NULL")
    )
    #: The event that serves it (the first occurrence for a recurring request).
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    #: The coordinator who entered it (phoned in), or None for the resident's own form.
    created_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When it was received.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: Optimistic-lock counter, the ETag.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    resident: Mapped[Resident] = relationship()
    community: Mapped[Community] = relationship()
    outcomes: Mapped[list[VisitOutcome]] = relationship(
        back_populates="request", order_by="VisitOutcome.id"
    )

    __table_args__ = (sa.Index("ix_help_requests_community_status", "community_id", "status"),)
    __mapper_args__ = {"version_id_col": version}


class VisitOutcome(db.Model):
    """What the volunteer found when they went: done, not at home, needs follow-up."""

    __tablename__ = "visit_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The request served.
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("help_requests.id", ondelete="CASCADE"), index=True
    )
    #: The visit (an occurrence, for recurring requests).
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    #: done, not_at_home or needs_follow_up.
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, "visit_outcome"))
    #: none, health or safety: a concern alerts the coordinators at once.
    concern: Mapped[Concern] = mapped_column(str_enum(Concern, "visit_concern"))
    #: What the volunteer wants the coordinator to know. Erased on anonymisation.
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: Who recorded it.
    recorded_by_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: When.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[HelpRequest] = relationship(back_populates="outcomes")


class ContactAccess(db.Model):
    """One read of a resident's phone or address: who, when, through what."""

    __tablename__ = "contact_access_log"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    #: Denormalised tenant for scoping.
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    #: Whose details were read.
    resident_id: Mapped[int] = mapped_column(
        sa.ForeignKey("residents.id", ondelete="CASCADE"), index=True
    )
    #: Who read them.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: Their role at the time: coordinator, admin or the assigned volunteer.
    role: Mapped[str] = mapped_column(sa.String(24))
    #: Which details: phone, address, emergency contact.
    fields: Mapped[list[str]] = mapped_column(JSONType)
    #: The request or screen that showed them, e.g. ``GET /api/v1/help-requests/12``.
    purpose: Mapped[str] = mapped_column(sa.String(200))
    #: When.
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
