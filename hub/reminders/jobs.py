"""The functions APScheduler's persistent jobs point at.

A stored job names its function as `hub.reminders.jobs:deliver_reminder`, so it
must be importable at module level and take only plain arguments; it reaches the
running hub through the scheduler registered here at start.
"""

from __future__ import annotations

import logging
from typing import Protocol

logger = logging.getLogger(__name__)


class _Runner(Protocol):
    def deliver(self, reminder_id: str) -> None: ...


_runner: _Runner | None = None


def register(runner: _Runner | None) -> None:
    global _runner
    _runner = runner


def deliver_reminder(reminder_id: str) -> None:
    if _runner is None:
        # A job fired in a process that has not started the reminder runtime:
        # the reminder row is still `scheduled`, so the next start picks it up.
        logger.warning("reminder %s fired with no scheduler registered", reminder_id)
        return
    _runner.deliver(reminder_id)
