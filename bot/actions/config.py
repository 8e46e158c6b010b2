"""The action server's configuration, read from the environment in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive")
    return value


@dataclass(frozen=True, kw_only=True)
class BotSettings:
    hub_url: str
    service_token: str
    # requests takes (connect, read): a dead host fails fast, a slow answer
    # gets the longer read budget.
    connect_timeout_seconds: float = 3.05
    # Worst case per call: connect failures retried twice, a slow read once;
    # well inside the hub's 30 s wait for Rasa.
    read_timeout_seconds: float = 5.0
    # Extra attempts for calls that are safe to repeat (GETs, keyed POSTs).
    retries: int = 2

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout_seconds, self.read_timeout_seconds)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BotSettings:
        env = os.environ if env is None else env
        token = env.get("TCC_SERVICE_TOKEN", "").strip()
        if not token:
            raise ConfigError("TCC_SERVICE_TOKEN is not set (see .env.example)")
        read_timeout = _float(env, "TCC_HUB_TIMEOUT_SECONDS", 5.0)
        try:
            retries = int(env.get("TCC_HUB_RETRIES", "2"))
        except ValueError:
            raise ConfigError("TCC_HUB_RETRIES must be a whole number") from None
        return cls(
            hub_url=(env.get("TCC_HUB_URL") or "http://127.0.0.1:8000").rstrip("/"),
            service_token=token,
            connect_timeout_seconds=min(3.05, read_timeout),
            read_timeout_seconds=read_timeout,
            retries=max(0, retries),
        )
