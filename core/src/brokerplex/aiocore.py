"""ManagerCore, the async core of :class:`~brokerplex.aiomanager.AsyncBrokerManager`: accounts →
logged-in sessions, routing, the books, fan-out; orders go through the
:class:`~brokerplex.pipeline.OrderPipeline` (journal, send once, reconcile). The trader operations
(:mod:`brokerplex.ops`) build on it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pluggy

from brokerplex.accounts import Account, AccountStore, build_settings, check_account_name
from brokerplex.broker import AccountContext, Broker, LoginIO
from brokerplex.capabilities import Capabilities
from brokerplex.errors import (
    BrokerplexError,
    ClientCodeError,
    InputError,
    OrderNotFoundError,
    SettingsError,
    SymbolError,
    UnknownAccountError,
    UnknownBrokerError,
)
from brokerplex.journal import OrderJournal
from brokerplex.models import (
    Funds,
    Holding,
    Instrument,
    Order,
    OrderAck,
    OrderModify,
    OrderRequest,
    Position,
    Profile,
    Quote,
    SessionState,
    TickMode,
    Trade,
)
from brokerplex.outcomes import Reconciled, first_verdict, only_ours
from brokerplex.pipeline import RECONCILE_GRACE, OrderPipeline
from brokerplex.plugins import get_broker, get_plugin_manager, registered_brokers
from brokerplex.registry import RegisteredBroker
from brokerplex.storage import home_dir
from brokerplex.store import Store
from brokerplex.streaming import Stream
from brokerplex.symbols import canonical
from brokerplex.validation import describe

log = logging.getLogger("brokerplex")
T = TypeVar("T")


class ManagerCore:
    """Sessions, books and orders; :class:`~brokerplex.aiomanager.AsyncBrokerManager` adds the trader
    operations. Use one per event loop."""

    def __init__(self, home: Path | None = None, *, plugin_manager: pluggy.PluginManager | None = None,
                 database: str | None = None) -> None:
        self.home = home if home is not None else home_dir()
        self.plugins = plugin_manager if plugin_manager is not None else get_plugin_manager()
        #: Accounts, sessions, the journal: SQLite under ``home``, or ``database`` / $BROKERPLEX_DATABASE.
        self.store = Store(self.home, database)
        self.account_store = AccountStore(self.store)
        self._journal: OrderJournal | None = None
        self._sessions: dict[str, Broker] = {}
        self._retired: list[Broker] = []  # sessions of settings since replaced
        self._session_locks: dict[str, asyncio.Lock] = {}
        # Found once per session: re-running every plugin's registration per order is waste.
        self._capabilities: dict[str, Capabilities] = {}
        self._pipeline = OrderPipeline(lambda: self.journal, self.plugins, self._capabilities.__getitem__,
                                       self.instrument, self._pretrade_guard)

    # -- brokers and accounts ----------------------------------------------------
    def brokers(self) -> dict[str, RegisteredBroker]:
        return registered_brokers(self.plugins)

    @property
    def journal(self) -> OrderJournal:
        if self._journal is None:
            self._journal = OrderJournal(self.store)
        return self._journal

    def activate(
        self,
        broker: str,
        account: str,
        options: Mapping[str, str] | None = None,
        *,
        prompt_secret: Callable[[str], str] | None = None,
    ) -> Account:
        """Validate settings against the broker's model and save the account (0600)."""
        check_account_name(account)
        model = get_broker(broker, self.plugins).spec.load().settings_model
        settings = build_settings(model, options or {}, account=account, broker=broker, prompt_secret=prompt_secret)
        activated = Account(account, broker, settings)
        self.account_store.save(activated)
        if (replaced := self._sessions.pop(account, None)) is not None:
            self._retired.append(replaced)  # made of the old settings; closed with the manager (it may be busy)
        return activated

    async def deactivate(self, account: str) -> None:
        broker = self.account_store.get_raw(account)["broker"]
        session = self._sessions.pop(account, None)
        if session is not None:
            await session.close()
        self._context(account, broker).session.clear()
        self.account_store.remove(account)

    def account(self, name: str) -> Account:
        raw = self.account_store.get_raw(name)
        try:
            model = get_broker(raw["broker"], self.plugins).spec.load().settings_model
        except UnknownBrokerError as exc:
            raise UnknownBrokerError(f"account {name!r} is at broker {raw['broker']!r}, whose plugin is not "
                                     f"installed here ({exc})") from None
        try:
            settings = model.model_validate(raw.get("settings", {}))
        except Exception as exc:
            from pydantic import ValidationError

            reason = describe(exc) if isinstance(exc, ValidationError) else str(exc)
            raise SettingsError(f"stored settings of account {name!r} are no longer valid: {reason}") from None
        return Account(name, raw["broker"], settings)

    def account_row(self, name: str) -> dict[str, Any]:
        """Account ``name`` as listed: broker and masked settings, or its ``problem`` (its plugin is not
        installed, its stored settings no longer fit, …) with ``settings`` None. UnknownAccountError if none."""
        try:
            account = self.account(name)
        except UnknownAccountError:
            raise
        except BrokerplexError as exc:
            try:
                broker = str(self.account_store.get_raw(name)["broker"])
            except BrokerplexError:  # its stored settings cannot be read at all (a wrong secret key)
                broker = "?"
            problem = (f"broker {broker!r} is not installed: install its plugin, or deactivate {name}"
                       if isinstance(exc, UnknownBrokerError) else str(exc))
            return {"account": name, "broker": broker, "settings": None, "problem": problem}
        return {"account": account.name, "broker": account.broker, "settings": account.public_settings()}

    def accounts(self) -> list[Account]:
        return [self.account(name) for name in sorted(self.account_store.raw())]

    def _context(self, account: str, broker: str) -> AccountContext:
        return AccountContext(account=account, broker=broker, home=self.home, session=self.store.session(account))

    # -- sessions -------------------------------------------------------------
    async def session(self, account: str) -> Broker:
        """The connected broker of ``account``, connecting on first use."""
        if (ready := self._sessions.get(account)) is not None:
            return ready
        lock = self._session_locks.setdefault(account, asyncio.Lock())
        async with lock:
            if (ready := self._sessions.get(account)) is not None:
                return ready
            broker = self._new_broker(account)
            await broker.connect()
            self._sessions[account] = broker
            return broker

    async def _target(self, account: str, client: str | None) -> Broker:
        """The session acting for ``client``; without one, for the account's own book (a dealer
        account's default client). A client code the login does not hold fails here, before any request."""
        broker = await self.session(account)
        if client is None:
            if not self._capabilities[account].dealer:
                return broker
            if broker.client_code is None:
                raise ClientCodeError(f"account {account!r} is a dealer login without a default client: name the "
                                      f"client (client=, or --client CODE), or activate it with -o client_code=CODE")
            client = broker.client_code
        return await broker.for_client(client)

    def login_page(self, account: str) -> str | None:
        """The page where a person logs ``account`` in with a browser (Kite), or None if its broker logs in
        without one; the broker redirects back with the ``params`` :meth:`login` takes."""
        return self._new_broker(account).login_page()

    def session_state(self, account: str) -> SessionState:
        """Whether ``account``'s stored session may be used, and until when (no request to the broker)."""
        return (self._sessions.get(account) or self._new_broker(account)).session_state()

    def _new_broker(self, account: str) -> Broker:
        info = self.account(account)
        spec = get_broker(info.broker, self.plugins).spec
        self._capabilities[account] = spec.capabilities
        return spec.load()(self._context(account, info.broker), info.settings)

    @only_ours
    async def login(self, account: str, params: Mapping[str, str], io: LoginIO) -> Profile:
        broker = self._new_broker(account)
        try:
            profile = await broker.login(params, io)
        except BaseException:
            await broker.close()
            raise
        old = self._sessions.pop(account, None)
        if old is not None:
            await old.close()
        self._sessions[account] = broker
        return profile

    async def close(self) -> None:
        sessions, self._sessions, self._retired = [*self._sessions.values(), *self._retired], {}, []
        for broker in sessions:
            try:
                await broker.close()
            except Exception:  # closing must not stop the others from closing
                log.warning("closing %r failed", broker, exc_info=True)
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        self.store.close()

    # -- reads ----------------------------------------------------------------
    @only_ours
    async def profile(self, account: str) -> Profile:
        return await (await self.session(account)).profile()

    @only_ours
    async def instruments(self, account: str) -> Sequence[Instrument]:
        return await (await self.session(account)).instruments()

    @only_ours
    async def instrument(self, account: str, symbol: str) -> Instrument:
        symbol = canonical(symbol)
        broker = await self.session(account)
        found = await broker.instrument(symbol)
        if found is None:
            raise SymbolError(f"{symbol} is not listed at {broker.context.broker} (account {account})")
        return found

    @only_ours
    async def quotes(self, account: str, symbols: Sequence[str]) -> dict[str, Quote]:
        wanted = [canonical(s) for s in symbols]  # bad symbols fail here, before any request
        if not wanted:
            raise InputError("give at least one symbol to quote")
        return await (await self.session(account)).quotes(wanted)

    @only_ours
    async def orders(self, account: str, *, client: str | None = None) -> list[Order]:
        """The order book, oldest first on every broker."""
        found = await (await self._target(account, client)).orders()
        return sorted(found, key=lambda order: order.placed_at)

    @only_ours
    async def order_history(self, account: str, order_id: str, *, client: str | None = None) -> list[Order]:
        """The states of one order, oldest first."""
        broker = await self._order_target(account, order_id, client)
        found = await self._dealer_hint(account, client, broker.order_history(order_id))
        return sorted(found, key=lambda order: order.updated_at)

    @only_ours
    async def clients(self, account: str) -> list[str]:
        """The client codes a dealer account may act for."""
        return await (await self.session(account)).client_codes()

    @only_ours
    async def trades(self, account: str, *, client: str | None = None) -> list[Trade]:
        """The trade book, oldest first."""
        found = await (await self._target(account, client)).trades()
        return sorted(found, key=lambda trade: trade.filled_at)

    @only_ours
    async def positions(self, account: str, *, client: str | None = None) -> list[Position]:
        return await (await self._target(account, client)).positions()

    @only_ours
    async def holdings(self, account: str, *, client: str | None = None) -> list[Holding]:
        return await (await self._target(account, client)).holdings()

    @only_ours
    async def funds(self, account: str, *, client: str | None = None) -> Funds:
        return await (await self._target(account, client)).funds()

    async def verdict(self, account: str, order_id: str, *, client: str | None = None,
                      timeout: float = 3.0) -> Order | None:
        """The order once the broker has judged it (no longer PENDING), else as it stands after ``timeout``
        seconds; None if it could not be read. Some brokers accept an order and refuse it a moment later
        (XTS's risk checks): this is how every caller learns the outcome the same way on every broker."""
        return await first_verdict(await self._order_target(account, order_id, client), order_id, timeout)

    async def _order_target(self, account: str, order_id: str, client: str | None) -> Broker:
        """The session acting for the client an order is for: a dealer's journalled order names its client."""
        if not order_id.strip():
            raise InputError("give an order id")
        if client is None and self._is_dealer(await self.session(account)):
            entry = self.journal.by_order_id(account, order_id)
            client = entry.client if entry is not None else None
        return await self._target(account, client)

    async def _dealer_hint(self, account: str, client: str | None, work: Awaitable[T]) -> T:
        """``work``; a dealer's order that its default client's book lacks may be another client's: say so."""
        try:
            return await work
        except OrderNotFoundError as exc:
            await self._add_hint(account, client, exc)
            raise

    async def _add_hint(self, account: str, client: str | None, error: OrderNotFoundError) -> None:
        if client is None and self._is_dealer(await self.session(account)):
            error.message += " (if it is another client's order, name that client: client=, or --client CODE)"

    def _is_dealer(self, broker: Broker) -> bool:
        return self._capabilities[broker.context.account].dealer

    # -- streaming ------------------------------------------------------------
    @only_ours
    async def stream(self, account: str, symbols: Sequence[str] = (), mode: TickMode = "quote") -> Stream:
        """A live stream of ticks and order updates, subscribed to ``symbols``; the caller closes it."""
        wanted = [canonical(s) for s in symbols]
        broker = await self.session(account)
        if problem := self._capabilities[account].mode_refusal(mode):
            raise InputError(f"{broker.context.broker} {problem}")
        stream = await broker.stream()
        if wanted:
            try:
                await stream.subscribe(wanted, mode)
            except BaseException:
                await stream.close()
                raise
        return stream

    # -- orders (the pipeline owns what happens to an order) -----------------------------
    async def _pretrade_guard(self, account: str, broker: Broker, request: OrderRequest, instrument: Instrument,
                              reducing: bool) -> None:
        """Raise VetoedError to stop an order before it is sent (the account limits override this)."""

    @only_ours
    async def place_order(self, account: str, request: OrderRequest, *, client: str | None = None) -> OrderAck:
        """Validate, journal, send once. An ambiguous failure is reconciled, never resent.

        ``client``: for a dealer account, the client code to place for (default: its default client)."""
        return await self._pipeline.place(account, await self._target(account, client), request)

    @only_ours
    async def reconcile(self, account: str, *, grace: dt.timedelta = RECONCILE_GRACE) -> list[Reconciled]:
        """Resolve UNKNOWN (and crashed INTENT) orders by looking their client ids up."""
        return await self._pipeline.reconcile(account, await self.session(account), grace)

    @only_ours
    async def modify_order(
        self, account: str, order_id: str, changes: OrderModify, *, client: str | None = None
    ) -> OrderAck:
        """Change exactly what ``changes`` sets; the order is read once and handed to the broker."""
        broker = await self._order_target(account, order_id, client)
        return await self._pipeline.modify(account, broker, await self._current(account, client, broker, order_id),
                                           changes)

    @only_ours
    async def cancel_order(self, account: str, order_id: str, *, client: str | None = None) -> OrderAck:
        broker = await self._order_target(account, order_id, client)
        return await self._pipeline.cancel(account, broker, await self._current(account, client, broker, order_id))

    async def _current(self, account: str, client: str | None, broker: Broker, order_id: str) -> Order:
        """The order as the book shows it now; one the book lacks is not found (with a dealer's hint)."""
        found = next((o for o in await broker.orders() if o.order_id == order_id), None)
        if found is None:
            error = OrderNotFoundError(f"order {order_id} is not in the order book", broker=broker.context.broker)
            await self._add_hint(account, client, error)
            raise error
        return found
