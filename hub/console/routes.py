"""GET /console and its two assets: no build step, no CDN, nothing inline."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Everything comes from the hub itself; the staff token is never put in a URL.
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/console")
def console_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "console.html", media_type="text/html", headers=_HEADERS)


@router.get("/console/console.js")
def console_script() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "console.js", media_type="text/javascript", headers=_HEADERS
    )


@router.get("/console/console.css")
def console_styles() -> FileResponse:
    return FileResponse(STATIC_DIR / "console.css", media_type="text/css", headers=_HEADERS)
