"""Engine and session factories. Nothing connects at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

READ_ONLY = "tcc_read_only"


class Base(DeclarativeBase):
    # Named constraints: Alembic's batch mode (how SQLite alters tables) can
    # only drop or change a constraint it can name.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend.

    SQLite stores no offset, so values are normalised to UTC on the way in and
    given back as aware UTC datetimes; PostgreSQL keeps `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# The largest integer SQLite (and a PostgreSQL bigint) can hold: ids from the
# outside are checked against it, or the driver fails with an OverflowError.
MAX_DB_INT = 2**63 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # Take over transaction control from pysqlite (see `_sqlite_begin`).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            # WAL lets readers run beside the one writer; foreign keys are off by
            # default in SQLite.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            # A deferred transaction that reads and then writes fails at once with
            # SQLITE_BUSY when another writer got in between; IMMEDIATE takes the
            # write lock up front, so concurrent bookings queue on busy_timeout
            # instead of failing. Sessions that only ever read (polling streams,
            # the reminder scheduler's look-ups) say so and stay out of that
            # queue: under WAL a reader never blocks and is never blocked.
            read_only = bool(conn.get_execution_options().get(READ_ONLY))
            conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(database_url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_only_sessions(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for code that never writes: on SQLite they do not take the
    write lock (see `make_engine`); a write through one is refused by SQLite's
    own `query_only` pragma rather than silently racing."""
    engine = factory.kw["bind"]
    return sessionmaker(bind=engine.execution_options(**{READ_ONLY: True}),
                        expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
