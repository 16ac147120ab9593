"""Real servers for tests: find them, make scratch databases, and say why when one is missing.

A test that needs PostgreSQL or Redis skips, naming the address it tried, when no
server answers; with ROUNDS_REQUIRE_SERVICES=1 (set by .ci/run) it fails instead,
so a CI run can never pass by skipping.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
REQUIRE_SERVICES = os.environ.get("ROUNDS_REQUIRE_SERVICES") == "1"


def service_missing(what: str, why: str) -> None:
    message = f"{what} is not reachable: {why}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} (ROUNDS_REQUIRE_SERVICES=1: no skipping)", pytrace=False)
    pytest.skip(message)


def normalize_postgres_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgres", "postgresql") else url


def postgres_server_url() -> str:
    """The PostgreSQL server tests use: DATABASE_URL if it is one, else TEST_POSTGRES_URL."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return normalize_postgres_url(url)
    return normalize_postgres_url(os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)


@contextlib.contextmanager
def scratch_postgres_database(server_url: str | None = None) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server, dropped afterwards."""
    server_url = server_url or postgres_server_url()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        service_missing("PostgreSQL", "psycopg is not installed (pip install -e '.[dev]')")
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        connection = engine.connect()
    except sa.exc.OperationalError as error:
        engine.dispose()
        shown = sa.engine.make_url(server_url).render_as_string(hide_password=True)
        service_missing("PostgreSQL", f"{shown}: {str(error.orig).strip().splitlines()[0]}")
    name = f"rounds_test_{uuid.uuid4().hex[:12]}"
    connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield (
            sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.close()
        engine.dispose()


def redis_client():
    """A client on a database of its own, emptied first; skips when Redis is not there."""
    import redis

    client = redis.Redis.from_url(redis_url())
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        service_missing("Redis", f"{redis_url()}: {error}")
    client.flushdb()
    return client


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
#: Flags that keep Chromium off the network and quiet inside a container.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    """Debian's Chromium, which browser tests drive through Playwright (never a download)."""
    if not os.path.exists(CHROMIUM):
        service_missing("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        service_missing("Chromium", "Playwright is not installed (pip install -e '.[dev]')")
    return CHROMIUM


@contextlib.contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` on a free local port in a thread; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
