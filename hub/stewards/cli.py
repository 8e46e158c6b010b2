"""Setting staff passwords from the environment, never from the repository.

    python -m hub staff-password USERNAME
        reads the password from TCC_STAFF_PASSWORD, else from stdin (prompted
        without echo on a terminal).

`apply_demo_staff_password` is for the local launcher: it generates a demo
password into `.env` as TCC_DEMO_STAFF_PASSWORD and prints it; every seeded
steward without a password gets it.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.auth.secrets import hash_secret
from hub.holders.models import Steward
from hub.stewards.auth import MIN_PASSWORD_CHARS, set_staff_passwords
from hub.stewards.errors import StewardError

PASSWORD_ENV = "TCC_STAFF_PASSWORD"
DEMO_PASSWORD_ENV = "TCC_DEMO_STAFF_PASSWORD"


def staff_password_command(
    argv: list[str],
    *,
    session_factory: sessionmaker[Session],
    env: Mapping[str, str] | None = None,
    stdin: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """`staff-password USERNAME`; returns the process exit code."""
    env = os.environ if env is None else env
    stdin = sys.stdin if stdin is None else stdin
    stderr = sys.stderr if stderr is None else stderr
    if len(argv) != 1:
        print("usage: python -m hub staff-password USERNAME", file=stderr)
        return 2
    username = argv[0]
    password = env.get(PASSWORD_ENV) or _read_password(stdin)
    try:
        with session_factory() as session:
            set_staff_passwords(session, {username: password})
            session.commit()
    except StewardError as exc:
        print(f"staff-password: {exc.detail}", file=stderr)
        return 1
    print(f"Password set for {username}.", file=stderr)
    return 0


def apply_demo_staff_password(session: Session, *, env: Mapping[str, str] | None = None) -> list[str]:
    """Give every active steward without a password the launcher's demo password;
    returns their usernames. A password set with `staff-password` is never
    overwritten. Nothing happens when the variable is unset (a real deployment).
    """
    env = os.environ if env is None else env
    password = env.get(DEMO_PASSWORD_ENV, "")
    if not password:
        return []
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"{DEMO_PASSWORD_ENV} is shorter than {MIN_PASSWORD_CHARS} characters")
    stewards = session.scalars(
        select(Steward).where(Steward.active, Steward.password_hash == "").order_by(Steward.id)
    ).all()
    for steward in stewards:
        steward.password_hash = hash_secret(password)
    return [s.username for s in stewards]


def _read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        return getpass.getpass("New staff password: ")
    return stdin.readline().rstrip("\r\n")
