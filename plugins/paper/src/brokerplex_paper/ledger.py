"""Where the paper exchange keeps its state: one SQLite file, read and written only through :class:`Ledger`.

The exchange decides; the ledger stores: accounts and cash, each instrument's tape, orders with their
history and a feed of their changes, trades, positions and holdings, and a few counters. Every method
runs inside the exchange's transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), which
:meth:`Ledger.transaction` opens.
"""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from brokerplex.models import Order, OrderStatus, Product, Trade
from brokerplex_paper.accounting import ZERO, PositionRow

# Orders the exchange still has to act on (PENDING: an AMO waiting for the open).
WORKING = (OrderStatus.PENDING.value, OrderStatus.OPEN.value, OrderStatus.TRIGGER_PENDING.value)

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
CREATE INDEX IF NOT EXISTS orders_account_working ON orders (account, status, symbol);
CREATE TABLE IF NOT EXISTS order_history (order_id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (order_id, seq));
CREATE TABLE IF NOT EXISTS order_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL,
    order_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS order_changes_account ON order_changes (account, seq);
CREATE TABLE IF NOT EXISTS trades (trade_id TEXT PRIMARY KEY, account TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS trades_account ON trades (account);
CREATE TABLE IF NOT EXISTS positions (
    account TEXT NOT NULL, symbol TEXT NOT NULL, product TEXT NOT NULL, overnight_quantity INTEGER NOT NULL,
    overnight_price TEXT NOT NULL, buy_quantity INTEGER NOT NULL, buy_value TEXT NOT NULL,
    sell_quantity INTEGER NOT NULL, sell_value TEXT NOT NULL, PRIMARY KEY (account, symbol, product));
CREATE TABLE IF NOT EXISTS holdings (
    account TEXT NOT NULL, symbol TEXT NOT NULL, quantity INTEGER NOT NULL, t1_quantity INTEGER NOT NULL,
    average_price TEXT NOT NULL, PRIMARY KEY (account, symbol));
CREATE TABLE IF NOT EXISTS gtts (id INTEGER PRIMARY KEY, account TEXT NOT NULL, status TEXT NOT NULL,
    data TEXT NOT NULL, seen TEXT);
"""
_POSITION_COLUMNS = ("SELECT symbol, product, overnight_quantity, overnight_price, buy_quantity, buy_value,"
                     " sell_quantity, sell_value FROM positions WHERE account = ?")


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


@dataclass(frozen=True, slots=True)
class Holding:
    """A stored holding: settled and unsettled (T+1) quantities at an average price."""

    symbol: str
    quantity: int
    t1_quantity: int
    average_price: Decimal


@functools.lru_cache(maxsize=4096)  # about 4 KB an order
def _order(data: str) -> Order:
    """An order's current state from its stored JSON. Every placement, book read and margin check reads the
    working orders again, and parsing one took 10-15 us (placing on a paper account with 2,000 resting
    orders took 40 ms): the same text is the same frozen order, so each state is parsed once."""
    return Order.model_validate_json(data)


@functools.lru_cache(maxsize=4096)
def _trade(data: str) -> Trade:
    """A trade from its stored JSON, parsed once (the streams read the day's trades at every look)."""
    return Trade.model_validate_json(data)


def _position(row: tuple[str, str, int, str, int, str, int, str]) -> PositionRow:
    symbol, product, overnight, overnight_price, bought, bought_value, sold, sold_value = row
    return PositionRow(symbol, Product(product), overnight, Decimal(overnight_price), bought, Decimal(bought_value),
                       sold, Decimal(sold_value))


class Ledger:
    """The exchange's tables. Not thread-safe by itself: the exchange holds its lock around every use."""

    def __init__(self, path: Path | str) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One ``BEGIN IMMEDIATE`` transaction: other processes on the file wait, then see all of it or none.

        Opened inside another, it is part of that one (the GTT book places orders in its own transaction)."""
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- counters -------------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def next_id(self, counter: str) -> int:
        value = int(self.meta(counter) or 0) + 1
        self.set_meta(counter, str(value))
        return value

    # -- accounts -------------------------------------------------------------------------------------
    def add_account(self, account: str, cash: Decimal) -> None:
        self._db.execute("INSERT OR IGNORE INTO accounts VALUES (?, ?, ?)", (account, str(cash), str(cash)))

    def accounts(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT account FROM accounts").fetchall()]

    def cash(self, account: str) -> Decimal | None:
        row = self._db.execute("SELECT cash FROM accounts WHERE account = ?", (account,)).fetchone()
        return None if row is None else Decimal(row[0])

    def set_cash(self, account: str, cash: Decimal) -> None:
        self._db.execute("UPDATE accounts SET cash = ? WHERE account = ?", (str(cash), account))

    # -- tapes ----------------------------------------------------------------------------------------
    def tape(self, symbol: str) -> Tape | None:
        row = self._db.execute("SELECT * FROM tapes WHERE symbol = ?", (symbol,)).fetchone()
        if row is None:
            return None
        (symbol, last, step, close, open_, high, low, volume, turnover, last_quantity, last_trade_at) = row
        return Tape(symbol, Decimal(last), step, Decimal(close), Decimal(open_), Decimal(high), Decimal(low),
                    volume, Decimal(turnover), last_quantity,
                    dt.datetime.fromisoformat(last_trade_at) if last_trade_at else None)

    def save_tape(self, tape: Tape) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO tapes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (tape.symbol, str(tape.last_price), tape.step, str(tape.close), str(tape.open), str(tape.high),
             str(tape.low), tape.volume, str(tape.turnover), tape.last_quantity,
             tape.last_trade_at.isoformat() if tape.last_trade_at else None),
        )

    # -- orders and trades ------------------------------------------------------------------------------
    def add_order(self, account: str, order: Order) -> None:
        self._db.execute("INSERT INTO orders (order_id, account, symbol, status, data) VALUES (?, ?, ?, ?, ?)",
                         (order.order_id, account, order.symbol, order.status.value, order.model_dump_json()))
        self._changed(account, order)

    def save_order(self, account: str, order: Order) -> None:
        self._db.execute("UPDATE orders SET status = ?, data = ? WHERE order_id = ? AND account = ?",
                         (order.status.value, order.model_dump_json(), order.order_id, account))
        self._changed(account, order)

    def _changed(self, account: str, order: Order) -> None:
        self.add_history(order)
        self._db.execute("INSERT INTO order_changes (account, order_id) VALUES (?, ?)", (account, order.order_id))

    def orders_since(self, account: str, change: int | None) -> tuple[list[Order], int]:
        """The orders of ``account`` changed after ``change`` (None: all of them), as they are now, in the order
        they were placed; and the account's newest change. Change numbers only grow, across days and
        processes (AUTOINCREMENT): a reader that keeps the number reads what changed, not the whole book."""
        newest = self._db.execute("SELECT MAX(seq) FROM order_changes WHERE account = ?", (account,)).fetchone()[0]
        if change is None:
            orders = self.orders(account)
        else:
            rows = self._db.execute("SELECT data FROM orders WHERE order_id IN (SELECT order_id FROM order_changes"
                                    " WHERE account = ? AND seq > ?) ORDER BY rowid", (account, change))
            orders = [_order(row[0]) for row in rows]
        return orders, max(newest or 0, change or 0)

    def add_history(self, order: Order) -> None:
        self._db.execute(
            "INSERT INTO order_history VALUES (?, (SELECT COUNT(*) FROM order_history WHERE order_id = ?), ?)",
            (order.order_id, order.order_id, order.model_dump_json()),
        )

    def order(self, account: str, order_id: str) -> Order | None:
        row = self._db.execute("SELECT data FROM orders WHERE order_id = ? AND account = ?",
                               (order_id, account)).fetchone()
        return None if row is None else _order(row[0])

    def orders(self, account: str) -> list[Order]:
        rows = self._db.execute("SELECT data FROM orders WHERE account = ? ORDER BY rowid", (account,))
        return [_order(row[0]) for row in rows]

    def history(self, order_id: str) -> list[Order]:
        rows = self._db.execute("SELECT data FROM order_history WHERE order_id = ? ORDER BY seq", (order_id,))
        return [Order.model_validate_json(row[0]) for row in rows]  # past states: read seldom, not kept

    def working_orders(self, account: str) -> list[Order]:
        rows = self._db.execute("SELECT data FROM orders WHERE account = ? AND status IN (?, ?, ?)",
                                (account, *WORKING))
        return [_order(row[0]) for row in rows]

    def all_working_orders(self) -> list[tuple[str, Order]]:
        rows = self._db.execute("SELECT account, data FROM orders WHERE status IN (?, ?, ?)", WORKING).fetchall()
        return [(account, _order(data)) for account, data in rows]

    def working_symbols(self, account: str | None = None) -> list[str]:
        """Symbols with working orders (of ``account``, or of anyone)."""
        if account is None:
            rows = self._db.execute("SELECT DISTINCT symbol FROM orders WHERE status IN (?, ?, ?)", WORKING)
        else:
            rows = self._db.execute("SELECT DISTINCT symbol FROM orders WHERE account = ? AND status IN (?, ?, ?)",
                                    (account, *WORKING))
        return [row[0] for row in rows.fetchall()]

    def working_on(self, symbol: str, unmatched_at: int | None = None) -> list[tuple[str, Order]]:
        """The working orders on ``symbol`` in arrival order, with their accounts (``unmatched_at``: only those
        not matched at that step yet)."""
        rows = self._db.execute("SELECT account, data FROM orders WHERE symbol = ? AND status IN (?, ?, ?)"
                                " AND matched_step < ? ORDER BY rowid",
                                (symbol, *WORKING, unmatched_at if unmatched_at is not None else 1 << 62)).fetchall()
        return [(account, _order(data)) for account, data in rows]

    def set_matched(self, order_id: str, step: int) -> None:
        self._db.execute("UPDATE orders SET matched_step = ? WHERE order_id = ?", (step, order_id))

    def add_trade(self, account: str, trade: Trade) -> None:
        self._db.execute("INSERT INTO trades VALUES (?, ?, ?)", (trade.trade_id, account, trade.model_dump_json()))

    def trades(self, account: str) -> list[Trade]:
        rows = self._db.execute("SELECT data FROM trades WHERE account = ? ORDER BY rowid", (account,))
        return [_trade(row[0]) for row in rows]

    # -- positions and holdings -------------------------------------------------------------------------
    def positions(self, account: str) -> list[PositionRow]:
        rows = self._db.execute(_POSITION_COLUMNS + " ORDER BY symbol, product", (account,)).fetchall()
        return [_position(row) for row in rows]

    def position(self, account: str, symbol: str, product: Product) -> PositionRow:
        row = self._db.execute(_POSITION_COLUMNS + " AND symbol = ? AND product = ?",
                               (account, symbol, product.value)).fetchone()
        return _position(row) if row else PositionRow(symbol, product)

    def save_position(self, account: str, row: PositionRow) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO positions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (account, row.symbol, row.product.value, row.overnight_quantity, str(row.overnight_price),
             row.buy_quantity, str(row.buy_value), row.sell_quantity, str(row.sell_value)),
        )

    def delete_position(self, account: str, row: PositionRow) -> None:
        self._db.execute("DELETE FROM positions WHERE account = ? AND symbol = ? AND product = ?",
                         (account, row.symbol, row.product.value))

    def open_intraday(self) -> list[tuple[str, str]]:
        """(account, symbol) of every open intraday (MIS) position."""
        return self._db.execute(
            "SELECT account, symbol FROM positions WHERE product = ? "
            "AND overnight_quantity + buy_quantity - sell_quantity != 0", (Product.MIS.value,),
        ).fetchall()

    def holdings(self, account: str) -> list[Holding]:
        rows = self._db.execute("SELECT symbol, quantity, t1_quantity, average_price FROM holdings"
                                " WHERE account = ? ORDER BY symbol", (account,)).fetchall()
        return [Holding(symbol, quantity, t1, Decimal(average)) for symbol, quantity, t1, average in rows]

    def holding(self, account: str, symbol: str) -> Holding:
        row = self._db.execute("SELECT quantity, t1_quantity, average_price FROM holdings"
                               " WHERE account = ? AND symbol = ?", (account, symbol)).fetchone()
        return Holding(symbol, row[0], row[1], Decimal(row[2])) if row else Holding(symbol, 0, 0, ZERO)

    def save_holding(self, account: str, holding: Holding) -> None:
        if holding.quantity + holding.t1_quantity > 0:
            self._db.execute("INSERT OR REPLACE INTO holdings VALUES (?, ?, ?, ?, ?)",
                             (account, holding.symbol, holding.quantity, holding.t1_quantity,
                              str(holding.average_price)))
        else:
            self._db.execute("DELETE FROM holdings WHERE account = ? AND symbol = ?", (account, holding.symbol))

    def settle_t1(self, account: str) -> None:
        """Yesterday's delivery buys become settled holdings."""
        self._db.execute("UPDATE holdings SET quantity = quantity + t1_quantity, t1_quantity = 0 WHERE account = ?",
                         (account,))

    # -- GTT triggers (stored as the GTT book writes them) -----------------------------------------------
    def gtts(self, *, account: str | None = None, status: str | None = None) -> list[tuple[str, str | None]]:
        """(data, seen) of the triggers of ``account`` (or everyone's) in ``status`` (or any), oldest first."""
        rows = self._db.execute("SELECT data, seen FROM gtts WHERE (?1 IS NULL OR account = ?1)"
                                " AND (?2 IS NULL OR status = ?2) ORDER BY id", (account, status))
        return [(data, seen) for data, seen in rows.fetchall()]

    def gtt(self, gtt_id: int) -> tuple[str, str, str | None] | None:
        """(account, data, seen) of one trigger."""
        row = self._db.execute("SELECT account, data, seen FROM gtts WHERE id = ?", (gtt_id,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def save_gtt(self, gtt_id: int, account: str, status: str, data: str, seen: str | None) -> None:
        self._db.execute("INSERT OR REPLACE INTO gtts VALUES (?, ?, ?, ?, ?)", (gtt_id, account, status, data, seen))

    # -- the day --------------------------------------------------------------------------------------
    def clear_day(self) -> None:
        """Forget the day's orders and trades; each tape starts the new day at its last price."""
        for table in ("orders", "order_history", "order_changes", "trades"):
            self._db.execute(f"DELETE FROM {table}")
        self._db.execute("UPDATE tapes SET close = last_price, open = last_price, high = last_price,"
                         " low = last_price, volume = 0, turnover = '0', last_quantity = 0")
