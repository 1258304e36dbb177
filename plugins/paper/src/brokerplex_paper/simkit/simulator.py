"""``Simulator``: what every wire simulator over the paper exchange shares.

A simulator is a broker's wire format (its Starlette app) over a :class:`PaperExchange`. This base
serves the app (:class:`SimServer`) behind :class:`HttpFaults`, keeps its sessions, and gives every
simulator the same controls under the same names, so a test or the conformance kit says the same
thing to each of them:

==========================  ==========================================================================
control                     effect
==========================  ==========================================================================
``faults``                  lost, late, trickled, refused or malformed HTTP replies, by route name
``expire_sessions()``       every token dead and every stream closed; a dead token is refused
``drop_streams()``          every stream connection closed (a frozen one loses its TCP connection)
``silence_streams(on)``     no stream message at all, heartbeats included; connections stay open
``freeze_streams(on)``      connections open now neither read nor write, as over a dead TCP path
``refuse_keys(on)``         logins and stream upgrades refused as for a revoked key
``set_tick_rate(n)``        ``n`` ticks a second (0 pauses ticks)
``stream_connections``      stream connections open now
``stream_subscriptions``    instruments subscribed now: one entry per subscription held, with its mode
==========================  ==========================================================================

and the conformance kit's :class:`brokerplex.testing.Venue`: ``received_orders()``,
``lose_next_order_reply()``, ``delay_next_order_reply()``, ``expire_sessions()``, ``drop_streams()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol, Self

from brokerplex.models import Order
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.faults import HttpFaults, RoutePattern
from brokerplex_paper.feed import TickPace
from brokerplex_paper.links import Links
from brokerplex_paper.simkit.server import ASGIApp, SimServer
from brokerplex_paper.simkit.sessions import SessionStore

#: The route names every simulator's ``faults`` understands (``any`` is added by HttpFaults).
FAULT_ROUTE_NAMES = frozenset({"login", "orders", "changes", "books", "quotes", "master"})


class StreamHub(Protocol):
    """What the base needs from a simulator's stream server (ticker, Socket.IO, ...)."""

    @property
    def pace(self) -> TickPace: ...

    @property
    def open_connections(self) -> int: ...

    @property
    def subscriptions(self) -> dict[str, list[str]]:
        """Each instrument subscribed (as the wire names it) and the mode of each subscription held of it."""

    async def drop_all(self) -> None:
        """Close every stream connection."""

    async def silence(self, on: bool) -> None:
        """Stop (True) or resume (False) every message, heartbeats included."""

    async def wake(self) -> None:
        """The tick rate changed: reschedule the next tick now."""


class Simulator:
    """A wire simulator: ``with MySimulator() as sim:`` serves it from a daemon thread (see the module)."""

    def __init__(self, app: ASGIApp, *, exchange: PaperExchange, accounts: Sequence[str],
                 fault_routes: Mapping[str, Sequence[RoutePattern]], sessions: SessionStore[Any],
                 streams: StreamHub | None = None, host: str = "127.0.0.1", port: int = 0, seed: int = 1,
                 name: str = "sim", ws_ping_interval: float | None = 20.0) -> None:
        """``accounts``: the exchange accounts this simulator's users trade in (created here, each read by
        :meth:`received_orders`). ``fault_routes`` names exactly :data:`FAULT_ROUTE_NAMES` (a list may be
        empty). The socket is bound here: :attr:`host`, :attr:`port` and :attr:`url` are known at once."""
        if set(fault_routes) != FAULT_ROUTE_NAMES:
            raise ValueError(f"fault routes must be named {sorted(FAULT_ROUTE_NAMES)}, not {sorted(fault_routes)}")
        #: The truth: its orders are what the simulator received (``set_price`` moves the market).
        self.exchange = exchange
        self.exchange_accounts = tuple(accounts)
        for account in self.exchange_accounts:
            exchange.ensure_account(account)
        self.sessions = sessions
        self.streams = streams
        #: Faults injected into HTTP replies (see :mod:`brokerplex_paper.faults`).
        self.faults = HttpFaults(app, fault_routes, seed=seed)
        self._links = Links()
        self.server = SimServer(self.faults, host=host, port=port, name=name, ws_protocol=self._links.protocol_class(),
                                ws_ping_interval=ws_ping_interval)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.url!r})"

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def url(self) -> str:
        """``http://host:port``, the root of every route."""
        return self.server.url

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> Self:
        """Serve from a daemon thread; returns once connections are accepted."""
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the exchange (a ``state_dir`` keeps its orders for the next one)."""
        self.server.stop()
        self.exchange.close()

    def serve_forever(self, on_ready: Callable[[], None] | None = None) -> None:
        """Serve until SIGINT or SIGTERM (main thread), then stop; ``on_ready`` runs once serving."""
        try:
            self.server.serve_forever(on_ready)
        finally:
            self.exchange.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    # -- the venue: what the conformance kit asks ---------------------------------------------------
    def received_orders(self) -> list[Order]:
        """Every order the exchange holds, every account, oldest first, as the client sent it."""
        orders = [self.sent_order(account, order) for account in self.exchange_accounts
                  for order in self.exchange.orders(account)]
        # The exchange numbers orders in placement order, after the day: the id sorts them.
        return sorted(orders, key=lambda order: order.order_id)

    def sent_order(self, account: str, order: Order) -> Order:
        """``order`` of ``account`` as its client sent it. Override when the wire carries what the
        exchange's order does not (a client id it could not keep, a dealer's client code)."""
        return order

    def lose_next_order_reply(self) -> None:
        """Act on the next order placement, then cut its connection as the reply starts (the headers
        promise a body that never comes). A reply held until the client gives up is
        :meth:`delay_next_order_reply`'s case."""
        self.faults.truncate("orders", keep=0.0)

    def delay_next_order_reply(self, seconds: float) -> None:
        """Act on the next order placement at once; send its reply ``seconds`` late."""
        self.faults.delay("orders", seconds)

    def expire_sessions(self) -> None:
        """End every session, as a broker's daily expiry does: every call with a token issued so far is
        refused as a dead token, open streams close, and reconnecting with such a token is refused."""
        self.sessions.expire_all()
        self.drop_streams()

    def drop_streams(self) -> None:
        """Close every stream connection (a frozen one loses its TCP connection without a close);
        clients are expected to reconnect and resubscribe."""
        self.server.call(self._drop_streams())

    async def _drop_streams(self) -> None:
        if self.streams is not None:
            await self.streams.drop_all()
        self._links.cut_frozen()

    # -- the other controls -----------------------------------------------------------------------
    def silence_streams(self, on: bool) -> None:
        """Stop (True) or resume (False) every stream message, heartbeats included, without closing
        the connections: a silent, half-dead socket. Order updates wait until resumed."""
        if self.streams is not None:
            self.server.call(self.streams.silence(on))

    def freeze_streams(self, on: bool) -> None:
        """Freeze (True) every stream connection open now: the server neither sends nor reads on it, so
        a client's pings and close handshake go unanswered; they stay open until thawed (False) or
        dropped. Connections opened while frozen work."""
        self.server.call(self._freeze_streams(on))

    async def _freeze_streams(self, on: bool) -> None:
        self._links.freeze(on)  # the links live in the server's loop

    def refuse_keys(self, on: bool) -> None:
        """Refuse (True) the app keys as a broker refuses revoked ones, until turned off (False): logins
        and stream upgrades are refused. Tokens already issued keep working (``expire_sessions`` ends them)."""
        self.sessions.refusing = on

    def set_tick_rate(self, per_second: float) -> None:
        """Publish ticks ``per_second`` times a second (0 pauses ticks; heartbeats and order updates go on)."""
        if self.streams is not None:
            self.streams.pace.set_rate(per_second)
            self.server.call(self.streams.wake())

    @property
    def stream_connections(self) -> int:
        """How many stream connections are open (accepted and not yet closed)."""
        return 0 if self.streams is None else self.streams.open_connections

    @property
    def stream_subscriptions(self) -> dict[str, list[str]]:
        """Each instrument subscribed now, as the wire names it (a Kite token, an XTS ``segment:id``), with
        one entry per subscription held of it (a connection's, a market-data session's) naming its mode:
        a client that shares its streams well holds exactly one of each, and none once it is done."""
        return (self.server.call(self._stream_subscriptions()) or {}) if self.streams is not None else {}

    async def _stream_subscriptions(self) -> dict[str, list[str]]:
        assert self.streams is not None
        return self.streams.subscriptions  # read in the server's loop, where they change
