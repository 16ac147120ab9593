"""End-to-end timing of a rotation through the API: generate a month, then publish it.

    python bench/rotation_api.py                      # a scratch SQLite file
    python bench/rotation_api.py --communities 1      # one team: 360 places
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test python bench/rotation_api.py

Five communities, each with a nightly patrol series of six two-hour shifts (18:00 to
06:00, two people each) and a team of 60 volunteers: 1,800 places for 300 volunteers in
a month. Prints how long ``POST /api/v1/rotations`` (loading, solving, storing) and
``POST /api/v1/rotations/{id}/publish`` (every place through the assignment rules, with
its outbox events) take. A PostgreSQL URL gets a scratch database, dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.accounts.operations import actor_for_membership, add_member, create_organization
from service.activities.models import ActivityType
from service.communities.operations import create_community
from service.core.auth import Role
from service.core.db import db
from service.series.operations import create_series
from service.teams.operations import add_team_member, create_team
from service.volunteers.operations import update_volunteer
from tests.conftest import build_app
from tests.services import normalize_postgres_url, scratch_postgres_database

COMMUNITIES = 5
VOLUNTEERS_PER_TEAM = 60
DAYS = 30


def populate(app) -> tuple[str, list[int], datetime]:
    with app.app_context():
        organization, admin_membership, token = create_organization(
            "Bench", admin_email="bench@example.org"
        )
        admin = actor_for_membership(admin_membership)
        patrol = db.session.scalar(
            db.select(ActivityType.id).where(
                ActivityType.organization_id == organization.id, ActivityType.key == "patrol"
            )
        )
        zone = ZoneInfo("Asia/Shanghai")
        start = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        start += timedelta(days=1)
        teams = []
        number = 0
        for c in range(COMMUNITIES):
            community = create_community(
                admin, {"name": f"Community {c}", "timezone": "Asia/Shanghai", "locale": "zh"}
            )
            team = create_team(admin, community_id=community.id, name=f"Patrol {c}")
            teams.append(team.id)
            for v in range(VOLUNTEERS_PER_TEAM):
                number += 1
                member = add_member(
                    admin,
                    email=f"v{number}@example.org",
                    name=f"Volunteer {number}",
                    role=Role.VOLUNTEER,
                    community_ids=[community.id],
                )
                update_volunteer(
                    admin,
                    member.volunteer.id,
                    {
                        "limits": {
                            "max_assignments_per_week": 2 + v % 3,
                            "max_hours_per_month": 16 + 4 * (v % 4),
                            "min_rest_hours": 10,
                        }
                    },
                )
                add_team_member(admin, team.id, volunteer_id=member.volunteer.id)
            create_series(
                admin,
                {
                    "community_id": community.id,
                    "team_id": team.id,
                    "activity_type_id": patrol,
                    "title": "Night patrol",
                    "starts_at": start,
                    "duration_minutes": 120,
                    "rrule": f"FREQ=DAILY;BYHOUR=0,2,4,18,20,22;COUNT={6 * DAYS}",
                    "horizon_days": DAYS + 2,
                    "positions": [{"name": "Patroller", "min_people": 2, "max_people": 2}],
                },
            )
        db.session.commit()
        return token, teams, start


def run(url: str, instance: Path) -> None:
    app = build_app(url, instance)
    started = time.perf_counter()
    token, teams, start = populate(app)
    print(f"set-up: {time.perf_counter() - started:.1f} s")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    answer = client.post(
        "/api/v1/rotations",
        headers=headers,
        json={
            "team_ids": teams,
            "from": start.isoformat(),
            "to": (start + timedelta(days=DAYS + 1)).isoformat(),
        },
    )
    generated = time.perf_counter() - started
    plan = answer.json
    assert answer.status_code == 201, plan
    fairness = plan["fairness"]
    print(
        f"generate: {generated:.2f} s (solver {plan['solve_seconds']:.2f} s) for "
        f"{fairness['places_filled'] + fairness['places_open']} places: "
        f"{fairness['places_filled']} filled, {fairness['places_open']} open, "
        f"spread {fairness['spread']}, stdev {fairness['stdev']}"
    )
    started = time.perf_counter()
    published = client.post(f"/api/v1/rotations/{plan['id']}/publish", headers=headers)
    assert published.status_code == 200, published.json
    print(
        f"publish: {time.perf_counter() - started:.2f} s for "
        f"{len(published.json['assignment_ids'])} assignments"
    )
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    global COMMUNITIES
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--communities", type=int, default=COMMUNITIES, help="teams of 60, 360 places each"
    )
    COMMUNITIES = parser.parse_args().communities
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as folder:
        if url.startswith("postgres"):
            with scratch_postgres_database(normalize_postgres_url(url)) as scratch:
                print("database: PostgreSQL")
                run(scratch, Path(folder))
        else:
            print("database: SQLite")
            run(f"sqlite:///{folder}/bench.db", Path(folder))


if __name__ == "__main__":
    main()
