"""The records of the trader operations: candles, margins, GTT triggers, option chains, P&L,
and the per-leg results of operations that send several orders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from brokerplex.errors import BrokerError, BrokerplexError, OutcomeUnknownError, RefusedError, VetoedError
from brokerplex.models import Amount, Money, OrderRequest, Price, Product, Quantity, Side, Timestamp, _Model

#: Candle widths every broker is asked in (each plugin maps them to its own words).
Interval = Literal["1m", "3m", "5m", "10m", "15m", "30m", "1h", "1d"]
INTERVALS: tuple[Interval, ...] = ("1m", "3m", "5m", "10m", "15m", "30m", "1h", "1d")


class Candle(_Model):
    at: Timestamp  # the candle's start
    open: Amount
    high: Amount
    low: Amount
    close: Amount
    volume: int = 0
    open_interest: int | None = None


class Margin(_Model):
    """What one order would block, as the broker (or paper) computes it before it is placed."""

    symbol: str
    side: Side
    quantity: int
    total: Money  # margin the order blocks
    charges: Money | None = None  # brokerage, taxes and fees, where the broker says
    breakdown: dict[str, Money] = Field(default_factory=dict)  # span, exposure, … as the broker names them


class BasketMargin(_Model):
    """A basket's margin: ``initial`` is the sum of its legs, ``final`` what the broker blocks for the
    whole basket (less when the legs hedge each other)."""

    initial: Money
    final: Money
    charges: Money | None = None
    legs: list[Margin] = Field(default_factory=list)


class GttType(StrEnum):
    SINGLE = "single"  # one trigger, one order
    OCO = "two-leg"  # a stop-loss below and a target above the price: whichever triggers first


class GttStatus(StrEnum):
    ACTIVE = "active"
    TRIGGERED = "triggered"
    DISABLED = "disabled"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    DELETED = "deleted"


class GttOrder(_Model):
    """The LIMIT order a trigger places (Kite's GTT places LIMIT orders only)."""

    side: Side
    quantity: Quantity
    price: Price
    product: Product = Product.CNC


class GttRequest(_Model):
    """A good-till-triggered order as Kite defines it: ``single`` has one trigger price and one order;
    ``two-leg`` (OCO) has a lower and an upper trigger, and one order for each, in that order."""

    symbol: str
    type: GttType = GttType.SINGLE
    trigger_prices: list[Price] = Field(min_length=1, max_length=2)
    last_price: Price
    orders: list[GttOrder] = Field(min_length=1, max_length=2)

    @model_validator(mode="after")
    def _shape(self) -> GttRequest:
        wanted = 1 if self.type is GttType.SINGLE else 2
        if len(self.trigger_prices) != wanted or len(self.orders) != wanted:
            raise ValueError(f"a {self.type} trigger has {wanted} trigger price(s) and {wanted} order(s)")
        if self.type is GttType.OCO:
            lower, upper = self.trigger_prices
            if not lower < self.last_price < upper:
                raise ValueError("a two-leg trigger needs its lower trigger below and its upper trigger above the "
                                 "last price")
        elif self.trigger_prices[0] == self.last_price:
            raise ValueError("the trigger price must differ from the last price")
        return self


class Gtt(_Model):
    gtt_id: str
    status: GttStatus
    symbol: str
    type: GttType
    trigger_prices: list[Amount]
    last_price: Amount
    orders: list[GttOrder]
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    expires_at: Timestamp | None = None
    triggered_order_ids: list[str] = Field(default_factory=list)  # the orders it placed once triggered


class LegOutcome(StrEnum):
    DONE = "done"  # the broker accepted it
    DRY_RUN = "dry_run"  # validated and priced; nothing sent
    REFUSED = "refused"  # the broker or a check refused it: nothing happened
    FAILED = "failed"  # it never reached the broker: nothing happened
    UNKNOWN = "unknown"  # it may have reached the broker: `brokerplex reconcile` finds out
    SKIPPED = "skipped"  # not sent, because an earlier leg failed


class LegResult(_Model):
    """One leg of an operation that sends several orders (an exit, a basket, a sliced order, a
    cancel-all): what it was, and what became of it."""

    symbol: str
    outcome: LegOutcome
    side: Side | None = None
    quantity: int | None = None
    order_id: str | None = None
    client_order_id: str | None = None
    message: str | None = None
    client_code: str | None = None
    request: OrderRequest | None = None
    cancelled: list[str] = Field(default_factory=list)  # exits: the open orders cancelled first

    @property
    def ok(self) -> bool:
        return self.outcome in (LegOutcome.DONE, LegOutcome.DRY_RUN)

    @property
    def sent(self) -> bool:
        """Whether this leg may have reached the broker."""
        return self.outcome in (LegOutcome.DONE, LegOutcome.UNKNOWN)


def outcome_of_error(error: Exception) -> LegOutcome:
    """Which outcome an operation's error stands for: a refusal, nothing sent, or not known."""
    if isinstance(error, OutcomeUnknownError):
        return LegOutcome.UNKNOWN
    if isinstance(error, RefusedError | VetoedError) or (isinstance(error, BrokerplexError)
                                                          and not isinstance(error, BrokerError)):
        return LegOutcome.REFUSED
    return LegOutcome.FAILED


class BasketResult(_Model):
    margin: BasketMargin | None = None  # None: the broker offers no basket margins
    legs: list[LegResult]


class OptionQuote(_Model):
    symbol: str
    last_price: Amount | None = None
    bid: Amount | None = None
    ask: Amount | None = None
    open_interest: int | None = None
    volume: int = 0
    iv: Decimal | None = None  # implied volatility, a fraction (0.15 is 15 %)
    delta: Decimal | None = None
    gamma: Decimal | None = None
    theta: Decimal | None = None  # per calendar day
    vega: Decimal | None = None  # per 1 % of volatility


class ChainRow(_Model):
    strike: Amount
    call: OptionQuote | None = None
    put: OptionQuote | None = None


class OptionChain(_Model):
    underlying: str
    expiry: dt.date
    spot: Amount | None
    spot_symbol: str
    rows: list[ChainRow]
    quote_calls: int  # requests made to the broker for the quotes


class PnlLine(_Model):
    symbol: str
    product: Product
    quantity: int
    average_price: Money
    last_price: Money
    realised: Money
    unrealised: Money
    day: Money  # mark-to-market since the previous close (overnight quantity valued at the close)
    client_code: str | None = None

    @property
    def net(self) -> Decimal:
        return self.realised + self.unrealised


class PnlSummary(_Model):
    account: str
    client_code: str | None = None
    lines: list[PnlLine]
    realised: Money
    unrealised: Money
    day: Money

    @property
    def net(self) -> Decimal:
        return self.realised + self.unrealised


def pnl_totals(summaries: Sequence[PnlSummary]) -> dict[str, Decimal]:
    """Realised, unrealised, net and day P&L summed over ``summaries`` (several accounts or clients)."""
    return {name: sum((getattr(summary, name) for summary in summaries), Decimal(0))
            for name in ("realised", "unrealised", "net", "day")}


class HoldingView(_Model):
    """A holding with its P&L and the day's change, priced from one quote call."""

    symbol: str
    quantity: int  # settled
    t1_quantity: int = 0  # bought, not yet settled
    average_price: Money
    last_price: Money
    close_price: Money | None
    pnl: Money  # on settled and unsettled alike
    day_change: Money | None
    day_change_percent: Decimal | None
    isin: str | None = None
    client_code: str | None = None
