"""Kite Connect payloads ↔ brokerplex models: small pure functions over plain data.

Each ``*_from_kite`` takes what the official client returns (its dates already turned
into naive IST datetimes, or still strings) and tolerates missing or ``None`` fields
that Kite leaves out — but never the ones a record cannot be without (an order's id,
quantity, side, type, product, status and time; a trade's quantity and price; a position's
quantity and last price; the equity segment of margins): missing or null, those are a
protocol error, never a default. Values are read by :mod:`brokerplex.wire`, and a payload that
cannot be read raises :class:`ProtocolError` quoting it, never KeyError or ValueError.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from brokerplex import wire
from brokerplex.errors import ProtocolError
from brokerplex.models import (
    Depth,
    DepthLevel,
    Exchange,
    Funds,
    Holding,
    Order,
    OrderAck,
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
from brokerplex.ops.models import BasketMargin, Candle, Gtt, GttOrder, GttRequest, GttStatus, GttType, Margin
from brokerplex_zerodha.errors import BROKER as BROKER  # re-exported: mapping is where callers look

Payload = Mapping[str, Any]
ZERO = Decimal(0)

# Kite's transient states, folded into ours. An order being modified or cancelled is still
# live at the exchange (OPEN); one not yet accepted by it is PENDING.
STATUSES = wire.Words("Kite order status", {
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
})
_OWN_WORDS = frozenset({"OPEN", "TRIGGER PENDING", "COMPLETE", "CANCELLED", "REJECTED"})
SIDES = wire.Words("side", {side.value: side for side in Side})
ORDER_TYPES = wire.Words("order type", {kind.value: kind for kind in OrderType})
# Products outside our three: cover/bracket legs are intraday, margin trading is delivery.
PRODUCTS = wire.Words("product", {"CNC": Product.CNC, "MIS": Product.MIS, "NRML": Product.NRML,
                                  "CO": Product.MIS, "BO": Product.MIS, "MTF": Product.CNC})
VARIETIES = wire.Words("variety", {v.value: v for v in Variety} | {"auction": Variety.REGULAR, "bo": Variety.REGULAR})
VALIDITIES = wire.Words("validity", {"DAY": Validity.DAY, "IOC": Validity.IOC, "TTL": Validity.DAY})


# -- scalars --------------------------------------------------------------------------------


def _price(raw: Payload, name: str) -> Decimal | None:
    """Kite writes 0 for 'no price' (market orders, untriggered stops)."""
    return wire.decimal(raw.get(name), name, None) or None


def _money(raw: Payload, name: str) -> Decimal:
    return wire.decimal(raw.get(name), name, ZERO)


def _count(raw: Payload, name: str) -> int:
    return wire.whole(raw.get(name), name, 0)


def kite_symbol(raw: Payload) -> str:
    return f"{wire.text(raw.get('exchange'), 'exchange')}:{wire.text(raw.get('tradingsymbol'), 'tradingsymbol')}"


def order_status(raw: Payload) -> OrderStatus:
    """Kite's status word as ours; an unknown word is a ProtocolError, never a guess."""
    word = wire.text(raw.get("status"), "status")
    if word.upper() == "UPDATE":
        # Postbacks and ticker updates say UPDATE for a modification or a partial fill: the quantities
        # tell whether the order is still working.
        if _count(raw, "pending_quantity") > 0:
            return OrderStatus.OPEN
        done = _count(raw, "filled_quantity") == wire.whole(raw.get("quantity"), "quantity")
        return OrderStatus.COMPLETE if done else OrderStatus.OPEN
    return STATUSES(word)


# -- reads ----------------------------------------------------------------------------------


def order_from_kite(raw: Payload) -> Order:
    with wire.reading(BROKER, "order from Kite", raw):
        placed = wire.moment(wire.field(raw, "order_timestamp", "exchange_timestamp"), "order_timestamp")
        updated = wire.moment(wire.field(raw, "exchange_update_timestamp", "exchange_timestamp"),
                              "exchange_update_timestamp", placed)
        return Order(
            order_id=wire.text(raw.get("order_id"), "order_id"),
            client_order_id=wire.text(raw.get("tag"), "tag", None),
            exchange_order_id=wire.text(raw.get("exchange_order_id"), "exchange_order_id", None),
            symbol=kite_symbol(raw),
            side=SIDES(raw.get("transaction_type")),
            order_type=ORDER_TYPES(raw.get("order_type")),
            product=PRODUCTS(raw.get("product")),
            validity=VALIDITIES(raw.get("validity"), Validity.DAY),
            variety=VARIETIES(raw.get("variety"), Variety.REGULAR),
            quantity=wire.whole(raw.get("quantity"), "quantity"),
            filled_quantity=_count(raw, "filled_quantity"),
            pending_quantity=_count(raw, "pending_quantity"),
            cancelled_quantity=_count(raw, "cancelled_quantity"),
            disclosed_quantity=_count(raw, "disclosed_quantity"),
            price=_price(raw, "price"),
            trigger_price=_price(raw, "trigger_price"),
            average_price=_price(raw, "average_price"),
            status=order_status(raw),
            status_message=wire.text(raw.get("status_message"), "status_message", None) or _step(raw.get("status")),
            placed_at=placed,
            updated_at=updated,
        )


def _step(status: Any) -> str | None:
    """Kite's word for a step we fold into OPEN or PENDING (``MODIFY PENDING``…), so that the rows of an order's
    history stay told apart."""
    if isinstance(status, str) and status.upper() not in _OWN_WORDS:
        return status.lower()
    return None


def trade_from_kite(raw: Payload) -> Trade:
    with wire.reading(BROKER, "trade from Kite", raw):
        return Trade(
            trade_id=wire.text(raw.get("trade_id"), "trade_id"),
            order_id=wire.text(raw.get("order_id"), "order_id"),
            symbol=kite_symbol(raw),
            side=SIDES(raw.get("transaction_type")),
            product=PRODUCTS(raw.get("product")),
            quantity=wire.whole(raw.get("quantity"), "quantity"),
            price=wire.decimal(raw.get("average_price"), "average_price"),
            filled_at=wire.moment(wire.field(raw, "fill_timestamp", "exchange_timestamp"), "fill_timestamp"),
            exchange_order_id=wire.text(raw.get("exchange_order_id"), "exchange_order_id", None),
        )


def positions_from_kite(raw: Payload) -> list[Position]:
    """The ``net`` book: one row per symbol and product, overnight included."""
    with wire.reading(BROKER, "positions from Kite", raw):
        rows = raw.get("net")  # missing is unreadable, not "no positions"
        if not isinstance(rows, list):
            raise ProtocolError("positions without a net list")
        return [_position(row) for row in rows]


def _position(raw: Payload) -> Position:
    return Position(
        symbol=kite_symbol(raw),
        product=PRODUCTS(raw.get("product")),
        quantity=wire.whole(raw.get("quantity"), "quantity"),
        overnight_quantity=_count(raw, "overnight_quantity"),
        buy_quantity=_count(raw, "buy_quantity"),
        buy_value=_money(raw, "buy_value"),
        sell_quantity=_count(raw, "sell_quantity"),
        sell_value=_money(raw, "sell_value"),
        average_price=wire.decimal(raw.get("average_price"), "average_price"),
        last_price=wire.decimal(raw.get("last_price"), "last_price"),
        realised_pnl=_money(raw, "realised"),
        unrealised_pnl=_money(raw, "unrealised"),
        multiplier=_money(raw, "multiplier") or Decimal(1),
    )


def holding_from_kite(raw: Payload) -> Holding:
    with wire.reading(BROKER, "holding from Kite", raw):
        return Holding(
            symbol=kite_symbol(raw),
            quantity=wire.whole(raw.get("quantity"), "quantity"),
            t1_quantity=_count(raw, "t1_quantity"),
            average_price=wire.decimal(raw.get("average_price"), "average_price"),
            last_price=wire.decimal(raw.get("last_price"), "last_price"),
            isin=wire.text(raw.get("isin"), "isin", None),
        )


def funds_from_kite(raw: Payload) -> Funds:
    """The equity segment of ``/user/margins`` (or the segment itself, from ``/user/margins/equity``)."""
    with wire.reading(BROKER, "funds from Kite", raw):
        segment = raw if "net" in raw and "equity" not in raw else wire.required(raw, "equity")
        available, utilised = wire.required(segment, "available"), wire.required(segment, "utilised")
        return Funds(
            cash=wire.decimal(available.get("cash"), "available.cash"),
            available_margin=wire.decimal(segment.get("net"), "net"),
            used_margin=wire.decimal(utilised.get("debits"), "utilised.debits"),
            realised_pnl=_money(utilised, "m2m_realised"),
            unrealised_pnl=_money(utilised, "m2m_unrealised"),
        )


def _levels(raw: Any) -> list[DepthLevel]:
    # Kite pads the five levels with zeros where the book is thinner: those are no levels.
    return [DepthLevel(price=_money(level, "price"), quantity=_count(level, "quantity"),
                       orders=_count(level, "orders"))
            for level in raw or () if level.get("price") and level.get("quantity")]


def quote_from_kite(symbol: str, raw: Payload) -> Quote:
    """One value of ``/quote`` (full), ``/quote/ohlc`` or ``/quote/ltp``: fields absent stay unset."""
    with wire.reading(BROKER, f"quote of {symbol} from Kite", raw):
        ohlc = raw.get("ohlc") or {}
        depth = raw.get("depth") or {}
        return Quote(
            symbol=symbol,
            last_price=wire.decimal(raw.get("last_price"), "last_price"),
            last_quantity=_count(raw, "last_quantity"),
            last_traded_at=wire.moment(raw.get("last_trade_time"), "last_trade_time", None),
            volume=_count(raw, "volume"),
            average_price=_price(raw, "average_price"),
            open=_price(ohlc, "open"),
            high=_price(ohlc, "high"),
            low=_price(ohlc, "low"),
            close=_price(ohlc, "close"),
            open_interest=wire.whole(raw.get("oi"), "oi", None),
            lower_circuit=_price(raw, "lower_circuit_limit"),
            upper_circuit=_price(raw, "upper_circuit_limit"),
            depth=Depth(bids=_levels(depth.get("buy")), asks=_levels(depth.get("sell"))),
            timestamp=wire.moment(raw.get("timestamp"), "timestamp", None),
        )


def profile_from_kite(raw: Payload, broker: str = BROKER) -> Profile:
    with wire.reading(BROKER, "profile from Kite", raw):
        exchanges = [Exchange(e) for e in raw.get("exchanges") or () if e in Exchange.__members__]
        products = [Product(p) for p in raw.get("products") or () if p in Product.__members__]
        return Profile(user_id=wire.text(raw.get("user_id"), "user_id"),
                       name=wire.text(raw.get("user_name"), "user_name", ""),
                       email=wire.text(raw.get("email"), "email", None),
                       broker=broker, exchanges=exchanges, products=products)


def candle_from_kite(raw: Payload) -> Candle:
    """One candle as the client returns it (``date`` already a datetime; ``oi`` when asked for)."""
    with wire.reading(BROKER, "candle from Kite", raw):
        return Candle(at=wire.moment(raw.get("date"), "date"), open=wire.decimal(raw.get("open"), "open"),
                      high=wire.decimal(raw.get("high"), "high"), low=wire.decimal(raw.get("low"), "low"),
                      close=wire.decimal(raw.get("close"), "close"), volume=wire.whole(raw.get("volume"), "volume"),
                      open_interest=wire.whole(raw.get("oi"), "oi", None))


# Kite's margin components, in its own names; the ones it reports as non-zero make a margin's breakdown.
MARGIN_PARTS = ("span", "exposure", "option_premium", "additional", "bo", "cash", "var")


def margin_from_kite(request: OrderRequest, raw: Payload) -> Margin:
    """One item of ``/margins/orders`` (or a basket's ``orders``) for the order it was asked for."""
    with wire.reading(BROKER, "order margin from Kite", raw):
        if wire.field(raw, "exchange", "tradingsymbol") is not None and kite_symbol(raw) != request.symbol:
            raise ProtocolError(f"a margin for {kite_symbol(raw)} in the place of {request.symbol}")
        parts = {name: wire.decimal(raw.get(name), name) for name in MARGIN_PARTS if raw.get(name) is not None}
        pnl = raw.get("pnl")
        if isinstance(pnl, dict):
            parts["pnl"] = _money(pnl, "realised") + _money(pnl, "unrealised")
        return Margin(symbol=request.symbol, side=request.side, quantity=request.quantity,
                      total=wire.decimal(raw.get("total"), "total"), charges=_charges(raw),
                      breakdown={name: value for name, value in parts.items() if value})


def basket_margin_from_kite(requests: Sequence[OrderRequest], raw: Payload) -> BasketMargin:
    """``/margins/basket``: what the legs add up to (``initial``), what they block together (``final``)."""
    with wire.reading(BROKER, "basket margin from Kite", raw):
        legs = raw.get("orders")
        if not isinstance(legs, list) or len(legs) != len(requests):
            raise ProtocolError(f"a basket of {len(requests)} order(s) answered without as many margins")
        initial, final = wire.required(raw, "initial"), wire.required(raw, "final")
        return BasketMargin(initial=wire.decimal(initial.get("total"), "initial.total"),
                            final=wire.decimal(final.get("total"), "final.total"), charges=_charges(raw),
                            legs=[margin_from_kite(request, leg) for request, leg in zip(requests, legs, strict=True)])


def _charges(raw: Payload) -> Decimal | None:
    charges = raw.get("charges")
    if charges is None:
        return None
    return wire.decimal(wire.required(charges, "total"), "charges.total")


def margin_params(request: OrderRequest) -> dict[str, Any]:
    """One item of a ``/margins/orders`` or ``/margins/basket`` JSON body (prices as JSON numbers)."""
    exchange, _, tradingsymbol = request.symbol.partition(":")
    return {"exchange": exchange, "tradingsymbol": tradingsymbol, "transaction_type": request.side.value,
            "variety": request.variety.value, "product": request.resolved_product.value,
            "order_type": request.order_type.value, "quantity": request.quantity,
            "price": float(request.price or 0), "trigger_price": float(request.trigger_price or 0)}


GTT_TYPES = wire.Words("GTT type", {kind.value: kind for kind in GttType})
GTT_STATUSES = wire.Words("GTT status", {status.value: status for status in GttStatus})


def gtt_from_kite(raw: Payload) -> Gtt:
    """One trigger of ``/gtt/triggers``; an order it placed once triggered is in its leg's ``result``."""
    with wire.reading(BROKER, "GTT trigger from Kite", raw):
        condition = wire.required(raw, "condition")
        legs = raw.get("orders")
        if not isinstance(legs, list) or not legs:
            raise ProtocolError("a trigger without orders")
        values = condition.get("trigger_values")
        if not isinstance(values, list) or not values:
            raise ProtocolError("a trigger without trigger_values")
        return Gtt(
            gtt_id=wire.text(raw.get("id"), "id"),
            status=GTT_STATUSES(raw.get("status")),
            symbol=kite_symbol(condition),
            type=GTT_TYPES(raw.get("type")),
            trigger_prices=[wire.decimal(value, "trigger_values") for value in values],
            last_price=wire.decimal(condition.get("last_price"), "last_price"),
            orders=[_gtt_order(leg) for leg in legs],
            created_at=wire.moment(raw.get("created_at"), "created_at", None),
            updated_at=wire.moment(raw.get("updated_at"), "updated_at", None),
            expires_at=wire.moment(raw.get("expires_at"), "expires_at", None),
            triggered_order_ids=[order_id for leg in legs if (order_id := _triggered_order_id(leg))],
        )


def _gtt_order(leg: Payload) -> GttOrder:
    return GttOrder(side=SIDES(leg.get("transaction_type")), quantity=wire.whole(leg.get("quantity"), "quantity"),
                    price=wire.decimal(leg.get("price"), "price"), product=PRODUCTS(leg.get("product")))


def _triggered_order_id(leg: Payload) -> str | None:
    """The order a fired leg placed: ``result.order_result.order_id`` (empty when the order failed)."""
    result = leg.get("result")
    if result is None:
        return None
    outcome = wire.required(result, "order_result")
    return wire.text(outcome.get("order_id"), "order_result.order_id", None) or None


def gtt_params(request: GttRequest) -> dict[str, Any]:
    """Keyword arguments of ``KiteConnect.place_gtt`` (and ``modify_gtt``): the client sends JSON numbers."""
    exchange, _, tradingsymbol = request.symbol.partition(":")
    return {
        "trigger_type": request.type.value, "tradingsymbol": tradingsymbol, "exchange": exchange,
        "trigger_values": [float(value) for value in request.trigger_prices],
        "last_price": float(request.last_price),
        "orders": [{"transaction_type": order.side.value, "quantity": order.quantity, "order_type": "LIMIT",
                    "product": order.product.value, "price": float(order.price)} for order in request.orders],
    }


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


def autosliced_ack(raw: Any, client_order_id: str | None) -> OrderAck:
    """Kite's autoslice reply: the parent's id (a reference, not an order) and one child per slice, each the
    id of an order placed or the error that refused it."""
    with wire.reading(BROKER, "autoslice reply from Kite", raw):
        children = raw.get("children")
        if not isinstance(children, list) or not children:
            raise ProtocolError("an autoslice reply without children")
        return OrderAck(order_id=wire.text(raw.get("order_id"), "order_id"), client_order_id=client_order_id,
                        children=[_slice(child, client_order_id) for child in children])


def _slice(raw: Payload, client_order_id: str | None) -> OrderAck:
    error = raw.get("error")
    if error is None:
        return OrderAck(order_id=wire.text(raw.get("order_id"), "order_id"), client_order_id=client_order_id)
    return OrderAck(order_id="", client_order_id=client_order_id, status=OrderStatus.REJECTED,
                    status_message=wire.text(wire.required(error, "message"), "error.message"))


def modify_params(changes: OrderModify) -> dict[str, Any]:
    return {
        "quantity": changes.quantity,
        "price": _wire_price(changes.price),
        "trigger_price": _wire_price(changes.trigger_price),
        "order_type": changes.order_type.value if changes.order_type else None,
        "validity": changes.validity.value if changes.validity else None,
    }
