"""The Alembic revisions build exactly the schema the models describe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from hub.db import make_engine
from hub.models import Base
from hub.schema import alembic_config, upgrade_to_head

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_migrations_match_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade_to_head(database_url=url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    # A diff here means a model changed without a revision: add one with
    # `alembic -c hub/alembic.ini revision --autogenerate`, then read it.
    assert diffs == [], "models and migrations differ:\n" + "\n".join(map(str, diffs))


def test_the_initial_revision_is_0001_and_the_history_is_linear():
    scripts = ScriptDirectory.from_config(alembic_config())
    assert len(scripts.get_heads()) == 1
    assert scripts.get_base() == "0001"


def test_upgrade_is_repeatable_and_downgrade_empties_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade_to_head(database_url=url)
    upgrade_to_head(database_url=url)
    command.downgrade(alembic_config(database_url=url), "base")
    engine = make_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()


def test_python_m_hub_migrate(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "hub", "migrate"],
        cwd=REPO_ROOT, env={"TCC_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)
    try:
        assert "bookings" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_serve_without_secrets_explains_what_is_missing():
    done = subprocess.run(
        [sys.executable, "-m", "hub", "serve"],
        cwd=REPO_ROOT, env={"PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2
    assert "TCC_SECRET_KEY" in done.stderr
