"""The Makefile and scripts/model_hash.py must name the same model, or the
e2e tests and the benchmark would look for a model `make` never trains."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from scripts.model_hash import REPO_ROOT, model_path


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_makefile_and_python_agree_on_the_model_name() -> None:
    made = subprocess.run(
        ["make", "-s", "model-path"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert REPO_ROOT / made == model_path()
