"""What the simulator remembers between requests: users, sessions, subscriptions, order ids, limits."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.hours import now_ist
from brokerplex_xts_client.sim.accounts import PRO, User, mint_token
from brokerplex_xts_client.sim.catalog import Catalog, Entry

INTERACTIVE, MARKETDATA = "interactive", "marketdata"
SUBSCRIPTION_LIMIT = 50  # instruments per market-data session (CAP: 47 left after 3)

# (requests, seconds) per session and bucket. XTS documents no numbers; these mirror what brokers
# publish (10 orders a second, a few master downloads a minute) and stay out of a normal client's way.
RATE_LIMITS: dict[str, tuple[int, float]] = {
    "login": (30, 60.0), "order": (10, 1.0), "read": (20, 1.0), "quotes": (20, 1.0),
    "subscription": (20, 1.0), "master": (12, 60.0), "ohlc": (10, 1.0), "search": (10, 1.0),
}


@dataclass(slots=True)
class Session:
    token: str = field(repr=False)
    user: User
    api: str
    # market data: xtsMessageCode → instruments subscribed, in subscription order
    subscriptions: dict[int, dict[tuple[int, int], Entry]] = field(default_factory=dict)

    def subscribed_count(self) -> int:
        return len({key for instruments in self.subscriptions.values() for key in instruments})


class RateLimits:
    """Sliding windows per (who, bucket); ``check`` answers the seconds to wait, 0 when allowed."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, who: str, bucket: str) -> float:
        if not self.enabled:
            return 0.0
        count, period = RATE_LIMITS[bucket]
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault((who, bucket), deque())
            while hits and hits[0] <= now - period:
                hits.popleft()
            if len(hits) >= count:
                return hits[0] + period - now
            hits.append(now)
            return 0.0


class SimState:
    def __init__(
        self, exchange: PaperExchange, users: list[User], rate_limits: bool,
        clock: Callable[[], dt.datetime] = now_ist,
    ) -> None:
        self.exchange, self.clock = exchange, clock
        self.users = {user.user_id: user for user in users}
        self.limits = RateLimits(rate_limits)
        self.sessions: dict[str, Session] = {}
        self.unique_ids: dict[str, str] = {}  # AppOrderID → orderUniqueIdentifier
        self.dealer_investor_routes = True  # JNM's brokers refuse them; PY's allow them
        self.dealer_routes = True  # off: a host without the dealer book routes (they answer 404)
        self.refusing = False  # on: every app key is refused, as revoked keys are (logins and sockets)
        self._secret = secrets.token_bytes(32)
        self._catalog: Catalog | None = None
        self._sequence = 1_578_799_396_766_000
        self._lock = threading.Lock()
        self.on_interactive_change: Callable[[User], None] = lambda user: None
        for user in users:
            for code in (*user.client_codes, *(() if user.investor else (PRO,))):
                exchange.ensure_account(user.account(code))

    # -- reference data ----------------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        day = self.clock().date()
        if self._catalog is None or self._catalog.day != day:
            self._catalog = Catalog(day)
        return self._catalog

    def sequence(self) -> int:
        with self._lock:
            self._sequence += 1
            return self._sequence

    # -- sessions ------------------------------------------------------------------------------
    def user_by_key(self, api: str, app_key: str, secret_key: str) -> User | None:
        if self.refusing:
            return None
        for user in self.users.values():
            pair = user.interactive if api == INTERACTIVE else user.marketdata
            if pair.app_key == app_key and secrets.compare_digest(pair.secret_key, secret_key):
                return user
        return None

    def login(self, user: User, api: str) -> Session:
        pair = user.interactive if api == INTERACTIVE else user.marketdata
        session = Session(mint_token(self._secret, user, pair.app_key), user, api)
        with self._lock:
            self.sessions[session.token] = session
        return session

    def session(self, token: str | None, api: str) -> Session | None:
        session = self.sessions.get(token or "")
        return session if session is not None and session.api == api else None

    def logout(self, token: str) -> None:
        with self._lock:
            self.sessions.pop(token, None)

    def expire_all(self) -> None:
        with self._lock:
            self.sessions.clear()
