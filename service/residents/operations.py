"""Use cases of residents and help requests: intake, triage, matching, scheduling, privacy.

A resident's phone, address and emergency contact are shown only to coordinators of
the resident's community and to a volunteer holding a place in one of the
resident's visits, from a day before it to a day after; every such read is written
to the contact access log. Everyone else, the public status link included, sees the
short (first) name only.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from service.accounts.models import Membership
from service.activities.models import Event, EventStatus
from service.activities.operations import cancel_event, create_event, ensure_activity_type
from service.assignments import rules
from service.assignments.models import HOLDING, Assignment, AssignmentSource, AssignmentStatus
from service.assignments.operations import assign, commitments_of
from service.communities.models import Community
from service.core.auth import Actor
from service.core.config import get_settings
from service.core.db import db, get_in_organization
from service.core.errors import BadRequest, Conflict, Forbidden, Invalid, NotFound, check_version
from service.core.phone import normalize_phone
from service.core.time import utcnow
from service.residents import events, matching
from service.residents.models import (
    OPEN_STATUSES,
    CareCircleMember,
    Category,
    Channel,
    Concern,
    ContactAccess,
    HelpRequest,
    Outcome,
    Recurrence,
    RequestStatus,
    Resident,
    TimeOfDay,
    VisitOutcome,
)
from service.residents.privacy import contact_visible, short_name
from service.volunteers.models import VolunteerProfile

STATUS_LINK_SALT = "help-request-status"
#: A status link keeps working for a good while after the help was given.
STATUS_LINK_MAX_AGE = timedelta(days=400)
#: Letters and digits nobody confuses when reading them out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

#: The activity each category of help becomes when it is scheduled.
CATEGORY_ACTIVITY = {
    Category.GROCERIES: "grocery-run",
    Category.RIDE: "escort",
    Category.VISIT: "home-visit",
    Category.HAIRCUT: "haircut",
    Category.REPAIR: "home-repair",
    Category.OTHER: "home-visit",
}
#: Local hours that "morning", "afternoon" and "evening" stand for.
TIME_OF_DAY_HOURS = {
    TimeOfDay.MORNING: (8, 12),
    TimeOfDay.AFTERNOON: (12, 17),
    TimeOfDay.EVENING: (17, 21),
    TimeOfDay.ANY: (8, 20),
}
CONTACT_FIELDS = ("phone", "address", "emergency_contact")
LOAD_WINDOW = timedelta(days=30)

_REQUEST_LOAD = (
    selectinload(HelpRequest.resident).selectinload(Resident.circle),
    selectinload(HelpRequest.outcomes),
)


# --- status links and references ------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=STATUS_LINK_SALT)


def status_token(request: HelpRequest) -> str:
    return _serializer().dumps(request.reference)


def status_url(request: HelpRequest) -> str:
    return f"{get_settings().base_url}/r/{status_token(request)}"


def request_for_status_token(token: str) -> HelpRequest:
    """The request a signed status link names; 404 for a forged or expired link."""
    try:
        reference = _serializer().loads(token, max_age=int(STATUS_LINK_MAX_AGE.total_seconds()))
    except BadSignature:
        raise NotFound("This link is not valid. Please call your community office.") from None
    request = db.session.scalar(
        sa.select(HelpRequest).options(*_REQUEST_LOAD).where(HelpRequest.reference == reference)
    )
    if request is None:
        raise NotFound("This link is not valid. Please call your community office.")
    return request


def _new_reference() -> str:
    while True:
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        reference = f"{code[:4]}-{code[4:]}"
        taken = db.session.scalar(
            sa.select(HelpRequest.id).where(HelpRequest.reference == reference)
        )
        if taken is None:
            return reference


# --- access to contact details --------------------------------------------------------------


def _visits_of(volunteer_id: int, resident_id: int) -> list[tuple[datetime, datetime]]:
    """When the volunteer holds a place in one of the resident's visits."""
    return [
        (starts_at, ends_at)
        for starts_at, ends_at in db.session.execute(
            sa.select(Event.starts_at, Event.ends_at)
            .join(Assignment, Assignment.event_id == Event.id)
            .join(HelpRequest, HelpRequest.event_id == Event.id)
            .where(
                HelpRequest.resident_id == resident_id,
                Assignment.volunteer_id == volunteer_id,
                Assignment.status.in_(HOLDING),
                Event.status != EventStatus.CANCELLED,
            )
        )
    ]


def _may_see_contact(actor: Actor, resident: Resident) -> bool:
    if resident.anonymised_at is not None:
        return False
    visits = _visits_of(actor.volunteer_id, resident.id) if actor.volunteer_id else []
    return contact_visible(
        coordinates_community=actor.manages(resident.community_id), visits=visits, now=utcnow()
    )


def _log_contact_read(actor: Actor, resident: Resident, purpose: str) -> None:
    shown = [
        name
        for name, value in (
            ("phone", resident.phone),
            ("address", resident.address),
            ("emergency_contact", resident.emergency_contact_phone),
        )
        if value
    ]
    if not shown:
        return
    db.session.add(
        ContactAccess(
            organization_id=resident.organization_id,
            resident_id=resident.id,
            user_id=actor.user_id,
            role=actor.role.value if actor.manages(resident.community_id) else "assigned_volunteer",
            fields=shown,
            purpose=purpose[:200],
            accessed_at=utcnow(),
        )
    )
    db.session.flush()


def _reveal(actor: Actor, resident: Resident, purpose: str) -> bool:
    """Whether this reader sees the contact details now; a read that shows them is logged."""
    visible = _may_see_contact(actor, resident)
    if visible:
        _log_contact_read(actor, resident, purpose)
    return visible


def access_log_query(
    actor: Actor, *, resident_id: int | None = None, user_id: int | None = None
) -> sa.Select:
    """Who read which resident's contact details, newest first (coordinators)."""
    actor.require_coordinator()
    statement = (
        sa.select(ContactAccess)
        .join(Resident, Resident.id == ContactAccess.resident_id)
        .where(ContactAccess.organization_id == actor.organization_id)
        .order_by(ContactAccess.id.desc())
    )
    if not actor.is_admin and actor.community_ids is not None:
        statement = statement.where(Resident.community_id.in_(actor.community_ids))
    if resident_id is not None:
        statement = statement.where(ContactAccess.resident_id == resident_id)
    if user_id is not None:
        statement = statement.where(ContactAccess.user_id == user_id)
    return statement


# --- residents ------------------------------------------------------------------------------


def _managed_community(actor: Actor, community_id: int) -> Community:
    community = db.session.scalar(
        sa.select(Community).where(
            Community.id == community_id, Community.organization_id == actor.organization_id
        )
    )
    if community is None:
        raise Invalid({"community_id": [f"No community {community_id} in this organization."]})
    actor.require_manages(community.id)
    return community


def residents_query(
    actor: Actor, *, community_id: int | None = None, search: str | None = None
) -> sa.Select:
    """Residents of the communities the caller coordinates (without contact details)."""
    actor.require_coordinator()
    statement = (
        sa.select(Resident)
        .options(selectinload(Resident.circle))
        .where(Resident.organization_id == actor.organization_id)
        .order_by(Resident.name, Resident.id)
    )
    if not actor.is_admin and actor.community_ids is not None:
        statement = statement.where(Resident.community_id.in_(actor.community_ids))
    if community_id is not None:
        statement = statement.where(Resident.community_id == community_id)
    if search:
        statement = statement.where(sa.func.lower(Resident.name).like(f"%{search.lower()}%"))
    return statement


def get_resident(actor: Actor, resident_id: int, *, purpose: str) -> Resident:
    """A resident, with ``contact_visible`` set for this reader (and the read logged)."""
    resident = get_in_organization(
        Resident, resident_id, actor.organization_id, options=(selectinload(Resident.circle),)
    )
    if not actor.manages(resident.community_id) and not (
        actor.volunteer_id and _visits_of(actor.volunteer_id, resident.id)
    ):
        raise Forbidden(
            "Only the community's coordinators and the volunteers visiting may see this resident."
        )
    resident.contact_visible = _reveal(actor, resident, purpose)
    return resident


def _resident_fields(data: dict) -> dict:
    fields = {
        key: data[key]
        for key in (
            "name",
            "short_name",
            "phone",
            "address",
            "language",
            "needs",
            "notes",
            "emergency_contact_name",
            "emergency_contact_phone",
        )
        if key in data
    }
    if "name" in fields and not fields.get("short_name"):
        fields["short_name"] = short_name(fields["name"])
    if "phone" in fields:
        fields["phone_normalized"] = normalize_phone(fields["phone"]) if fields["phone"] else None
    return fields


def create_resident(actor: Actor, data: dict, *, purpose: str) -> Resident:
    """A coordinator records a resident, e.g. while on the phone with them."""
    community = _managed_community(actor, data["community_id"])
    resident = Resident(
        organization_id=actor.organization_id,
        community_id=community.id,
        consent_given_at=utcnow(),
        consent_method=data["consent_method"],
        consent_recorded_by_user_id=actor.user_id,
        **_resident_fields(data),
    )
    db.session.add(resident)
    db.session.flush()
    resident.contact_visible = _reveal(actor, resident, purpose)
    return resident


def update_resident(
    actor: Actor,
    resident_id: int,
    changes: dict,
    *,
    purpose: str,
    expected_version: int | None = None,
) -> Resident:
    resident = get_in_organization(Resident, resident_id, actor.organization_id)
    actor.require_manages(resident.community_id)
    check_version(resident.version, expected_version)
    if resident.anonymised_at is not None:
        raise Conflict("This resident was anonymised.", reason="resident_anonymised")
    if "community_id" in changes:
        resident.community_id = _managed_community(actor, changes["community_id"]).id
    if "consent_method" in changes:
        resident.consent_method = changes["consent_method"]
        resident.consent_given_at = utcnow()
        resident.consent_recorded_by_user_id = actor.user_id
    for key, value in _resident_fields(changes).items():
        setattr(resident, key, value)
    db.session.flush()
    resident.contact_visible = _reveal(actor, resident, purpose)
    return resident


def set_care_circle(actor: Actor, resident_id: int, volunteer_ids: Iterable[int]) -> Resident:
    """The standing circle of volunteers who share the resident's recurring visits."""
    resident = get_in_organization(
        Resident, resident_id, actor.organization_id, options=(selectinload(Resident.circle),)
    )
    actor.require_manages(resident.community_id)
    wanted = sorted(set(volunteer_ids))
    found = set(
        db.session.scalars(
            sa.select(VolunteerProfile.id).where(
                VolunteerProfile.id.in_(wanted),
                VolunteerProfile.organization_id == actor.organization_id,
                VolunteerProfile.active.is_(True),
            )
        )
    )
    if missing := sorted(set(wanted) - found):
        raise Invalid({"volunteer_ids": [f"No active volunteer {missing} in this organization."]})
    keep = {member.volunteer_id: member for member in resident.circle}
    resident.circle = [keep.get(vid) or CareCircleMember(volunteer_id=vid) for vid in wanted]
    db.session.flush()
    return resident


def anonymise_resident(actor: Actor, resident_id: int) -> Resident:
    """Erase a resident's personal data on request; their requests stay, counted, nameless.

    Open requests are cancelled (and their visits with them); free text that may hold
    personal data (request details, visit notes) is erased too.
    """
    resident = get_in_organization(Resident, resident_id, actor.organization_id)
    actor.require_manages(resident.community_id)
    if resident.anonymised_at is not None:
        return resident
    requests = list(
        db.session.scalars(sa.select(HelpRequest).where(HelpRequest.resident_id == resident.id))
    )
    for request in requests:
        if request.status in OPEN_STATUSES:
            _cancel(actor, request, "The resident asked for their data to be erased.")
        request.details = ""
        request.status_note = None
        for outcome in request.outcomes:
            outcome.note = ""
        if request.event_id is not None:
            event = db.session.get(Event, request.event_id)
            event.title = event.activity_type.name_in(resident.community.locale)
    resident.name = ""
    resident.short_name = "—"
    resident.phone = resident.phone_normalized = resident.address = None
    resident.notes = ""
    resident.needs = []
    resident.emergency_contact_name = resident.emergency_contact_phone = None
    resident.circle = []
    resident.anonymised_at = utcnow()
    db.session.flush()
    events.resident_anonymised(resident, actor)
    return resident


# --- intake ---------------------------------------------------------------------------------


def submit_request(actor: Actor | None, data: dict) -> HelpRequest:
    """A resident asks for help through the public form, or a coordinator types it in.

    An anonymous form never changes an existing resident's record: a returning phone
    number links the request to that resident, and anything new the form says goes
    into the request for a coordinator to check.
    """
    if data.get("website"):
        raise BadRequest("This form could not be sent. Please call your community office.")
    community = db.session.get(Community, data["community_id"])
    if community is None or (actor and community.organization_id != actor.organization_id):
        raise Invalid({"community_id": ["Choose your community from the list."]})
    if actor is not None:
        actor.require_manages(community.id)
        resident = _resident_for_coordinator(actor, community, data)
        channel = data.get("channel") or Channel.PHONE
    else:
        resident, note = _resident_for_form(community, data)
        if note:
            data = {**data, "details": f"{data.get('details', '')}\n\n{note}".strip()}
        channel = Channel.WEB
    request = HelpRequest(
        organization_id=community.organization_id,
        community_id=community.id,
        resident_id=resident.id,
        reference=_new_reference(),
        category=data["category"],
        details=data.get("details", ""),
        urgency=data["urgency"],
        recurrence=data["recurrence"],
        preferred_date=data.get("preferred_date"),
        preferred_weekdays=sorted(set(data.get("preferred_weekdays", []))),
        preferred_time_of_day=data["preferred_time_of_day"],
        channel=channel,
        status=RequestStatus.RECEIVED,
        created_by_user_id=actor.user_id if actor else None,
    )
    db.session.add(request)
    db.session.flush()
    events.request_event(events.HELP_REQUEST_RECEIVED, request, actor)
    return request


def _resident_for_coordinator(actor: Actor, community: Community, data: dict) -> Resident:
    if data.get("resident_id") is not None:
        resident = get_in_organization(Resident, data["resident_id"], actor.organization_id)
        if resident.community_id != community.id or resident.anonymised_at is not None:
            raise Invalid({"resident_id": ["This resident does not live in this community."]})
        return resident
    if not data.get("name"):
        raise Invalid({"name": ["Give the resident's name, or choose a known resident."]})
    return create_resident(
        actor,
        {
            **data,
            "language": data.get("language") or community.locale,
            "consent_method": "phone" if data.get("channel") != Channel.IN_PERSON else "in_person",
        },
        purpose="help request intake",
    )


def _resident_for_form(community: Community, data: dict) -> tuple[Resident, str]:
    errors = {}
    if not data.get("name"):
        errors["name"] = ["Please write your name."]
    if data.get("consent") is not True:
        errors["consent"] = ["Please agree that we keep your details to arrange the help."]
    if errors:
        raise Invalid(errors)
    phone = data.get("phone")
    if phone:
        known = db.session.scalar(
            sa.select(Resident)
            .where(
                Resident.community_id == community.id,
                Resident.phone_normalized == normalize_phone(phone),
                Resident.anonymised_at.is_(None),
            )
            .order_by(Resident.id)
        )
        if known is not None:
            given = [
                f"{label}: {data[key]}"
                for key, label in (("name", "Name given"), ("address", "Address given"))
                if data.get(key) and data[key] != getattr(known, key)
            ]
            return known, "\n".join(given)
    resident = Resident(
        organization_id=community.organization_id,
        community_id=community.id,
        consent_given_at=utcnow(),
        consent_method="web",
        **_resident_fields(
            {
                "name": data["name"],
                "phone": phone,
                "address": data.get("address"),
                "language": data.get("language") or community.locale,
            }
        ),
    )
    db.session.add(resident)
    db.session.flush()
    return resident, ""


# --- triage ---------------------------------------------------------------------------------


def requests_query(
    actor: Actor,
    *,
    statuses: Iterable[RequestStatus] = (),
    urgencies: Iterable[str] = (),
    categories: Iterable[str] = (),
    community_id: int | None = None,
    resident_id: int | None = None,
) -> sa.Select:
    """Requests of the communities the caller coordinates, most urgent and oldest first."""
    actor.require_coordinator()
    urgency_order = sa.case(
        {"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=HelpRequest.urgency
    )
    statement = (
        sa.select(HelpRequest)
        .options(*_REQUEST_LOAD)
        .where(HelpRequest.organization_id == actor.organization_id)
        .order_by(urgency_order, HelpRequest.created_at, HelpRequest.id)
    )
    if not actor.is_admin and actor.community_ids is not None:
        statement = statement.where(HelpRequest.community_id.in_(actor.community_ids))
    for column, values in (
        (HelpRequest.status, statuses),
        (HelpRequest.urgency, urgencies),
        (HelpRequest.category, categories),
    ):
        values = list(values)
        if values:
            statement = statement.where(column.in_(values))
    if community_id is not None:
        statement = statement.where(HelpRequest.community_id == community_id)
    if resident_id is not None:
        statement = statement.where(HelpRequest.resident_id == resident_id)
    return statement


def get_request(actor: Actor, request_id: int, *, purpose: str) -> HelpRequest:
    """A request for its coordinators, or for the volunteer sent to it (contact in the window)."""
    request = get_in_organization(
        HelpRequest, request_id, actor.organization_id, options=_REQUEST_LOAD, label="help request"
    )
    if not actor.manages(request.community_id) and not _serves(actor, request):
        raise Forbidden(
            "Only the community's coordinators and the volunteer sent may see this request."
        )
    request.resident.contact_visible = _reveal(actor, request.resident, purpose)
    return request


def _serves(actor: Actor, request: HelpRequest) -> bool:
    if actor.volunteer_id is None or request.event_id is None:
        return False
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Assignment.event_id == request.event_id,
                Assignment.volunteer_id == actor.volunteer_id,
                Assignment.status.in_(HOLDING),
            )
        )
        > 0
    )


def _managed_request(actor: Actor, request_id: int) -> HelpRequest:
    request = get_in_organization(
        HelpRequest, request_id, actor.organization_id, options=_REQUEST_LOAD, label="help request"
    )
    actor.require_manages(request.community_id)
    return request


def _require_status(request: HelpRequest, allowed: Iterable[RequestStatus], doing: str) -> None:
    if request.status not in tuple(allowed):
        raise Conflict(
            f"A {request.status.value} request cannot be {doing}.", reason="invalid_state"
        )


def update_request(
    actor: Actor, request_id: int, changes: dict, *, expected_version: int | None = None
) -> HelpRequest:
    request = _managed_request(actor, request_id)
    check_version(request.version, expected_version)
    _require_status(request, OPEN_STATUSES, "edited")
    for key in (
        "category",
        "details",
        "urgency",
        "recurrence",
        "preferred_date",
        "preferred_time_of_day",
    ):
        if key in changes:
            setattr(request, key, changes[key])
    if "preferred_weekdays" in changes:
        request.preferred_weekdays = sorted(set(changes["preferred_weekdays"]))
    db.session.flush()
    return request


#: Statuses a request can still be triaged from: not yet scheduled, not yet closed.
UNSCHEDULED = (RequestStatus.RECEIVED, RequestStatus.NEEDS_DETAILS, RequestStatus.ACCEPTED)


def _triage(
    actor: Actor,
    request_id: int,
    to: RequestStatus,
    topic: str,
    note: str | None,
    *,
    allowed: tuple[RequestStatus, ...],
    doing: str,
) -> HelpRequest:
    request = _managed_request(actor, request_id)
    if request.status is to and request.status_note == note:
        return request  # asked twice: nothing new to tell anyone
    _require_status(request, allowed, doing)
    request.status = to
    request.status_note = note
    db.session.flush()
    events.request_event(topic, request, actor)
    return request


def accept_request(actor: Actor, request_id: int) -> HelpRequest:
    return _triage(
        actor,
        request_id,
        RequestStatus.ACCEPTED,
        events.HELP_REQUEST_ACCEPTED,
        None,
        allowed=(RequestStatus.RECEIVED, RequestStatus.NEEDS_DETAILS),
        doing="accepted",
    )


def ask_for_details(actor: Actor, request_id: int, question: str) -> HelpRequest:
    """Ask the resident something; they hear it by SMS and on their status page."""
    return _triage(
        actor,
        request_id,
        RequestStatus.NEEDS_DETAILS,
        events.HELP_REQUEST_DETAILS_REQUESTED,
        question,
        allowed=UNSCHEDULED,
        doing="asked about",
    )


def decline_request(actor: Actor, request_id: int, reason: str) -> HelpRequest:
    return _triage(
        actor,
        request_id,
        RequestStatus.DECLINED,
        events.HELP_REQUEST_DECLINED,
        reason,
        allowed=UNSCHEDULED,
        doing="declined",
    )


def merge_request(actor: Actor, request_id: int, into_id: int) -> HelpRequest:
    """Fold a duplicate into the request that stays (same community, still open)."""
    request = _managed_request(actor, request_id)
    target = _managed_request(actor, into_id)
    if target.id == request.id or target.community_id != request.community_id:
        raise Invalid({"into_id": ["Merge into another request of the same community."]})
    _require_status(request, UNSCHEDULED, "merged")
    _require_status(target, OPEN_STATUSES, "merged into")
    request.status = RequestStatus.MERGED
    request.merged_into_id = target.id
    if request.details and request.details not in target.details:
        target.details = f"{target.details}\n\n[{request.reference}] {request.details}".strip()
    db.session.flush()
    events.request_event(events.HELP_REQUEST_MERGED, request, actor, merged_into_id=target.id)
    return request


def _cancel(actor: Actor | None, request: HelpRequest, reason: str) -> None:
    request.status = RequestStatus.CANCELLED
    request.status_note = reason or None
    if request.event_id is not None:
        event = db.session.get(Event, request.event_id)
        if event.status is not EventStatus.CANCELLED and event.starts_at > utcnow():
            system = actor or Actor.system(request.organization_id)
            cancel_event(system, event.id, reason)
    db.session.flush()
    events.request_event(events.HELP_REQUEST_CANCELLED, request, actor)


def cancel_request(actor: Actor, request_id: int, reason: str = "") -> HelpRequest:
    request = _managed_request(actor, request_id)
    if request.status is RequestStatus.CANCELLED:
        return request
    _require_status(request, OPEN_STATUSES, "cancelled")
    _cancel(actor, request, reason)
    return request


def cancel_by_resident(token: str) -> HelpRequest:
    """The resident withdraws their request through their status link."""
    request = request_for_status_token(token)
    if request.status is RequestStatus.CANCELLED:
        return request
    _require_status(request, OPEN_STATUSES, "cancelled")
    _cancel(None, request, "Cancelled by the resident.")
    return request


# --- matching and scheduling ----------------------------------------------------------------


def _preferred_window(request: HelpRequest) -> tuple[datetime, datetime] | None:
    if request.preferred_date is None:
        return None
    zone = ZoneInfo(request.community.timezone)
    first, last = TIME_OF_DAY_HOURS[request.preferred_time_of_day]
    return (
        datetime.combine(request.preferred_date, time(first), tzinfo=zone),
        datetime.combine(request.preferred_date, time(last), tzinfo=zone),
    )


def matches(actor: Actor, request_id: int) -> list[matching.Match]:
    """Active volunteers ranked for this request, each with the reason for every point."""
    request = _managed_request(actor, request_id)
    resident = request.resident
    now = utcnow()
    volunteers = list(
        db.session.scalars(
            sa.select(VolunteerProfile)
            .join(VolunteerProfile.membership)
            .options(
                selectinload(VolunteerProfile.skills),
                selectinload(VolunteerProfile.membership).selectinload(Membership.user),
                selectinload(VolunteerProfile.membership).selectinload(Membership.communities),
            )
            .where(
                VolunteerProfile.organization_id == actor.organization_id,
                VolunteerProfile.active.is_(True),
                Membership.removed_at.is_(None),
            )
        )
    )
    ids = [v.id for v in volunteers]
    load = dict(
        db.session.execute(
            sa.select(Assignment.volunteer_id, sa.func.count())
            .join(Event, Event.id == Assignment.event_id)
            .where(
                Assignment.volunteer_id.in_(ids),
                Assignment.status.in_(HOLDING),
                Event.starts_at.between(now - LOAD_WINDOW, now + LOAD_WINDOW),
            )
            .group_by(Assignment.volunteer_id)
        ).all()
    )
    past = dict(
        db.session.execute(
            sa.select(Assignment.volunteer_id, sa.func.count())
            .join(HelpRequest, HelpRequest.event_id == Assignment.event_id)
            .join(Event, Event.id == Assignment.event_id)
            .where(
                HelpRequest.resident_id == resident.id,
                Assignment.status == AssignmentStatus.CONFIRMED,
                Event.ends_at < now,
            )
            .group_by(Assignment.volunteer_id)
        ).all()
    )
    circle = {member.volunteer_id for member in resident.circle}
    window = _preferred_window(request)
    candidates = []
    for volunteer in volunteers:
        free, blockers = None, ()
        if window is not None:
            slot = rules.Slot(window[0], window[1], request.community.timezone)
            commitments = commitments_of(volunteer.id, *window)
            free = not any(slot.overlaps(other) for other in commitments)
            blockers = tuple(
                v.detail
                for v in rules.violations(
                    slot,
                    commitments,
                    rules.Limits(
                        volunteer.max_assignments_per_week,
                        volunteer.max_hours_per_month,
                        volunteer.min_rest_hours,
                    ),
                    skills=volunteer.skill_keys,
                    required_skill=None,
                )
                if v.reason == rules.LIMIT_EXCEEDED
            )
        per_week = volunteer.max_assignments_per_week
        candidates.append(
            matching.Candidate(
                volunteer_id=volunteer.id,
                name=volunteer.name,
                skills=frozenset(volunteer.skill_keys),
                languages=frozenset(volunteer.languages),
                community_ids=volunteer.community_ids,
                free_at_preferred_time=free,
                recent_load=load.get(volunteer.id, 0),
                load_allowance=per_week * 8 if per_week is not None else None,
                in_care_circle=volunteer.id in circle,
                past_visits_to_resident=past.get(volunteer.id, 0),
                blockers=blockers,
            )
        )
    return matching.rank(
        candidates,
        category=request.category.value,
        resident_language=resident.language,
        community_id=request.community_id,
    )


def schedule_request(
    actor: Actor,
    request_id: int,
    *,
    volunteer_id: int,
    starts_at: datetime,
    ends_at: datetime | None = None,
    note: str = "",
) -> HelpRequest:
    """Create the visit (an event with one place) and offer it to the chosen volunteer.

    The event carries no address or details: those reach only the volunteer sent,
    through the request itself. Its place is given by coordinators, not signed up for.
    """
    request = _managed_request(actor, request_id)
    _require_status(
        request,
        (RequestStatus.RECEIVED, RequestStatus.ACCEPTED, RequestStatus.FOLLOW_UP),
        "scheduled",
    )
    if request.recurrence is not Recurrence.ONCE:
        raise Conflict("Recurring requests are scheduled as a series.", reason="recurring_request")
    activity_type = ensure_activity_type(actor.organization_id, CATEGORY_ACTIVITY[request.category])
    label = activity_type.name_in(request.community.locale)
    event = create_event(
        actor,
        {
            "community_id": request.community_id,
            "activity_type_id": activity_type.id,
            "title": f"{label} · {request.resident.short_name}",
            "description": "\n".join(filter(None, [note, f"Help request {request.reference}."])),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "status": EventStatus.PUBLISHED,
            "signups_open": False,
            "positions": [{"name": label, "min_people": 1, "max_people": 1}],
        },
    )
    assignment = assign(
        actor,
        position_id=event.positions[0].id,
        volunteer_id=volunteer_id,
        source=AssignmentSource.REQUEST,
    )
    request.event_id = event.id
    request.status = RequestStatus.SCHEDULED
    request.status_note = None
    db.session.flush()
    events.request_event(
        events.HELP_REQUEST_SCHEDULED,
        request,
        actor,
        assignment_id=assignment.id,
        volunteer_id=volunteer_id,
        starts_at=event.starts_at.isoformat(),
    )
    return request


def record_outcome(actor: Actor, request_id: int, data: dict) -> HelpRequest:
    """The volunteer (or a coordinator) says how the visit went; worries reach coordinators."""
    request = get_in_organization(
        HelpRequest, request_id, actor.organization_id, options=_REQUEST_LOAD, label="help request"
    )
    if not actor.manages(request.community_id) and not _serves(actor, request):
        raise Forbidden("Only the volunteer sent or a coordinator may record how it went.")
    _require_status(request, (RequestStatus.SCHEDULED, RequestStatus.FOLLOW_UP), "given an outcome")
    outcome = VisitOutcome(
        request_id=request.id,
        event_id=request.event_id,
        outcome=data["outcome"],
        concern=data.get("concern", Concern.NONE),
        note=data.get("note", ""),
        recorded_by_user_id=actor.user_id,
        recorded_at=utcnow(),
    )
    request.outcomes.append(outcome)
    if outcome.outcome is Outcome.DONE:
        if request.recurrence is Recurrence.ONCE:
            request.status = RequestStatus.DONE
    else:
        request.status = RequestStatus.FOLLOW_UP
    db.session.flush()
    if outcome.outcome is Outcome.DONE and request.status is RequestStatus.DONE:
        events.request_event(events.HELP_REQUEST_DONE, request, actor)
    elif outcome.outcome is not Outcome.DONE:
        events.request_event(
            events.HELP_REQUEST_FOLLOW_UP, request, actor, outcome=outcome.outcome.value
        )
    if outcome.concern is not Concern.NONE:
        events.request_event(
            events.HELP_REQUEST_CONCERN,
            request,
            actor,
            concern=outcome.concern.value,
            outcome_id=outcome.id,
        )
    return request


# --- the public status link -----------------------------------------------------------------


def public_status(token: str) -> dict:
    """What the resident's status link shows: no contact data, first names only."""
    request = request_for_status_token(token)
    community = request.community
    zone = ZoneInfo(community.timezone)
    volunteer_name = starts_at = None
    if request.status is RequestStatus.SCHEDULED and request.event_id is not None:
        row = db.session.execute(
            sa.select(Event.starts_at, VolunteerProfile)
            .join(Assignment, Assignment.event_id == Event.id)
            .join(VolunteerProfile, VolunteerProfile.id == Assignment.volunteer_id)
            .where(Event.id == request.event_id, Assignment.status.in_(HOLDING))
        ).first()
        if row is not None:
            starts_at = row[0].astimezone(zone).isoformat()
            volunteer_name = short_name(row[1].name)
    return {
        "reference": request.reference,
        "status": request.status.value,
        "category": request.category.value,
        "resident": request.resident.short_name,
        "language": request.resident.language,
        "status_note": request.status_note,
        "volunteer": volunteer_name,
        "starts_at": starts_at,
        "community_phone": community.contact_phone,
        "received_at": request.created_at.astimezone(zone).isoformat(),
    }
