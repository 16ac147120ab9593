"""Fifty people sign up for three places at the same moment: three hold, 47 wait in line.

Real threads against a real database with real commits (a scratch database, not the
rolled-back transaction of the other tests).
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from service.assignments.models import Assignment
from service.core.db import db
from service.core.time import utcnow
from tests.conftest import build_app
from tests.factories import Factory
from tests.services import scratch_postgres_database

PEOPLE = 50
PLACES = 3


def _race(app) -> list[int]:
    make = Factory(app)
    tenant = make.tenant()
    community = make.community(tenant)
    event = make.event(
        tenant,
        community,
        starts_at=utcnow() + timedelta(days=2),
        positions=[{"name": "Patroller", "min_people": 2, "max_people": PLACES}],
    )
    people = [make.person(tenant, communities=[community]) for _ in range(PEOPLE)]
    start = threading.Barrier(PEOPLE)
    statuses: list[int] = []

    def sign_up(token: str) -> None:
        client = app.test_client()
        start.wait()
        response = client.post(
            f"/api/v1/events/{event.id}/signups",
            json={"position_id": event.position_id},
            headers={"Authorization": f"Bearer {token}"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=sign_up, args=(p.token,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with app.app_context():
        rows = db.session.execute(
            sa.select(Assignment.status, Assignment.waitlist_rank).where(
                Assignment.position_id == event.position_id
            )
        ).all()
    assert statuses == [201] * PEOPLE
    holders = [row for row in rows if row.status.value == "confirmed"]
    waiting = sorted(row.waitlist_rank for row in rows if row.status.value == "waitlisted")
    assert len(holders) == PLACES
    assert waiting == list(range(1, PEOPLE - PLACES + 1))  # distinct ranks, no gaps
    return waiting


@pytest.mark.postgres
def test_fifty_concurrent_signups_never_overfill_a_position_on_postgres(tmp_path):
    with scratch_postgres_database() as url:
        app = build_app(url, tmp_path)
        try:
            _race(app)
        finally:
            with app.app_context():
                db.engine.dispose()


def test_fifty_concurrent_signups_never_overfill_a_position_on_sqlite(tmp_path):
    _race(build_app(f"sqlite:///{tmp_path / 'race.db'}", tmp_path))
