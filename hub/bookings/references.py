"""Reference codes a person can read out over the phone.

Every kind of record has its own prefix (`TC-` bookings, `AP-` applications,
`SR-` service requests) and the same 6-character body, so a holder quoting
any reference can be matched to the right kind by its prefix alone.
"""

from __future__ import annotations

import secrets

# Crockford base32 without the look-alikes I, L, O, U, 0 and 1.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "TC-"
LENGTH = 6


def new_reference(prefix: str = PREFIX) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_reference(raw: str, prefix: str = PREFIX) -> str:
    """What a holder typed ("tc 7k3m9q") in the stored form ("TC-7K3M9Q")."""
    code = "".join(ch for ch in raw.upper() if ch.isalnum())
    code = code.removeprefix(prefix.rstrip("-"))
    return prefix + code


def prefix_of(raw: str) -> str | None:
    """The known prefix a typed reference starts with ("ap7k3m9q" -> "AP-"),
    or None when it has none (a bare "7K3M9Q")."""
    code = "".join(ch for ch in raw.upper() if ch.isalnum())
    for prefix in ("TC-", "AP-", "SR-"):
        head = prefix.rstrip("-")
        if code.startswith(head) and len(code) == len(head) + LENGTH:
            return prefix
    return None
