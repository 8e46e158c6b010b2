"""GET /health: is the hub up and can it reach its database."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hub.deps import get_session_factory

logger = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/health")
def health(request: Request) -> JSONResponse:
    try:
        with get_session_factory(request)() as session:
            session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("health check: database unavailable: %s", exc)
        return JSONResponse(
            {"status": "unavailable", "database": "unavailable",
             "detail": "The hub cannot reach its database.", "code": "database_unavailable"},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok"})
