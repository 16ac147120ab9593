"""Alembic environment: the app's engine and metadata, batch mode for SQLite."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import context
from flask import current_app

from service.core.db import UTCDateTime

logger = logging.getLogger("alembic.env")
config = context.config
migrate = current_app.extensions["migrate"]
target_metadata = migrate.db.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Migrations must not import the application: render our column types as the
    # plain SQLAlchemy types they store.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_autogenerate(context_: object, revision: object, directives: list) -> None:
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_online() -> None:
    options = dict(migrate.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    engine: sa.Engine = migrate.db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_item=render_item,
            **options,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run against a database.")
run_migrations_online()
