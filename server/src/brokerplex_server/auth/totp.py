"""A user's second factor: a TOTP seed (RFC 6238: 30 s steps, 6 digits, as authenticator apps make them) in
``users.totp_secret``, sealed with the store's key like every secret there. With one, ``POST /session`` needs
the current code besides the password.

A code signs in once: the sealed record keeps the last step used, and a sign-in swaps it for the new one only
if nobody swapped it first (so two workers cannot both take one code). The codes of the step before and
after are taken too (a phone's clock a little off).
"""

from __future__ import annotations

import datetime as dt
import hmac

import pyotp
import sqlalchemy as sa

from brokerplex.store import Store
from brokerplex.store.tables import users
from brokerplex_server.auth.users import User

ISSUER = "brokerplex"
DRIFT_STEPS = 1  # steps taken either side of now


class UserTotp:
    def __init__(self, store: Store) -> None:
        self._store = store

    def enable(self, user: User) -> str:
        """A new seed for ``user`` (replacing any): its ``otpauth://`` URI, to show once (it holds the seed)."""
        seed = pyotp.random_base32()
        self._write(user, self._store.cipher.seal({"seed": seed, "last_step": 0}))
        return pyotp.TOTP(seed).provisioning_uri(name=user.name, issuer_name=ISSUER)

    def disable(self, user: User) -> None:
        self._write(user, None)

    def required(self, user: User) -> bool:
        return self._sealed(user) is not None

    def verify(self, user: User, code: str) -> bool:
        """Whether ``code`` is ``user``'s current code, not used before (it is used up by this call)."""
        sealed = self._sealed(user)
        if sealed is None:
            return False
        record = self._store.cipher.open(sealed, f"the TOTP seed of {user.name}")
        totp = pyotp.TOTP(str(record["seed"]))
        now = totp.timecode(dt.datetime.now(dt.UTC))
        for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
            if step > int(record["last_step"]) and hmac.compare_digest(totp.generate_otp(step), code):
                used = self._store.cipher.seal({**record, "last_step": step})
                with self._store.engine.begin() as connection:  # taken once, whichever worker is first
                    swapped = connection.execute(users.update().where(
                        users.c.id == user.id, users.c.totp_secret == sealed).values(totp_secret=used)).rowcount
                return bool(swapped)
        return False

    def _sealed(self, user: User) -> str | None:
        with self._store.engine.connect() as connection:
            found = connection.execute(sa.select(users.c.totp_secret).where(users.c.id == user.id)).scalar()
        return None if found is None else str(found)

    def _write(self, user: User, sealed: str | None) -> None:
        with self._store.engine.begin() as connection:
            connection.execute(users.update().where(users.c.id == user.id).values(totp_secret=sealed))

