"""HTTP for skills and volunteers."""

from __future__ import annotations

from flask_smorest.pagination import PaginationParameters

from service.core.api import Blueprint, expected_version, paginate, with_etag
from service.core.auth import current_actor
from service.volunteers import operations
from service.volunteers.schemas import (
    AvailabilitySchema,
    SkillSchema,
    SkillUpdateSchema,
    VolunteerCreateSchema,
    VolunteerQuerySchema,
    VolunteerSchema,
    VolunteerUpdateSchema,
)

skills = Blueprint(
    "skills",
    __name__,
    url_prefix="/api/v1/skills",
    description="What positions may require: first-aid, driver, haircut, ...",
)
volunteers = Blueprint(
    "volunteers",
    __name__,
    url_prefix="/api/v1/volunteers",
    description="Volunteer profiles: skills, languages, contact and limits.",
)


@skills.route("", methods=["GET"])
@skills.response(200, SkillSchema(many=True))
@skills.paginate()
def list_skills(pagination_parameters: PaginationParameters):
    return paginate(operations.skills_query(current_actor()), pagination_parameters)


@skills.route("", methods=["POST"])
@skills.arguments(SkillSchema)
@skills.response(201, SkillSchema)
def create_skill(data: dict):
    return operations.create_skill(current_actor(), data["key"], data["name"])


@skills.route("/<int:skill_id>", methods=["GET"])
@skills.response(200, SkillSchema)
def get_skill(skill_id: int):
    return operations.get_skill(current_actor(), skill_id)


@skills.route("/<int:skill_id>", methods=["PATCH"])
@skills.arguments(SkillUpdateSchema)
@skills.response(200, SkillSchema)
def update_skill(data: dict, skill_id: int):
    return operations.update_skill(current_actor(), skill_id, data["name"])


@skills.route("/<int:skill_id>", methods=["DELETE"])
@skills.response(204)
def delete_skill(skill_id: int):
    operations.delete_skill(current_actor(), skill_id)


@volunteers.route("", methods=["GET"])
@volunteers.arguments(VolunteerQuerySchema, location="query")
@volunteers.response(200, VolunteerSchema(many=True))
@volunteers.paginate()
def list_volunteers(filters: dict, pagination_parameters: PaginationParameters):
    """Volunteers, filterable by community, team, skill, language and activity (coordinators)."""
    statement = operations.volunteers_query(
        current_actor(),
        community_id=filters.get("community_id"),
        team_id=filters.get("team_id"),
        skill=filters.get("skill"),
        language=filters.get("language"),
        active=filters.get("active"),
        search=filters.get("q"),
    )
    return paginate(statement, pagination_parameters)


@volunteers.route("", methods=["POST"])
@volunteers.arguments(VolunteerCreateSchema)
@volunteers.response(201, VolunteerSchema)
def create_volunteer(data: dict):
    """Add a volunteer (a new member, or a profile for an existing member)."""
    volunteer = operations.create_volunteer(current_actor(), data)
    return with_etag(volunteer, volunteer.version)


@volunteers.route("/<int:volunteer_id>", methods=["GET"])
@volunteers.response(200, VolunteerSchema)
def get_volunteer(volunteer_id: int):
    volunteer = operations.get_volunteer(current_actor(), volunteer_id)
    return with_etag(volunteer, volunteer.version)


@volunteers.route("/<int:volunteer_id>", methods=["PATCH"])
@volunteers.arguments(VolunteerUpdateSchema)
@volunteers.response(200, VolunteerSchema)
def update_volunteer(data: dict, volunteer_id: int):
    """Change a profile: volunteers their own contact, languages, limits and availability."""
    volunteer = operations.update_volunteer(
        current_actor(), volunteer_id, data, expected_version=expected_version()
    )
    return with_etag(volunteer, volunteer.version)


@volunteers.route("/<int:volunteer_id>/availability", methods=["GET"])
@volunteers.response(200, AvailabilitySchema)
def get_availability(volunteer_id: int):
    """Weekly windows, blackouts, preferences, pairings, trainee flag and limits."""
    return operations.get_availability(current_actor(), volunteer_id)


@volunteers.route("/<int:volunteer_id>/availability", methods=["PUT"])
@volunteers.arguments(AvailabilitySchema)
@volunteers.response(200, AvailabilitySchema)
def set_availability(data: dict, volunteer_id: int):
    """Replace them: volunteers their own (not the trainee flag), coordinators anyone's."""
    return operations.set_availability(current_actor(), volunteer_id, data)


blueprints = (skills, volunteers)
