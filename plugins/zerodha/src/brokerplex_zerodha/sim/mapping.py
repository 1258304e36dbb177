"""Paper exchange models to Kite's JSON shapes (orders, trades, portfolio, margins, quotes).

Numbers go out as JSON numbers (floats), as Kite sends them; times as IST wall-clock strings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from brokerplex.formats import IST
from brokerplex.models import Funds, Holding, Order, OrderStatus, Position, Quote, Trade, Variety
from brokerplex_paper.checks import TRANSIENT_MESSAGES
from brokerplex_zerodha.sim.catalog import Catalog

Json = dict[str, Any]
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# Paper wording that Kite shows differently or not at all (a cancelled order's status_message is null).
_QUIET_MESSAGES = TRANSIENT_MESSAGES | {"cancelled by the user"}
_MODIFY_STEPS = ("MODIFY VALIDATION PENDING", "MODIFY PENDING", "MODIFIED")


def stamp(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(IST).strftime(TIME_FORMAT) if moment else None


def number(value: Decimal | None) -> float:
    return float(value) if value is not None else 0.0


def kite_status(order: Order) -> str:
    if order.status is OrderStatus.PENDING:
        return "AMO REQ RECEIVED" if order.variety is Variety.AMO else "VALIDATION PENDING"
    return order.status.value


class OrderView:
    """Renders paper orders as Kite order dicts for one user (tags and meta the paper
    exchange does not keep are held here, by order id)."""

    def __init__(self, catalog: Catalog, user_id: str) -> None:
        self.catalog, self.user_id = catalog, user_id
        self.tags: dict[str, str] = {}  # order id -> a tag that is not a valid client order id
        self.meta: dict[str, Json] = {}  # order id -> Kite ``meta`` (iceberg legs)
        self.products: dict[str, str] = {}  # order id -> product as sent, where it differs (CO)
        self.modifications: dict[str, int] = {}
        self.extra_tags: dict[str, list[str]] = {}  # order id -> Kite's own tags (autoslice children)

    def order(self, order: Order, status: str | None = None, *, modified: bool | None = None) -> Json:
        """Kite's order dict; ``modified`` None: whether the order has been modified by now."""
        entry = self.catalog.by_key.get(order.symbol)
        exchange, _, tradingsymbol = order.symbol.partition(":")
        tag = order.client_order_id or self.tags.get(order.order_id)
        message = None if order.status_message in _QUIET_MESSAGES else order.status_message
        return {
            "placed_by": self.user_id, "order_id": order.order_id, "exchange_order_id": order.exchange_order_id,
            "parent_order_id": None, "status": status or kite_status(order), "status_message": message,
            "status_message_raw": message, "order_timestamp": stamp(order.placed_at),
            "exchange_update_timestamp": stamp(order.updated_at) if order.exchange_order_id else None,
            "exchange_timestamp": stamp(order.placed_at) if order.exchange_order_id else None,
            "variety": order.variety.value,
            "modified": self.modifications.get(order.order_id, 0) > 0 if modified is None else modified,
            "exchange": exchange, "tradingsymbol": tradingsymbol,
            "instrument_token": entry.instrument_token if entry else 0,
            "order_type": order.order_type.value, "transaction_type": order.side.value,
            "validity": order.validity.value, "validity_ttl": 0,
            "product": self.products.get(order.order_id, order.product.value),
            "quantity": order.quantity, "disclosed_quantity": order.disclosed_quantity,
            "price": number(order.price), "trigger_price": number(order.trigger_price),
            "average_price": number(order.average_price), "filled_quantity": order.filled_quantity,
            "pending_quantity": order.pending_quantity, "cancelled_quantity": order.cancelled_quantity,
            "market_protection": 0, "meta": self.meta.get(order.order_id, {}), "tag": tag,
            "tags": ([tag] if tag else []) + self.extra_tags.get(order.order_id, []), "guid": f"sim-{order.order_id}",
        }

    def history(self, snapshots: list[Order]) -> list[Json]:
        """Kite's order history: the paper lifecycle with Kite's transient steps spelled out, one row a step.

        As Kite records it (order_info.json): PUT ORDER REQ RECEIVED → VALIDATION PENDING → OPEN PENDING
        → OPEN; a modification is MODIFY VALIDATION PENDING → MODIFY PENDING → MODIFIED (still the old
        terms, stamped with the time of the change) → OPEN with the new terms; a cancellation by the
        user passes CANCEL PENDING.
        """
        rows: list[Json] = []
        previous: Order | None = None
        modified = False  # by the row at hand
        for snapshot in snapshots:
            rows += self._steps(previous, snapshot, modified)
            modified = modified or snapshot.status_message == "modified"
            previous = snapshot
        return rows

    def _steps(self, previous: Order | None, snapshot: Order, modified: bool) -> list[Json]:
        amo = snapshot.variety is Variety.AMO
        if previous is None:
            return [self.order(snapshot, "AMO REQ RECEIVED" if amo else "PUT ORDER REQ RECEIVED", modified=False)]
        if snapshot.status_message == "validation pending":
            return [] if amo else [self.order(snapshot, "VALIDATION PENDING", modified=False)]
        if snapshot.status_message == "modified":
            changing = [self._changing(previous, snapshot, step, modified or step == "MODIFIED")
                        for step in _MODIFY_STEPS]
            return changing + ([] if snapshot.status is OrderStatus.PENDING else [self.order(snapshot, modified=True)])
        if previous.status is OrderStatus.PENDING and previous.exchange_order_id is None \
                and snapshot.exchange_order_id is not None:  # on its way to the exchange
            return [self.order(previous, "OPEN PENDING", modified=modified), self.order(snapshot, modified=modified)]
        if snapshot.status_message == "cancelled by the user":
            return [self._changing(previous, snapshot, "CANCEL PENDING", modified),
                    self.order(snapshot, modified=modified)]
        return [self.order(snapshot, modified=modified)]

    def _changing(self, before: Order, change: Order, step: str, modified: bool) -> Json:
        """A step of a change (modify, cancel) under way: the order's terms before it, the change's time."""
        row = self.order(before, step, modified=modified)
        row["order_timestamp"] = row["exchange_update_timestamp"] = stamp(change.updated_at)
        if step == "MODIFIED":
            row["exchange_timestamp"] = stamp(change.updated_at)
        return row

    def postback(self, order: Order, status: str, api_secret: str) -> Json:
        """An order update as the ticker (and a postback URL) delivers it."""
        data = self.order(order, status)
        stamped = data["order_timestamp"] or ""
        data.update({
            "user_id": self.user_id, "unfilled_quantity": order.pending_quantity, "app_id": 1,
            "checksum": hashlib.sha256((order.order_id + stamped + api_secret).encode()).hexdigest(),
        })
        return data

    def trade(self, trade: Trade) -> Json:
        entry = self.catalog.by_key.get(trade.symbol)
        exchange, _, tradingsymbol = trade.symbol.partition(":")
        return {
            "trade_id": trade.trade_id, "order_id": trade.order_id, "exchange": exchange,
            "tradingsymbol": tradingsymbol, "instrument_token": entry.instrument_token if entry else 0,
            "product": self.products.get(trade.order_id, trade.product.value), "average_price": number(trade.price),
            "quantity": trade.quantity, "exchange_order_id": trade.exchange_order_id,
            "transaction_type": trade.side.value, "fill_timestamp": stamp(trade.filled_at),
            "order_timestamp": trade.filled_at.astimezone(IST).strftime("%H:%M:%S"),
            "exchange_timestamp": stamp(trade.filled_at),
        }


def positions(catalog: Catalog, rows: list[Position], closes: dict[str, Decimal]) -> Json:
    return {"net": [_position(catalog, row, closes, day=False) for row in rows],
            "day": [_position(catalog, row, closes, day=True) for row in rows
                    if row.buy_quantity or row.sell_quantity]}


def _position(catalog: Catalog, row: Position, closes: dict[str, Decimal], *, day: bool) -> Json:
    entry = catalog.by_key.get(row.symbol)
    exchange, _, tradingsymbol = row.symbol.partition(":")
    multiplier = row.multiplier
    quantity = row.buy_quantity - row.sell_quantity if day else row.quantity
    buy_price = row.buy_value / row.buy_quantity if row.buy_quantity else Decimal(0)
    sell_price = row.sell_value / row.sell_quantity if row.sell_quantity else Decimal(0)
    pnl = row.realised_pnl + row.unrealised_pnl
    return {
        "tradingsymbol": tradingsymbol, "exchange": exchange,
        "instrument_token": entry.instrument_token if entry else 0, "product": row.product.value,
        "quantity": quantity, "overnight_quantity": 0 if day else row.overnight_quantity,
        "multiplier": number(multiplier), "average_price": number(row.average_price),
        "close_price": number(closes.get(row.symbol)), "last_price": number(row.last_price),
        "value": number((row.sell_value - row.buy_value) * multiplier), "pnl": number(pnl), "m2m": number(pnl),
        "unrealised": number(row.unrealised_pnl), "realised": number(row.realised_pnl),
        "buy_quantity": row.buy_quantity, "buy_price": number(buy_price),
        "buy_value": number(row.buy_value * multiplier), "buy_m2m": number(row.buy_value * multiplier),
        "sell_quantity": row.sell_quantity, "sell_price": number(sell_price),
        "sell_value": number(row.sell_value * multiplier), "sell_m2m": number(row.sell_value * multiplier),
        "day_buy_quantity": row.buy_quantity, "day_buy_price": number(buy_price),
        "day_buy_value": number(row.buy_value * multiplier),
        "day_sell_quantity": row.sell_quantity, "day_sell_price": number(sell_price),
        "day_sell_value": number(row.sell_value * multiplier),
    }


def holding(catalog: Catalog, row: Holding, close: Decimal | None) -> Json:
    entry = catalog.by_key.get(row.symbol)
    exchange, _, tradingsymbol = row.symbol.partition(":")
    quantity = row.quantity + row.t1_quantity
    change = row.last_price - close if close else Decimal(0)
    return {
        "tradingsymbol": tradingsymbol, "exchange": exchange,
        "instrument_token": entry.instrument_token if entry else 0, "isin": row.isin or "", "product": "CNC",
        "price": 0.0, "quantity": row.quantity, "used_quantity": 0, "t1_quantity": row.t1_quantity,
        "realised_quantity": row.quantity, "authorised_quantity": 0, "authorised_date": "", "authorisation": {},
        "opening_quantity": row.quantity, "short_quantity": 0, "collateral_quantity": 0, "collateral_type": "",
        "discrepancy": False, "average_price": number(row.average_price), "last_price": number(row.last_price),
        "close_price": number(close), "pnl": number((row.last_price - row.average_price) * quantity),
        "day_change": number(change), "day_change_percentage": float(change * 100 / close) if close else 0.0,
        "mtf": {"quantity": 0, "used_quantity": 0, "average_price": 0.0, "value": 0.0, "initial_margin": 0.0},
    }


def margin_segment(funds: Funds | None) -> Json:
    """One segment of ``/user/margins``; None gives an empty (enabled) segment."""
    cash = funds.cash if funds else Decimal(0)
    used = funds.used_margin if funds else Decimal(0)
    return {
        "enabled": True, "net": number(funds.available_margin if funds else None),
        "available": {"adhoc_margin": 0.0, "cash": number(cash), "opening_balance": number(cash),
                      "live_balance": number(funds.available_margin if funds else None), "collateral": 0.0,
                      "intraday_payin": 0.0},
        "utilised": {"debits": number(used), "exposure": 0.0,
                     "m2m_realised": number(funds.realised_pnl if funds else None),
                     "m2m_unrealised": number(funds.unrealised_pnl if funds else None), "option_premium": 0.0,
                     "payout": 0.0, "span": number(used), "holding_sales": 0.0, "turnover": 0.0,
                     "liquid_collateral": 0.0, "stock_collateral": 0.0, "delivery": 0.0},
    }


def _levels(levels: list[Any]) -> list[Json]:
    rows = [{"price": number(level.price), "quantity": level.quantity, "orders": level.orders} for level in levels]
    return (rows + [{"price": 0.0, "quantity": 0, "orders": 0}] * 5)[:5]


def ohlc(quote: Quote) -> Json:
    return {"open": number(quote.open), "high": number(quote.high), "low": number(quote.low),
            "close": number(quote.close)}


def full_quote(token: int, quote: Quote) -> Json:
    change = quote.last_price - quote.close if quote.close is not None else Decimal(0)
    oi = quote.open_interest or 0
    return {
        "instrument_token": token, "timestamp": stamp(quote.timestamp), "last_trade_time": stamp(quote.last_traded_at),
        "last_price": number(quote.last_price), "last_quantity": quote.last_quantity,
        "buy_quantity": sum(level.quantity for level in quote.depth.bids),
        "sell_quantity": sum(level.quantity for level in quote.depth.asks),
        "volume": quote.volume, "average_price": number(quote.average_price), "oi": oi, "oi_day_high": oi,
        "oi_day_low": oi, "net_change": number(change), "lower_circuit_limit": number(quote.lower_circuit),
        "upper_circuit_limit": number(quote.upper_circuit), "ohlc": ohlc(quote),
        "depth": {"buy": _levels(list(quote.depth.bids)), "sell": _levels(list(quote.depth.asks))},
    }
