"""GET /console/<name>: the console's own scripts and styles, and nothing else."""

from __future__ import annotations

import re

import pytest
from fastapi import HTTPException
from hub_support import assert_error

from hub.console.routes import STATIC_DIR, console_asset


def test_every_script_the_page_loads_is_served_with_the_console_headers(client):
    page = client.get("/console").text
    scripts = re.findall(r'<script src="/console/([^"]+)" defer></script>', page)
    assert scripts[0] == "console.js" and len(scripts) > 1
    for name in [*scripts, "console.css"]:
        response = client.get(f"/console/{name}")
        assert response.status_code == 200, name
        assert response.content == (STATIC_DIR / name).read_bytes()
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        assert response.headers["content-type"].startswith(kind)
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("name", [
    "missing.js",            # the right shape, but no such file
    "console.html",          # exists, but the page is /console only
    "__init__.py",           # wrong extension
    "Console.js",            # names are lower case
    "console.js.map",
    "..%2Froutes.py",        # traversal, encoded so the client does not resolve it
    "%2E%2E%2F%2E%2E%2Fapp.py",
    "..%5Croutes.py",
    ".js",
])
def test_other_names_are_not_found(client, name):
    assert_error(client.get(f"/console/{name}"), 404, "not_found")


@pytest.mark.parametrize("name", ["../routes.py", "../static/console.js", "/etc/passwd",
                                  "console.js/", "routes.py", "console.css\x00.js"])
def test_the_handler_itself_refuses_what_is_not_a_plain_asset_name(name):
    # The router keeps slashes out of {name}; the handler does not rely on it.
    with pytest.raises(HTTPException) as raised:
        console_asset(name)
    assert raised.value.status_code == 404
