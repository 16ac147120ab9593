"""The schema is built only by migrations, and the migration head matches the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.core.db import db
from tests.services import scratch_postgres_database

#: The installed console script, next to this Python.
ROUNDS = [str(Path(sys.executable).with_name("rounds"))]


def _rounds(database_url: str, instance: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "migration-tests-secret-key-0123456789",
    }
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [*ROUNDS, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _differences(database_url: str) -> list:
    import service.models  # noqa: F401 - every table in the metadata

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def _check_roundtrip(database_url: str, instance: Path) -> None:
    upgraded = _rounds(database_url, instance, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert _differences(database_url) == []
    down = _rounds(database_url, instance, "db", "downgrade", "base")
    assert down.returncode == 0, down.stderr
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    again = _rounds(database_url, instance, "db", "upgrade")
    assert again.returncode == 0, again.stderr
    assert _differences(database_url) == []


def test_sqlite_schema_from_nothing_matches_models(tmp_path):
    _check_roundtrip(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path)


@pytest.mark.postgres
def test_postgres_schema_from_nothing_matches_models(tmp_path):
    with scratch_postgres_database() as database_url:
        _check_roundtrip(database_url, tmp_path)


def test_revision_files_are_named_by_date():
    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    names = [path.name for path in versions.glob("*.py") if path.name != "__init__.py"]
    assert names
    for name in names:
        assert name[:8].isdigit() and name[8] == "_", name
