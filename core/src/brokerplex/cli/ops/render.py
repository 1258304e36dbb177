"""Tables of the trader operations' records for people (rich); scripts use ``--json`` instead. Built on
:mod:`brokerplex.output`'s columns and conventions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

from brokerplex.formats import as_ist
from brokerplex.journal import JournalEntry
from brokerplex.models import Depth, Profile
from brokerplex.ops.models import (
    BasketMargin,
    Candle,
    Gtt,
    LegOutcome,
    LegResult,
    Margin,
    OptionChain,
    OptionQuote,
    PnlSummary,
    pnl_totals,
)
from brokerplex.output import SIDE, book, pnl_style, print_line, side_style
from brokerplex.tables import Column, cell, number, table

_OUTCOME_STYLES = {LegOutcome.DONE.value: "green", LegOutcome.DRY_RUN.value: "cyan",
                   LegOutcome.UNKNOWN.value: "yellow", LegOutcome.SKIPPED.value: "yellow"}


def outcome_style(value: object) -> str | None:
    return _OUTCOME_STYLES.get(str(value), "red")  # refused or failed


def legs(found: Sequence[LegResult], title: str) -> None:
    """Every leg of a multi-order operation, numbered as sent, with what became of it."""
    columns = [number("#"), Column("symbol"), SIDE, number("qty"), Column("outcome", paint=outcome_style),
               Column("order id"), Column("client order id", drop=3), Column("message", drop=1, wrap=True)]
    rows: list[list[object]] = [
        [index, leg.symbol, leg.side.value if leg.side else None, leg.quantity, leg.outcome.value, leg.order_id,
         leg.client_order_id, leg.message] for index, leg in enumerate(found, start=1)]
    if any(leg.cancelled for leg in found):  # exits: the open orders cancelled before each
        columns.insert(-1, Column("cancelled first", drop=2))
        rows = [[*row[:-1], ", ".join(leg.cancelled) or None, row[-1]] for leg, row in zip(found, rows, strict=True)]
    book(title, columns, found, rows)


def would_send(leg: LegResult) -> str:
    """What a dry run would have sent, as one line."""
    request = leg.request
    if request is None:
        return f"would send {leg.side} {leg.quantity} {leg.symbol}"
    prices = "".join(f" {name} {cell(value)}" for name, value in (("price", request.price),
                                                                  ("trigger", request.trigger_price)) if value)
    return (f"would send {request.side.value} {request.quantity} {request.symbol} {request.order_type.value} "
            f"{request.resolved_product.value} {request.validity.value} {request.variety.value}{prices}, "
            f"client order id {request.client_order_id}")


def unresolved(found: Sequence[JournalEntry]) -> None:
    """Orders whose outcome is unknown, from the journal: ``reconcile`` resolves them."""
    requests = [json.loads(entry.request) for entry in found]
    table("Orders of unknown outcome (brokerplex reconcile resolves them)",
          [Column("client order id"), Column("time", drop=3), Column("symbol"), Column("side", paint=side_style),
           number("qty"), Column("state"), Column("order id", drop=2), Column("message", drop=1, wrap=True)],
          [[entry.client_order_id, f"{as_ist(entry.updated_at):%H:%M:%S}", request.get("symbol"),
            request.get("side"), request.get("quantity"), entry.state.value, entry.order_id, entry.message]
           for entry, request in zip(found, requests, strict=True)])


def unresolved_record(entry: JournalEntry) -> dict[str, object]:
    return {"client_order_id": entry.client_order_id, "account": entry.account, "broker": entry.broker,
            "state": entry.state.value, "order_id": entry.order_id, "message": entry.message,
            "client": entry.client, "created_at": entry.created_at.isoformat(),
            "updated_at": entry.updated_at.isoformat(), "request": json.loads(entry.request)}


def margins(found: Sequence[Margin]) -> None:
    table("Margin", [Column("symbol"), SIDE, number("qty"), number("margin"), number("charges", drop=2),
                     Column("breakdown", drop=1, wrap=True)],
          [[m.symbol, m.side.value, m.quantity, m.total, m.charges,
            ", ".join(f"{name} {cell(value)}" for name, value in m.breakdown.items()) or None] for m in found])


def basket_margin(found: BasketMargin) -> None:
    margins(found.legs)
    print_line(basket_margin_line(found))


def basket_margin_line(found: BasketMargin) -> str:
    charges = f", charges {cell(found.charges)}" if found.charges is not None else ""
    return f"basket margin {cell(found.final)} (legs one by one: {cell(found.initial)}){charges}"


def gtts(found: Sequence[Gtt]) -> None:
    table("GTT triggers", [Column("gtt id"), Column("symbol"), Column("type", drop=4), Column("status"),
                           Column("triggers"), number("last", drop=3), Column("orders"),
                           Column("expires", drop=5), Column("orders placed", drop=2)],
          [[g.gtt_id, g.symbol, g.type.value, g.status.value, " / ".join(cell(p) for p in g.trigger_prices),
            g.last_price, " / ".join(f"{o.side.value} {o.quantity} @ {cell(o.price)} {o.product.value}"
                                     for o in g.orders),
            f"{as_ist(g.expires_at):%Y-%m-%d}" if g.expires_at else None,
            ", ".join(g.triggered_order_ids) or None] for g in found])


def pnl(summaries: Sequence[PnlSummary]) -> None:
    """Each account's P&L per position and its total; a grand total when there are several accounts."""
    for summary in summaries:
        lines = summary.lines
        owner = f" for {summary.client_code}" if summary.client_code else ""
        book(f"P&L of {summary.account}{owner}",
              [Column("symbol"), Column("product", drop=4), number("qty"), number("avg", drop=3),
               number("ltp", drop=2), number("realised", drop=1, paint=pnl_style),
               number("unrealised", drop=1, paint=pnl_style), number("net", paint=pnl_style),
               number("day", paint=pnl_style)], lines,
              [[line.symbol, line.product.value, line.quantity, line.average_price, line.last_price, line.realised,
                line.unrealised, line.net, line.day] for line in lines])
        print_line(pnl_total_line("total", summary))
    if len(summaries) > 1:
        print_line(pnl_total_line(f"all {len(summaries)}", *summaries))


def pnl_total_line(label: str, *summaries: PnlSummary) -> str:
    totals = {name: cell(value) for name, value in pnl_totals(summaries).items()}
    return (f"{label}: net {totals['net']} (realised {totals['realised']}, unrealised {totals['unrealised']}), "
            f"day {totals['day']}")


def _greek(value: Decimal | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places))


def _side_cells(quote: OptionQuote | None) -> list[object]:
    if quote is None:
        return [None] * 6
    iv = None if quote.iv is None else (quote.iv * 100).quantize(Decimal("0.1"))
    return [quote.last_price, quote.open_interest, quote.bid, quote.ask, iv, _greek(quote.delta)]


def chain(found: OptionChain) -> None:
    """Calls on the left, the strike in the middle, puts on the right, as terminals show a chain."""
    names = ["ltp", "oi", "bid", "ask", "iv %", "delta"]
    ranks = [0, 2, 3, 3, 1, 1]
    calls = [number(f"C {name}", drop=rank) for name, rank in zip(names, ranks, strict=True)]
    puts = [number(f"P {name}", drop=rank) for name, rank in zip(names, ranks, strict=True)]
    spot = f", spot {cell(found.spot)}" if found.spot is not None else ""
    table(f"{found.underlying} options expiring {found.expiry}{spot}", [*reversed(calls), number("strike"), *puts],
          [[*reversed(_side_cells(row.call)), row.strike, *_side_cells(row.put)] for row in found.rows])


def depth(symbol: str, found: Depth) -> None:
    rows = max(len(found.bids), len(found.asks))
    bids = [*found.bids, *[None] * (rows - len(found.bids))]
    asks = [*found.asks, *[None] * (rows - len(found.asks))]
    table(f"Depth of {symbol}", [number("orders", drop=1), number("bid qty"), number("bid"), number("ask"),
                                 number("ask qty"), number("orders ", drop=1)],
          [[bid.orders if bid else None, bid.quantity if bid else None, bid.price if bid else None,
            ask.price if ask else None, ask.quantity if ask else None, ask.orders if ask else None]
           for bid, ask in zip(bids, asks, strict=True)])


def candles(symbol: str, found: Sequence[Candle]) -> None:
    table(f"Candles of {symbol}", [Column("time (IST)"), number("open"), number("high"), number("low"),
                                   number("close"), number("volume", drop=1), number("oi", drop=2)],
          [[f"{as_ist(c.at):%Y-%m-%d %H:%M}", c.open, c.high, c.low, c.close, c.volume, c.open_interest]
           for c in found])


def profile(found: Profile) -> None:
    table("Profile", [Column("user id"), Column("name"), Column("broker"), Column("email", drop=1),
                      Column("exchanges", drop=2, wrap=True), Column("products", drop=3)],
          [[found.user_id, found.name or None, found.broker, found.email,
            ", ".join(e.value for e in found.exchanges) or None, ", ".join(p.value for p in found.products) or None]])
