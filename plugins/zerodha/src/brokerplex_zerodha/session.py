"""The stored Kite session: the access token, whose it is and when Kite ends it.

Kite ends every access token at 06:00 IST (the daily flush), so a token stored
yesterday is known dead without asking Kite. The session is kept in the manager's store
(:class:`~brokerplex.storage.SessionStorage`, encrypted at rest); nothing here prints a token.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from brokerplex.errors import AuthenticationError, TokenExpiredError
from brokerplex.formats import IST
from brokerplex.storage import SessionStorage
from brokerplex_zerodha.errors import BROKER, relogin_hint

FLUSH = dt.time(6, 0)  # Kite invalidates every access token at 06:00 IST


def session_expiry(logged_in: dt.datetime) -> dt.datetime:
    """The next 06:00 IST after ``logged_in``: when Kite ends the session."""
    local = logged_in.astimezone(IST)
    flush = dt.datetime.combine(local.date(), FLUSH, tzinfo=IST)
    return flush if local < flush else flush + dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class KiteSession:
    api_key: str
    access_token: str
    user_id: str
    expires_at: dt.datetime

    def __repr__(self) -> str:
        return f"KiteSession(user_id={self.user_id!r}, expires_at={self.expires_at.isoformat()})"

    def expired(self, now: dt.datetime | None = None) -> bool:
        return (now or dt.datetime.now(dt.UTC)) >= self.expires_at


def save_session(store: SessionStorage, session: KiteSession) -> None:
    store.save({"api_key": session.api_key, "access_token": session.access_token, "user_id": session.user_id,
                "expires_at": session.expires_at.isoformat()})


def load_session(store: SessionStorage, *, api_key: str, account: str, now: dt.datetime | None = None) -> KiteSession:
    """The stored, still-valid session; AuthenticationError / TokenExpiredError (no request made) if none."""
    data = store.load()
    token, expires = data.get("access_token"), data.get("expires_at")
    if data.get("api_key") != api_key or not isinstance(token, str) or not token or not isinstance(expires, str):
        raise AuthenticationError(f"{account} is not logged in to Kite; run `brokerplex login {account}`",
                                  broker=BROKER)
    try:
        expires_at = dt.datetime.fromisoformat(expires)
    except ValueError:
        raise AuthenticationError(f"the stored Kite session of {account} is damaged; {relogin_hint(account)}",
                                  broker=BROKER) from None
    session = KiteSession(api_key, token, str(data.get("user_id") or ""), expires_at)
    if session.expired(now):
        raise TokenExpiredError(
            f"the Kite session of {account} ended at {expires_at.astimezone(IST):%Y-%m-%d %H:%M} IST "
            f"(Kite ends sessions daily at 06:00 IST); {relogin_hint(account)}", broker=BROKER)
    return session
