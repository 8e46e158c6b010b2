"""`python -m hub application-status REF STATUS [--note ...]` and
`python -m hub request-status REF STATUS`: staff move an application or a
service request on, by hand, until the console does it (the same service
functions, the same allowed moves)."""

from __future__ import annotations

import sys

from sqlalchemy.orm import Session, sessionmaker

from hub.applications import service as applications
from hub.applications.models import Application
from hub.db import session_scope, utcnow
from hub.errors import HubError
from hub.service_requests import service as requests
from hub.service_requests.models import ServiceRequest


def status_command(
    *, kind: str, reference: str, status: str, note: str, by: str,
    session_factory: sessionmaker[Session],
) -> int:
    """0 when moved (prints the new status), 1 with the reason when refused."""
    try:
        with session_scope(session_factory) as session:
            row: Application | ServiceRequest
            if kind == "application":
                row = applications.advance_application(
                    session, application=applications.find_application(session, reference=reference),
                    to_status=status, note=note, now=utcnow(), by=by,
                )
            else:
                row = requests.advance_request(
                    session, request=requests.find_request(session, reference=reference),
                    to_status=status, note=note, now=utcnow(), by=by,
                )
            print(f"{row.reference}: {row.status}")
    except HubError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    return 0
