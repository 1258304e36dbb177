"""XTS payloads → the unified model: small pure functions, tolerant where servers are sloppy.

Real XTS servers send numbers as strings with thousands separators (``"6,202.50"``),
``""`` or ``"NaN"`` for "no value", enums in varying case (``Buy``/``BUY``), two
families of position field names, and times in three conventions (spec sections 4.5
and 10). Everything here maps such variants; anything unreadable raises our
ProtocolError, never KeyError/ValueError/TypeError. Tolerance stops at the fields a record
cannot be without: an order's id, side, type, product, quantity, status and time; a trade's
quantity, price and time; a position's quantity; a quote's last price. Missing or null,
they are a protocol error, never a default (docs/failures.md has the policy per route). Values are
read by :mod:`brokerplex.wire` once XTS's spellings are undone (:func:`_plain`), and an unknown word
(a status above all) is a ProtocolError, never PENDING.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from brokerplex import wire
from brokerplex.errors import ProtocolError
from brokerplex.formats import IST
from brokerplex.models import (
    Funds,
    Holding,
    Order,
    OrderModify,
    OrderStatus,
    OrderType,
    Position,
    Product,
    Side,
    Trade,
    Validity,
    Variety,
)

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

STATUSES = wire.Words("XTS order status", {
    "PendingNew": OrderStatus.PENDING,
    "New": OrderStatus.OPEN,
    "Open": OrderStatus.OPEN,
    "PartiallyFilled": OrderStatus.OPEN,
    "PendingCancel": OrderStatus.OPEN,
    "PendingReplace": OrderStatus.OPEN,
    "Replaced": OrderStatus.OPEN,
    "Modified": OrderStatus.OPEN,
    "TriggerPending": OrderStatus.TRIGGER_PENDING,
    "Filled": OrderStatus.COMPLETE,
    "Cancelled": OrderStatus.CANCELLED,
    "Canceled": OrderStatus.CANCELLED,
    "Rejected": OrderStatus.REJECTED,
})
SIDES = wire.Words("order side", {"Buy": Side.BUY, "Sell": Side.SELL, "B": Side.BUY, "S": Side.SELL})
ORDER_TYPES = wire.Words("order type", {
    "Market": OrderType.MARKET, "Limit": OrderType.LIMIT, "StopMarket": OrderType.SL_M, "StopLimit": OrderType.SL,
    "SL-M": OrderType.SL_M, "SL": OrderType.SL,
})
#: Our order type → the request spelling XTS documents.
XTS_ORDER_TYPES: dict[OrderType, str] = {
    OrderType.MARKET: "MARKET", OrderType.LIMIT: "LIMIT", OrderType.SL_M: "STOPMARKET", OrderType.SL: "STOPLIMIT",
}
# XTS products outside our three: cover/bracket legs are intraday, MTF is delivery.
PRODUCTS = wire.Words("product", {"CNC": Product.CNC, "MIS": Product.MIS, "NRML": Product.NRML,
                                  "CO": Product.MIS, "BO": Product.MIS, "MTF": Product.CNC})
VALIDITIES = wire.Words("validity", {"DAY": Validity.DAY, "IOC": Validity.IOC})


#: ProductType of cover and bracket legs → our variety (their product is MIS).
LINKED_VARIETIES: dict[str, Variety] = {"CO": Variety.CO, "BO": Variety.BO}


def variety(product: Any) -> Variety:
    """Cover and bracket legs carry ProductType CO or BO: our variety co or bo, so that a modify can say it
    again and a cancel takes the cover or bracket route."""
    return LINKED_VARIETIES.get(product.strip().upper(), Variety.REGULAR) if isinstance(product, str) \
        else Variety.REGULAR


def parent_order_id(record: Mapping[str, Any], order_id: int) -> str | None:
    """The entry a cover or bracket leg belongs to (``BoEntryOrderId``; the entry names itself, [I] for
    cover legs): None for the entry and for ordinary orders."""
    raw = _plain(record.get("BoEntryOrderId"))
    if raw in (None, "", 0, "0"):
        return None
    parent = order_number(raw)
    return None if parent == order_id else str(parent)


def modify_body(app_order_id: int, order: Order, changes: OrderModify) -> dict[str, Any]:
    """``PUT /orders``: XTS restates every field, so the current order fills in what ``changes`` leaves."""
    kind = changes.order_type or order.order_type
    price = changes.price if changes.price is not None else order.price or Decimal(0)
    trigger = changes.trigger_price if changes.trigger_price is not None else order.trigger_price or Decimal(0)
    if kind in (OrderType.MARKET, OrderType.SL_M):
        price = Decimal(0)  # a market order carries no limit price, even if it had one before
    if kind in (OrderType.MARKET, OrderType.LIMIT):
        trigger = Decimal(0)
    return {
        "appOrderID": app_order_id,
        "modifiedProductType": order.variety.value.upper() if order.variety in (Variety.CO, Variety.BO)
        else order.product.value,
        "modifiedOrderType": XTS_ORDER_TYPES[kind],
        "modifiedOrderQuantity": changes.quantity or order.quantity,
        "modifiedDisclosedQuantity": order.disclosed_quantity,
        "modifiedLimitPrice": float(price),
        "modifiedStopPrice": float(trigger),
        "modifiedTimeInForce": (changes.validity or order.validity).value,
        "orderUniqueIdentifier": order.client_order_id or "",
    }
_NO_VALUE = frozenset({"nan", "null", "none", "-"})


# -- scalars ------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A number as XTS may spell it (``"6,202.50"``; ``"NaN"``, ``"-"`` for no value) as wire reads one."""
    if isinstance(value, str):
        value = value.replace(",", "").strip()
        if value.lower() in _NO_VALUE:
            return None
    return value


def decimal(value: Any, name: str) -> Decimal | None:
    """An amount in any XTS spelling; None for no value."""
    return wire.decimal(_plain(value), name, None)


def amount_or_zero(value: Any, name: str) -> Decimal:
    """Like :func:`decimal`, with 0 for no value (optional amounts: P&L, turnover)."""
    return wire.decimal(_plain(value), name, Decimal(0))


def amount(value: Any, name: str) -> Decimal:
    """An amount that must be there (a candle's prices): no value is a ProtocolError, never 0."""
    return wire.decimal(_plain(value), name)


def integer(value: Any, name: str, default: int = 0) -> int:
    """A quantity: int, float or numeric string (``"1,500"``, ``"-75"``); ``default`` for no value."""
    return wire.whole(_plain(value), name, default)


def quantity(value: Any, name: str) -> int:
    """A quantity a record cannot be without: no value is a ProtocolError."""
    return wire.whole(_plain(value), name)


def utc_time(seconds: int | None) -> dt.datetime | None:
    """Epoch seconds as a UTC datetime; a time no calendar holds is a ProtocolError."""
    if seconds is None:
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise ProtocolError(f"XTS sent a time out of range ({seconds})", broker=BROKER) from None


def order_status(value: Any, kind: OrderType) -> OrderStatus:
    """Map an OrderStatus; a stop order still in ``New`` has not triggered yet (spec section 9)."""
    status = STATUSES(value)
    if status is OrderStatus.OPEN and wire.text(value, "OrderStatus").lower() == "new" and kind in (
            OrderType.SL, OrderType.SL_M):
        return OrderStatus.TRIGGER_PENDING
    return status


# -- times --------------------------------------------------------------------------------------
def interactive_time(value: Any) -> dt.datetime | None:
    """Interactive times: ``2020-12-30T12:21:41.1823828`` (IST, 7 digits), ISO with offset, or
    ``30-12-2020 12:21:41`` (the ``*API`` fields). None for empty and the 1980 "no date"."""
    raw = wire.text(value, "time", "")
    if not raw or raw.startswith(("1980-01-01", "01-01-1980")):
        return None
    if raw[2:3] == "-" and raw[5:6] == "-":
        try:
            return dt.datetime.strptime(raw[:19], "%d-%m-%Y %H:%M:%S").replace(tzinfo=IST)
        except ValueError:
            raise ProtocolError(f"XTS sent an unreadable time {raw[:40]!r}", broker=BROKER) from None
    return wire.moment(raw, "time")


def market_time(value: Any, segment: int = 1) -> int | None:
    """A market-data time (seconds since 1980-01-01 on the IST clock) as a UTC epoch.

    NSE segments count from 1980, others from 1970 (spec section 10, as NM parses them)."""
    seconds = integer(value, "time")
    if seconds <= 0:
        return None
    return seconds + (EPOCH_1980 if segment in NSE_SEGMENTS else 0) - IST_OFFSET


def ist_epoch_to_utc(seconds: int) -> dt.datetime:
    """OHLC and 1505 bar times: seconds since 1970 on the IST wall clock."""
    return dt.datetime.fromtimestamp(seconds - IST_OFFSET, dt.UTC)


# -- records ------------------------------------------------------------------------------------
def segment_id(segment: Any) -> int | None:
    """An exchange segment, by number or name; None for one XTS does not list."""
    if isinstance(segment, int) and not isinstance(segment, bool):
        return segment if segment in SEGMENT_NAMES else None
    return SEGMENT_IDS.get(segment.strip().upper()) if isinstance(segment, str) else None


def record_symbol(resolve: Callable[[int, int], str | None], segment: Any, instrument: Any,
                  record: Mapping[str, Any]) -> str:
    """The canonical symbol of a record; for a contract missing from the master, a readable stand-in.

    A record must say where it trades: a missing or unknown segment, or no instrument id, is unreadable."""
    with wire.reading(BROKER, "record", record):
        seg = segment_id(segment)
        if seg is None:
            raise ProtocolError(f"XTS sent a record with exchange segment {segment!r}", broker=BROKER)
        ident = integer(instrument, "ExchangeInstrumentID")
        if ident <= 0:
            raise ProtocolError(f"XTS sent a record with instrument id {instrument!r}", broker=BROKER)
        if (found := resolve(seg, ident)) is not None:
            return found
        name = wire.text(record.get("TradingSymbol"), "TradingSymbol", str(ident))
        return f"{SEGMENT_EXCHANGES[SEGMENT_NAMES[seg]]}:{name}"


def order(record: Mapping[str, Any], symbol: str, client_code: str | None = None) -> Order:
    """One order record (order book, history, ``order`` event); ``client_code``: a dealer's client."""
    with wire.reading(BROKER, "order record", record):
        kind = ORDER_TYPES(record.get("OrderType"))
        ordered = quantity(record.get("OrderQuantity"), "OrderQuantity")
        filled = integer(record.get("CumulativeQuantity"), "CumulativeQuantity")
        status = order_status(record.get("OrderStatus"), kind)
        leaves = integer(record.get("LeavesQuantity"), "LeavesQuantity", ordered - filled)
        placed = interactive_time(wire.required(record, "OrderGeneratedDateTime", "OrderGeneratedDateTimeAPI"))
        if placed is None:
            raise ProtocolError("XTS sent an order without the time it was placed", broker=BROKER)
        updated = interactive_time(wire.field(record, "LastUpdateDateTime", "LastUpdateDateTimeAPI")) or placed
        average = decimal(wire.field(record, "OrderAverageTradedPrice", "OrderAverageTradedPriceAPI"),
                          "OrderAverageTradedPrice")
        number = order_number(record.get("AppOrderID"))
        return Order(
            order_id=str(number),
            client_order_id=wire.text(record.get("OrderUniqueIdentifier"), "OrderUniqueIdentifier", None),
            exchange_order_id=wire.text(record.get("ExchangeOrderID"), "ExchangeOrderID", None),
            symbol=symbol,
            side=SIDES(record.get("OrderSide")),
            order_type=kind,
            product=PRODUCTS(record.get("ProductType")),
            variety=variety(record.get("ProductType")),
            validity=VALIDITIES(record.get("TimeInForce"), Validity.DAY),
            quantity=ordered,
            filled_quantity=filled,
            pending_quantity=0 if status.is_final else max(leaves, 0),
            cancelled_quantity=ordered - filled if status in (OrderStatus.CANCELLED, OrderStatus.REJECTED) else 0,
            disclosed_quantity=integer(record.get("OrderDisclosedQuantity"), "OrderDisclosedQuantity"),
            price=decimal(record.get("OrderPrice"), "OrderPrice") or None,
            trigger_price=decimal(record.get("OrderStopPrice"), "OrderStopPrice") or None,
            average_price=average or None,
            status=status,
            status_message=wire.text(record.get("CancelRejectReason"), "CancelRejectReason", None),
            placed_at=placed,
            updated_at=updated,
            client_code=client_code,
            parent_order_id=parent_order_id(record, number),
        )


def order_number(value: Any) -> int:
    """An AppOrderID: a positive number, never a default."""
    number = integer(value, "AppOrderID", 0)
    if number <= 0:
        raise ProtocolError(f"XTS sent AppOrderID {value!r}, which is not an order number", broker=BROKER)
    return number


def trade(record: Mapping[str, Any], symbol: str, client_code: str | None = None) -> Trade:
    with wire.reading(BROKER, "trade record", record):
        when = interactive_time(wire.required(record, "LastExecutionTransactTime", "LastExecutionTransactTimeAPI",
                                              "ExchangeTransactTime", "LastUpdateDateTime"))
        if when is None:
            raise ProtocolError("XTS sent a trade without its time", broker=BROKER)
        return Trade(
            trade_id=wire.text(wire.required(record, "ExecutionID", "ExecutionReportIndex"), "ExecutionID"),
            order_id=str(order_number(record.get("AppOrderID"))),
            symbol=symbol,
            side=SIDES(record.get("OrderSide")),
            product=PRODUCTS(record.get("ProductType")),
            quantity=quantity(wire.required(record, "LastTradedQuantity", "CumulativeQuantity"), "LastTradedQuantity"),
            price=wire.decimal(_plain(wire.required(record, "LastTradedPrice", "OrderAverageTradedPrice")),
                               "LastTradedPrice"),
            filled_at=when,
            exchange_order_id=wire.text(record.get("ExchangeOrderID"), "ExchangeOrderID", None),
            client_code=client_code,
        )


def position(record: Mapping[str, Any], symbol: str, client_code: str | None = None) -> Position:
    """A position in either field family: REST (``OpenBuyQuantity``, ``Quantity``, ``BuyAmount``)
    or socket/older REST (``LongPosition``, ``NetPosition``, ``BuyValue``)."""
    with wire.reading(BROKER, "position", record):
        net = quantity(wire.required(record, "Quantity", "NetPosition"), "Quantity")
        buy_average = amount_or_zero(record.get("BuyAveragePrice"), "BuyAveragePrice")
        sell_average = amount_or_zero(record.get("SellAveragePrice"), "SellAveragePrice")
        average = buy_average if net > 0 else sell_average if net < 0 else Decimal(0)
        unrealised = amount_or_zero(record.get("UnrealizedMTM"), "UnrealizedMTM")
        multiplier = decimal(record.get("Multiplier"), "Multiplier") or Decimal(1)
        # XTS positions carry no last price; the open position's MTM implies it: (ltp - avg) × qty.
        last = average + unrealised / (net * multiplier) if net and average else Decimal(0)
        day_buys = integer(wire.field(record, "OpenBuyQuantity", "LongPosition"), "OpenBuyQuantity")
        day_sells = integer(wire.field(record, "OpenSellQuantity", "ShortPosition"), "OpenSellQuantity")
        return Position(
            symbol=symbol,
            product=PRODUCTS(record.get("ProductType")),
            quantity=net,
            buy_quantity=day_buys,
            buy_value=amount_or_zero(wire.field(record, "BuyAmount", "BuyValue"), "BuyAmount"),
            sell_quantity=day_sells,
            sell_value=amount_or_zero(wire.field(record, "SellAmount", "SellValue"), "SellAmount"),
            average_price=average,
            last_price=last.quantize(Decimal("0.01")) if last else last,
            # What the day's trades do not explain was carried in (a conversion's isDayWise reads it).
            overnight_quantity=net - (day_buys - day_sells),
            realised_pnl=amount_or_zero(record.get("RealizedMTM"), "RealizedMTM"),
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
        raise wire.unreadable(BROKER, "holdings reply", result, KeyError("RMSHoldings"))
    found = []
    for item in items:
        try:
            found.append(holding(item, resolve, client_code))
        except ProtocolError as exc:
            log.warning("skipped a holding: %s", exc)
    return found


def holding(item: Mapping[str, Any], resolve: Callable[[int, int], str | None], client_code: str | None) -> Holding:
    with wire.reading(BROKER, "holding", item):
        return Holding(
            symbol=_holding_symbol(item, resolve),
            quantity=quantity(item.get("HoldingQuantity"), "HoldingQuantity"),
            average_price=wire.decimal(_plain(item.get("BuyAvgPrice")), "BuyAvgPrice"),
            last_price=amount_or_zero(item.get("MarketRate"), "MarketRate"),
            isin=wire.text(item.get("ISIN"), "ISIN", None), client_code=client_code,
        )


def _holding_symbol(item: Mapping[str, Any], resolve: Callable[[int, int], str | None]) -> str:
    for segment, key in ((1, "ExchangeNSEInstrumentId"), (11, "ExchangeBSEInstrumentId")):
        ident = integer(item.get(key), key)
        if ident > 0 and (symbol := resolve(segment, ident)) is not None:
            return symbol
    return f"NSE:{wire.text(item.get('ISIN'), 'ISIN', '?')}"


def funds(result: Any) -> Funds:
    """``{BalanceList: [{limitHeader, limitObject: {RMSSubLimits, …}}]}``: the ALL|ALL|ALL entry."""
    with wire.reading(BROKER, "balance", result):
        return _funds(result)


def _funds(result: Any) -> Funds:
    entries = result.get("BalanceList") if isinstance(result, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise ProtocolError("XTS sent a balance without BalanceList", broker=BROKER)
    chosen = next((e for e in entries if isinstance(e, Mapping) and e.get("limitHeader") == "ALL|ALL|ALL"),
                  entries[0])
    limits = chosen.get("limitObject") if isinstance(chosen, Mapping) else None
    sub = limits.get("RMSSubLimits") if isinstance(limits, Mapping) else None
    if not isinstance(sub, Mapping):
        raise ProtocolError("XTS sent a balance without RMSSubLimits", broker=BROKER)
    return Funds(
        cash=wire.decimal(_plain(sub.get("cashAvailable")), "cashAvailable"),
        available_margin=wire.decimal(_plain(sub.get("netMarginAvailable")), "netMarginAvailable"),
        used_margin=wire.decimal(_plain(sub.get("marginUtilized")), "marginUtilized"),
        realised_pnl=amount_or_zero(sub.get("RealizedMTM"), "RealizedMTM"),
        unrealised_pnl=amount_or_zero(sub.get("UnrealizedMTM"), "UnrealizedMTM"),
    )
