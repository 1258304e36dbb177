"""The paper exchange: accounts, books and matching over a seeded market, kept in SQLite.

One exchange serves many accounts (the broker simulators host many users on one). Every
operation is one ``BEGIN IMMEDIATE`` transaction, so separate processes sharing the
file (two CLI runs) see one consistent exchange. Lifecycle of an order::

    PENDING (received) → PENDING (validation) → OPEN | TRIGGER PENDING | REJECTED
    OPEN → partial fills → COMPLETE | CANCELLED;  TRIGGER PENDING → OPEN (triggered)

Rejections are orders too (visible in the book, with a reason); ``place`` also says
why in machine-readable form, so that each simulator can word it as its broker does.
The exchange decides; ledger stores, checks, market, accounting, settlement and hours do one job each.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from brokerplex.errors import (
    InsufficientFundsError,
    InvalidOrderError,
    OrderNotFoundError,
    PermissionDeniedError,
    SymbolError,
)
from brokerplex.formats import IST
from brokerplex.models import (
    Funds,
    Holding,
    Instrument,
    Order,
    OrderModify,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Product,
    Quote,
    Side,
    Trade,
    Validity,
)
from brokerplex.rules import modify_problem
from brokerplex_paper.accounting import ZERO, margin, order_margin
from brokerplex_paper.checks import Placement, RejectReason, lasting_message, market_refusal, received
from brokerplex_paper.hours import now_ist, session_open, square_off_due, years_to_expiry
from brokerplex_paper.ledger import Ledger, Tape
from brokerplex_paper.market import Book, fair_price, quote, rng, to_paise, walk
from brokerplex_paper.settlement import settle_positions
from brokerplex_paper.universe import Listing, build_universe

DEFAULT_CASH = Decimal(1_000_000)


class PaperExchange:
    """A paper exchange over the default universe. Thread-safe; safe across processes."""

    def __init__(
        self,
        path: Path | str = ":memory:",
        *,
        seed: int = 7,
        clock: Callable[[], dt.datetime] = now_ist,
        market_hours: bool = False,
        step_seconds: float = 1.0,
    ) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.seed, self.market_hours, self.step_seconds = seed, market_hours, step_seconds
        self._clock = clock
        self._lock = threading.RLock()
        self._ledger = Ledger(path)
        self._universe_day: dt.date | None = None
        self._listings: dict[str, Listing] = {}
        self._now = clock()

    def close(self) -> None:
        with self._lock:
            self._ledger.close()

    # -- transactions, time and the universe -----------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock, self._ledger.transaction():
            self._now = self._clock().astimezone(IST)
            self._roll_day()
            self._square_off_intraday()
            yield

    @property
    def _step(self) -> int:
        return math.floor(self._now.timestamp() / self.step_seconds)

    def _universe(self, day: dt.date) -> dict[str, Listing]:
        if self._universe_day != day:
            self._listings = {listing.instrument.symbol: listing for listing in build_universe(day)}
            self._universe_day = day
        return self._listings

    def _listing(self, symbol: str) -> Listing:
        listing = self._universe(self._now.date()).get(symbol)
        if listing is None:
            raise SymbolError(f"{symbol} is not listed on the paper exchange on {self._now.date()}")
        return listing

    def _session_open(self, exchange: str) -> bool:
        return not self.market_hours or session_open(exchange, self._now)

    def _square_off_due(self, exchange: str) -> bool:
        return self.market_hours and square_off_due(exchange, self._now)

    @contextmanager
    def atomically(self) -> Iterator[Ledger]:
        """One transaction that the exchange's own calls inside it join: for its companions' tables (GTT)."""
        with self._transaction():
            yield self._ledger

    # -- public API: reference data and market -----------------------------------
    def instruments(self) -> list[Instrument]:
        with self._lock:
            return [listing.instrument for listing in self._universe(self._clock().astimezone(IST).date()).values()]

    def listing(self, symbol: str) -> Listing | None:
        with self._lock:
            return self._universe(self._clock().astimezone(IST).date()).get(symbol)

    def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        """Quotes of the listed symbols among ``symbols`` (unlisted ones are left out)."""
        with self._transaction():
            listed = [s for s in symbols if s in self._universe(self._now.date())]
            return {symbol: self._quote(symbol) for symbol in listed}

    def set_price(self, symbol: str, price: Decimal) -> None:
        """Move the market: trade ``symbol`` at ``price`` now (a simulator's control)."""
        with self._transaction():
            tape = self._advance(symbol)
            tape.trade(price, 0, self._now)
            self._ledger.save_tape(tape)
            self._match(symbol, force=True)

    def step(self, symbols: Sequence[str] = ()) -> dict[str, Quote]:
        """Advance ``symbols`` and every symbol with working orders; match; quote them."""
        with self._transaction():
            working = self._ledger.working_symbols()
            wanted = [s for s in dict.fromkeys([*symbols, *working]) if s in self._universe(self._now.date())]
            return {symbol: self._quote(symbol) for symbol in wanted}

    # -- public API: accounts and books -------------------------------------------
    def ensure_account(self, account: str, cash: Decimal = DEFAULT_CASH) -> None:
        with self._transaction():
            self._ledger.add_account(account, cash)

    def orders(self, account: str) -> list[Order]:
        with self._transaction():
            self._advance_working(account)
            return self._ledger.orders(account)

    def order(self, account: str, order_id: str) -> Order:
        """One order as it is now; OrderNotFoundError if ``account`` has none by that id."""
        with self._transaction():
            self._advance_working(account)
            return self._order(account, order_id)

    def orders_since(self, account: str, change: int | None) -> tuple[list[Order], int]:
        """What a stream or a simulator's order feed reads at each look: see :meth:`Ledger.orders_since`."""
        with self._transaction():
            self._advance_working(account)
            return self._ledger.orders_since(account, change)

    def order_history(self, account: str, order_id: str) -> list[Order]:
        with self._transaction():
            self._order(account, order_id)
            return self._ledger.history(order_id)

    def trades(self, account: str) -> list[Trade]:
        with self._transaction():
            self._advance_working(account)
            return self._ledger.trades(account)

    def positions(self, account: str) -> list[Position]:
        with self._transaction():
            self._advance_working(account)
            return [
                row.to_model(self._advance(row.symbol).last_price, self._listing(row.symbol).instrument.multiplier)
                for row in self._ledger.positions(account)
            ]

    def holdings(self, account: str) -> list[Holding]:
        with self._transaction():
            return [
                Holding(symbol=held.symbol, quantity=held.quantity, t1_quantity=held.t1_quantity,
                        average_price=held.average_price, last_price=self._advance(held.symbol).last_price,
                        isin=self._listing(held.symbol).instrument.isin)
                for held in self._ledger.holdings(account)
            ]

    def funds(self, account: str) -> Funds:
        with self._transaction():
            self._advance_working(account)
            return self._funds(account)

    # -- public API: orders ----------------------------------------------------
    def place(self, account: str, request: OrderRequest) -> Placement:
        with self._transaction():
            self._cash(account)  # an unknown account fails here, before anything is written
            listing = self._listing(request.symbol)
            tape = self._advance(request.symbol)
            order = self._new_order(request)
            self._record(account, order)
            verdict = self._validate(account, order.order_id, request, listing, tape)
            if verdict is not None:
                reason, message = verdict
                rejected = self._update(account, order, status=OrderStatus.REJECTED, status_message=message)
                return Placement(rejected, reason)
            self._match(request.symbol)
            return Placement(self._order(account, order.order_id))

    def modify(self, account: str, order_id: str, changes: OrderModify) -> Order:
        with self._transaction():
            order = self._order(account, order_id)
            if order.status.is_final:
                raise InvalidOrderError(f"order {order_id} is {order.status.value} and cannot be modified",
                                        order_id=order_id)
            listing = self._listing(order.symbol)
            if problem := modify_problem(order, changes, listing.instrument):
                raise InvalidOrderError(problem, order_id=order_id)
            quantity = changes.quantity or order.quantity
            kind = changes.order_type or order.order_type
            price = changes.price if changes.price is not None else order.price
            trigger = changes.trigger_price if changes.trigger_price is not None else order.trigger_price
            required = self._order_margin(account, listing, order.product, order.side, quantity - order.filled_quantity,
                                          price or trigger or self._last_price(order.symbol))
            available = self._funds(account, excluding=order_id).available_margin
            if required > available:
                raise InsufficientFundsError(
                    f"insufficient funds: required margin is {to_paise(required)} but available margin is {available}",
                    order_id=order_id)
            updated = self._update(
                account, order, status_message="modified",
                # A changed type re-enters the lifecycle: open, or waiting for its trigger.
                status=OrderStatus.PENDING if kind is not order.order_type else order.status,
                quantity=quantity, pending_quantity=quantity - order.filled_quantity, order_type=kind,
                price=price if kind in (OrderType.LIMIT, OrderType.SL) else None,
                trigger_price=trigger if kind in (OrderType.SL, OrderType.SL_M) else None,
                validity=changes.validity or order.validity,
            )
            self._ledger.set_matched(order_id, -1)
            self._match(order.symbol)
            return self._order(account, updated.order_id)

    def cancel(self, account: str, order_id: str) -> Order:
        with self._transaction():
            order = self._order(account, order_id)
            if order.status.is_final:
                raise InvalidOrderError(f"order {order_id} is {order.status.value} and cannot be cancelled",
                                        order_id=order_id)
            return self._cancel_rest(account, order, "cancelled by the user")

    # -- orders: creation, validation, storage -------------------------------------
    def _new_order(self, request: OrderRequest) -> Order:
        return received(request, f"{self._now:%y%m%d}{self._ledger.next_id('order'):09d}", self._now)

    def _validate(
        self, account: str, order_id: str, request: OrderRequest, listing: Listing, tape: Tape
    ) -> tuple[RejectReason, str] | None:
        """The exchange's and the RMS's checks, in the order a real broker applies them."""
        exchange = listing.instrument.exchange
        if refusal := market_refusal(request, listing, tape, session_open=self._session_open(exchange),
                                     square_off_due=self._square_off_due(exchange)):
            return refusal
        if request.resolved_product is Product.CNC and request.side is Side.SELL:
            sellable = self._sellable(account, request.symbol, excluding=order_id)
            if request.quantity > sellable:
                return RejectReason.HOLDINGS, (f"insufficient holdings: selling {request.quantity} {request.symbol} "
                                               f"(CNC) but {sellable} can be sold")
        required = self._order_margin(account, listing, request.resolved_product, request.side, request.quantity,
                                       request.price or request.trigger_price or tape.last_price)
        available = self._funds(account, excluding=order_id).available_margin
        if required > available:
            return RejectReason.FUNDS, (
                f"insufficient funds: required margin is {to_paise(required)} but available margin is {available}"
            )
        return None

    def _record(self, account: str, order: Order) -> None:
        self._ledger.add_order(account, order)
        self._ledger.add_history(order.model_copy(update={"status_message": "validation pending"}))

    def _update(self, account: str, order: Order, **changes: object) -> Order:
        updated = order.model_copy(update={**changes, "updated_at": self._now})
        updated = Order.model_validate(updated.model_dump())  # re-validate what model_copy does not
        self._ledger.save_order(account, updated)
        return updated

    def _order(self, account: str, order_id: str) -> Order:
        order = self._ledger.order(account, order_id)
        if order is None:
            raise OrderNotFoundError(f"order {order_id} not found", order_id=order_id)
        return order

    def _cancel_rest(self, account: str, order: Order, message: str) -> Order:
        rest = order.quantity - order.filled_quantity
        return self._update(account, order, status=OrderStatus.CANCELLED, status_message=message,
                            pending_quantity=0, cancelled_quantity=rest)

    # -- matching ----------------------------------------------------------------
    def _advance_working(self, account: str) -> None:
        """Let time pass for the account's working orders, so resting orders fill."""
        for symbol in self._ledger.working_symbols(account):
            self._advance(symbol)

    def _match(self, symbol: str, *, force: bool = False) -> None:
        """Trigger, fill and expire the working orders on ``symbol`` (each once per step)."""
        tape = self._ledger.tape(symbol)
        assert tape is not None
        for account, order in self._ledger.working_on(symbol, unmatched_at=None if force else self._step):
            self._ledger.set_matched(order.order_id, self._step)
            if self._session_open(self._listing(symbol).instrument.exchange):
                self._match_one(account, order, tape)

    def _match_one(self, account: str, order: Order, tape: Tape) -> None:
        if order.status is OrderStatus.PENDING:
            waiting = OrderStatus.TRIGGER_PENDING if order.trigger_price is not None else OrderStatus.OPEN
            exchange_id = order.exchange_order_id or f"1{self._ledger.next_id('exchange_order'):015d}"
            order = self._update(account, order, status=waiting, status_message=lasting_message(order),
                                 exchange_order_id=exchange_id)
        if order.status is OrderStatus.TRIGGER_PENDING:
            assert order.trigger_price is not None
            hit = tape.last_price >= order.trigger_price if order.side is Side.BUY \
                else tape.last_price <= order.trigger_price
            if not hit:
                return
            order = self._update(account, order, status=OrderStatus.OPEN, status_message="triggered")
        limit = None if order.order_type in (OrderType.MARKET, OrderType.SL_M) else order.price
        book = Book(self._listing(order.symbol), tape.last_price, self.seed, self._step)
        fills = book.sweep("ask" if order.side is Side.BUY else "bid", order.pending_quantity, limit)
        if fills:
            order = self._fill(account, order, fills, tape)
        if order.pending_quantity and (limit is None or order.validity is Validity.IOC):
            # Market orders take what the book has; IOC orders never rest.
            self._cancel_rest(account, order, "unfilled quantity cancelled (IOC / market protection)")

    def _fill(self, account: str, order: Order, fills: list[tuple[Decimal, int]], tape: Tape) -> Order:
        listing = self._listing(order.symbol)
        for price, quantity in fills:
            trade = Trade(
                trade_id=f"{self._ledger.next_id('trade'):08d}", order_id=order.order_id, symbol=order.symbol,
                side=order.side, product=order.product, quantity=quantity, price=price, filled_at=self._now,
                exchange_order_id=order.exchange_order_id,
            )
            self._ledger.add_trade(account, trade)
            self._book_fill(account, order, quantity, price, listing)
            tape.trade(price, quantity, self._now)
        self._ledger.save_tape(tape)
        filled = order.filled_quantity + sum(q for _, q in fills)
        value = (order.average_price or ZERO) * order.filled_quantity + sum(p * q for p, q in fills)
        return self._update(
            account, order, filled_quantity=filled, pending_quantity=order.quantity - filled,
            average_price=to_paise(value / filled), status_message=lasting_message(order),
            status=OrderStatus.COMPLETE if filled == order.quantity else OrderStatus.OPEN,
        )

    def _book_fill(self, account: str, order: Order, quantity: int, price: Decimal, listing: Listing) -> None:
        row = self._ledger.position(account, order.symbol, order.product).with_fill(order.side, quantity, price)
        self._ledger.save_position(account, row)
        if order.product is Product.CNC:
            value = quantity * price * listing.instrument.multiplier
            self._add_cash(account, -value if order.side is Side.BUY else value)

    # -- market state ---------------------------------------------------------------
    def _advance(self, symbol: str) -> Tape:
        """The tape of ``symbol`` moved to now; working orders on it are matched."""
        listing, step = self._listing(symbol), self._step
        tape = self._ledger.tape(symbol)
        if tape is not None and tape.step >= step:
            return tape
        if tape is None:
            price = self._model_price(listing, listing.reference_price)
            tape = Tape(symbol, price, step, listing.reference_price, price, price, price, last_trade_at=self._now)
        else:
            price = self._model_price(listing, tape.close)
            # The rest of the market trades too: volume grows with the time that passed (about ten
            # lots a second, however fine the steps), and by at least a lot at every step.
            seconds = min((step - tape.step) * self.step_seconds, 600.0)
            lots = max(1, round(rng(self.seed, symbol, step, "volume").randint(1, 20) * seconds))
            tape.trade(price, listing.instrument.lot_size * lots if listing.instrument.tradable else 0, self._now)
            tape.step = step
        self._ledger.save_tape(tape)
        if listing.instrument.tradable:
            self._match(symbol)
        return tape

    def _quote(self, symbol: str) -> Quote:
        return quote(self._listing(symbol), self._advance(symbol), self.seed, self._now)

    def _model_price(self, listing: Listing, reference: Decimal) -> Decimal:
        if listing.spot is not None:
            spot = self._advance(listing.spot).last_price
            return fair_price(listing, spot, years_to_expiry(listing, self._now))
        return walk(listing, reference, self.seed, self._now, self.step_seconds)

    # -- money -----------------------------------------------------------------
    def _cash(self, account: str) -> Decimal:
        cash = self._ledger.cash(account)
        if cash is None:
            raise PermissionDeniedError(f"no paper account {account!r} on this exchange")
        return cash

    def _add_cash(self, account: str, amount: Decimal) -> None:
        self._ledger.set_cash(account, to_paise(self._cash(account) + amount))

    def _spot(self, listing: Listing) -> Decimal | None:
        return self._last_price(listing.spot) if listing.spot else None

    def _last_price(self, symbol: str) -> Decimal:
        tape = self._ledger.tape(symbol)
        return tape.last_price if tape is not None else self._advance(symbol).last_price

    def _funds(self, account: str, *, excluding: str | None = None) -> Funds:
        symbols = {row.symbol for row in self._ledger.positions(account)}
        for symbol in symbols | set(self._ledger.working_symbols(account)):
            self._advance(symbol)  # may fill orders: read the books only after this
        cash, realised, unrealised, used = self._cash(account), ZERO, ZERO, ZERO
        positions = self._ledger.positions(account)
        nets = {(row.symbol, row.product): row.net for row in positions}  # not a query per working order
        for row in positions:
            listing = self._listing(row.symbol)
            last = self._last_price(row.symbol)
            if row.product is not Product.CNC:
                multiplier = listing.instrument.multiplier
                realised += row.realised(multiplier)
                unrealised += row.unrealised(last, multiplier)
                used += margin(listing, row.product, row.net, last, self._spot(listing))
        for order in self._ledger.working_orders(account):
            if order.order_id == excluding:
                continue
            listing = self._listing(order.symbol)
            price = order.price or order.trigger_price or self._last_price(order.symbol)
            used += order_margin(listing, order.product, order.side, order.pending_quantity, price,
                                 nets.get((order.symbol, order.product), 0), self._spot(listing))
        available = cash + realised + min(unrealised, ZERO) - used
        return Funds(cash=cash, available_margin=to_paise(available), used_margin=to_paise(used),
                     realised_pnl=to_paise(realised), unrealised_pnl=to_paise(unrealised))

    def _order_margin(
        self, account: str, listing: Listing, product: Product, side: Side, quantity: int, price: Decimal
    ) -> Decimal:
        net = self._ledger.position(account, listing.instrument.symbol, product).net
        return order_margin(listing, product, side, quantity, price, net, self._spot(listing))

    def _sellable(self, account: str, symbol: str, *, excluding: str) -> int:
        held = self._ledger.holding(account, symbol)
        today = self._ledger.position(account, symbol, Product.CNC).net
        selling = sum(o.pending_quantity for o in self._ledger.working_orders(account)
                      if o.symbol == symbol and o.product is Product.CNC and o.side is Side.SELL
                      and o.order_id != excluding)
        return held.quantity + held.t1_quantity + today - selling

    # -- intraday square-off and the end of the day ----------------------------------
    def _square_off_intraday(self) -> None:
        """Near the close the broker's risk system closes open intraday positions at market."""
        if not self.market_hours:
            return
        for account, symbol in self._ledger.open_intraday():
            exchange = self._listing(symbol).instrument.exchange
            if not (self._square_off_due(exchange) and self._session_open(exchange)):
                continue
            for order in self._ledger.working_orders(account):
                if order.symbol == symbol and order.product is Product.MIS:
                    self._cancel_rest(account, order, "cancelled by the intraday square-off")
            net = self._ledger.position(account, symbol, Product.MIS).net
            request = OrderRequest(symbol=symbol, side=Side.SELL if net > 0 else Side.BUY, quantity=abs(net),
                                   product=Product.MIS)
            tape = self._advance(symbol)  # before the order exists, so that only this call fills it
            order = self._new_order(request).model_copy(update={"status_message": "intraday square-off"})
            self._record(account, order)
            self._match_one(account, order, tape)

    def _roll_day(self) -> None:
        """On the first operation of a new day, settle the old one (like the overnight batch)."""
        today, stored = self._now.date(), self._ledger.meta("trading_day")
        if stored is None or dt.date.fromisoformat(stored) >= today:
            if stored is None:
                self._ledger.set_meta("trading_day", today.isoformat())
            return
        yesterday = dt.date.fromisoformat(stored)
        old = self._universe(yesterday)
        for account, order in self._ledger.all_working_orders():
            self._cancel_rest(account, order, "expired at the end of the day")
        for account in self._ledger.accounts():
            settle_positions(self._ledger, account, old, yesterday)
        self._ledger.clear_day()
        self._ledger.set_meta("trading_day", today.isoformat())
