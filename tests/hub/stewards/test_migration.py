"""Revision 0003 builds exactly the stewards' tables the models describe."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import hub.stewards.models  # noqa: F401  (the tables, until hub.models imports them)
from hub.db import make_engine
from hub.models import Base
from hub.schema import alembic_config, upgrade_to_head

OURS = {"escalations", "audit_entries", "steward_presence"}


def test_0003_matches_the_models_and_round_trips(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade_to_head(database_url=url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        ours = [d for d in diffs if any(name in str(d) for name in OURS)]
        assert ours == [], "stewards models and migration 0003 differ:\n" + "\n".join(
            map(str, ours))
        assert OURS <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    command.downgrade(alembic_config(database_url=url), "0002")
    engine = make_engine(url)
    try:
        assert not OURS & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrated_database_allows_one_live_escalation_per_holder(tmp_path):
    path = tmp_path / "migrated.db"
    upgrade_to_head(database_url=f"sqlite:///{path}")
    insert = (
        "INSERT INTO escalations (holder_id, status, priority, reason, summary, context, "
        "response_due_at, created_at, updated_at) VALUES (1, ?, 'normal', 'requested', "
        "'', '{}', '2026-01-01', '2026-01-01', '2026-01-01')"
    )
    # Plain sqlite3, foreign keys off: only the index is under test here.
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(insert, ("resolved",))
        conn.execute(insert, ("resolved",))
        conn.execute(insert, ("open",))
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(insert, ("claimed",))
