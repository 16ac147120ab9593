"""Fixtures: the app on a real database, each test inside a transaction rolled back after it.

The database is SQLite unless DATABASE_URL names a PostgreSQL server, in which case
a scratch database is created there for the run. Code under test commits as in
production; SQLAlchemy's "join a session into an external transaction" recipe
turns those commits into savepoints of an outer transaction that the test ends
with a rollback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from service import create_app
from service.core.config import load_settings
from service.core.db import db
from service.core.ratelimit import limiter
from tests.api_client import ApiClient
from tests.factories import Factory
from tests.services import normalize_postgres_url, scratch_postgres_database

TEST_SECRET_KEY = "tests-only-secret-key-0123456789abcdefghij"


def build_app(database_url: str, instance_path: Path, **environment: str) -> Flask:
    """An app on ``database_url`` with the schema migrated to the head revision."""
    from flask_migrate import upgrade

    settings = load_settings(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": TEST_SECRET_KEY,
            "BASE_URL": "http://rounds.test",
            **environment,
        },
        instance_path=instance_path,
    )
    app = create_app(settings)
    app.config["TESTING"] = True
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        with scratch_postgres_database(normalize_postgres_url(url)) as database_url:
            application = build_app(database_url, instance)
            yield application
            with application.app_context():
                db.engine.dispose()
    else:
        yield build_app(f"sqlite:///{instance / 'rounds.db'}", instance)


@pytest.fixture
def database(app: Flask) -> Iterator[None]:
    """Everything the test writes, committed or not, is rolled back after it."""
    with app.app_context():
        engine = db.engine
        limiter.reset()  # rate-limit counters are per test, like the rows
    connection = engine.connect()
    outer = connection.begin()
    factory = db.session.session_factory
    original = dict(factory.kw)
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        factory.kw.clear()
        factory.kw.update(original)
        outer.rollback()
        connection.close()


@pytest.fixture
def make(app: Flask, database: None) -> Factory:
    return Factory(app)


@pytest.fixture
def client(app: Flask, database: None) -> ApiClient:
    return ApiClient(app.test_client())
