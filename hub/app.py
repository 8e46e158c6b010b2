"""The hub's FastAPI application, built by a factory so tests bring their own
settings, database and fake assistant."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime

import httpx
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub import health
from hub.auth import routes as auth_routes
from hub.bookings import routes as booking_routes
from hub.catalog import routes as catalog_routes
from hub.chat import routes as chat_routes
from hub.chat import stream as chat_stream
from hub.chat.gateway import Assistant, RasaGateway
from hub.clock import local_date
from hub.config import Settings
from hub.db import make_engine, make_session_factory, session_scope, utcnow
from hub.errors import install_error_handlers
from hub.holders import routes as holder_routes
from hub.reminders import routes as reminder_routes
from hub.reminders.delivery import RasaReminderChannel
from hub.reminders.policy import QuietHours
from hub.reminders.scheduler import ReminderScheduler
from hub.stewards.wiring import include_stewards
from hub.web.routes import mount_web

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    *,
    session_factory: sessionmaker[Session] | None = None,
    assistant: Assistant | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """`assistant` replaces the Rasa gateway (tests); `clock` gives "now"."""
    owned_engine = None
    if session_factory is None:
        owned_engine = make_engine(settings.database_url)
        session_factory = make_session_factory(owned_engine)
    sessions = session_factory

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(
            top_up_inventory, sessions,
            today=local_date(clock()), days_ahead=settings.inventory_days_ahead,
        )
        scheduler = start_reminders(app) if settings.scheduler_enabled else None
        try:
            async with httpx.AsyncClient(timeout=settings.rasa_timeout_seconds) as client:
                if app.state.assistant is None:
                    app.state.assistant = RasaGateway(
                        base_url=settings.rasa_url, client=client, token=settings.rasa_token
                    )
                yield
        finally:
            if scheduler is not None:
                await run_in_threadpool(scheduler.shutdown)
                app.state.reminders = None
        if owned_engine is not None:
            owned_engine.dispose()

    app = FastAPI(title="Talent Card hub", version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.session_factory = sessions
    app.state.engine = owned_engine
    app.state.clock = clock
    app.state.assistant = assistant
    app.state.reminders = None

    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(auth_routes.router)
    app.include_router(holder_routes.me_router)
    app.include_router(chat_routes.router)
    app.include_router(chat_stream.router)
    app.include_router(reminder_routes.service_router)
    app.include_router(reminder_routes.holder_router)
    app.include_router(catalog_routes.router)
    app.include_router(booking_routes.router)
    app.include_router(holder_routes.service_router)
    include_stewards(app)
    mount_web(app)
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory hub.app:app_from_env` (what `python -m hub serve` runs)."""
    return create_app(Settings.from_env())


def start_reminders(app: FastAPI) -> ReminderScheduler:
    """The deployment's one reminder scheduler, in this process (run one hub
    process with TCC_SCHEDULER_ENABLED=true per database)."""
    settings: Settings = app.state.settings
    sessions = app.state.session_factory
    engine = app.state.engine or sessions.kw["bind"]
    scheduler = ReminderScheduler(
        engine=engine,
        session_factory=sessions,
        channel=RasaReminderChannel(
            rasa_url=settings.rasa_url,
            rasa_token=settings.rasa_token,
            timeout=settings.rasa_timeout_seconds,
        ),
        quiet=QuietHours(settings.quiet_hours_start, settings.quiet_hours_end),
        retry_delays=settings.reminder_retry_delays,
        clock=app.state.clock,
    )
    scheduler.start()
    app.state.reminders = scheduler
    return scheduler


def top_up_inventory(
    session_factory: sessionmaker[Session], *, today: date, days_ahead: int
) -> None:
    """Roll the inventory forward so there are always `days_ahead` days to book.

    Best effort: a hub with no catalog yet (not seeded) must still start.
    """
    if days_ahead <= 0:
        return
    try:
        # Imported here: hub.seed is data tooling, not needed to serve requests.
        from hub.seed.loader import ensure_inventory
    except ImportError:
        logger.warning("hub.seed.loader is missing: inventory not topped up")
        return
    try:
        with session_scope(session_factory) as session:
            ensure_inventory(session, today=today, days_ahead=days_ahead)
    except Exception:  # a missing catalog or unmigrated database: log, keep serving
        logger.warning("inventory top-up skipped", exc_info=True)
