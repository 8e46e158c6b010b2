"""One real stack (hub, Rasa, action server) per test session.

Free ports, a temporary database and tracker store, generated secrets: the run
touches nothing of a developer's own `make run`. The model is the one the
Makefile trained (TCC_MODEL_PATH), else the one named by the content hash of the
current training data.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from scripts.model_hash import model_path
from scripts.stack import Ports, Secrets, Stack

STAFF_PASSWORD = "e2e-" + secrets.token_urlsafe(12)


def _model() -> Path:
    given = os.environ.get("TCC_MODEL_PATH")
    if given:
        if not Path(given).is_file():
            pytest.fail(f"TCC_MODEL_PATH={given} does not exist")
        return Path(given)
    found = model_path()
    if not found.is_file():
        pytest.skip(f"no trained model for the current data ({found.name}); run `make train`")
    return found


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = Stack(
        model=_model(),
        state_dir=tmp_path_factory.mktemp("stack"),
        secrets=Secrets.generate(),
        ports=Ports.free(),
        extra_env={
            # Whatever the hour the suite runs at, reminders may go out now
            # (start == end: no quiet hours); quiet hours have their own tests.
            "TCC_QUIET_HOURS_START": "00:00",
            "TCC_QUIET_HOURS_END": "00:00",
            "TCC_REMINDER_RETRY_DELAYS": "1,2,2,2,2",
            # The seeded stewards log in to the console with this.
            "TCC_DEMO_STAFF_PASSWORD": STAFF_PASSWORD,
        },
    )
    # Rasa takes 20-60 s to load TensorFlow and the model on a quiet machine.
    running.start(timeout=float(os.environ.get("TCC_E2E_STARTUP_TIMEOUT", "400")))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def staff_password() -> str:
    """What the seeded stewards log in to the console with in this session."""
    return STAFF_PASSWORD


@pytest.fixture()
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
