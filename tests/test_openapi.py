"""The OpenAPI document and the docs UI, which must work on a machine with no internet."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from openapi_spec_validator import validate

#: Every path the foundation promises, with the methods it must document.
PROMISED = {
    "/api/v1/tokens": {"post", "get"},
    "/api/v1/tokens/{token_id}": {"delete"},
    "/api/v1/me": {"get", "patch"},
    "/api/v1/me/assignments": {"get"},
    "/api/v1/communities": {"get", "post"},
    "/api/v1/communities/{community_id}": {"get", "patch", "delete"},
    "/api/v1/members": {"get", "post"},
    "/api/v1/members/{member_id}": {"get", "patch", "delete"},
    "/api/v1/skills": {"get", "post"},
    "/api/v1/skills/{skill_id}": {"get", "patch", "delete"},
    "/api/v1/volunteers": {"get", "post"},
    "/api/v1/volunteers/{volunteer_id}": {"get", "patch"},
    "/api/v1/teams": {"get", "post"},
    "/api/v1/teams/{team_id}": {"get", "patch", "delete"},
    "/api/v1/teams/{team_id}/members": {"post"},
    "/api/v1/teams/{team_id}/members/{volunteer_id}": {"delete"},
    "/api/v1/activity-types": {"get", "post"},
    "/api/v1/activity-types/{activity_type_id}": {"get", "patch", "delete"},
    "/api/v1/events": {"get", "post"},
    "/api/v1/events/{event_id}": {"get", "patch", "delete"},
    "/api/v1/events/{event_id}/cancel": {"post"},
    "/api/v1/events/{event_id}/positions": {"get", "post"},
    "/api/v1/events/{event_id}/positions/{position_id}": {"get", "patch", "delete"},
    "/api/v1/events/{event_id}/signups": {"post"},
    "/api/v1/assignments": {"get", "post"},
    "/api/v1/assignments/{assignment_id}": {"get"},
    "/api/v1/assignments/{assignment_id}/accept": {"post"},
    "/api/v1/assignments/{assignment_id}/decline": {"post"},
    "/api/v1/assignments/{assignment_id}/cancel": {"post"},
    "/api/v1/calendars": {"get", "post"},
    "/api/v1/calendars/{feed_id}": {"get", "delete"},
    "/api/v1/calendars/{feed_id}/rotate": {"post"},
    "/calendars/{token}.ics": {"get"},
}


def test_openapi_document_is_valid_and_lists_every_promised_path(app):
    document = app.test_client().get("/api/openapi.json").json
    validate(document)
    assert document["openapi"].startswith("3.")
    for path, methods in PROMISED.items():
        assert path in document["paths"], path
        assert methods <= set(document["paths"][path]), (path, set(document["paths"][path]))
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    problem = document["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "detail", "errors", "reason"} <= set(problem)


def test_docs_ui_loads_only_from_this_server(app):
    client = app.test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(references) >= 3
    for reference in references:
        parts = urlsplit(reference)
        assert not parts.scheme and not parts.netloc, f"{reference} leaves the machine"
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        assert len(asset.data) > 1000
    assert '"validatorUrl": null' in html
    assert "/api/openapi.json" in html


def test_health_probes(app, database):
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {"status": "ready", "database": "ok"}
