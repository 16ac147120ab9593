"""An event's iCalendar SEQUENCE grows with the changes a calendar must notice."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from service.activities.models import Event
from service.core.db import db


def _sequence(app, event_id):
    with app.app_context():
        return db.session.scalar(sa.select(Event.sequence).where(Event.id == event_id))


def _patch(admin, event_id, changes):
    current = admin.get(f"/api/v1/events/{event_id}")
    answer = admin.patch(
        f"/api/v1/events/{event_id}", json=changes, headers={"If-Match": current.headers["ETag"]}
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def test_time_place_title_and_status_raise_the_sequence_and_other_edits_do_not(app, client, make):
    tenant = make.tenant()
    community = make.community(tenant)
    event = make.event(tenant, community)
    admin = client.as_(tenant.admin)
    assert _sequence(app, event.id) == 0
    _patch(admin, event.id, {"description": "Bring a torch."})
    assert _sequence(app, event.id) == 0
    starts_at = datetime.fromisoformat(admin.get(f"/api/v1/events/{event.id}").json["starts_at"])
    moved = starts_at + timedelta(hours=1)
    _patch(admin, event.id, {"starts_at": moved.isoformat()})
    assert _sequence(app, event.id) == 1
    _patch(admin, event.id, {"location": "North gate"})
    _patch(admin, event.id, {"title": "Evening patrol"})
    assert _sequence(app, event.id) == 3
    _patch(admin, event.id, {"title": "Evening patrol"})  # no change, no new sequence
    assert _sequence(app, event.id) == 3
    assert admin.post(f"/api/v1/events/{event.id}/cancel", json={}).status_code == 200
    assert _sequence(app, event.id) == 4
