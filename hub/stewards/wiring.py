"""One call for the app factory: `include_stewards(app)` adds the staff API, the
bot's escalation endpoints and the console page."""

from __future__ import annotations

from fastapi import FastAPI

from hub.console import routes as console_routes
from hub.stewards import api, service_api


def include_stewards(app: FastAPI) -> None:
    app.include_router(api.router)
    app.include_router(service_api.router)
    app.include_router(console_routes.router)
