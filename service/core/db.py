"""The database: one SQLAlchemy instance, a UTC column type, SQLite made well-behaved.

Who commits: only the HTTP boundary (``service.core.transactions``) and the actor
wrapper in ``workers``. Everything else flushes.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm.attributes import flag_modified

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 30_000


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Session(FlaskSession):
    """Flask-SQLAlchemy's session, which also honours a bind given to the session itself.

    Flask-SQLAlchemy always picks the app's engine; tests bind the session to one
    connection holding an outer transaction (SQLAlchemy's "join a session into an
    external transaction" recipe), so that code which commits behaves as in production
    while every test still ends in a rollback.
    """

    def get_bind(
        self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any
    ) -> sa.engine.Engine | sa.engine.Connection:
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})


class UTCDateTime(sa.TypeDecorator):
    """A timestamp that is always stored in UTC and always comes back time-zone aware.

    SQLite has no time-zone type and SQLAlchemy returns naive values from it; this
    type refuses naive input and normalises both directions, so the code never sees
    a naive datetime on either database.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum: type[StrEnum], name: str) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint on both databases."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


#: Primary keys that are 64-bit on PostgreSQL and SQLite's rowid alias on SQLite.
BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: JSON that is indexed binary JSON on PostgreSQL.
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself (see _begin_sqlite) instead of pysqlite's
    # own late, implicit transactions, so SAVEPOINT and locking behave.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection: sa.Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    # SQLite has no row locks. Taking the write lock when the transaction starts
    # serialises writers up front, so "read the count, then insert" cannot race
    # (and cannot fail later with a lock-upgrade deadlock).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def touch(instance: Base) -> None:
    """Count a change that touched only related rows as a new version of ``instance``.

    The version column is the resource's ETag; SQLAlchemy bumps it only when the
    row itself is updated, so mark a column modified to force that update.
    """
    mapper = sa.inspect(instance).mapper
    version_column = mapper.version_id_col
    column = next(
        attr.key
        for attr in mapper.column_attrs
        if attr.columns[0] is not version_column and not attr.columns[0].primary_key
    )
    flag_modified(instance, column)
    db.session.flush()


def get_in_organization(
    model: type[Base],
    object_id: int,
    organization_id: int,
    *,
    label: str | None = None,
    options: tuple = (),
) -> Any:
    """The object with this id in this organization; 404 for anything of another tenant."""
    from service.core.errors import NotFound

    statement = sa.select(model).where(
        model.id == object_id, model.organization_id == organization_id
    )
    if options:
        statement = statement.options(*options)
    found = db.session.scalar(statement)
    if found is None:
        raise NotFound(f"No such {label or model.__tablename__.rstrip('s').replace('_', ' ')}.")
    return found


def json_array_contains(column: sa.ColumnElement, value: str) -> sa.ColumnElement[bool]:
    """SQL for "the JSON array in ``column`` contains the string ``value``", on both databases."""
    if db.engine.dialect.name == "postgresql":
        return sa.func.jsonb_exists(column, value)
    elements = sa.func.json_each(column).table_valued("value")
    return sa.exists(sa.select(1).select_from(elements).where(elements.c.value == value))


def lock(model: type[Base], object_id: int) -> Any:
    """Load a row and lock it until the transaction ends (``FOR UPDATE`` on PostgreSQL).

    SQLite has no row locks; there every write transaction starts with ``BEGIN
    IMMEDIATE`` (see ``_begin_sqlite``), which serialises writers instead.
    """
    return db.session.scalar(
        sa.select(model)
        .where(model.id == object_id)
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )
