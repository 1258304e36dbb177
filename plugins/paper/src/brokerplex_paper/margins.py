"""What orders would block before they are placed: the paper exchange's margin check, run as a preview.

One margin computation: each figure is what :meth:`PaperExchange.place` would require of the order
now (``_order_margin`` at the order's price, or the last price for market orders), against the
account's current position. Nothing is placed and nothing is held. The paper exchange charges no
brokerage or taxes (its fills cost exactly their price), so charges are zero, and say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from brokerplex.models import OrderRequest, Product, Side
from brokerplex_paper.accounting import ZERO, order_margin
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.market import to_paise


@dataclass(frozen=True, slots=True)
class MarginPreview:
    """One order's requirement: ``margin`` is what placing it would block (a delivery buy: its cost)."""

    request: OrderRequest
    price: Decimal  # the price it was valued at
    margin: Decimal
    charges: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class BasketPreview:
    """A basket's requirement: ``initial`` adds up the legs, each alone; ``final`` places them together,
    so that opposite legs in one symbol and product net off (a hedge needs less than its parts)."""

    orders: list[MarginPreview]
    initial: Decimal
    final: Decimal
    charges: Decimal = ZERO


def order_margins(
    exchange: PaperExchange, account: str, requests: Sequence[OrderRequest], *, consider_positions: bool = True
) -> list[MarginPreview]:
    """Each of ``requests`` alone, as the exchange's margin check would value it now (against the
    account's positions, or, without ``consider_positions``, as if it held none).

    Raises SymbolError for an unlisted symbol, PermissionDeniedError for an unknown account."""
    with exchange.atomically():
        exchange._cash(account)
        return [_preview(exchange, account, request, consider_positions) for request in requests]


def basket_margins(
    exchange: PaperExchange, account: str, requests: Sequence[OrderRequest], *, consider_positions: bool = True
) -> BasketPreview:
    """``requests`` as one basket: each leg alone, their sum, and the netted requirement."""
    with exchange.atomically():
        exchange._cash(account)
        previews = [_preview(exchange, account, request, consider_positions) for request in requests]
        groups: dict[tuple[str, Product], list[MarginPreview]] = {}
        for preview in previews:
            groups.setdefault((preview.request.symbol, preview.request.resolved_product), []).append(preview)
        final = sum((_netted(exchange, account, legs, consider_positions) for legs in groups.values()), ZERO)
        return BasketPreview(previews, to_paise(sum((p.margin for p in previews), ZERO)), to_paise(final))


def _preview(exchange: PaperExchange, account: str, request: OrderRequest, consider_positions: bool) -> MarginPreview:
    price = request.price or request.trigger_price or exchange._advance(request.symbol).last_price
    required = _required(exchange, account, request.symbol, request.resolved_product, request.side,
                         request.quantity, price, consider_positions)
    return MarginPreview(request, price, to_paise(required))


def _required(exchange: PaperExchange, account: str, symbol: str, product: Product, side: Side, quantity: int,
              price: Decimal, consider_positions: bool) -> Decimal:
    listing = exchange._listing(symbol)
    if consider_positions:
        return exchange._order_margin(account, listing, product, side, quantity, price)
    return order_margin(listing, product, side, quantity, price, 0, exchange._spot(listing))


def _netted(exchange: PaperExchange, account: str, legs: list[MarginPreview], consider_positions: bool) -> Decimal:
    """What the legs in one symbol and product block together: their net quantity, valued at the
    average price of the legs on the net side (delivery sells, paid from holdings, block nothing)."""
    first = legs[0].request
    signed = sum(leg.request.quantity if leg.request.side is Side.BUY else -leg.request.quantity for leg in legs)
    if signed == 0:
        return ZERO
    side = Side.BUY if signed > 0 else Side.SELL
    same = [leg for leg in legs if leg.request.side is side]
    price = sum((leg.price * leg.request.quantity for leg in same), ZERO) / sum(leg.request.quantity for leg in same)
    return _required(exchange, account, first.symbol, first.resolved_product, side, abs(signed), price,
                     consider_positions)
