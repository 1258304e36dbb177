"""The paper exchange: accounts, books and matching over a seeded market, kept in SQLite.

One exchange serves many accounts (the broker simulators host many users on one). Every
operation is one ``BEGIN IMMEDIATE`` transaction, so separate processes sharing the
file (two CLI runs) see one consistent exchange. Lifecycle of an order::

    PENDING (received) → PENDING (validation) → OPEN | TRIGGER PENDING | REJECTED
    OPEN → partial fills → COMPLETE | CANCELLED;  TRIGGER PENDING → OPEN (triggered)

Rejections are orders too (visible in the book, with a reason); ``place`` also says
why in machine-readable form, so that each simulator can word it as its broker does.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from brokerplex.errors import (
    InsufficientFundsError,
    InvalidOrderError,
    OrderNotFoundError,
    PermissionDeniedError,
    SymbolError,
)
from brokerplex.models import (
    Depth,
    Funds,
    Holding,
    Instrument,
    InstrumentType,
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
    Variety,
)
from brokerplex.rules import modify_problem, order_problem
from brokerplex_paper.accounting import ZERO, PositionRow, margin, order_margin
from brokerplex_paper.market import Book, band, fair_price, money, rng, walk
from brokerplex_paper.universe import Listing, build_universe

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
DEFAULT_CASH = Decimal(1_000_000)
# Exchange sessions (IST) when real hours are on, and the intraday square-off time.
SESSIONS = {
    "NSE": (dt.time(9, 15), dt.time(15, 30)),
    "BSE": (dt.time(9, 15), dt.time(15, 30)),
    "NFO": (dt.time(9, 15), dt.time(15, 30)),
    "BFO": (dt.time(9, 15), dt.time(15, 30)),
    "CDS": (dt.time(9, 0), dt.time(17, 0)),
    "BCD": (dt.time(9, 0), dt.time(17, 0)),
    "MCX": (dt.time(9, 0), dt.time(23, 30)),
}
SQUARE_OFF = dt.timedelta(minutes=10)  # MIS positions are closed this long before the close
# Orders the exchange still has to act on (PENDING: an AMO waiting for the open).
WORKING = (OrderStatus.PENDING.value, OrderStatus.OPEN.value, OrderStatus.TRIGGER_PENDING.value)


class RejectReason(StrEnum):
    RULES = "rules"  # tick, lot, freeze, product, trigger
    BAND = "band"  # price outside the day's circuit limits
    FUNDS = "funds"
    HOLDINGS = "holdings"
    MARKET_CLOSED = "market_closed"


@dataclass(frozen=True, slots=True)
class Placement:
    order: Order
    reject: RejectReason | None = None


@dataclass(slots=True)
class Tape:
    """The market state of one instrument: last trade, day's range, volume."""

    symbol: str
    last_price: Decimal
    step: int
    close: Decimal  # previous close: the band's reference
    open: Decimal
    high: Decimal
    low: Decimal
    volume: int = 0
    turnover: Decimal = ZERO
    last_quantity: int = 0
    last_trade_at: dt.datetime | None = None

    def trade(self, price: Decimal, quantity: int, at: dt.datetime) -> None:
        self.last_price, self.last_quantity, self.last_trade_at = price, quantity, at
        self.high, self.low = max(self.high, price), min(self.low, price)
        self.volume += quantity
        self.turnover += price * quantity


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (account TEXT PRIMARY KEY, cash TEXT NOT NULL, opening TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tapes (
    symbol TEXT PRIMARY KEY, last_price TEXT, step INTEGER, close TEXT, open TEXT, high TEXT, low TEXT,
    volume INTEGER, turnover TEXT, last_quantity INTEGER, last_trade_at TEXT);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, account TEXT NOT NULL, symbol TEXT NOT NULL, status TEXT NOT NULL,
    matched_step INTEGER NOT NULL DEFAULT -1, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_working ON orders (status, symbol);
CREATE INDEX IF NOT EXISTS orders_account ON orders (account);
CREATE TABLE IF NOT EXISTS order_history (order_id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (order_id, seq));
CREATE TABLE IF NOT EXISTS trades (trade_id TEXT PRIMARY KEY, account TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS trades_account ON trades (account);
CREATE TABLE IF NOT EXISTS positions (
    account TEXT NOT NULL, symbol TEXT NOT NULL, product TEXT NOT NULL, overnight_quantity INTEGER NOT NULL,
    overnight_price TEXT NOT NULL, buy_quantity INTEGER NOT NULL, buy_value TEXT NOT NULL,
    sell_quantity INTEGER NOT NULL, sell_value TEXT NOT NULL, PRIMARY KEY (account, symbol, product));
CREATE TABLE IF NOT EXISTS holdings (
    account TEXT NOT NULL, symbol TEXT NOT NULL, quantity INTEGER NOT NULL, t1_quantity INTEGER NOT NULL,
    average_price TEXT NOT NULL, PRIMARY KEY (account, symbol));
"""


# Lifecycle notes that a later state replaces; anything else (a square-off) stays on the order.
TRANSIENT_MESSAGES = frozenset({"order received", "validation pending", "triggered", "modified"})


def _lasting(order: Order) -> str | None:
    return None if order.status_message in TRANSIENT_MESSAGES else order.status_message


def _position(row: tuple[str, str, int, str, int, str, int, str]) -> PositionRow:
    symbol, product, overnight, overnight_price, bought, bought_value, sold, sold_value = row
    return PositionRow(symbol, Product(product), overnight, Decimal(overnight_price), bought, Decimal(bought_value),
                       sold, Decimal(sold_value))


def now_ist() -> dt.datetime:
    return dt.datetime.now(IST)


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
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._universe_day: dt.date | None = None
        self._listings: dict[str, Listing] = {}
        self._now = clock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- transactions, time and the universe -----------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._now = self._clock().astimezone(IST)
                self._roll_day()
                self._square_off_intraday()
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

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

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def _next_id(self, counter: str) -> int:
        value = int(self._meta(counter) or 0) + 1
        self._set_meta(counter, str(value))
        return value

    def _session_open(self, exchange: str) -> bool:
        if not self.market_hours:
            return True
        start, end = SESSIONS[exchange]
        return self._now.weekday() < 5 and start <= self._now.time() < end

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
            return {symbol: self._quote(self._listing(symbol), self._advance(symbol)) for symbol in listed}

    def set_price(self, symbol: str, price: Decimal) -> None:
        """Move the market: trade ``symbol`` at ``price`` now (a simulator's control)."""
        with self._transaction():
            tape = self._advance(symbol)
            tape.trade(price, 0, self._now)
            self._save_tape(tape)
            self._match(symbol, force=True)

    def step(self, symbols: Sequence[str] = ()) -> dict[str, Quote]:
        """Advance ``symbols`` and every symbol with working orders; match; quote them."""
        with self._transaction():
            working = [row[0] for row in self._db.execute(
                "SELECT DISTINCT symbol FROM orders WHERE status IN (?, ?, ?)", WORKING)]
            wanted = [s for s in dict.fromkeys([*symbols, *working]) if s in self._universe(self._now.date())]
            return {symbol: self._quote(self._listing(symbol), self._advance(symbol)) for symbol in wanted}

    # -- public API: accounts and books -------------------------------------------
    def ensure_account(self, account: str, cash: Decimal = DEFAULT_CASH) -> None:
        with self._transaction():
            self._db.execute("INSERT OR IGNORE INTO accounts VALUES (?, ?, ?)", (account, str(cash), str(cash)))

    def orders(self, account: str) -> list[Order]:
        with self._transaction():
            self._advance_working(account)
            rows = self._db.execute("SELECT data FROM orders WHERE account = ? ORDER BY rowid", (account,))
            return [Order.model_validate_json(row[0]) for row in rows]

    def order_history(self, account: str, order_id: str) -> list[Order]:
        with self._transaction():
            self._order(account, order_id)
            rows = self._db.execute("SELECT data FROM order_history WHERE order_id = ? ORDER BY seq", (order_id,))
            return [Order.model_validate_json(row[0]) for row in rows]

    def trades(self, account: str) -> list[Trade]:
        with self._transaction():
            self._advance_working(account)
            rows = self._db.execute("SELECT data FROM trades WHERE account = ? ORDER BY rowid", (account,))
            return [Trade.model_validate_json(row[0]) for row in rows]

    def positions(self, account: str) -> list[Position]:
        with self._transaction():
            self._advance_working(account)
            return [
                row.to_model(self._advance(row.symbol).last_price, self._listing(row.symbol).instrument.multiplier)
                for row in self._position_rows(account)
            ]

    def holdings(self, account: str) -> list[Holding]:
        with self._transaction():
            rows = self._db.execute(
                "SELECT symbol, quantity, t1_quantity, average_price FROM holdings WHERE account = ? ORDER BY symbol",
                (account,),
            ).fetchall()
            return [
                Holding(symbol=symbol, quantity=quantity, t1_quantity=t1, average_price=Decimal(average),
                        last_price=self._advance(symbol).last_price, isin=self._listing(symbol).instrument.isin)
                for symbol, quantity, t1, average in rows
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
                    f"insufficient funds: required margin is {money(required)} but available margin is {available}",
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
            self._db.execute("UPDATE orders SET matched_step = -1 WHERE order_id = ?", (order_id,))
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
        number = self._next_id("order")
        order_id = f"{self._now:%y%m%d}{number:09d}"
        return Order(
            order_id=order_id, client_order_id=request.client_order_id,
            exchange_order_id=None, symbol=request.symbol, side=request.side, order_type=request.order_type,
            product=request.resolved_product, validity=request.validity, variety=request.variety,
            quantity=request.quantity, pending_quantity=request.quantity,
            disclosed_quantity=request.disclosed_quantity, price=request.price, trigger_price=request.trigger_price,
            status=OrderStatus.PENDING, status_message="order received", placed_at=self._now, updated_at=self._now,
        )

    def _validate(
        self, account: str, order_id: str, request: OrderRequest, listing: Listing, tape: Tape
    ) -> tuple[RejectReason, str] | None:
        """The exchange's and the RMS's checks, in the order a real broker applies them."""
        instrument = listing.instrument
        if problem := order_problem(request, instrument):
            return RejectReason.RULES, problem
        if not self._session_open(instrument.exchange) and request.variety is not Variety.AMO:
            return RejectReason.MARKET_CLOSED, f"the {instrument.exchange} market is closed; place an AMO instead"
        if request.resolved_product is Product.MIS and self._square_off_due(instrument.exchange):
            return RejectReason.MARKET_CLOSED, "intraday (MIS) orders are closed for the day; use CNC or NRML"
        limits = band(listing, tape.close)
        for label, value in (("price", request.price), ("trigger price", request.trigger_price)):
            if limits and value is not None and not limits[0] <= value <= limits[1]:
                return RejectReason.BAND, (
                    f"{label} {value} is outside the circuit limits {limits[0]} - {limits[1]} of {instrument.symbol}"
                )
        if request.trigger_price is not None:
            wrong_side = request.trigger_price <= tape.last_price if request.side is Side.BUY \
                else request.trigger_price >= tape.last_price
            if wrong_side:
                direction = "above" if request.side is Side.BUY else "below"
                return RejectReason.RULES, (
                    f"trigger price of a stop-loss {request.side.value} must be {direction} "
                    f"the last price {tape.last_price}"
                )
        if request.resolved_product is Product.CNC and request.side is Side.SELL:
            sellable = self._sellable(account, request.symbol, excluding=order_id)
            if request.quantity > sellable:
                return RejectReason.HOLDINGS, (
                    f"insufficient holdings: selling {request.quantity} {request.symbol} (CNC) "
                    f"but {sellable} can be sold"
                )
        required = self._order_margin(account, listing, request.resolved_product, request.side, request.quantity,
                                       request.price or request.trigger_price or tape.last_price)
        available = self._funds(account, excluding=order_id).available_margin
        if required > available:
            return RejectReason.FUNDS, (
                f"insufficient funds: required margin is {money(required)} but available margin is {available}"
            )
        return None

    def _record(self, account: str, order: Order) -> None:
        self._db.execute(
            "INSERT INTO orders (order_id, account, symbol, status, data) VALUES (?, ?, ?, ?, ?)",
            (order.order_id, account, order.symbol, order.status.value, order.model_dump_json()),
        )
        self._history(order)
        accepted = order.model_copy(update={"status_message": "validation pending"})
        self._history(accepted)

    def _history(self, order: Order) -> None:
        self._db.execute(
            "INSERT INTO order_history VALUES (?, (SELECT COUNT(*) FROM order_history WHERE order_id = ?), ?)",
            (order.order_id, order.order_id, order.model_dump_json()),
        )

    def _update(self, account: str, order: Order, **changes: object) -> Order:
        updated = order.model_copy(update={**changes, "updated_at": self._now})
        updated = Order.model_validate(updated.model_dump())  # re-validate what model_copy does not
        self._db.execute(
            "UPDATE orders SET status = ?, data = ? WHERE order_id = ? AND account = ?",
            (updated.status.value, updated.model_dump_json(), order.order_id, account),
        )
        self._history(updated)
        return updated

    def _order(self, account: str, order_id: str) -> Order:
        row = self._db.execute(
            "SELECT data FROM orders WHERE order_id = ? AND account = ?", (order_id, account)
        ).fetchone()
        if row is None:
            raise OrderNotFoundError(f"order {order_id} not found", order_id=order_id)
        return Order.model_validate_json(row[0])

    def _cancel_rest(self, account: str, order: Order, message: str) -> Order:
        rest = order.quantity - order.filled_quantity
        return self._update(account, order, status=OrderStatus.CANCELLED, status_message=message,
                            pending_quantity=0, cancelled_quantity=rest)

    # -- matching ----------------------------------------------------------------
    def _advance_working(self, account: str) -> None:
        """Let time pass for the account's working orders, so resting orders fill."""
        rows = self._db.execute(
            "SELECT DISTINCT symbol FROM orders WHERE account = ? AND status IN (?, ?, ?)", (account, *WORKING)
        ).fetchall()
        for (symbol,) in rows:
            self._advance(symbol)

    def _match(self, symbol: str, *, force: bool = False) -> None:
        """Trigger, fill and expire the working orders on ``symbol`` (each once per step)."""
        tape = self._tape(symbol)
        assert tape is not None
        rows = self._db.execute(
            "SELECT account, data, matched_step FROM orders WHERE symbol = ? AND status IN (?, ?, ?) ORDER BY rowid",
            (symbol, *WORKING),
        ).fetchall()
        for account, data, matched_step in rows:
            if matched_step >= self._step and not force:
                continue
            order = Order.model_validate_json(data)
            self._db.execute("UPDATE orders SET matched_step = ? WHERE order_id = ?", (self._step, order.order_id))
            if self._session_open(self._listing(symbol).instrument.exchange):
                self._match_one(account, order, tape)

    def _match_one(self, account: str, order: Order, tape: Tape) -> None:
        if order.status is OrderStatus.PENDING:
            waiting = OrderStatus.TRIGGER_PENDING if order.trigger_price is not None else OrderStatus.OPEN
            exchange_id = order.exchange_order_id or f"1{self._next_id('exchange_order'):015d}"
            order = self._update(account, order, status=waiting, status_message=_lasting(order),
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
                trade_id=f"{self._next_id('trade'):08d}", order_id=order.order_id, symbol=order.symbol,
                side=order.side, product=order.product, quantity=quantity, price=price, filled_at=self._now,
                exchange_order_id=order.exchange_order_id,
            )
            self._db.execute("INSERT INTO trades VALUES (?, ?, ?)", (trade.trade_id, account, trade.model_dump_json()))
            self._book_fill(account, order, quantity, price, listing)
            tape.trade(price, quantity, self._now)
        self._save_tape(tape)
        filled = order.filled_quantity + sum(q for _, q in fills)
        value = (order.average_price or ZERO) * order.filled_quantity + sum(p * q for p, q in fills)
        return self._update(
            account, order, filled_quantity=filled, pending_quantity=order.quantity - filled,
            average_price=money(value / filled), status_message=_lasting(order),
            status=OrderStatus.COMPLETE if filled == order.quantity else OrderStatus.OPEN,
        )

    def _book_fill(self, account: str, order: Order, quantity: int, price: Decimal, listing: Listing) -> None:
        row = self._position_row(account, order.symbol, order.product).with_fill(order.side, quantity, price)
        self._save_position(account, row)
        if order.product is Product.CNC:
            value = quantity * price * listing.instrument.multiplier
            self._add_cash(account, -value if order.side is Side.BUY else value)

    # -- market state ---------------------------------------------------------------
    def _tape(self, symbol: str) -> Tape | None:
        row = self._db.execute("SELECT * FROM tapes WHERE symbol = ?", (symbol,)).fetchone()
        if row is None:
            return None
        (symbol, last, step, close, open_, high, low, volume, turnover, last_quantity, last_trade_at) = row
        return Tape(symbol, Decimal(last), step, Decimal(close), Decimal(open_), Decimal(high), Decimal(low),
                    volume, Decimal(turnover), last_quantity,
                    dt.datetime.fromisoformat(last_trade_at) if last_trade_at else None)

    def _save_tape(self, tape: Tape) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO tapes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (tape.symbol, str(tape.last_price), tape.step, str(tape.close), str(tape.open), str(tape.high),
             str(tape.low), tape.volume, str(tape.turnover), tape.last_quantity,
             tape.last_trade_at.isoformat() if tape.last_trade_at else None),
        )

    def _advance(self, symbol: str) -> Tape:
        """The tape of ``symbol`` moved to now; working orders on it are matched."""
        listing, step = self._listing(symbol), self._step
        tape = self._tape(symbol)
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
        self._save_tape(tape)
        if listing.instrument.tradable:
            self._match(symbol)
        return tape

    def _model_price(self, listing: Listing, reference: Decimal) -> Decimal:
        if listing.spot is not None:
            spot = self._advance(listing.spot).last_price
            return fair_price(listing, spot, self._years_to_expiry(listing))
        return walk(listing, reference, self.seed, self._now, self.step_seconds)

    def _years_to_expiry(self, listing: Listing) -> float:
        expiry = listing.instrument.expiry
        assert expiry is not None
        closes_at = dt.datetime.combine(expiry, SESSIONS[listing.instrument.exchange][1], IST)
        return max((closes_at - self._now).total_seconds(), 60.0) / (365 * 86_400)

    def _quote(self, listing: Listing, tape: Tape) -> Quote:
        instrument = listing.instrument
        limits = band(listing, tape.close)
        book = Book(listing, tape.last_price, self.seed, tape.step)
        derivative = instrument.instrument_type in (InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE)
        return Quote(
            symbol=instrument.symbol, last_price=tape.last_price, last_quantity=tape.last_quantity,
            last_traded_at=tape.last_trade_at, volume=tape.volume,
            average_price=money(tape.turnover / tape.volume) if tape.volume else None,
            open=tape.open, high=tape.high, low=tape.low, close=tape.close,
            open_interest=rng(self.seed, instrument.symbol, "oi").randint(100, 50_000) * instrument.lot_size
            if derivative else None,
            lower_circuit=limits[0] if limits else None, upper_circuit=limits[1] if limits else None,
            depth=Depth(bids=book.depth("bid"), asks=book.depth("ask")) if instrument.tradable else Depth(),
            timestamp=self._now,
        )

    # -- money -----------------------------------------------------------------
    def _cash(self, account: str) -> Decimal:
        row = self._db.execute("SELECT cash FROM accounts WHERE account = ?", (account,)).fetchone()
        if row is None:
            raise PermissionDeniedError(f"no paper account {account!r} on this exchange")
        return Decimal(row[0])

    def _add_cash(self, account: str, amount: Decimal) -> None:
        self._db.execute("UPDATE accounts SET cash = ? WHERE account = ?",
                         (str(money(self._cash(account) + amount)), account))

    def _spot(self, listing: Listing) -> Decimal | None:
        return self._last_price(listing.spot) if listing.spot else None

    def _last_price(self, symbol: str) -> Decimal:
        tape = self._tape(symbol)
        return tape.last_price if tape is not None else self._advance(symbol).last_price

    def _funds(self, account: str, *, excluding: str | None = None) -> Funds:
        symbols = {row.symbol for row in self._position_rows(account)}
        for symbol in symbols | {order.symbol for order in self._working_orders(account)}:
            self._advance(symbol)  # may fill orders: read the books only after this
        cash, realised, unrealised, used = self._cash(account), ZERO, ZERO, ZERO
        for row in self._position_rows(account):
            listing = self._listing(row.symbol)
            last = self._last_price(row.symbol)
            if row.product is not Product.CNC:
                multiplier = listing.instrument.multiplier
                realised += row.realised(multiplier)
                unrealised += row.unrealised(last, multiplier)
                used += margin(listing, row.product, row.net, last, self._spot(listing))
        for order in self._working_orders(account):
            if order.order_id == excluding:
                continue
            listing = self._listing(order.symbol)
            price = order.price or order.trigger_price or self._last_price(order.symbol)
            used += self._order_margin(account, listing, order.product, order.side, order.pending_quantity, price)
        available = cash + realised + min(unrealised, ZERO) - used
        return Funds(cash=cash, available_margin=money(available), used_margin=money(used),
                     realised_pnl=money(realised), unrealised_pnl=money(unrealised))

    def _order_margin(
        self, account: str, listing: Listing, product: Product, side: Side, quantity: int, price: Decimal
    ) -> Decimal:
        net = self._position_row(account, listing.instrument.symbol, product).net
        return order_margin(listing, product, side, quantity, price, net, self._spot(listing))

    def _working_orders(self, account: str) -> list[Order]:
        rows = self._db.execute(
            "SELECT data FROM orders WHERE account = ? AND status IN (?, ?, ?)", (account, *WORKING),
        )
        return [Order.model_validate_json(row[0]) for row in rows]

    def _sellable(self, account: str, symbol: str, *, excluding: str) -> int:
        held = self._db.execute(
            "SELECT quantity + t1_quantity FROM holdings WHERE account = ? AND symbol = ?", (account, symbol)
        ).fetchone()
        today = self._position_row(account, symbol, Product.CNC).net
        selling = sum(o.pending_quantity for o in self._working_orders(account)
                      if o.symbol == symbol and o.product is Product.CNC and o.side is Side.SELL
                      and o.order_id != excluding)
        return (held[0] if held else 0) + today - selling

    # -- positions -------------------------------------------------------------
    _POSITION_COLUMNS = ("SELECT symbol, product, overnight_quantity, overnight_price, buy_quantity, buy_value,"
                         " sell_quantity, sell_value FROM positions WHERE account = ?")

    def _position_rows(self, account: str) -> list[PositionRow]:
        rows = self._db.execute(self._POSITION_COLUMNS + " ORDER BY symbol, product", (account,)).fetchall()
        return [_position(row) for row in rows]

    def _position_row(self, account: str, symbol: str, product: Product) -> PositionRow:
        row = self._db.execute(self._POSITION_COLUMNS + " AND symbol = ? AND product = ?",
                               (account, symbol, product.value)).fetchone()
        return _position(row) if row else PositionRow(symbol, product)

    def _save_position(self, account: str, row: PositionRow) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO positions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (account, row.symbol, row.product.value, row.overnight_quantity, str(row.overnight_price),
             row.buy_quantity, str(row.buy_value), row.sell_quantity, str(row.sell_value)),
        )

    # -- intraday square-off and end of day -------------------------------------------
    def _square_off_due(self, exchange: str) -> bool:
        if not self.market_hours:
            return False
        closes_at = dt.datetime.combine(self._now.date(), SESSIONS[exchange][1], IST)
        return self._now >= closes_at - SQUARE_OFF

    def _square_off_intraday(self) -> None:
        """Near the close the broker's risk system closes open intraday positions at market."""
        if not self.market_hours:
            return
        rows = self._db.execute(
            "SELECT account, symbol FROM positions WHERE product = ? "
            "AND overnight_quantity + buy_quantity - sell_quantity != 0", (Product.MIS.value,),
        ).fetchall()
        for account, symbol in rows:
            exchange = self._listing(symbol).instrument.exchange
            if not (self._square_off_due(exchange) and self._session_open(exchange)):
                continue
            for order in self._working_orders(account):
                if order.symbol == symbol and order.product is Product.MIS:
                    self._cancel_rest(account, order, "cancelled by the intraday square-off")
            net = self._position_row(account, symbol, Product.MIS).net
            request = OrderRequest(symbol=symbol, side=Side.SELL if net > 0 else Side.BUY, quantity=abs(net),
                                   product=Product.MIS)
            tape = self._advance(symbol)  # before the order exists, so that only this call fills it
            order = self._new_order(request).model_copy(update={"status_message": "intraday square-off"})
            self._record(account, order)
            self._match_one(account, order, tape)

    # -- end of day ----------------------------------------------------------------
    def _roll_day(self) -> None:
        """On the first operation of a new day, settle the old one (like the overnight batch)."""
        today, stored = self._now.date(), self._meta("trading_day")
        if stored is None or dt.date.fromisoformat(stored) >= today:
            if stored is None:
                self._set_meta("trading_day", today.isoformat())
            return
        yesterday = dt.date.fromisoformat(stored)
        old = self._universe(yesterday)
        for account, data in self._db.execute(
            "SELECT account, data FROM orders WHERE status IN (?, ?, ?)", WORKING
        ).fetchall():
            self._cancel_rest(account, Order.model_validate_json(data), "expired at the end of the day")
        for (account,) in self._db.execute("SELECT account FROM accounts").fetchall():
            self._settle_positions(account, old, yesterday)
        for table in ("orders", "order_history", "trades"):
            self._db.execute(f"DELETE FROM {table}")
        self._db.execute("UPDATE tapes SET close = last_price, open = last_price, high = last_price,"
                         " low = last_price, volume = 0, turnover = '0', last_quantity = 0")
        self._set_meta("trading_day", today.isoformat())

    def _settle_positions(self, account: str, listings: dict[str, Listing], day: dt.date) -> None:
        self._db.execute("UPDATE holdings SET quantity = quantity + t1_quantity, t1_quantity = 0 WHERE account = ?",
                         (account,))
        for row in self._position_rows(account):
            listing = listings[row.symbol]
            tape = self._tape(row.symbol)
            last = tape.last_price if tape else listing.reference_price
            multiplier = listing.instrument.multiplier
            self._db.execute("DELETE FROM positions WHERE account = ? AND symbol = ? AND product = ?",
                             (account, row.symbol, row.product.value))
            if row.product is Product.CNC:
                self._settle_delivery(account, row)
                continue
            expired = listing.instrument.expiry is not None and listing.instrument.expiry <= day
            if row.product is Product.MIS or expired:
                self._add_cash(account, row.realised(multiplier) + row.unrealised(last, multiplier))
            else:
                self._add_cash(account, row.realised(multiplier))
                if row.net:
                    self._save_position(account, PositionRow(row.symbol, row.product, row.net, last))

    def _settle_delivery(self, account: str, row: PositionRow) -> None:
        held = self._db.execute(
            "SELECT quantity, t1_quantity, average_price FROM holdings WHERE account = ? AND symbol = ?",
            (account, row.symbol),
        ).fetchone()
        quantity, t1, average = (held[0], held[1], Decimal(held[2])) if held else (0, 0, ZERO)
        if row.net > 0:
            bought_average = row.buy_value / row.buy_quantity
            average = (average * quantity + bought_average * row.net) / (quantity + row.net)
            t1 += row.net
        else:
            quantity += row.net
        if quantity + t1 > 0:
            self._db.execute("INSERT OR REPLACE INTO holdings VALUES (?, ?, ?, ?, ?)",
                             (account, row.symbol, quantity, t1, str(money(average))))
        else:
            self._db.execute("DELETE FROM holdings WHERE account = ? AND symbol = ?", (account, row.symbol))
