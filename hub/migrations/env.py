"""Alembic environment for the hub.

The database comes from, in order: a connection handed over in
`config.attributes["connection"]` (tests), `config.attributes["database_url"]`
(`python -m hub migrate`), TCC_DATABASE_URL, the default of hub.config.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context

from hub.config import database_url_from_env
from hub.db import UTCDateTime, make_engine
from hub.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get(
    "configure_logging", True
):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Revisions spell UTCDateTime as the column it stores, so an old revision
    # never breaks when hub code changes.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=_render_item,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    url = config.attributes.get("database_url") or database_url_from_env()
    _configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    # make_engine: the same SQLite pragmas (foreign keys, WAL) as the hub.
    engine = make_engine(
        config.attributes.get("database_url") or database_url_from_env()
    )
    try:
        with engine.connect() as conn:
            _configure(connection=conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
