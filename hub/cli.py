"""`python -m hub <command>`: migrate, seed, demo-holders, staff-password,
application-status, request-status, serve.

Only `serve` needs the secrets; the others read just the database URL and the
seed directory, so set-up can run before `.env` is complete.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from hub.config import (
    ConfigError,
    database_url_from_env,
    seed_dir_from_env,
)
from hub.db import make_engine, make_session_factory, session_scope, utcnow


def _migrate(_: argparse.Namespace) -> int:
    from hub.schema import upgrade_to_head

    url = database_url_from_env()
    upgrade_to_head(database_url=url)
    print(f"database at the latest schema: {_safe(url)}")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from hub.clock import local_date
    from hub.seed.loader import seed_database
    from hub.stewards.cli import apply_demo_staff_password

    engine = make_engine(database_url_from_env())
    try:
        counts = seed_database(
            make_session_factory(engine),
            seed_dir=seed_dir_from_env(),
            today=local_date(utcnow()),
            days_ahead=args.days_ahead,
        )
        # The launcher's generated demo password (TCC_DEMO_STAFF_PASSWORD) for
        # stewards who have none; a real deployment sets no such variable.
        with session_scope(make_session_factory(engine)) as session:
            demo_staff = apply_demo_staff_password(session)
    finally:
        engine.dispose()
    print("seeded: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    if demo_staff:
        print(f"demo staff password set for: {', '.join(demo_staff)}")
    return 0


def _staff_password(args: argparse.Namespace) -> int:
    from hub.stewards.cli import staff_password_command

    engine = make_engine(database_url_from_env())
    try:
        return staff_password_command([args.username], session_factory=make_session_factory(engine))
    finally:
        engine.dispose()


def _record_status(args: argparse.Namespace) -> int:
    from hub.applications.cli import status_command

    engine = make_engine(database_url_from_env())
    try:
        return status_command(
            kind=args.kind, reference=args.reference, status=args.status, note=args.note,
            by=args.by, session_factory=make_session_factory(engine),
        )
    finally:
        engine.dispose()


def _demo_holders(_: argparse.Namespace) -> int:
    from hub.seed.loader import demo_holders

    holders = demo_holders(seed_dir=seed_dir_from_env())
    width = max((len(h["card_number"]) for h in holders), default=11)
    print(f"  {'Card number':<{width}}  {'PIN':<8}  Name")
    for holder in holders:
        print(f"  {holder['card_number']:<{width}}  {holder['pin']:<8}  {holder['name']}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hub.config import Settings

    Settings.from_env()  # fail here, with a clear message, before uvicorn starts
    uvicorn.run(
        "hub.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        # The web page and the bot call the hub directly: no proxy headers to trust.
        proxy_headers=False,
    )
    return 0


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="upgrade the database to the latest schema") \
        .set_defaults(run=_migrate)
    seed = commands.add_parser("seed", help="load the seed files and roll inventory forward")
    seed.add_argument("--days-ahead", type=int,
                      default=int(os.environ.get("TCC_INVENTORY_DAYS_AHEAD") or 60),
                      help="days of inventory (default TCC_INVENTORY_DAYS_AHEAD or 60)")
    seed.set_defaults(run=_seed)
    commands.add_parser("demo-holders", help="print the demo holders' cards and PINs") \
        .set_defaults(run=_demo_holders)
    staff = commands.add_parser(
        "staff-password",
        help="set a steward's password (from TCC_STAFF_PASSWORD, else stdin)",
    )
    staff.add_argument("username")
    staff.set_defaults(run=_staff_password)
    for kind, help_text in (
        ("application", "move a school application on (under_review, offered, declined)"),
        ("request", "move a service request on (in_progress, completed, rejected)"),
    ):
        moved = commands.add_parser(f"{kind}-status", help=help_text)
        moved.add_argument("reference")
        moved.add_argument("status")
        moved.add_argument("--note", default="", help="why, for the holder's history")
        moved.add_argument("--by", default="staff", help="who (a steward's username)")
        moved.set_defaults(run=_record_status, kind=kind)
    serve = commands.add_parser("serve", help="run the hub's HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(run=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
