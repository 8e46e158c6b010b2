"""Booking reference codes a person can read out over the phone."""

from __future__ import annotations

import secrets

# Crockford base32 without the look-alikes I, L, O, U, 0 and 1.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "TC-"
LENGTH = 6


def new_reference() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_reference(raw: str) -> str:
    """What a holder typed ("tc 7k3m9q") in the stored form ("TC-7K3M9Q")."""
    code = "".join(ch for ch in raw.upper() if ch.isalnum())
    code = code.removeprefix("TC")
    return PREFIX + code
