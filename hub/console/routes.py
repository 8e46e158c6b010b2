"""GET /console and its assets: no build step, no CDN, nothing inline."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, HTTPException
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
# A plain name with no dots or slashes but its extension: nothing outside STATIC_DIR.
_ASSET_NAME = re.compile(r"[a-z_]+\.(js|css)")
_MEDIA_TYPES = {"js": "text/javascript", "css": "text/css"}

router = APIRouter(include_in_schema=False)


@router.get("/console")
def console_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "console.html", media_type="text/html", headers=_HEADERS)


@router.get("/console/{name}")
def console_asset(name: str) -> FileResponse:
    """The console's scripts and styles: whichever .js and .css files are in STATIC_DIR."""
    match = _ASSET_NAME.fullmatch(name)
    path = STATIC_DIR / name
    if match is None or not path.is_file():
        raise HTTPException(status_code=404, detail="Not found")
    return FileResponse(path, media_type=_MEDIA_TYPES[match.group(1)], headers=_HEADERS)
