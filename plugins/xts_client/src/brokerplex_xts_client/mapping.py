"""XTS payloads → the unified model: small pure functions, tolerant where servers are sloppy.

Real XTS servers send numbers as strings with thousands separators (``"6,202.50"``),
``""`` or ``"NaN"`` for "no value", enums in varying case (``Buy``/``BUY``), two
families of position field names, and times in three conventions (spec sections 4.5
and 10). Everything here maps such variants; anything unreadable raises our
ProtocolError, never KeyError/ValueError/TypeError. Tolerance stops at the fields a record
cannot be without: an order's id, side, type, product, quantity, status and time; a trade's
quantity, price and time; a position's quantity; a quote's last price. Missing or null,
they are a protocol error, never a default (docs/failures.md has the policy per route).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, ParamSpec, TypeVar

from brokerplex.errors import ProtocolError
from brokerplex.instruments import IST
from brokerplex.models import (
    Funds,
    Holding,
    Order,
    OrderStatus,
    OrderType,
    Position,
    Product,
    Side,
    Trade,
    Validity,
)
from brokerplex.payloads import READ_FAILURES, unreadable

BROKER = "xts_client"
log = logging.getLogger("brokerplex.xts")

#: Exchange segment name ↔ number (spec section 9) and ↔ our exchange.
SEGMENT_IDS: dict[str, int] = {
    "NSECM": 1, "NSEFO": 2, "NSECD": 3, "BSECM": 11, "BSEFO": 12, "BSECD": 13, "MCXFO": 51,
}
SEGMENT_NAMES: dict[int, str] = {number: name for name, number in SEGMENT_IDS.items()}
SEGMENT_EXCHANGES: dict[str, str] = {
    "NSECM": "NSE", "NSEFO": "NFO", "NSECD": "CDS", "BSECM": "BSE", "BSEFO": "BFO", "BSECD": "BCD", "MCXFO": "MCX",
}
EXCHANGE_SEGMENTS: dict[str, str] = {exchange: segment for segment, exchange in SEGMENT_EXCHANGES.items()}

#: Seconds from 1970-01-01 to 1980-01-01, and IST's offset: market-data times are seconds
#: since 1980-01-01 on the IST wall clock (spec section 10).
EPOCH_1980 = 315_532_800
IST_OFFSET = 19_800

NSE_SEGMENTS = frozenset({1, 2, 3})
P = ParamSpec("P")
R = TypeVar("R")

_STATUSES: dict[str, OrderStatus] = {
    "pendingnew": OrderStatus.PENDING,
    "new": OrderStatus.OPEN,
    "open": OrderStatus.OPEN,
    "partiallyfilled": OrderStatus.OPEN,
    "pendingcancel": OrderStatus.OPEN,
    "pendingreplace": OrderStatus.OPEN,
    "replaced": OrderStatus.OPEN,
    "modified": OrderStatus.OPEN,
    "triggerpending": OrderStatus.TRIGGER_PENDING,
    "filled": OrderStatus.COMPLETE,
    "cancelled": OrderStatus.CANCELLED,
    "canceled": OrderStatus.CANCELLED,
    "rejected": OrderStatus.REJECTED,
}
_ORDER_TYPES: dict[str, OrderType] = {
    "market": OrderType.MARKET, "limit": OrderType.LIMIT,
    "stopmarket": OrderType.SL_M, "stoplimit": OrderType.SL,
    "sl-m": OrderType.SL_M, "slm": OrderType.SL_M, "sl": OrderType.SL,
}
#: Our order type → the request spelling XTS documents.
XTS_ORDER_TYPES: dict[OrderType, str] = {
    OrderType.MARKET: "MARKET", OrderType.LIMIT: "LIMIT", OrderType.SL_M: "STOPMARKET", OrderType.SL: "STOPLIMIT",
}
# XTS products outside our three: cover/bracket legs are intraday, MTF is delivery.
_PRODUCTS: dict[str, Product] = {
    "cnc": Product.CNC, "mis": Product.MIS, "nrml": Product.NRML,
    "co": Product.MIS, "bo": Product.MIS, "mtf": Product.CNC,
}


# -- scalars ------------------------------------------------------------------------------------
def decimal(value: Any, default: Decimal | None = None) -> Decimal | None:
    """A money value as sent: number, numeric string with separators, ``""``/``"NaN"``/None = default."""
    if value is None or isinstance(value, bool):
        return default
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return default if value != value else Decimal(repr(value))  # NaN compares unequal to itself
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text or text.lower() in ("nan", "null", "none", "-"):
            return default
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ProtocolError(f"XTS sent {value!r} where a number belongs", broker=BROKER) from None
        return number if number.is_finite() else default
    raise ProtocolError(f"XTS sent {type(value).__name__} where a number belongs", broker=BROKER)


def money(value: Any) -> Decimal:
    """Like :func:`decimal`, with 0 for "no value"."""
    found = decimal(value, Decimal(0))
    assert found is not None
    return found


def integer(value: Any, default: int = 0) -> int:
    """A quantity: int, float or numeric string (``"1,500"``, ``"-75"``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = decimal(value)
    if number is None:
        return default
    if number != number.to_integral_value():
        raise ProtocolError(f"XTS sent {value!r} where a whole quantity belongs", broker=BROKER)
    return int(number)


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def pick(record: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` present in ``record`` (servers spell some fields two ways)."""
    for name in names:
        if name in record:
            return record[name]
    return None


def required(record: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` that ``record`` carries with a value; ProtocolError if it has none."""
    value = pick(record, *names)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ProtocolError(f"XTS sent a record without {names[0]}", broker=BROKER)
    return value


def readable(what: str, payload: int = 0) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Whatever reading the payload (positional argument ``payload``) raises leaves as ProtocolError with an
    excerpt of it."""
    def wrap(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except ProtocolError as exc:
                raise unreadable(BROKER, what, args[payload], exc) from None
            except READ_FAILURES as exc:
                raise unreadable(BROKER, what, args[payload], exc) from None
        return guarded
    return wrap


def utc_time(seconds: int | None) -> dt.datetime | None:
    """Epoch seconds as a UTC datetime; a time no calendar holds is a ProtocolError."""
    if seconds is None:
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise ProtocolError(f"XTS sent a time out of range ({seconds})", broker=BROKER) from None


# -- enums --------------------------------------------------------------------------------------
def _enum(table: Mapping[str, Any], value: Any, what: str) -> Any:
    key = text(value).lower().replace(" ", "").replace("_", "")
    found = table.get(key)
    if found is None:
        raise ProtocolError(f"XTS sent an unknown {what} {value!r}", broker=BROKER)
    return found


def side(value: Any) -> Side:
    result: Side = _enum({"buy": Side.BUY, "sell": Side.SELL, "b": Side.BUY, "s": Side.SELL}, value, "order side")
    return result


def order_type(value: Any) -> OrderType:
    result: OrderType = _enum(_ORDER_TYPES, value, "order type")
    return result


def product(value: Any) -> Product:
    result: Product = _enum(_PRODUCTS, value, "product")
    return result


def validity(value: Any) -> Validity:
    return Validity.IOC if text(value).upper() == "IOC" else Validity.DAY


def order_status(value: Any, kind: OrderType) -> OrderStatus:
    """Map an OrderStatus; a stop order still in ``New`` has not triggered yet (spec section 9)."""
    key = text(value).lower().replace(" ", "")
    status = _STATUSES.get(key, OrderStatus.PENDING)  # an unknown state is an unfinished one
    if key == "new" and kind in (OrderType.SL, OrderType.SL_M):
        return OrderStatus.TRIGGER_PENDING
    return status


# -- times --------------------------------------------------------------------------------------
def interactive_time(value: Any) -> dt.datetime | None:
    """Interactive times: ``2020-12-30T12:21:41.1823828`` (IST, 7 digits), ISO with offset, or
    ``30-12-2020 12:21:41`` (the ``*API`` fields). None for empty and the 1980 "no date"."""
    raw = text(value)
    if not raw or raw.startswith(("1980-01-01", "01-01-1980")):
        return None
    try:
        if raw[2:3] == "-" and raw[5:6] == "-":
            moment = dt.datetime.strptime(raw[:19], "%d-%m-%Y %H:%M:%S")
        else:
            head, dot, fraction = raw.partition(".")
            zone = ""
            for sign in ("+", "Z"):
                if sign in fraction:
                    fraction, zone = fraction.split(sign, 1)[0], sign + fraction.split(sign, 1)[1]
            moment = dt.datetime.fromisoformat(head + (f".{fraction[:6]}" if dot and fraction else "") + zone)
    except ValueError:
        raise ProtocolError(f"XTS sent an unreadable time {raw!r}", broker=BROKER) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=IST)


def market_time(value: Any, segment: int = 1) -> int | None:
    """A market-data time (seconds since 1980-01-01 on the IST clock) as a UTC epoch.

    NSE segments count from 1980, others from 1970 (spec section 10, as NM parses them)."""
    seconds = integer(value, 0)
    if seconds <= 0:
        return None
    return seconds + (EPOCH_1980 if segment in NSE_SEGMENTS else 0) - IST_OFFSET


def ist_epoch_to_utc(seconds: int) -> dt.datetime:
    """OHLC and 1505 bar times: seconds since 1970 on the IST wall clock."""
    return dt.datetime.fromtimestamp(seconds - IST_OFFSET, dt.UTC)


# -- records ------------------------------------------------------------------------------------
@readable("record", payload=3)
def record_symbol(resolve: Callable[[int, int], str | None], segment: Any, instrument: Any,
                  record: Mapping[str, Any]) -> str:
    """The canonical symbol of a record; for a contract missing from the master, a readable stand-in.

    A record must say where it trades: a missing or unknown segment, or no instrument id, is unreadable."""
    seg = segment if isinstance(segment, int) and not isinstance(segment, bool) else SEGMENT_IDS.get(
        text(segment).upper())
    if seg not in SEGMENT_NAMES:
        raise ProtocolError(f"XTS sent a record with exchange segment {segment!r}", broker=BROKER)
    ident = integer(instrument, 0)
    if ident <= 0:
        raise ProtocolError(f"XTS sent a record with instrument id {instrument!r}", broker=BROKER)
    if (found := resolve(seg, ident)) is not None:
        return found
    name = text(record.get("TradingSymbol")) or str(ident)
    return f"{SEGMENT_EXCHANGES[SEGMENT_NAMES[seg]]}:{name}"


@readable("order record")
def order(record: Mapping[str, Any], symbol: str, client_code: str | None = None) -> Order:
    """One order record (order book, history, ``order`` event); ``client_code``: a dealer's client."""
    kind = order_type(required(record, "OrderType"))
    quantity = integer(required(record, "OrderQuantity"))
    filled = integer(record.get("CumulativeQuantity"))
    status = order_status(required(record, "OrderStatus"), kind)
    leaves = integer(record.get("LeavesQuantity"), quantity - filled)
    placed = interactive_time(required(record, "OrderGeneratedDateTime", "OrderGeneratedDateTimeAPI"))
    if placed is None:
        raise ProtocolError("XTS sent an order without the time it was placed", broker=BROKER)
    updated = interactive_time(pick(record, "LastUpdateDateTime", "LastUpdateDateTimeAPI")) or placed
    average = decimal(record.get("OrderAverageTradedPrice"))
    if average is None:
        average = decimal(record.get("OrderAverageTradedPriceAPI"))
    unique = text(record.get("OrderUniqueIdentifier"))
    return Order(
        order_id=str(order_number(record.get("AppOrderID"))),
        client_order_id=unique or None,
        exchange_order_id=text(record.get("ExchangeOrderID")) or None,
        symbol=symbol,
        side=side(required(record, "OrderSide")),
        order_type=kind,
        product=product(required(record, "ProductType")),
        validity=validity(record.get("TimeInForce")),
        quantity=quantity,
        filled_quantity=filled,
        pending_quantity=0 if status.is_final else max(leaves, 0),
        cancelled_quantity=quantity - filled if status in (OrderStatus.CANCELLED, OrderStatus.REJECTED) else 0,
        disclosed_quantity=integer(record.get("OrderDisclosedQuantity")),
        price=decimal(record.get("OrderPrice")) or None,
        trigger_price=decimal(record.get("OrderStopPrice")) or None,
        average_price=average or None,
        status=status,
        status_message=text(record.get("CancelRejectReason")) or None,
        placed_at=placed,
        updated_at=updated,
        client_code=client_code,
    )


def order_number(value: Any) -> int:
    """An AppOrderID: a positive number, never a default."""
    number = integer(value, 0)
    if number <= 0:
        raise ProtocolError(f"XTS sent AppOrderID {value!r}, which is not an order number", broker=BROKER)
    return number


@readable("trade record")
def trade(record: Mapping[str, Any], symbol: str, client_code: str | None = None) -> Trade:
    when = interactive_time(required(record, "LastExecutionTransactTime", "LastExecutionTransactTimeAPI",
                                     "ExchangeTransactTime", "LastUpdateDateTime"))
    if when is None:
        raise ProtocolError("XTS sent a trade without its time", broker=BROKER)
    return Trade(
        trade_id=text(required(record, "ExecutionID", "ExecutionReportIndex")),  # the broker's own id
        order_id=str(order_number(record.get("AppOrderID"))),
        symbol=symbol,
        side=side(required(record, "OrderSide")),
        product=product(required(record, "ProductType")),
        quantity=integer(required(record, "LastTradedQuantity", "CumulativeQuantity")),
        price=money(required(record, "LastTradedPrice", "OrderAverageTradedPrice")),
        filled_at=when,
        exchange_order_id=text(record.get("ExchangeOrderID")) or None,
        client_code=client_code,
    )


@readable("position")
def position(record: Mapping[str, Any], symbol: str, client_code: str | None = None) -> Position:
    """A position in either field family: REST (``OpenBuyQuantity``, ``Quantity``, ``BuyAmount``)
    or socket/older REST (``LongPosition``, ``NetPosition``, ``BuyValue``)."""
    net = integer(required(record, "Quantity", "NetPosition"))
    buy_average, sell_average = money(record.get("BuyAveragePrice")), money(record.get("SellAveragePrice"))
    average = buy_average if net > 0 else sell_average if net < 0 else Decimal(0)
    unrealised = money(record.get("UnrealizedMTM"))
    multiplier = decimal(record.get("Multiplier"), Decimal(1)) or Decimal(1)
    # XTS positions carry no last price; the open position's MTM implies it: (ltp - avg) × qty.
    last = average + unrealised / (net * multiplier) if net and average else Decimal(0)
    return Position(
        symbol=symbol,
        product=product(required(record, "ProductType")),
        quantity=net,
        buy_quantity=integer(pick(record, "OpenBuyQuantity", "LongPosition")),
        buy_value=money(pick(record, "BuyAmount", "BuyValue")),
        sell_quantity=integer(pick(record, "OpenSellQuantity", "ShortPosition")),
        sell_value=money(pick(record, "SellAmount", "SellValue")),
        average_price=average,
        last_price=last.quantize(Decimal("0.01")) if last else last,
        realised_pnl=money(record.get("RealizedMTM")),
        unrealised_pnl=unrealised,
        multiplier=multiplier,
        client_code=client_code,
    )


def holdings(result: Any, resolve: Callable[[int, int], str | None], client_code: str | None = None) -> list[Holding]:
    """``{RMSHoldings: {Holdings: {ISIN: {...}}}}`` (current) or ``{RMSHoldingList: [...]}`` (old).

    A holding that cannot be read is left out with a warning; the others are still shown."""
    nested = result.get("RMSHoldings") if isinstance(result, Mapping) else None
    items: Sequence[Any]
    if isinstance(nested, Mapping) and isinstance(nested.get("Holdings"), Mapping):
        items = list(nested["Holdings"].values())
    elif isinstance(result, Mapping) and isinstance(result.get("RMSHoldingList"), list):
        items = result["RMSHoldingList"]
    else:
        raise unreadable(BROKER, "holdings reply", result, KeyError("RMSHoldings"))
    found = []
    for item in items:
        try:
            found.append(holding(item, resolve, client_code))
        except ProtocolError as exc:
            log.warning("skipped a holding: %s", exc)
    return found


@readable("holding")
def holding(item: Mapping[str, Any], resolve: Callable[[int, int], str | None], client_code: str | None) -> Holding:
    return Holding(
        symbol=_holding_symbol(item, resolve), quantity=integer(required(item, "HoldingQuantity")),
        average_price=money(required(item, "BuyAvgPrice")), last_price=money(item.get("MarketRate")),
        isin=text(item.get("ISIN")) or None, client_code=client_code,
    )


def _holding_symbol(item: Mapping[str, Any], resolve: Callable[[int, int], str | None]) -> str:
    for segment, key in ((1, "ExchangeNSEInstrumentId"), (11, "ExchangeBSEInstrumentId")):
        ident = integer(item.get(key), 0)
        if ident > 0 and (symbol := resolve(segment, ident)) is not None:
            return symbol
    return f"NSE:{text(item.get('ISIN')) or '?'}"


@readable("balance")
def funds(result: Any) -> Funds:
    """``{BalanceList: [{limitHeader, limitObject: {RMSSubLimits, …}}]}``: the ALL|ALL|ALL entry."""
    entries = result.get("BalanceList") if isinstance(result, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise ProtocolError("XTS sent a balance without BalanceList", broker=BROKER)
    chosen = next((e for e in entries if isinstance(e, Mapping) and text(e.get("limitHeader")) == "ALL|ALL|ALL"),
                  entries[0])
    limits = chosen.get("limitObject") if isinstance(chosen, Mapping) else None
    sub = limits.get("RMSSubLimits") if isinstance(limits, Mapping) else None
    if not isinstance(sub, Mapping):
        raise ProtocolError("XTS sent a balance without RMSSubLimits", broker=BROKER)
    return Funds(
        cash=money(required(sub, "cashAvailable")),
        available_margin=money(required(sub, "netMarginAvailable")),
        used_margin=money(required(sub, "marginUtilized")),
        realised_pnl=money(sub.get("RealizedMTM")),
        unrealised_pnl=money(sub.get("UnrealizedMTM")),
    )
