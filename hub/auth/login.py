"""Holder login: card number + PIN, with a lockout after repeated failures."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.auth.secrets import hash_secret, verify_secret
from hub.clock import local_iso
from hub.errors import HubError
from hub.holders.models import Holder

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")


class InvalidCredentials(HubError):
    def __init__(self) -> None:
        # One message for an unknown card and a wrong PIN: the answer must not
        # tell a guesser which card numbers exist.
        super().__init__(
            401, "invalid_credentials", "The card number or PIN is not correct."
        )


class CardLocked(HubError):
    def __init__(self, locked_until: datetime) -> None:
        super().__init__(
            423,
            "card_locked",
            "Too many wrong PINs: this card is locked for a while. Please try again later.",
            locked_until=local_iso(locked_until),
        )


def normalise_card_number(raw: str) -> str:
    return _SEPARATORS.sub("", raw).upper()


@cache
def _decoy_hash() -> str:
    # Verified against when the card is unknown, so both failures take as long
    # as a real scrypt check. Built on first use, not at import.
    return hash_secret("decoy-pin")


def authenticate_holder(
    session: Session,
    *,
    card_number: str,
    pin: str,
    now: datetime,
    max_failures: int,
    lockout: timedelta,
) -> Holder:
    """The holder for a right PIN; commits the failure count either way."""
    number = normalise_card_number(card_number)
    holder = session.scalars(select(Holder).where(Holder.card_number == number)).first()
    if holder is None:
        verify_secret(pin, _decoy_hash())
        raise InvalidCredentials()

    if holder.locked_until is not None:
        if holder.locked_until > now:
            raise CardLocked(holder.locked_until)
        # The lock has run out: a fresh start of `max_failures` tries.
        holder.locked_until = None
        holder.failed_pin_attempts = 0

    if not verify_secret(pin, holder.pin_hash):
        # Counted in the database, not in Python: parallel guesses must each
        # add one, or a burst of them would slip past the limit.
        failures = session.execute(
            update(Holder)
            .where(Holder.id == holder.id)
            .values(failed_pin_attempts=Holder.failed_pin_attempts + 1)
            .returning(Holder.failed_pin_attempts)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        if failures >= max_failures:
            holder.locked_until = now + lockout
        session.commit()
        if failures >= max_failures:
            raise CardLocked(now + lockout)
        raise InvalidCredentials()

    holder.failed_pin_attempts = 0
    holder.locked_until = None
    session.commit()
    return holder
