"""Converting a day position from one product to another, as Kite's ``PUT /portfolio/positions`` does.

Intraday ↔ delivery on the cash market (MIS ↔ CNC) and intraday ↔ carry-forward on derivatives
(MIS ↔ NRML). The converted quantity leaves one position row and joins the other at its average
price, so neither row's realised P&L changes; the money follows the exchange's own accounting:
delivery is paid in cash (a CNC buy costs its value, a CNC sell brings it in), everything else is
margined. A conversion the account cannot afford is refused, and nothing changes.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Literal

from brokerplex.errors import InsufficientFundsError, InsufficientHoldingsError, InvalidOrderError
from brokerplex.models import InstrumentType, Product, Side
from brokerplex_paper.accounting import PositionRow
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.market import to_paise

PositionType = Literal["day", "overnight"]

# The products each kind of instrument may be converted between.
_CASH_PRODUCTS = frozenset({Product.MIS, Product.CNC})
_DERIVATIVE_PRODUCTS = frozenset({Product.MIS, Product.NRML})


def convert_position(
    exchange: PaperExchange, account: str, symbol: str, side: Side, quantity: int,
    old_product: Product, new_product: Product, *, position_type: PositionType = "day",
) -> None:
    """Move ``quantity`` of ``account``'s day ``side`` position in ``symbol`` from ``old_product`` to
    ``new_product``. ``side`` is the side the position was bought or sold on (BUY: a long).

    Raises InvalidOrderError when the products cannot be converted or the position does not hold that
    quantity on that side, InsufficientHoldingsError when a short would become a delivery sell without
    the shares, InsufficientFundsError when the account cannot pay for the result, SymbolError for an
    unlisted symbol.
    """
    if quantity <= 0:
        raise InvalidOrderError(f"quantity to convert must be positive, not {quantity}")
    if position_type != "day":
        raise InvalidOrderError("only day positions can be converted on the paper exchange")
    with exchange.atomically() as ledger:
        exchange._cash(account)  # an unknown account fails here
        listing = exchange._listing(symbol)
        instrument = listing.instrument
        allowed = _CASH_PRODUCTS if instrument.instrument_type is InstrumentType.EQ else _DERIVATIVE_PRODUCTS
        if old_product is new_product or not {old_product, new_product} <= allowed:
            raise InvalidOrderError(
                f"{symbol} cannot be converted from {old_product} to {new_product}; "
                f"its products are {' and '.join(sorted(allowed))}")
        if new_product is Product.MIS and exchange._square_off_due(instrument.exchange):
            raise InvalidOrderError("intraday (MIS) is closed for the day; positions cannot be converted to it")
        source = ledger.position(account, symbol, old_product)
        held = _convertible(source, side)
        if quantity > held:
            raise InvalidOrderError(
                f"the {old_product} day position in {symbol} holds {held} {'bought' if side is Side.BUY else 'sold'}"
                f" to convert, not {quantity}")
        if side is Side.SELL and new_product is Product.CNC:
            sellable = exchange._sellable(account, symbol, excluding="")
            if quantity > sellable:
                raise InsufficientHoldingsError(
                    f"insufficient holdings: converting a sell of {quantity} {symbol} to CNC "
                    f"but {sellable} can be sold")
        before = exchange._funds(account).available_margin
        moved, value = _take(source, side, quantity)
        if moved.overnight_quantity or moved.buy_quantity or moved.sell_quantity:
            ledger.save_position(account, moved)
        else:
            ledger.delete_position(account, moved)  # no trades left: no position row
        target = ledger.position(account, symbol, new_product)
        ledger.save_position(account, _give(target, side, quantity, value))
        cost = value * instrument.multiplier  # what delivery pays (a buy) or receives (a sell)
        signed = cost if side is Side.BUY else -cost
        if old_product is Product.CNC:
            exchange._add_cash(account, signed)
        if new_product is Product.CNC:
            exchange._add_cash(account, -signed)
        after = exchange._funds(account).available_margin
        if after < 0 and after < before:  # raising rolls the whole conversion back
            raise InsufficientFundsError(
                f"insufficient funds: required margin is {to_paise(before - after)} "
                f"but available margin is {before}")


def _convertible(row: PositionRow, side: Side) -> int:
    """How much of the day's ``side`` trades in ``row`` are still open."""
    if side is Side.BUY:
        return min(row.buy_quantity, row.net) if row.net > 0 else 0
    return min(row.sell_quantity, -row.net) if row.net < 0 else 0


def _take(row: PositionRow, side: Side, quantity: int) -> tuple[PositionRow, Decimal]:
    """``row`` without ``quantity`` of its ``side`` trades (at their average), and their value."""
    if side is Side.BUY:
        value = row.buy_value if quantity == row.buy_quantity else row.buy_value * quantity / row.buy_quantity
        return replace(row, buy_quantity=row.buy_quantity - quantity, buy_value=row.buy_value - value), value
    value = row.sell_value if quantity == row.sell_quantity else row.sell_value * quantity / row.sell_quantity
    return replace(row, sell_quantity=row.sell_quantity - quantity, sell_value=row.sell_value - value), value


def _give(row: PositionRow, side: Side, quantity: int, value: Decimal) -> PositionRow:
    if side is Side.BUY:
        return replace(row, buy_quantity=row.buy_quantity + quantity, buy_value=row.buy_value + value)
    return replace(row, sell_quantity=row.sell_quantity + quantity, sell_value=row.sell_value + value)
