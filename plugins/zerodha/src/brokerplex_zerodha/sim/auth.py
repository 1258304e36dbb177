"""The login flow and sessions: request tokens, checksums and access tokens.

A request token is what the login page hands the app (single use, five minutes). The app
swaps it for an access token with ``sha256(api_key + request_token + api_secret)``. Access
tokens stay valid until logout, the store's ``expire_all``, or 06:00 IST after the login
(Kite's daily expiry). While the store is ``refusing``, the app's key is treated as revoked:
the token exchange is refused as for an unknown key (and the ticker refuses its upgrades).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from brokerplex.formats import IST
from brokerplex_paper.hours import now_ist
from brokerplex_paper.simkit.sessions import SessionStore, new_token
from brokerplex_zerodha.sim.envelope import BAD_CHECKSUM, BAD_REQUEST_TOKEN, token_error

REQUEST_TOKEN_SECONDS = 300.0
DAILY_EXPIRY = dt.time(6, 0)  # every access token dies at 06:00 IST after its login


def checksum(api_key: str, token: str, api_secret: str) -> str:
    return hashlib.sha256((api_key + token + api_secret).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Session:
    user_id: str
    api_key: str
    access_token: str = field(repr=False)
    public_token: str = field(repr=False)
    enctoken: str = field(repr=False)
    login_time: dt.datetime  # IST

    def expired(self, now: dt.datetime) -> bool:
        first_expiry = dt.datetime.combine(self.login_time.date(), DAILY_EXPIRY, IST)
        if self.login_time >= first_expiry:
            first_expiry += dt.timedelta(days=1)
        return now >= first_expiry


class Sessions:
    """One app (api_key, api_secret) and its single user's sessions. Thread-safe."""

    def __init__(self, api_key: str, api_secret: str, user_id: str,
                 clock: Callable[[], dt.datetime] = now_ist) -> None:
        self.api_key, self.user_id, self._clock = api_key, user_id, clock
        self._api_secret = api_secret
        self._request_tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self._lock = threading.Lock()
        #: Access token -> session; the simulator's controls expire them and refuse the key.
        self.store: SessionStore[Session] = SessionStore()

    def issue_request_token(self) -> str:
        token = new_token()
        with self._lock:
            self._request_tokens[token] = time.monotonic() + REQUEST_TOKEN_SECONDS
        return token

    def exchange(self, api_key: str, request_token: str, given_checksum: str, now: dt.datetime) -> Session:
        """Swap a request token for a new session; the token is spent once it succeeds."""
        if api_key != self.api_key or self.store.refusing:
            raise token_error("Invalid `api_key`.")
        expected = checksum(api_key, request_token, self._api_secret)
        with self._lock:
            expires = self._request_tokens.get(request_token)
            if expires is None or expires < time.monotonic():
                self._request_tokens.pop(request_token, None)
                raise token_error(BAD_REQUEST_TOKEN)
            if not hmac.compare_digest(expected, given_checksum.lower()):
                raise token_error(BAD_CHECKSUM)
            del self._request_tokens[request_token]
        session = Session(self.user_id, api_key, new_token(), new_token(), new_token(43),
                          now.astimezone(IST).replace(microsecond=0))
        self.store.issue(session, session.access_token)
        return session

    def find(self, api_key: str, access_token: str) -> Session:
        session = self.store.find(access_token)
        if session is None or session.api_key != api_key or session.expired(self._clock()):
            raise token_error()
        return session

    def from_header(self, header: str | None) -> Session:
        """The session of an ``Authorization: token api_key:access_token`` header."""
        scheme, _, credentials = (header or "").partition(" ")
        api_key, _, access_token = credentials.partition(":")
        if scheme.lower() != "token" or not api_key or not access_token:
            raise token_error()
        return self.find(api_key, access_token)

    def logout(self, access_token: str) -> None:
        self.store.revoke(access_token)
