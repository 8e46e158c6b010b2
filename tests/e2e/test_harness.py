"""The harness itself, without Rasa: settings, ports, and that stopping leaves
nothing running (also when a component ignores SIGTERM or dies at start)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from scripts.run import GENERATED, load_settings, read_dotenv
from scripts.stack import (
    Ports,
    Secrets,
    Stack,
    StackError,
    _group_running,
    free_port,
    port_in_use,
)


def test_dotenv_reading(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("# comment\n\nexport A=1\nB = 'two'\nC=\"x=y\"\nnot a line\n")
    assert read_dotenv(env) == {"A": "1", "B": "two", "C": "x=y"}


def test_secrets_generated_once_then_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GENERATED:
        monkeypatch.delenv(name, raising=False)
    env = tmp_path / ".env"
    first = load_settings(env)
    assert all(first[name] for name in GENERATED)
    assert oct(env.stat().st_mode & 0o777) == "0o600"
    assert load_settings(env) == first
    monkeypatch.setenv("TCC_RASA_TOKEN", "from-the-environment")
    assert load_settings(env)["TCC_RASA_TOKEN"] == "from-the-environment"


def test_port_in_use() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert port_in_use(listener.getsockname()[1])
    assert not port_in_use(free_port())


def _stack(tmp_path: Path) -> Stack:
    return Stack(model=tmp_path / "none.tar.gz", state_dir=tmp_path,
                 secrets=Secrets.generate(), ports=Ports.free())


def _gone(pgid: int) -> bool:
    return not _group_running(pgid)


def test_stop_ends_the_whole_process_group(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    stack.log_dir.mkdir(parents=True)
    # A grandchild that ignores SIGTERM: only the group SIGKILL ends it.
    stack._spawn("stubborn", ["bash", "-c", "trap '' TERM; sleep 300 & sleep 300; wait"],
                 dict(os.environ), "http://127.0.0.1:9/")
    stack._spawn("polite", [sys.executable, "-c", "import time; time.sleep(300)"],
                 dict(os.environ), "http://127.0.0.1:9/")
    pids = stack.pids()
    stack.stop(grace=1)
    assert all(_gone(pid) for pid in pids.values())
    assert stack.pids() == {}


def test_a_component_that_dies_at_start_is_named_with_its_log(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    stack.log_dir.mkdir(parents=True)
    stack._spawn("survivor", [sys.executable, "-c", "import time; time.sleep(300)"],
                 dict(os.environ), "http://127.0.0.1:9/")
    stack._spawn("broken", [sys.executable, "-c", "print('boom: no model'); raise SystemExit(3)"],
                 dict(os.environ), "http://127.0.0.1:9/")
    survivor = stack.pids()["survivor"]
    with pytest.raises(StackError, match=r"(?s)broken exited with code 3.*boom: no model"):
        stack._wait_healthy(timeout=30)
    stack.stop(grace=1)
    assert _gone(survivor)


def test_start_refuses_without_a_model(tmp_path: Path) -> None:
    with pytest.raises(StackError, match="make train"):
        _stack(tmp_path).start()
