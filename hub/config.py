"""The hub's configuration, read from the environment in one place.

Secrets have no defaults: a local run generates them into `.env` on first start
(see `scripts/stack.py`), tests pass their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


def _required(env: dict[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set (see .env.example)")
    return value


def _clock(value: str) -> time:
    try:
        hours, minutes = value.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ConfigError(f"expected HH:MM, got {value!r}") from exc


def database_url_from_env(env: dict[str, str] | None = None) -> str:
    """The database URL alone: migrations and seeding need no secrets."""
    env = dict(os.environ if env is None else env)
    return env.get("TCC_DATABASE_URL") or f"sqlite:///{REPO_ROOT / 'var' / 'hub.db'}"


def seed_dir_from_env(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ if env is None else env)
    return Path(env.get("TCC_SEED_DIR") or REPO_ROOT / "hub" / "seed")


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str
    secret_key: str
    service_token: str
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    token_ttl_minutes: int = 12 * 60
    max_pin_failures: int = 5
    pin_lockout_minutes: int = 15
    max_message_chars: int = 2000
    rasa_timeout_seconds: float = 30.0
    inventory_days_ahead: int = 60
    # Reminders (issue 4): one scheduler per deployment, in the hub process.
    scheduler_enabled: bool = True
    quiet_hours_start: time = time(22, 0)
    quiet_hours_end: time = time(7, 30)
    # Seconds to wait before each retry of a failed delivery; its length is the
    # number of retries.
    reminder_retry_delays: tuple[float, ...] = (30, 60, 120, 300, 600, 1200)
    seed_dir: Path = field(default=REPO_ROOT / "hub" / "seed")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            database_url=database_url_from_env(env),
            secret_key=_required(env, "TCC_SECRET_KEY"),
            service_token=_required(env, "TCC_SERVICE_TOKEN"),
            rasa_url=env.get("TCC_RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rasa_token=env.get("TCC_RASA_TOKEN", ""),
            token_ttl_minutes=int(env.get("TCC_TOKEN_TTL_MINUTES", 12 * 60)),
            max_message_chars=int(env.get("TCC_MAX_MESSAGE_CHARS", 2000)),
            rasa_timeout_seconds=float(env.get("TCC_RASA_TIMEOUT_SECONDS", 30)),
            inventory_days_ahead=int(env.get("TCC_INVENTORY_DAYS_AHEAD", 60)),
            scheduler_enabled=env.get("TCC_SCHEDULER_ENABLED", "true").lower()
            not in ("0", "false", "no"),
            quiet_hours_start=_clock(env.get("TCC_QUIET_HOURS_START", "22:00")),
            quiet_hours_end=_clock(env.get("TCC_QUIET_HOURS_END", "07:30")),
            reminder_retry_delays=tuple(
                float(x)
                for x in env.get(
                    "TCC_REMINDER_RETRY_DELAYS", "30,60,120,300,600,1200"
                ).split(",")
                if x.strip()
            ),
            seed_dir=seed_dir_from_env(env),
        )
