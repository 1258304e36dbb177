"""What the simulator remembers between requests: users, sessions, subscriptions, order ids, limits."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from brokerplex.ratelimit import Limit
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.hours import now_ist
from brokerplex_paper.simkit.limits import ServerLimits
from brokerplex_paper.simkit.sessions import SessionStore
from brokerplex_xts_client.sim.accounts import PRO, User, mint_token
from brokerplex_xts_client.sim.catalog import Catalog, Entry

INTERACTIVE, MARKETDATA = "interactive", "marketdata"
SUBSCRIPTION_LIMIT = 50  # instruments per market-data session (CAP: 47 left after 3)
QUOTE_LIMIT = 50  # instruments per quotes request (OpenAlgo's XTS brokers page by it)

# Per session and bucket. XTS documents no numbers; these mirror what brokers publish (10 orders
# a second, a few master downloads a minute) and stay out of a normal client's way.
XTS_LIMITS: dict[str, tuple[Limit, ...]] = {
    "login": (Limit(30, 60.0),), "order": (Limit(10, 1.0),), "read": (Limit(20, 1.0),),
    "quotes": (Limit(20, 1.0),), "subscription": (Limit(20, 1.0),), "master": (Limit(12, 60.0),),
    "ohlc": (Limit(10, 1.0),), "search": (Limit(10, 1.0),),
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


class SimState:
    def __init__(
        self, exchange: PaperExchange, users: list[User], rate_limits: bool,
        clock: Callable[[], dt.datetime] = now_ist,
    ) -> None:
        self.exchange, self.clock = exchange, clock
        self.users = {user.user_id: user for user in users}
        self.limits = ServerLimits(XTS_LIMITS, enabled=rate_limits)
        #: token → session; while ``refusing``, every app key is refused as revoked ones are (logins, sockets)
        self.sessions: SessionStore[Session] = SessionStore()
        self.unique_ids: dict[str, str] = {}  # AppOrderID → orderUniqueIdentifier
        self.dealer_investor_routes = True  # JNM's brokers refuse them; PY's allow them
        self.dealer_routes = True  # off: a host without the dealer book routes (they answer 404)
        self._secret = secrets.token_bytes(32)
        self._catalog: Catalog | None = None
        self._sequence = 1_578_799_396_766_000
        self._lock = threading.Lock()
        self.on_interactive_change: Callable[[User], None] = lambda user: None
        #: An order or trade record as the books show it (cover and bracket legs: sim.cover sets it).
        self.decorate: Callable[[dict[str, Any]], dict[str, Any]] = lambda record: record
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
        if self.sessions.refusing:
            return None
        for user in self.users.values():
            pair = user.interactive if api == INTERACTIVE else user.marketdata
            if pair.app_key == app_key and secrets.compare_digest(pair.secret_key, secret_key):
                return user
        return None

    def login(self, user: User, api: str) -> Session:
        pair = user.interactive if api == INTERACTIVE else user.marketdata
        session = Session(mint_token(self._secret, user, pair.app_key), user, api)
        self.sessions.issue(session, session.token)
        return session

    def session(self, token: str | None, api: str) -> Session | None:
        session = self.sessions.find(token)
        return session if session is not None and session.api == api else None

    def logout(self, token: str) -> None:
        self.sessions.revoke(token)
