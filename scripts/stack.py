"""Start and stop the whole system: hub, Rasa and the action server.

One `Stack` serves `make run`, the end-to-end tests and the benchmark, so the
processes they exercise are started exactly the same way. Each process runs in
its own process group (so a signal reaches its children too), logs to
`<state_dir>/logs/<name>.log`, and is stopped with SIGTERM, then SIGKILL after a
grace period. A startup that fails halfway stops whatever had already started.

Standard library and `requests` only: it runs in the hub environment and starts
the bot environment's programs as plain executables.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Self

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
HUB_PYTHON = REPO_ROOT / ".venv" / "hub" / "bin" / "python"
BOT_BIN = REPO_ROOT / ".venv" / "bot" / "bin"
LOOPBACK = "127.0.0.1"


class StackError(RuntimeError):
    """A component failed to set up, start or become healthy."""


@dataclass(frozen=True, kw_only=True)
class Secrets:
    secret_key: str
    service_token: str
    rasa_token: str

    @classmethod
    def generate(cls) -> Secrets:
        return cls(
            secret_key=secrets.token_urlsafe(32),
            service_token=secrets.token_urlsafe(32),
            rasa_token=secrets.token_urlsafe(32),
        )


@dataclass(frozen=True, kw_only=True)
class Ports:
    hub: int
    rasa: int
    actions: int

    @classmethod
    def free(cls) -> Ports:
        # All three sockets open at once, so the OS cannot hand out one port twice.
        with contextlib.ExitStack() as held:
            socks = [held.enter_context(socket.socket()) for _ in range(3)]
            for sock in socks:
                sock.bind((LOOPBACK, 0))
            hub, rasa, actions = (int(s.getsockname()[1]) for s in socks)
        return cls(hub=hub, rasa=rasa, actions=actions)


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """True when something already listens on the port (any address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: a port left in TIME_WAIT by our last run is free to use.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def _death_signal_setter() -> Callable[[], None] | None:
    """Linux: make a child get SIGTERM when the harness dies, even by SIGKILL.

    libc is loaded here, in the parent: the function that runs in the child
    between fork and exec must do as little as possible.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def set_parent_death_signal() -> None:
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return set_parent_death_signal


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    health_url: str

    def alive(self) -> bool:
        return self.popen.poll() is None

    def group_alive(self) -> bool:
        """Is any process of the group still running (zombies do not count)?"""
        self.popen.poll()  # reap our own child if it has exited
        return _group_running(self.popen.pid)

    def signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)


def _group_running(pgid: int) -> bool:
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2 :].split()
        # An orphaned zombie is not running; it waits for init, which in some
        # containers never reaps it.
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


@dataclass(kw_only=True)
class Stack:
    """The three processes on loopback, with their state under `state_dir`."""

    model: Path
    state_dir: Path
    secrets: Secrets
    ports: Ports
    database_url: str | None = None
    tracker_db: Path | None = None
    # Extra environment for every process (e.g. TCC_MAX_MESSAGE_CHARS).
    extra_env: dict[str, str] = field(default_factory=dict)
    say: Callable[[str], None] = lambda _msg: None
    root: Path = REPO_ROOT
    # Relative to `root`; Rasa expands the ${TCC_*} variables in them.
    endpoints: str = "endpoints.yml"
    credentials: str = "credentials.yml"
    _procs: dict[str, _Process] = field(default_factory=dict, init=False)

    # -- addresses -------------------------------------------------------

    @property
    def hub_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.hub}"

    @property
    def rasa_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.rasa}"

    @property
    def actions_url(self) -> str:
        return f"http://{LOOPBACK}:{self.ports.actions}"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    def pids(self) -> dict[str, int]:
        return {name: p.popen.pid for name, p in self._procs.items()}

    def exited(self) -> list[str]:
        """Names of the components whose process has ended."""
        return [name for name, p in self._procs.items() if not p.alive()]

    # -- environment -----------------------------------------------------

    def _db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.state_dir / 'hub.db'}"

    def _env(self, **own: str) -> dict[str, str]:
        # The caller's TCC_* settings must not leak into a stack that was given
        # its own (a developer's TCC_DATABASE_URL in a test run would be a disaster).
        env = {k: v for k, v in os.environ.items() if not k.startswith("TCC_")}
        env.update(self.extra_env)
        env.update(PYTHONUNBUFFERED="1", RASA_TELEMETRY_ENABLED="false")
        env.update(own)
        return env

    def hub_env(self) -> dict[str, str]:
        return self._env(
            TCC_DATABASE_URL=self._db_url(),
            TCC_SECRET_KEY=self.secrets.secret_key,
            TCC_SERVICE_TOKEN=self.secrets.service_token,
            TCC_RASA_URL=self.rasa_url,
            TCC_RASA_TOKEN=self.secrets.rasa_token,
        )

    def _rasa_env(self) -> dict[str, str]:
        tracker = self.tracker_db or self.state_dir / "rasa-tracker.db"
        return self._env(
            TCC_ACTIONS_URL=f"{self.actions_url}/webhook",
            TCC_RASA_TRACKER_DB=str(tracker),
        )

    def _actions_env(self) -> dict[str, str]:
        # rasa_sdk binds 0.0.0.0 unless Sanic is told otherwise.
        return self._env(
            SANIC_HOST=LOOPBACK,
            TCC_HUB_URL=self.hub_url,
            TCC_SERVICE_TOKEN=self.secrets.service_token,
        )

    # -- lifecycle -------------------------------------------------------

    def hub_command(self, *args: str, timeout: float = 300) -> str:
        """Run `python -m hub <args>` against this stack's database; its stdout."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_dir / "hub-admin.log"
        try:
            done = subprocess.run(
                [str(HUB_PYTHON), "-m", "hub", *args],
                check=False,
                cwd=self.root,
                env=self.hub_env(),
                capture_output=True,
                text=True,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise StackError(f"`python -m hub {' '.join(args)}` took over {timeout} s") from exc
        with log.open("a") as fh:
            fh.write(f"$ python -m hub {' '.join(args)}\n{done.stdout}{done.stderr}\n")
        if done.returncode != 0:
            raise StackError(
                f"`python -m hub {' '.join(args)}` failed (exit {done.returncode}):\n"
                f"{(done.stdout + done.stderr).strip()[-4000:]}"
            )
        return done.stdout

    def start(self, *, timeout: float = 300) -> None:
        """Migrate, seed, start all three and wait until each is healthy.

        Rasa starts first because it is by far the slowest (TensorFlow); the
        database work runs while it loads. On any failure everything that was
        started is stopped before the error is raised.
        """
        if not self.model.is_file():
            raise StackError(f"no trained model at {self.model} (run `make train`)")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._spawn("rasa", [
                str(BOT_BIN / "rasa"), "run", "--enable-api",
                "--auth-token", self.secrets.rasa_token,
                "-i", LOOPBACK, "-p", str(self.ports.rasa),
                "--model", str(self.model),
                "--endpoints", self.endpoints, "--credentials", self.credentials,
            ], self._rasa_env(), f"{self.rasa_url}/status?token={self.secrets.rasa_token}")
            self._spawn("actions", [
                str(BOT_BIN / "python"), "-m", "rasa_sdk",
                "--actions", "bot.actions", "-p", str(self.ports.actions),
            ], self._actions_env(), f"{self.actions_url}/health")
            self.say("hub: migrating and seeding the database")
            self.hub_command("migrate")
            self.hub_command("seed")
            self._spawn("hub", [
                str(HUB_PYTHON), "-m", "hub", "serve",
                "--host", LOOPBACK, "--port", str(self.ports.hub),
            ], self.hub_env(), f"{self.hub_url}/health")
            self._wait_healthy(timeout)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, name: str, argv: list[str], env: dict[str, str], health_url: str) -> None:
        log_path = self.log_dir / f"{name}.log"
        log: IO[bytes] = log_path.open("wb")
        try:
            popen = subprocess.Popen(
                argv,
                cwd=self.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group; Ctrl-C is ours to relay
                # Only a prctl call after fork; the harness starts stacks before
                # it starts threads of its own.
                preexec_fn=_death_signal_setter(),  # noqa: PLW1509
            )
        finally:
            log.close()  # the child has its own descriptor
        self._procs[name] = _Process(name, popen, log_path, health_url)
        self.say(f"{name}: starting (pid {popen.pid}, log {log_path})")

    def _wait_healthy(self, timeout: float) -> None:
        started = time.monotonic()
        deadline = started + timeout
        pending = dict(self._procs)
        with requests.Session() as http:
            while pending:
                for name, proc in list(pending.items()):
                    if not proc.alive():
                        raise StackError(
                            f"{name} exited with code {proc.popen.returncode} during startup; "
                            f"last lines of {proc.log_path}:\n{log_tail(proc.log_path)}"
                        )
                    if _healthy(http, proc.health_url):
                        del pending[name]
                        self.say(f"{name}: healthy after {time.monotonic() - started:.1f} s")
                if not pending:
                    break
                if time.monotonic() > deadline:
                    details = "\n\n".join(
                        f"--- last lines of {p.log_path}:\n{log_tail(p.log_path)}"
                        for p in pending.values()
                    )
                    raise StackError(
                        f"not healthy after {timeout:.0f} s: {', '.join(pending)}\n{details}"
                    )
                time.sleep(0.5)

    def stop(self, *, grace: float = 15) -> None:
        """SIGTERM every group, wait, SIGKILL what is left; idempotent."""
        procs = list(self._procs.values())
        for proc in procs:
            proc.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in procs:
            while proc.group_alive() and time.monotonic() < deadline:
                time.sleep(0.1)
        for proc in procs:
            if proc.group_alive():
                self.say(f"{proc.name}: did not stop within {grace:.0f} s, killing it")
                proc.signal_group(signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(timeout=5)
        self._procs.clear()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _healthy(http: requests.Session, url: str) -> bool:
    try:
        return http.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@contextlib.contextmanager
def running(stack: Stack, *, timeout: float = 300) -> Iterator[Stack]:
    stack.start(timeout=timeout)
    try:
        yield stack
    finally:
        stack.stop()
