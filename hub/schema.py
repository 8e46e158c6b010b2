"""Bring a database to the current schema with Alembic, from code."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"


def alembic_config(
    *, database_url: str | None = None, connection: Connection | None = None
) -> Config:
    """Our alembic.ini aimed at one database (see migrations/env.py)."""
    config = Config(str(ALEMBIC_INI))
    # The caller's logging stays as it is (pytest, uvicorn).
    config.attributes["configure_logging"] = False
    if database_url is not None:
        config.attributes["database_url"] = database_url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_to_head(*, database_url: str) -> None:
    command.upgrade(alembic_config(database_url=database_url), "head")
