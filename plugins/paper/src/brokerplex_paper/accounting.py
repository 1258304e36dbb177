"""Positions, P&L and margin: pure arithmetic over a day's fills.

A position row is what the exchange stores per (account, symbol, product): the overnight
quantity carried in at the previous close, and the day's buys and sells. Everything else
— average price, realised and unrealised P&L, margin — is derived, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from brokerplex.models import InstrumentType, Position, Product, Side
from brokerplex_paper.market import to_paise
from brokerplex_paper.universe import Listing

ZERO = Decimal(0)
# Margin as a share of the contract's value.
INTRADAY_EQUITY_MARGIN = Decimal("0.20")
FUTURES_MARGIN = Decimal("0.12")
SHORT_OPTION_MARGIN = Decimal("0.12")  # of the underlying's notional


@dataclass(frozen=True, slots=True)
class PositionRow:
    symbol: str
    product: Product
    overnight_quantity: int = 0
    overnight_price: Decimal = ZERO
    buy_quantity: int = 0
    buy_value: Decimal = ZERO
    sell_quantity: int = 0
    sell_value: Decimal = ZERO

    @property
    def net(self) -> int:
        return self.overnight_quantity + self.buy_quantity - self.sell_quantity

    def with_fill(self, side: Side, quantity: int, price: Decimal) -> PositionRow:
        if side is Side.BUY:
            return replace(self, buy_quantity=self.buy_quantity + quantity, buy_value=self.buy_value + price * quantity)
        return replace(self, sell_quantity=self.sell_quantity + quantity, sell_value=self.sell_value + price * quantity)

    def _totals(self) -> tuple[int, Decimal, int, Decimal]:
        carried_long, carried_short = max(self.overnight_quantity, 0), max(-self.overnight_quantity, 0)
        return (
            self.buy_quantity + carried_long,
            self.buy_value + self.overnight_price * carried_long,
            self.sell_quantity + carried_short,
            self.sell_value + self.overnight_price * carried_short,
        )

    def average_open_price(self) -> Decimal:
        bought, bought_value, sold, sold_value = self._totals()
        if self.net > 0:
            return bought_value / bought
        if self.net < 0:
            return sold_value / sold
        return ZERO

    def realised(self, multiplier: Decimal) -> Decimal:
        bought, bought_value, sold, sold_value = self._totals()
        closed = min(bought, sold)
        if not closed:
            return ZERO
        return to_paise(closed * (sold_value / sold - bought_value / bought) * multiplier)

    def unrealised(self, last_price: Decimal, multiplier: Decimal) -> Decimal:
        return to_paise(self.net * (last_price - self.average_open_price()) * multiplier)

    def to_model(self, last_price: Decimal, multiplier: Decimal) -> Position:
        return Position(
            symbol=self.symbol,
            product=self.product,
            quantity=self.net,
            overnight_quantity=self.overnight_quantity,
            buy_quantity=self.buy_quantity,
            buy_value=to_paise(self.buy_value),
            sell_quantity=self.sell_quantity,
            sell_value=to_paise(self.sell_value),
            average_price=to_paise(self.average_open_price()),
            last_price=last_price,
            realised_pnl=self.realised(multiplier),
            unrealised_pnl=self.unrealised(last_price, multiplier),
            multiplier=multiplier,
        )


def margin(listing: Listing, product: Product, net: int, price: Decimal, spot: Decimal | None) -> Decimal:
    """Margin blocked by holding ``net`` of ``listing`` (CNC is paid in cash, not margined)."""
    if product is Product.CNC or net == 0:
        return ZERO
    instrument = listing.instrument
    value = abs(net) * price * instrument.multiplier
    if instrument.instrument_type in (InstrumentType.CE, InstrumentType.PE):
        if net > 0:
            return value  # a long option costs its premium
        underlying = spot if spot is not None else price
        return value + abs(net) * underlying * instrument.multiplier * SHORT_OPTION_MARGIN
    if instrument.instrument_type is InstrumentType.FUT:
        return value * FUTURES_MARGIN
    return value * INTRADAY_EQUITY_MARGIN


def order_margin(
    listing: Listing, product: Product, side: Side, quantity: int, price: Decimal, net: int, spot: Decimal | None
) -> Decimal:
    """What an order blocks: the margin it adds to the position, or its cost for a CNC buy."""
    if product is Product.CNC:
        return quantity * price * listing.instrument.multiplier if side is Side.BUY else ZERO
    signed = quantity if side is Side.BUY else -quantity
    added = margin(listing, product, net + signed, price, spot) - margin(listing, product, net, price, spot)
    return max(added, ZERO)
