"""AsyncBrokerManager, the async core: accounts → logged-in sessions, routing, fan-out, and the order journal.

:class:`brokerplex.manager.BrokerManager` is its sync facade.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import pluggy

from brokerplex.accounts import Account, AccountStore, build_settings, check_account_name
from brokerplex.broker import AccountContext, Broker, LoginIO
from brokerplex.capabilities import Capabilities
from brokerplex.errors import (
    BrokerError,
    BrokerplexError,
    ClientCodeError,
    InputError,
    OrderNotFoundError,
    OutcomeUnknownError,
    RefusedError,
    SettingsError,
    SymbolError,
    UnknownBrokerError,
    VetoedError,
)
from brokerplex.ids import new_client_order_id
from brokerplex.journal import JournalState, OrderJournal
from brokerplex.models import (
    Funds,
    Holding,
    Instrument,
    Order,
    OrderAck,
    OrderEvent,
    OrderModify,
    OrderRequest,
    Position,
    Profile,
    Quote,
    TickMode,
    Trade,
)
from brokerplex.outcomes import FanOutResult, Reconciled, first_verdict, only_ours, outcome_of
from brokerplex.plugins import get_broker, get_plugin_manager, registered_brokers
from brokerplex.registry import RegisteredBroker
from brokerplex.rules import modify_problem, order_problem
from brokerplex.storage import home_dir
from brokerplex.streaming import Stream
from brokerplex.symbols import canonical
from brokerplex.validation import describe, revalidated

log = logging.getLogger("brokerplex")
T = TypeVar("T")
EventKind = Literal["sent", "rejected", "failed", "unknown", "reconciled", "modified", "cancelled", "update"]

#: An order still missing from the book this long after its intent is declared NOT_FOUND.
RECONCILE_GRACE = dt.timedelta(minutes=2)


class AsyncBrokerManager:
    """The async core. Use one per event loop."""

    def __init__(self, home: Path | None = None, *, plugin_manager: pluggy.PluginManager | None = None) -> None:
        self.home = home if home is not None else home_dir()
        self.plugins = plugin_manager if plugin_manager is not None else get_plugin_manager()
        self._accounts = AccountStore(self.home)
        self._journal: OrderJournal | None = None
        self._sessions: dict[str, Broker] = {}
        self._session_locks: dict[str, asyncio.Lock] = {}
        # Found once per session: re-running every plugin's registration per order is waste.
        self._capabilities: dict[str, Capabilities] = {}

    # -- brokers and accounts ----------------------------------------------------
    def brokers(self) -> dict[str, RegisteredBroker]:
        return registered_brokers(self.plugins)

    @property
    def journal(self) -> OrderJournal:
        if self._journal is None:
            self._journal = OrderJournal(self.home / "journal.sqlite")
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
        self._accounts.save(activated)
        return activated

    async def deactivate(self, account: str) -> None:
        broker = self._accounts.get_raw(account)["broker"]
        session = self._sessions.pop(account, None)
        if session is not None:
            await session.close()
        self._context(account, broker).session.clear()
        self._accounts.remove(account)

    def account(self, name: str) -> Account:
        raw = self._accounts.get_raw(name)
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

    def accounts(self) -> list[Account]:
        return [self.account(name) for name in sorted(self._accounts.raw())]

    def _context(self, account: str, broker: str) -> AccountContext:
        return AccountContext(account=account, broker=broker, home=self.home)

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
        sessions, self._sessions = self._sessions, {}
        for broker in sessions.values():
            try:
                await broker.close()
            except Exception:  # closing must not stop the others from closing
                log.warning("closing %r failed", broker, exc_info=True)
        if self._journal is not None:
            self._journal.close()
            self._journal = None

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
            if client is None and self._is_dealer(await self.session(account)):
                exc.message += " (if it is another client's order, name that client: client=, or --client CODE)"
            raise

    def _is_dealer(self, broker: Broker) -> bool:
        return self._capabilities[broker.context.account].dealer

    # -- streaming ------------------------------------------------------------
    @only_ours
    async def stream(self, account: str, symbols: Sequence[str] = (), mode: TickMode = "quote") -> Stream:
        """A live stream of ticks and order updates, subscribed to ``symbols``; the caller closes it."""
        wanted = [canonical(s) for s in symbols]
        broker = await self.session(account)
        offered = self._capabilities[account].streaming
        if mode not in offered:
            what = f"only {'/'.join(offered)} ticks" if offered else "no market data"
            raise InputError(f"{broker.context.broker} streams {what}, not {mode!r}")
        stream = await broker.stream()
        if wanted:
            try:
                await stream.subscribe(wanted, mode)
            except BaseException:
                await stream.close()
                raise
        return stream

    # -- orders ---------------------------------------------------------------
    @only_ours
    async def place_order(self, account: str, request: OrderRequest, *, client: str | None = None) -> OrderAck:
        """Validate, journal, send once. An ambiguous failure is reconciled, never resent.

        ``client``: for a dealer account, the client code to place for (default: its default client)."""
        broker = await self._target(account, client)
        request = await self._prepare(account, broker, request)
        cid = request.client_order_id
        assert cid is not None  # _prepare always assigns one
        name = broker.context.broker
        self.journal.record_intent(cid, account, name, request.model_dump_json(), client=broker.client_code)
        # Committed, the intent survives a crash of this process before the order leaves. Its fsync
        # (for power cuts) runs on a worker thread while the order is sent, instead of in front of
        # it, and the order is acknowledged only once both are done.
        durable = asyncio.ensure_future(asyncio.to_thread(self.journal.sync))
        try:
            return await self._send(account, broker, request, cid)
        finally:
            await durable

    async def _send(self, account: str, broker: Broker, request: OrderRequest, cid: str) -> OrderAck:
        try:
            ack = await broker.place_order(request)
        except asyncio.CancelledError:  # interrupted (Ctrl-C) while the order may be on its way
            self._settle(account, broker, cid, JournalState.UNKNOWN, "unknown",
                         message="interrupted while sending; it was not resent")
            raise
        except Exception as exc:
            if isinstance(exc, BrokerplexError) and exc.nothing_happened:
                refused = isinstance(exc, RefusedError)
                self._settle(account, broker, cid, JournalState.REJECTED if refused else JournalState.FAILED,
                             "rejected" if refused else "failed", message=str(exc),
                             order_id=exc.order_id if isinstance(exc, BrokerError) else None)
                raise
            # A timeout after sending, an unreadable reply, a plugin's bug: the order may exist.
            return await self._after_unknown(account, broker, request, exc)
        self._settle(account, broker, cid, JournalState.SENT, "sent", order_id=ack.order_id, request=request)
        return ack

    async def _prepare(self, account: str, broker: Broker, request: OrderRequest) -> OrderRequest:
        request = revalidated(request)  # however it was built: model_copy(update=...) and model_construct skip it
        if problem := self._capabilities[account].refusal(request):
            raise InputError(f"{broker.context.broker} {problem}")
        instrument = await self.instrument(account, request.symbol)
        if problem := order_problem(request, instrument):
            raise InputError(problem)
        vetoes = self.plugins.hook.pretrade_check(
            account=account, broker=broker.context.broker, request=request, instrument=instrument
        )
        if vetoes:
            raise VetoedError(f"order vetoed: {vetoes[0]}", check="pretrade_check")
        if request.client_order_id is None:
            request = request.model_copy(update={"client_order_id": new_client_order_id()})
        return request

    async def _after_unknown(self, account: str, broker: Broker, request: OrderRequest, exc: Exception) -> OrderAck:
        cid, name = request.client_order_id or "", broker.context.broker
        self._settle(account, broker, cid, JournalState.UNKNOWN, "unknown", message=f"{type(exc).__name__}: {exc}")
        found = await self._find(broker, cid)
        if found is not None:
            self._settle(account, broker, cid, JournalState.SENT, "reconciled", order_id=found.order_id, order=found)
            return OrderAck(order_id=found.order_id, client_order_id=cid, status=found.status)
        raise OutcomeUnknownError(
            f"order {cid} may or may not have reached {name}; it was not resent. "
            f"Check it with `brokerplex reconcile {account}` ({type(exc).__name__}: {exc})",
            broker=name,
            client_order_id=cid,
        ) from exc

    async def _find(self, broker: Broker, client_order_id: str) -> Order | None:
        try:
            return await broker.find_order(client_order_id)
        except Exception:  # the lookup failing leaves the order UNKNOWN, which is the truth
            log.info("looking up order %s failed", client_order_id, exc_info=True)
            return None

    @only_ours
    async def reconcile(self, account: str, *, grace: dt.timedelta = RECONCILE_GRACE) -> list[Reconciled]:
        """Resolve UNKNOWN (and crashed INTENT) orders by looking their client ids up."""
        broker = await self.session(account)
        results = []
        for entry in self.journal.unresolved(account):
            # A dealer's order is looked for in the book of the client it was placed for.
            try:
                book = broker if entry.client is None else await broker.for_client(entry.client)
            except ClientCodeError:
                log.warning("order %s was placed for client %s, which account %s no longer holds; left %s",
                            entry.client_order_id, entry.client, account, entry.state.value)
                results.append(Reconciled(entry, entry.state, None))
                continue
            found = await book.find_order(entry.client_order_id)
            if found is not None:
                state = JournalState.SENT
                self._settle(account, book, entry.client_order_id, state, "reconciled",
                             order_id=found.order_id, order=found)
            elif dt.datetime.now(dt.UTC) - entry.created_at >= grace:
                state = JournalState.NOT_FOUND
                self.journal.record_outcome(entry.client_order_id, state, message="not in the order book")
            else:
                state = entry.state
            results.append(Reconciled(entry, state, found))
        return results

    @only_ours
    async def modify_order(
        self, account: str, order_id: str, changes: OrderModify, *, client: str | None = None
    ) -> OrderAck:
        changes = revalidated(changes)
        broker = await self._order_target(account, order_id, client)
        # The rules need the order's instrument; an order we cannot see is the broker's to refuse.
        current = next((o for o in await broker.orders() if o.order_id == order_id), None)
        if current is not None:
            instrument = await self.instrument(account, current.symbol)
            if problem := modify_problem(current, changes, instrument):
                raise InputError(problem)
        ack = await self._dealer_hint(account, client, broker.modify_order(order_id, changes))
        self._emit("modified", account, broker, order_id=order_id, client_order_id=ack.client_order_id)
        return ack

    @only_ours
    async def cancel_order(self, account: str, order_id: str, *, client: str | None = None) -> OrderAck:
        broker = await self._order_target(account, order_id, client)
        ack = await self._dealer_hint(account, client, broker.cancel_order(order_id))
        self._emit("cancelled", account, broker, order_id=order_id, client_order_id=ack.client_order_id)
        return ack

    def _settle(
        self, account: str, broker: Broker, cid: str, state: JournalState, kind: EventKind, *,
        order_id: str | None = None, message: str | None = None, request: OrderRequest | None = None,
        order: Order | None = None,
    ) -> None:
        self.journal.record_outcome(cid, state, order_id=order_id, message=message)
        self._emit(kind, account, broker, client_order_id=cid, order_id=order_id, message=message,
                   request=request, order=order)

    def _emit(self, kind: EventKind, account: str, broker: Broker, **fields: Any) -> None:
        if not self.plugins.hook.order_event.get_hookimpls():
            return  # nobody listens: building the event would only cost time on every order
        event = OrderEvent(kind=kind, account=account, broker=broker.context.broker, client_code=broker.client_code,
                           at=dt.datetime.now(dt.UTC), **fields)
        try:
            self.plugins.hook.order_event(event=event)
        except Exception:  # an observer must never change an order's outcome
            log.warning("an order_event observer failed on %s", kind, exc_info=True)

    # -- fan-out --------------------------------------------------------------
    async def fan_out(
        self, accounts: Sequence[str], operation: Callable[[str], Awaitable[T]]
    ) -> list[FanOutResult[T]]:
        """Run ``operation(account)`` for every account at once; one failure hides nothing."""
        return list(await asyncio.gather(*(outcome_of(account, None, operation(account)) for account in accounts)))

    async def place_order_many(self, accounts: Sequence[str], request: OrderRequest) -> list[FanOutResult[OrderAck]]:
        """Place the same order in every account, each with its own client order id."""
        if request.client_order_id is not None and len(accounts) > 1:
            raise InputError("a fan-out gives each order its own client order id; do not set one")
        if len(set(accounts)) != len(accounts):
            raise InputError("an account is listed twice: that would place its order twice")
        return await self.fan_out(accounts, lambda account: self.place_order(account, request))

    # -- dealer operations ----------------------------------------------------
    async def for_clients(
        self, account: str, clients: Sequence[str] | None, operation: Callable[[str], Awaitable[T]]
    ) -> list[FanOutResult[T]]:
        """Run ``operation(client)`` for each client code of a dealer account (None: every code it
        holds) at once; one client's failure hides nothing. Every code is checked before anything runs."""
        codes = await self._held(account, clients)
        return list(await asyncio.gather(*(outcome_of(account, code, operation(code)) for code in codes)))

    async def place_order_for_clients(
        self, account: str, clients: Sequence[str], request: OrderRequest
    ) -> list[FanOutResult[OrderAck]]:
        """Place the same order for each client code of a dealer account, each with its own client order id."""
        if request.client_order_id is not None and len(clients) > 1:
            raise InputError("a fan-out gives each order its own client order id; do not set one")
        return await self.for_clients(account, clients,
                                      lambda code: self.place_order(account, request, client=code))

    async def _held(self, account: str, clients: Sequence[str] | None) -> list[str]:
        if clients is None:
            return await self.clients(account)
        if not clients:
            raise InputError("give at least one client code")
        held = [await self.held_client(account, code) for code in clients]
        if len(set(held)) != len(held):
            raise InputError("a client code is listed twice: that would place its order twice")
        return held

    async def held_client(self, account: str, code: str) -> str:
        """``code`` as the dealer login holds it; ClientCodeError, before any request, if it does not."""
        return (await (await self.session(account)).for_client(code)).client_code or code
