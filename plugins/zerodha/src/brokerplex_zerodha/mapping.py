"""Kite Connect payloads ↔ brokerplex models: small pure functions over plain data.

Each ``*_from_kite`` takes what the official client returns (its dates already turned
into naive IST datetimes, or still strings) and tolerates missing or ``None`` fields
that Kite leaves out — but never the ones a record cannot be without (an order's id,
quantity, side, type, product, status and time; a trade's quantity and price; a position's
quantity and last price; the equity segment of margins): missing or null, those are a
protocol error, never a default. A payload that cannot be read raises :class:`ProtocolError`,
never KeyError or ValueError, so a malformed reply never looks like a bug of ours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from brokerplex.errors import ProtocolError
from brokerplex.instruments import IST
from brokerplex.models import (
    Depth,
    DepthLevel,
    Exchange,
    Funds,
    Holding,
    Order,
    OrderModify,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Product,
    Profile,
    Quote,
    Side,
    Trade,
    Validity,
    Variety,
)
from brokerplex.payloads import READ_FAILURES, unreadable
from brokerplex_zerodha.errors import BROKER as BROKER  # re-exported: mapping is where callers look

T = TypeVar("T")
Payload = Mapping[str, Any]

# Kite's transient states, folded into ours. An order being modified or cancelled is still
# live at the exchange (OPEN); one not yet accepted by it is PENDING.
_STATUSES: dict[str, OrderStatus] = {
    "OPEN": OrderStatus.OPEN,
    "TRIGGER PENDING": OrderStatus.TRIGGER_PENDING,
    "COMPLETE": OrderStatus.COMPLETE,
    "CANCELLED": OrderStatus.CANCELLED,
    "CANCELLED AMO": OrderStatus.CANCELLED,
    "REJECTED": OrderStatus.REJECTED,
    "PUT ORDER REQ RECEIVED": OrderStatus.PENDING,
    "AMO REQ RECEIVED": OrderStatus.PENDING,
    "VALIDATION PENDING": OrderStatus.PENDING,
    "OPEN PENDING": OrderStatus.PENDING,
    "MODIFY VALIDATION PENDING": OrderStatus.OPEN,
    "MODIFY PENDING": OrderStatus.OPEN,
    "MODIFIED": OrderStatus.OPEN,
    "CANCEL PENDING": OrderStatus.OPEN,
    "TRIGGER PENDING MODIFY": OrderStatus.TRIGGER_PENDING,
}
_OWN_WORDS = frozenset({"OPEN", "TRIGGER PENDING", "COMPLETE", "CANCELLED", "REJECTED"})
# Products outside our three: cover/bracket legs are intraday, margin trading is delivery.
_PRODUCTS: dict[str, Product] = {"CNC": Product.CNC, "MIS": Product.MIS, "NRML": Product.NRML,
                                  "CO": Product.MIS, "BO": Product.MIS, "MTF": Product.CNC}
_VARIETIES: dict[str, Variety] = {v.value: v for v in Variety} | {"auction": Variety.REGULAR, "bo": Variety.REGULAR}
_VALIDITIES: dict[str, Validity] = {"DAY": Validity.DAY, "IOC": Validity.IOC, "TTL": Validity.DAY}


def guarded(what: str, payload: object, build: Callable[[], T]) -> T:
    """Run a mapping, turning any failure to read ``payload`` into ProtocolError with an excerpt of it."""
    try:
        return build()
    except ProtocolError as exc:
        raise unreadable(BROKER, f"{what} from Kite", payload, exc) from None
    except READ_FAILURES as exc:  # pydantic's ValidationError is a ValueError
        raise unreadable(BROKER, f"{what} from Kite", payload, exc) from None


def required(raw: Payload, name: str) -> Any:
    """A field a record cannot be without: missing, null or empty is unreadable, never a default."""
    value = raw.get(name)
    if value is None or value == "":
        raise KeyError(name)
    return value


# -- scalars --------------------------------------------------------------------------------


def money(value: Any) -> Decimal:
    """A JSON number as an exact Decimal: through repr, so 1412.95 stays 1412.95."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def price_or_none(value: Any) -> Decimal | None:
    """Kite writes 0 for 'no price' (market orders, untriggered stops)."""
    price = money(value)
    return price if price else None


def count(value: Any) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"{value!r} is not a whole number")
    return int(value)


def timestamp(value: Any) -> dt.datetime | None:
    """A Kite time: a naive IST datetime (as the client converts it) or ``yyyy-mm-dd hh:mm:ss``."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=IST) if value.tzinfo is None else value
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value.replace("T", " ")).replace(tzinfo=IST)
    raise ValueError(f"{value!r} is not a timestamp")


def kite_symbol(exchange: Any, tradingsymbol: Any) -> str:
    if not isinstance(exchange, str) or not isinstance(tradingsymbol, str) or not exchange or not tradingsymbol:
        raise ValueError(f"no exchange/tradingsymbol in {exchange!r}:{tradingsymbol!r}")
    return f"{exchange}:{tradingsymbol}"


def order_status(raw: Payload) -> OrderStatus:
    text = raw.get("status")
    if not isinstance(text, str) or not text:
        raise ValueError(f"order status {text!r}")
    status = _STATUSES.get(text.upper())
    if status is not None:
        return status
    # Postbacks say UPDATE for a modification or a partial fill; other new words are treated
    # the same way: the quantities tell whether the order is still working.
    if count(raw.get("pending_quantity")) > 0:
        return OrderStatus.OPEN
    return OrderStatus.COMPLETE if count(raw.get("filled_quantity")) == count(raw.get("quantity")) else OrderStatus.OPEN


# -- reads ----------------------------------------------------------------------------------


def order_from_kite(raw: Payload) -> Order:
    return guarded("order", raw, lambda: _order(raw))


def _order(raw: Payload) -> Order:
    placed = timestamp(raw.get("order_timestamp")) or timestamp(raw.get("exchange_timestamp"))
    if placed is None:
        raise ValueError("order without order_timestamp")
    updated = (timestamp(raw.get("exchange_update_timestamp")) or timestamp(raw.get("exchange_timestamp"))
               or placed)
    tag = raw.get("tag") or None
    return Order(
        order_id=order_id(raw.get("order_id")),
        client_order_id=tag if isinstance(tag, str) else None,
        exchange_order_id=str(raw["exchange_order_id"]) if raw.get("exchange_order_id") else None,
        symbol=kite_symbol(raw.get("exchange"), raw.get("tradingsymbol")),
        side=Side(raw["transaction_type"]),
        order_type=OrderType(raw["order_type"]),
        product=_PRODUCTS[raw["product"]],
        validity=_VALIDITIES.get(raw.get("validity") or "DAY", Validity.DAY),
        variety=_VARIETIES.get(raw.get("variety") or "regular", Variety.REGULAR),
        quantity=count(required(raw, "quantity")),
        filled_quantity=count(raw.get("filled_quantity")),
        pending_quantity=count(raw.get("pending_quantity")),
        cancelled_quantity=count(raw.get("cancelled_quantity")),
        disclosed_quantity=count(raw.get("disclosed_quantity")),
        price=price_or_none(raw.get("price")),
        trigger_price=price_or_none(raw.get("trigger_price")),
        average_price=price_or_none(raw.get("average_price")),
        status=order_status(raw),
        status_message=raw.get("status_message") or _step(raw.get("status")),
        placed_at=placed,
        updated_at=updated,
    )


def order_id(value: Any) -> str:
    """Kite's order id: a non-empty string or number, never "None"."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise ValueError(f"order_id {value!r}")
    return str(value).strip()


def _step(status: Any) -> str | None:
    """Kite's word for a step we fold into OPEN or PENDING (``MODIFY PENDING``…), so that the rows of an order's
    history stay told apart."""
    if isinstance(status, str) and status.upper() not in _OWN_WORDS:
        return status.lower()
    return None


def trade_from_kite(raw: Payload) -> Trade:
    return guarded("trade", raw, lambda: _trade(raw))


def _trade(raw: Payload) -> Trade:
    filled = timestamp(raw.get("fill_timestamp")) or timestamp(raw.get("exchange_timestamp"))
    if filled is None:
        raise ValueError("trade without fill_timestamp")
    return Trade(
        trade_id=str(required(raw, "trade_id")),
        order_id=order_id(raw.get("order_id")),
        symbol=kite_symbol(raw.get("exchange"), raw.get("tradingsymbol")),
        side=Side(raw["transaction_type"]),
        product=_PRODUCTS[raw["product"]],
        quantity=count(required(raw, "quantity")),
        price=money(required(raw, "average_price")),
        filled_at=filled,
        exchange_order_id=str(raw["exchange_order_id"]) if raw.get("exchange_order_id") else None,
    )


def positions_from_kite(raw: Payload) -> list[Position]:
    """The ``net`` book: one row per symbol and product, overnight included."""
    def build() -> list[Position]:
        rows = raw["net"]  # missing is unreadable, not "no positions"
        if not isinstance(rows, list):
            raise TypeError("positions.net is not a list")
        return [_position(row) for row in rows]

    return guarded("positions", raw, build)


def _position(raw: Payload) -> Position:
    return Position(
        symbol=kite_symbol(raw.get("exchange"), raw.get("tradingsymbol")),
        product=_PRODUCTS[raw["product"]],
        quantity=count(required(raw, "quantity")),
        overnight_quantity=count(raw.get("overnight_quantity")),
        buy_quantity=count(raw.get("buy_quantity")),
        buy_value=money(raw.get("buy_value")),
        sell_quantity=count(raw.get("sell_quantity")),
        sell_value=money(raw.get("sell_value")),
        average_price=money(required(raw, "average_price")),
        last_price=money(required(raw, "last_price")),
        realised_pnl=money(raw.get("realised")),
        unrealised_pnl=money(raw.get("unrealised")),
        multiplier=money(raw.get("multiplier")) or Decimal(1),
    )


def holding_from_kite(raw: Payload) -> Holding:
    return guarded("holding", raw, lambda: Holding(
        symbol=kite_symbol(raw.get("exchange"), raw.get("tradingsymbol")),
        quantity=count(required(raw, "quantity")),
        t1_quantity=count(raw.get("t1_quantity")),
        average_price=money(required(raw, "average_price")),
        last_price=money(required(raw, "last_price")),
        isin=raw.get("isin") or None,
    ))


def funds_from_kite(raw: Payload) -> Funds:
    """The equity segment of ``/user/margins`` (or the segment itself, from ``/user/margins/equity``)."""
    def build() -> Funds:
        segment = raw if "net" in raw and "equity" not in raw else raw["equity"]
        available, utilised = required(segment, "available"), required(segment, "utilised")
        return Funds(
            cash=money(required(available, "cash")),
            available_margin=money(required(segment, "net")),
            used_margin=money(required(utilised, "debits")),
            realised_pnl=money(utilised.get("m2m_realised")),
            unrealised_pnl=money(utilised.get("m2m_unrealised")),
        )

    return guarded("funds", raw, build)


def _levels(raw: Any) -> list[DepthLevel]:
    # Kite pads the five levels with zeros where the book is thinner: those are no levels.
    return [DepthLevel(price=money(level.get("price")), quantity=count(level.get("quantity")),
                       orders=count(level.get("orders")))
            for level in raw or () if level.get("price") and level.get("quantity")]


def quote_from_kite(symbol: str, raw: Payload) -> Quote:
    """One value of ``/quote`` (full), ``/quote/ohlc`` or ``/quote/ltp``: fields absent stay unset."""
    def build() -> Quote:
        ohlc = raw.get("ohlc") or {}
        depth = raw.get("depth") or {}
        return Quote(
            symbol=symbol,
            last_price=money(required(raw, "last_price")),
            last_quantity=count(raw.get("last_quantity")),
            last_traded_at=timestamp(raw.get("last_trade_time")),
            volume=count(raw.get("volume")),
            average_price=price_or_none(raw.get("average_price")),
            open=price_or_none(ohlc.get("open")),
            high=price_or_none(ohlc.get("high")),
            low=price_or_none(ohlc.get("low")),
            close=price_or_none(ohlc.get("close")),
            open_interest=count(raw["oi"]) if raw.get("oi") is not None else None,
            lower_circuit=price_or_none(raw.get("lower_circuit_limit")),
            upper_circuit=price_or_none(raw.get("upper_circuit_limit")),
            depth=Depth(bids=_levels(depth.get("buy")), asks=_levels(depth.get("sell"))),
            timestamp=timestamp(raw.get("timestamp")),
        )

    return guarded(f"quote of {symbol}", raw, build)


def profile_from_kite(raw: Payload, broker: str = BROKER) -> Profile:
    def build() -> Profile:
        exchanges = [Exchange(e) for e in raw.get("exchanges") or () if e in Exchange.__members__]
        products = [Product(p) for p in raw.get("products") or () if p in Product.__members__]
        return Profile(user_id=str(raw["user_id"]), name=raw.get("user_name") or "", email=raw.get("email") or None,
                       broker=broker, exchanges=exchanges, products=products)

    return guarded("profile", raw, build)


@dataclass(frozen=True, slots=True)
class Candle:
    at: dt.datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    open_interest: int | None = None


def candle_from_kite(raw: Payload) -> Candle:
    """One candle as the client returns it (``date`` already a datetime; ``oi`` when asked for)."""
    def build() -> Candle:
        at = raw["date"]
        moment = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
        oi = raw.get("oi")
        return Candle(moment, money(raw["open"]), money(raw["high"]), money(raw["low"]), money(raw["close"]),
                      count(raw.get("volume")), None if oi is None else count(oi))

    return guarded("candle", raw, build)


# -- writes ---------------------------------------------------------------------------------


def _wire_price(value: Decimal | None) -> str | None:
    # Sent as text so the exact Decimal reaches the server (the client str()s what it gets).
    return None if value is None else format(value.normalize(), "f")


def place_params(request: OrderRequest) -> dict[str, Any]:
    """Keyword arguments of ``KiteConnect.place_order`` for a validated request (canonical symbols
    are Kite's own ``EXCHANGE:TRADINGSYMBOL``)."""
    exchange, _, tradingsymbol = request.symbol.partition(":")
    params: dict[str, Any] = {
        "variety": request.variety.value,
        "exchange": exchange,
        "tradingsymbol": tradingsymbol,
        "transaction_type": request.side.value,
        "quantity": request.quantity,
        "product": request.resolved_product.value,
        "order_type": request.order_type.value,
        "price": _wire_price(request.price),
        "trigger_price": _wire_price(request.trigger_price),
        "validity": request.validity.value,
        "disclosed_quantity": request.disclosed_quantity or None,
        "tag": request.client_order_id,
    }
    if request.variety is Variety.ICEBERG:
        # Kite slices an iceberg into 2-10 legs; without a leg size we ask for the fewest legs.
        params["iceberg_legs"] = 2
        params["iceberg_quantity"] = -(-request.quantity // 2)
    return params


def modify_params(changes: OrderModify) -> dict[str, Any]:
    return {
        "quantity": changes.quantity,
        "price": _wire_price(changes.price),
        "trigger_price": _wire_price(changes.trigger_price),
        "order_type": changes.order_type.value if changes.order_type else None,
        "validity": changes.validity.value if changes.validity else None,
    }
