"""Rasa and the action server are reachable from this machine only, Rasa's API only with its token."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from scripts.stack import Stack

pytestmark = pytest.mark.e2e

LISTEN = "0A"  # TCP state in /proc/net/tcp


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening socket on `port`, from /proc/net/tcp{,6}."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == LISTEN and int(hex_port, 16) == port:
                found.add(_decode(address))
    return found


def _decode(hex_address: str) -> str:
    if len(hex_address) == 8:  # IPv4, little-endian
        return ".".join(str(int(hex_address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    return "ipv6:" + hex_address


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("component", ["rasa", "actions", "hub"])
def test_listens_on_loopback_only(stack: Stack, component: str) -> None:
    port = getattr(stack.ports, component)
    addresses = _listening_addresses(port)
    assert addresses == {"127.0.0.1"}, f"{component} listens on {addresses}"


def test_rasa_api_needs_the_token(stack: Stack) -> None:
    url = f"{stack.rasa_url}/conversations/x/tracker"
    refused = requests.get(url, timeout=30)
    assert refused.status_code in (401, 403), refused.text
    wrong = requests.get(url, params={"token": "not-the-token"}, timeout=30)
    assert wrong.status_code in (401, 403), wrong.text
    # The same call with the token works, so the refusals above were about the token.
    allowed = requests.get(url, params={"token": stack.secrets.rasa_token}, timeout=30)
    assert allowed.status_code == 200, allowed.text
