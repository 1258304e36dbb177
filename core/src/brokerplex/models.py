"""The unified data model: what every broker plugin maps its payloads into.

Money is :class:`~decimal.Decimal`, never a binary float: a price sent to an exchange
must be an exact multiple of the tick size (0.05, 0.0025), and ``0.1 + 0.2`` is not
``0.3`` in binary. Decimal keeps the broker's text exact, compares exactly against
tick sizes, and serialises to JSON as a string that scripts can read without loss.
Quantities are integers (shares, or units for derivatives — never lots).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from brokerplex.formats import (
    AsIst,
    AsMoney,
    AsPlain,
    as_ist,
    decimal_text,
    money_at_places_of,
    money_places,
    money_text,
)
from brokerplex.symbols import Exchange, parse_symbol
from brokerplex.ticks import PriceLevel, Tick, TickMode

__all__ = [
    "Depth",
    "DepthLevel",
    "Exchange",
    "Funds",
    "Holding",
    "Instrument",
    "InstrumentType",
    "Order",
    "OrderAck",
    "OrderEvent",
    "OrderModify",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "Position",
    "PriceLevel",
    "Product",
    "Profile",
    "Quote",
    "Side",
    "Tick",
    "TickMode",
    "Trade",
    "Validity",
    "Variety",
    "as_ist",
    "decimal_text",
    "money_places",
    "money_text",
]

CLIENT_ORDER_ID_MAX = 20  # Kite's `tag` takes 20 characters; XTS's orderUniqueIdentifier more.


def _exact(value: object, info: ValidationInfo) -> object:
    """A price from Python is exact: a binary float (0.1 + 0.2) or a bool is refused; give a Decimal, an int or
    text. (A JSON number is read from its digits, so JSON input may use numbers.)"""
    if isinstance(value, bool) or (isinstance(value, float) and info.mode == "python"):
        raise ValueError(f"a price must be exact: give Decimal({str(value)!r}) or text, not a {type(value).__name__}")
    return value


# What callers send is taken strictly: True, 1.0 or "10" is not a quantity, a float is not a price, bytes
# are not a symbol (the lax coercions pydantic would make by default).
Price = Annotated[Decimal, BeforeValidator(_exact),
                  Field(gt=0, max_digits=18, decimal_places=4, allow_inf_nan=False), AsMoney]
Quantity = Annotated[int, Field(strict=True, gt=0, le=10_000_000)]
Money = Annotated[Decimal, Field(allow_inf_nan=False), AsMoney]
Amount = Annotated[Decimal, AsMoney]  # money as a broker reported it (no added validation)
Timestamp = Annotated[dt.datetime, AsIst]


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class OrderType(StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    SL = "SL"  # stop-limit
    SL_M = "SL-M"  # stop-market


class Product(StrEnum):
    CNC = "CNC"  # delivery (cash market)
    MIS = "MIS"  # intraday, squared off near the close
    NRML = "NRML"  # carry-forward derivatives


class Validity(StrEnum):
    DAY = "DAY"
    IOC = "IOC"


class Variety(StrEnum):
    REGULAR = "regular"
    AMO = "amo"
    CO = "co"  # cover: an entry with its stop-loss attached (``trigger_price``)
    BO = "bo"  # bracket: an entry with a target and a stop-loss, both in points from the entry
    ICEBERG = "iceberg"


class OrderStatus(StrEnum):
    PENDING = "PENDING"  # received, validation in progress
    OPEN = "OPEN"
    TRIGGER_PENDING = "TRIGGER PENDING"
    COMPLETE = "COMPLETE"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"

    @property
    def is_final(self) -> bool:
        return self in (OrderStatus.COMPLETE, OrderStatus.CANCELLED, OrderStatus.REJECTED)


class InstrumentType(StrEnum):
    EQ = "EQ"
    INDEX = "INDEX"
    FUT = "FUT"
    CE = "CE"
    PE = "PE"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # No return annotation on purpose: pydantic then describes the output (JSON schema) by the fields.
    @model_serializer(mode="wrap")
    def _at_instrument_precision(self, serialize: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        """A record of one instrument writes its money with that instrument's places."""
        symbol = getattr(self, "symbol", None)
        if not isinstance(symbol, str):
            return serialize(self)
        with money_at_places_of(symbol):
            return serialize(self)


class Instrument(_Model):
    """A listed contract. ``exchange_token`` is the exchange's own numeric id."""

    symbol: str
    exchange: Exchange
    tradingsymbol: str
    name: str = ""
    instrument_type: InstrumentType
    exchange_token: int | None = None
    isin: str | None = None
    underlying: str | None = None
    expiry: dt.date | None = None
    strike: Amount | None = None
    lot_size: int = Field(default=1, ge=1)
    tick_size: Annotated[Decimal, AsPlain] = Field(default=Decimal("0.05"), gt=0)
    freeze_quantity: int | None = Field(default=None, ge=1)
    multiplier: Annotated[Decimal, AsPlain] = Field(default=Decimal(1), gt=0)

    @property
    def tradable(self) -> bool:
        return self.instrument_type is not InstrumentType.INDEX


class OrderRequest(_Model):
    """What a caller asks for. Construction validates everything that needs no broker."""

    symbol: StrictStr
    side: Side
    quantity: Quantity
    order_type: OrderType = OrderType.MARKET
    product: Product | None = None  # None: CNC on cash exchanges, NRML on derivatives
    price: Price | None = None
    trigger_price: Price | None = None
    validity: Validity = Validity.DAY
    variety: Variety = Variety.REGULAR
    disclosed_quantity: int = Field(default=0, ge=0, strict=True)
    client_order_id: StrictStr | None = Field(default=None, min_length=1, max_length=CLIENT_ORDER_ID_MAX)
    # Bracket orders (variety bo): the exits, in points from the entry price.
    target: Price | None = None
    stop_loss: Price | None = None
    trailing_stop_loss: Price | None = None

    @field_validator("symbol")
    @classmethod
    def _symbol(cls, value: str) -> str:
        symbol = parse_symbol(value)
        if not symbol.tradable:
            raise ValueError(f"{symbol} is an index: indices can be quoted, not traded")
        return str(symbol)

    @field_validator("client_order_id")
    @classmethod
    def _client_order_id(cls, value: str | None) -> str | None:
        if value is not None and not (value.isascii() and value.isalnum()):
            raise ValueError("client order id must be letters and digits only")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> OrderRequest:
        self._check_prices()
        exchange = parse_symbol(self.symbol).exchange
        if self.product is None:
            object.__setattr__(self, "product", Product.CNC if exchange.is_cash else Product.NRML)
        elif self.product is Product.CNC and not exchange.is_cash:
            raise ValueError(f"product CNC is for cash exchanges (NSE, BSE), not {exchange}; use NRML or MIS")
        elif self.product is Product.NRML and exchange.is_cash:
            raise ValueError(f"product NRML is for derivatives, not {exchange}; use CNC or MIS")
        if self.disclosed_quantity > self.quantity:
            raise ValueError("disclosed quantity cannot exceed the order quantity")
        self._check_bracket()
        return self

    def _check_bracket(self) -> None:
        if self.variety is not Variety.BO:
            if self.target or self.stop_loss or self.trailing_stop_loss:
                raise ValueError("target, stop loss and trailing stop loss belong to bracket orders (variety bo)")
        elif self.target is None or self.stop_loss is None:
            raise ValueError("a bracket order needs a target and a stop loss (points from the entry price)")

    def _check_prices(self) -> None:
        kind, price, trigger = self.order_type, self.price, self.trigger_price
        if kind in (OrderType.LIMIT, OrderType.SL) and price is None:
            raise ValueError(f"a {kind} order needs a price")
        if kind in (OrderType.MARKET, OrderType.SL_M) and price is not None:
            raise ValueError(f"a {kind} order takes no price")
        if kind in (OrderType.SL, OrderType.SL_M) and trigger is None:
            raise ValueError(f"a {kind} order needs a trigger price")
        # A cover order is a MARKET or LIMIT entry with its stop-loss trigger attached.
        if kind in (OrderType.MARKET, OrderType.LIMIT) and trigger is not None and self.variety is not Variety.CO:
            raise ValueError(f"a {kind} order takes no trigger price; use SL or SL-M (or variety co)")
        if kind is OrderType.SL and price is not None and trigger is not None:
            if self.side is Side.BUY and trigger > price:
                raise ValueError("a stop-loss BUY needs trigger price <= price")
            if self.side is Side.SELL and trigger < price:
                raise ValueError("a stop-loss SELL needs trigger price >= price")
        if self.validity is Validity.IOC and kind in (OrderType.SL, OrderType.SL_M):
            raise ValueError("IOC validity is for MARKET and LIMIT orders only")

    @property
    def resolved_product(self) -> Product:
        assert self.product is not None  # always filled in by validation
        return self.product


class OrderModify(_Model):
    """Changes to an open order; fields left as None stay as they are."""

    quantity: Quantity | None = None
    price: Price | None = None
    trigger_price: Price | None = None
    order_type: OrderType | None = None
    validity: Validity | None = None

    @model_validator(mode="after")
    def _consistent(self) -> OrderModify:
        if all(getattr(self, name) is None for name in type(self).model_fields):
            raise ValueError("nothing to modify: give a quantity, price, trigger price, type or validity")
        # A new type that cannot carry a price given with it is a contradiction, not a price to drop.
        if self.order_type in (OrderType.MARKET, OrderType.SL_M) and self.price is not None:
            raise ValueError(f"a {self.order_type} order takes no price: make it LIMIT or SL, or leave the price out")
        if self.order_type in (OrderType.MARKET, OrderType.LIMIT) and self.trigger_price is not None:
            raise ValueError(f"a {self.order_type} order takes no trigger price: make it SL or SL-M, or leave the "
                             "trigger out")
        return self


class Order(_Model):
    order_id: str
    client_order_id: str | None = None
    exchange_order_id: str | None = None
    symbol: str
    side: Side
    order_type: OrderType
    product: Product
    validity: Validity = Validity.DAY
    variety: Variety = Variety.REGULAR
    quantity: int
    filled_quantity: int = 0
    pending_quantity: int = 0
    cancelled_quantity: int = 0
    disclosed_quantity: int = 0
    price: Amount | None = None
    trigger_price: Amount | None = None
    average_price: Amount | None = None
    status: OrderStatus
    status_message: str | None = None
    placed_at: Timestamp
    updated_at: Timestamp
    client_code: str | None = None  # dealer logins: the client the order is for
    parent_order_id: str | None = None  # a cover or bracket order's exit legs name their entry


class OrderAck(_Model):
    """The broker's answer to a placement: its order id, and a status when it says one."""

    order_id: str
    client_order_id: str | None = None
    status: OrderStatus | None = None
    status_message: str | None = None
    children: list[OrderAck] = []  # an order the broker sliced itself (Kite's autoslice): one per slice


class Trade(_Model):
    trade_id: str
    order_id: str
    symbol: str
    side: Side
    product: Product
    quantity: int
    price: Amount
    filled_at: Timestamp
    exchange_order_id: str | None = None
    client_code: str | None = None  # dealer logins: the client the trade is for


class Position(_Model):
    symbol: str
    product: Product
    quantity: int  # net, including overnight
    overnight_quantity: int = 0
    buy_quantity: int = 0
    buy_value: Money = Decimal(0)
    sell_quantity: int = 0
    sell_value: Money = Decimal(0)
    average_price: Money = Decimal(0)
    last_price: Money = Decimal(0)
    realised_pnl: Money = Decimal(0)
    unrealised_pnl: Money = Decimal(0)
    multiplier: Annotated[Decimal, AsPlain] = Decimal(1)
    client_code: str | None = None  # dealer logins: the client the position is for

    @property
    def pnl(self) -> Decimal:
        return self.realised_pnl + self.unrealised_pnl


class Holding(_Model):
    symbol: str
    quantity: int  # settled
    t1_quantity: int = 0  # bought, not yet settled
    average_price: Money
    last_price: Money
    isin: str | None = None
    client_code: str | None = None  # dealer logins: the client the holding is for

    @property
    def pnl(self) -> Decimal:
        return (self.last_price - self.average_price) * (self.quantity + self.t1_quantity)


class Funds(_Model):
    """Equity-segment funds. ``available_margin`` is what a new order may use."""

    cash: Money
    available_margin: Money
    used_margin: Money
    realised_pnl: Money = Decimal(0)
    unrealised_pnl: Money = Decimal(0)


class DepthLevel(_Model):
    price: Amount
    quantity: int
    orders: int = 0


class Depth(_Model):
    bids: list[DepthLevel] = []
    asks: list[DepthLevel] = []


class Quote(_Model):
    symbol: str
    last_price: Amount
    last_quantity: int = 0
    last_traded_at: Timestamp | None = None
    volume: int = 0
    average_price: Amount | None = None
    open: Amount | None = None
    high: Amount | None = None
    low: Amount | None = None
    close: Amount | None = None  # previous close
    open_interest: int | None = None
    lower_circuit: Amount | None = None
    upper_circuit: Amount | None = None
    depth: Depth = Depth()
    timestamp: Timestamp | None = None

    @property
    def change_percent(self) -> Decimal | None:
        if not self.close:
            return None
        return (self.last_price - self.close) * 100 / self.close


class Profile(_Model):
    user_id: str
    name: str = ""
    email: str | None = None
    broker: str
    exchanges: list[Exchange] = []
    products: list[Product] = []


class SessionState(_Model):
    """An account's stored session as read from the store, without asking the broker: ``live`` (until
    ``expires_at``, when it has a known end), ``expired`` (log in again) or ``none`` (never logged in)."""

    state: Literal["live", "expired", "none"]
    expires_at: dt.datetime | None = None


class OrderEvent(_Model):
    """What observers of order events receive (see the ``order_event`` hook)."""

    kind: Literal["sent", "rejected", "failed", "unknown", "reconciled", "modified", "cancelled", "update"]
    account: str
    broker: str
    client_code: str | None = None  # dealer logins: the client the order is for
    client_order_id: str | None = None
    order_id: str | None = None
    request: OrderRequest | None = None
    order: Order | None = None
    message: str | None = None
    at: Timestamp

