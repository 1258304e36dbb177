"""Tables of the data model for people (rich). Scripts use ``--json`` instead.

Each table names its essential columns (ids, symbol, side, quantities, prices, status, P&L are
never left out) and ranks the others by the order they are left out on a narrow terminal.
Times are shown in IST.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from brokerplex.formats import as_ist
from brokerplex.models import Funds, Instrument, Order, Position, Quote, Trade
from brokerplex.ops.models import HoldingView
from brokerplex.tables import Column, cell, number, table

_STATUS_STYLES = {"COMPLETE": "green", "REJECTED": "red", "CANCELLED": "yellow"}


def side_style(value: object) -> str | None:
    return {"BUY": "green", "SELL": "red"}.get(str(value))


def status_style(value: object) -> str | None:
    return _STATUS_STYLES.get(str(value), "cyan")  # the rest are live: open, trigger pending, pending


def pnl_style(value: object) -> str | None:
    if not isinstance(value, int | Decimal) or not value:
        return None
    return "green" if value > 0 else "red"


SIDE = Column("side", paint=side_style)
STATUS = Column("status", paint=status_style)


class _ForClient(Protocol):
    @property
    def client_code(self) -> str | None: ...


def book(title: str, columns: list[Column], found: Sequence[_ForClient], rows: list[list[object]]) -> None:
    """A book's table, led by a client column when its rows belong to a dealer's clients."""
    if any(item.client_code for item in found):
        columns = [Column("client"), *columns]
        rows = [[item.client_code, *row] for item, row in zip(found, rows, strict=True)]
    table(title, columns, rows)


def orders(found: Sequence[Order], title: str = "Orders") -> None:
    book(title, [Column("order id"), Column("time", drop=6), Column("symbol"), SIDE, Column("type", drop=7),
                  Column("product", drop=8), number("qty"), number("filled", drop=4), number("price"),
                  number("trigger", drop=5), number("avg", drop=2), STATUS, Column("message", drop=3, wrap=True)],
          found,
          [[o.order_id, f"{as_ist(o.updated_at):%H:%M:%S}", o.symbol, o.side.value, o.order_type.value,
            o.product.value, o.quantity, o.filled_quantity, o.price, o.trigger_price, o.average_price,
            o.status.value, o.status_message] for o in found])


def trades(found: Sequence[Trade]) -> None:
    book("Trades", [Column("trade id"), Column("order id"), Column("time", drop=2), Column("symbol"), SIDE,
                     Column("product", drop=3), number("qty"), number("price")], found,
          [[t.trade_id, t.order_id, f"{as_ist(t.filled_at):%H:%M:%S}", t.symbol, t.side.value, t.product.value,
            t.quantity, t.price] for t in found])


def positions(found: Sequence[Position]) -> None:
    book("Positions", [Column("symbol"), Column("product", drop=5), number("qty"), number("avg", drop=2),
                        number("ltp", drop=1), number("realised", drop=4, paint=pnl_style),
                        number("unrealised", drop=3, paint=pnl_style), number("p&l", paint=pnl_style)], found,
          [[p.symbol, p.product.value, p.quantity, p.average_price, p.last_price, p.realised_pnl,
            p.unrealised_pnl, p.pnl] for p in found])


def holdings(found: Sequence[HoldingView]) -> None:
    book("Holdings", [Column("symbol"), number("qty"), number("avg", drop=3), number("ltp", drop=2),
                       number("close", drop=4), number("p&l", paint=pnl_style),
                       number("day chg", drop=1, paint=pnl_style), number("day %", drop=5, paint=pnl_style)], found,
          [[h.symbol, h.quantity + h.t1_quantity, h.average_price, h.last_price, h.close_price, h.pnl, h.day_change,
            _percent(h.day_change_percent)] for h in found])
    if found:
        total_day = sum((h.day_change or Decimal(0) for h in found), Decimal(0))
        print_line(f"total p&l {cell(sum((h.pnl for h in found), Decimal(0)))}, day change {cell(total_day)}")


def funds(found: Funds) -> None:
    table("Funds", [number("cash"), number("available margin"), number("used margin"),
                    number("realised", paint=pnl_style), number("unrealised", paint=pnl_style)],
          [[found.cash, found.available_margin, found.used_margin, found.realised_pnl, found.unrealised_pnl]])


def quotes(found: Sequence[Quote]) -> None:
    table("Quotes", [Column("symbol"), number("ltp"), number("chg %", drop=1, paint=pnl_style),
                     number("bid", drop=3), number("ask", drop=3), number("open", drop=7), number("high", drop=6),
                     number("low", drop=5), number("close", drop=4), number("volume", drop=2)],
          [[q.symbol, q.last_price,
            _percent(q.change_percent),
            f"{cell(q.depth.bids[0].quantity)} @ {cell(q.depth.bids[0].price)}" if q.depth.bids else None,
            f"{cell(q.depth.asks[0].quantity)} @ {cell(q.depth.asks[0].price)}" if q.depth.asks else None,
            q.open, q.high, q.low, q.close, q.volume] for q in found])



def instruments(found: Sequence[Instrument]) -> None:
    table("Instruments", [Column("symbol"), Column("type"), Column("expiry", drop=1), number("strike", drop=2),
                          number("lot"), number("tick", drop=3), Column("name", drop=4, wrap=True)],
          [[i.symbol, i.instrument_type.value, i.expiry, i.strike, i.lot_size, i.tick_size, i.name or None]
           for i in found])


def _percent(change: Decimal | None) -> Decimal | None:
    return None if change is None else change.quantize(Decimal("0.01"))


def print_line(text: str) -> None:
    """A plain line after a table, on the tables' console (so that widths and colours agree)."""
    from brokerplex.tables import console

    console().print(text, overflow="fold", highlight=False)
