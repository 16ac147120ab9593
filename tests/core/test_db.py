"""The database plumbing: UTC timestamps that stay aware on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from service.communities.models import Community
from service.core.db import db
from service.core.outbox import OutboxEvent


def test_timestamps_come_back_aware_and_in_utc(app, make):
    tenant = make.tenant()
    shanghai = datetime(2026, 12, 1, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with app.app_context():
        row = OutboxEvent(
            topic="t.x",
            organization_id=tenant.organization_id,
            subject_type="t",
            subject_id=1,
            actor_user_id=None,
            payload={},
            created_at=shanghai,
        )
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    with app.app_context():
        stored = db.session.get(OutboxEvent, row_id).created_at
        assert stored.tzinfo is not None
        assert stored.utcoffset() == timedelta(0)
        assert stored == shanghai
        # Comparisons in SQL use the same normalisation.
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(
                    OutboxEvent.id == row_id,
                    OutboxEvent.created_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
                )
            )
            == 1
        )


def test_naive_datetimes_are_refused(app, make):
    make.tenant()
    with app.app_context():
        db.session.add(
            OutboxEvent(
                topic="t.x",
                organization_id=None,
                subject_type="t",
                subject_id=1,
                actor_user_id=None,
                payload={},
                created_at=datetime(2026, 1, 1, 9, 0),
            )
        )
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            db.session.flush()
        db.session.rollback()


def test_versions_grow_with_each_update(app, make):
    tenant = make.tenant()
    community_id = make.community(tenant)
    with app.app_context():
        community = db.session.get(Community, community_id)
        before = community.version
        community.contact_phone = "+86 21 0000 0000"
        db.session.commit()
        assert db.session.get(Community, community_id).version == before + 1
