"""Tables of the data model for people (rich). Scripts use ``--json`` instead."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from brokerplex.models import Funds, Holding, Order, Position, Quote, Trade
from brokerplex.tables import cell, table


class _ForClient(Protocol):
    @property
    def client_code(self) -> str | None: ...


def _book(title: str, columns: list[str], found: Sequence[_ForClient], rows: list[list[object]]) -> None:
    """A book's table, led by a client column when its rows belong to a dealer's clients."""
    if any(item.client_code for item in found):
        columns = ["client", *columns]
        rows = [[item.client_code, *row] for item, row in zip(found, rows, strict=True)]
    table(title, columns, rows)


def orders(found: Sequence[Order], title: str = "Orders") -> None:
    _book(title, ["order id", "time", "symbol", "side", "type", "product", "qty", "filled", "price", "trigger",
                  "avg", "status", "message"], found,
          [[o.order_id, f"{o.updated_at:%H:%M:%S}", o.symbol, o.side.value, o.order_type.value, o.product.value,
            o.quantity, o.filled_quantity, o.price, o.trigger_price, o.average_price, o.status.value,
            o.status_message] for o in found])


def trades(found: Sequence[Trade]) -> None:
    _book("Trades", ["trade id", "order id", "time", "symbol", "side", "product", "qty", "price"], found,
          [[t.trade_id, t.order_id, f"{t.filled_at:%H:%M:%S}", t.symbol, t.side.value, t.product.value,
            t.quantity, t.price] for t in found])


def positions(found: Sequence[Position]) -> None:
    _book("Positions", ["symbol", "product", "qty", "avg", "ltp", "realised", "unrealised", "p&l"], found,
          [[p.symbol, p.product.value, p.quantity, p.average_price, p.last_price, p.realised_pnl,
            p.unrealised_pnl, p.pnl] for p in found])


def holdings(found: Sequence[Holding]) -> None:
    _book("Holdings", ["symbol", "qty", "t1", "avg", "ltp", "p&l"], found,
          [[h.symbol, h.quantity, h.t1_quantity, h.average_price, h.last_price, h.pnl] for h in found])


def funds(found: Funds) -> None:
    table("Funds", ["cash", "available margin", "used margin", "realised", "unrealised"],
          [[found.cash, found.available_margin, found.used_margin, found.realised_pnl, found.unrealised_pnl]])


def quotes(found: Sequence[Quote]) -> None:
    table("Quotes", ["symbol", "ltp", "chg %", "bid", "ask", "open", "high", "low", "close", "volume"],
          [[q.symbol, q.last_price,
            f"{q.change_percent:+.2f}" if q.change_percent is not None else None,
            f"{q.depth.bids[0].quantity} @ {cell(q.depth.bids[0].price)}" if q.depth.bids else None,
            f"{q.depth.asks[0].quantity} @ {cell(q.depth.asks[0].price)}" if q.depth.asks else None,
            q.open, q.high, q.low, q.close, q.volume] for q in found])
