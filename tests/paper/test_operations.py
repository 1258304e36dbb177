"""Everyday operations on the paper exchange itself: converting positions, previewing margins."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from brokerplex.errors import InsufficientFundsError, InsufficientHoldingsError, InvalidOrderError, SymbolError
from brokerplex.models import Instrument, OrderRequest, OrderStatus, OrderType, Position, Product, Side
from brokerplex_paper.conversion import convert_position
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.margins import basket_margins, order_margins
from clocks import TUESDAY_11AM


@pytest.fixture
def exchange(tmp_path: Path) -> PaperExchange:
    exchange = PaperExchange(tmp_path / "exchange.sqlite", clock=lambda: TUESDAY_11AM)
    exchange.ensure_account("a", Decimal(100_000_000))
    return exchange


def order(symbol: str, side: Side, quantity: int, product: Product, **fields: object) -> OrderRequest:
    return OrderRequest.model_validate(
        {"symbol": symbol, "side": side, "quantity": quantity, "product": product, **fields})


def filled(exchange: PaperExchange, account: str, request: OrderRequest) -> Decimal:
    """Place ``request``, check it filled, and give its average price."""
    placed = exchange.place(account, request).order
    assert placed.status is OrderStatus.COMPLETE, placed.status_message
    assert placed.average_price is not None
    return placed.average_price


def rows(exchange: PaperExchange, account: str = "a") -> dict[Product, Position]:
    return {position.product: position for position in exchange.positions(account)}


def nifty_future(exchange: PaperExchange) -> Instrument:
    return next(i for i in exchange.instruments() if i.underlying == "NIFTY" and i.instrument_type == "FUT")


# -- converting positions ------------------------------------------------------------------------------
def test_intraday_buy_to_delivery_pays_for_the_shares_and_keeps_the_pnl(exchange: PaperExchange) -> None:
    exchange.set_price("NSE:SBIN", Decimal(960))
    bought = filled(exchange, "a", order("NSE:SBIN", Side.BUY, 10, Product.MIS))
    exchange.set_price("NSE:SBIN", Decimal(980))
    sold = filled(exchange, "a", order("NSE:SBIN", Side.SELL, 4, Product.MIS))
    realised = rows(exchange)[Product.MIS].realised_pnl
    cash, used = exchange.funds("a").cash, exchange.funds("a").used_margin
    assert used > 0

    convert_position(exchange, "a", "NSE:SBIN", Side.BUY, 6, Product.MIS, Product.CNC)

    mis, cnc = rows(exchange)[Product.MIS], rows(exchange)[Product.CNC]
    assert (mis.quantity, mis.buy_quantity, mis.sell_quantity) == (0, 4, 4)
    assert mis.realised_pnl == realised == (4 * (sold - bought)).quantize(Decimal("0.01"))
    assert (cnc.quantity, cnc.buy_quantity, cnc.average_price) == (6, 6, bought)
    funds = exchange.funds("a")
    assert funds.cash == cash - 6 * bought  # delivery is paid in cash
    assert funds.used_margin == 0  # and no longer margined


def test_delivery_buy_to_intraday_gives_the_cash_back_and_margins_it(exchange: PaperExchange) -> None:
    cash = exchange.funds("a").cash
    price = filled(exchange, "a", order("NSE:INFY", Side.BUY, 10, Product.CNC))
    assert exchange.funds("a").cash == cash - 10 * price

    convert_position(exchange, "a", "NSE:INFY", Side.BUY, 10, Product.CNC, Product.MIS)

    assert set(rows(exchange)) == {Product.MIS}  # the emptied CNC row is gone
    assert rows(exchange)[Product.MIS].quantity == 10
    funds = exchange.funds("a")
    assert funds.cash == cash
    assert funds.used_margin > 0


def test_a_future_converts_between_intraday_and_carry_forward(exchange: PaperExchange) -> None:
    nifty = nifty_future(exchange)
    filled(exchange, "a", order(nifty.symbol, Side.SELL, 2 * nifty.lot_size, Product.MIS))
    used = exchange.funds("a").used_margin

    convert_position(exchange, "a", nifty.symbol, Side.SELL, nifty.lot_size, Product.MIS, Product.NRML)

    assert rows(exchange)[Product.MIS].quantity == rows(exchange)[Product.NRML].quantity == -nifty.lot_size
    assert exchange.funds("a").used_margin == used  # both products margin a future alike
    with pytest.raises(InvalidOrderError, match="from MIS to CNC"):
        convert_position(exchange, "a", nifty.symbol, Side.SELL, nifty.lot_size, Product.MIS, Product.CNC)


@pytest.mark.parametrize(
    ("side", "quantity", "old", "new", "match"),
    [
        (Side.BUY, 11, Product.MIS, Product.CNC, "holds 10 bought to convert, not 11"),
        (Side.SELL, 5, Product.MIS, Product.CNC, "holds 0 sold to convert"),
        (Side.BUY, 5, Product.CNC, Product.MIS, "CNC day position in NSE:SBIN holds 0"),
        (Side.BUY, 5, Product.MIS, Product.NRML, "its products are CNC and MIS"),
        (Side.BUY, 5, Product.MIS, Product.MIS, "from MIS to MIS"),
        (Side.BUY, 0, Product.MIS, Product.CNC, "must be positive"),
    ],
)
def test_a_conversion_the_position_does_not_hold_is_refused(
    exchange: PaperExchange, side: Side, quantity: int, old: Product, new: Product, match: str
) -> None:
    filled(exchange, "a", order("NSE:SBIN", Side.BUY, 10, Product.MIS))
    before = exchange.positions("a"), exchange.funds("a").cash
    with pytest.raises(InvalidOrderError, match=match):
        convert_position(exchange, "a", "NSE:SBIN", side, quantity, old, new)
    assert (exchange.positions("a"), exchange.funds("a").cash) == before


def test_overnight_positions_and_unknown_symbols_are_refused(exchange: PaperExchange) -> None:
    with pytest.raises(InvalidOrderError, match="only day positions"):
        convert_position(exchange, "a", "NSE:SBIN", Side.BUY, 1, Product.MIS, Product.CNC, position_type="overnight")
    with pytest.raises(SymbolError):
        convert_position(exchange, "a", "NSE:NOSUCH", Side.BUY, 1, Product.MIS, Product.CNC)


def test_an_intraday_short_becomes_a_delivery_sell_only_against_holdings(exchange: PaperExchange) -> None:
    filled(exchange, "a", order("NSE:SBIN", Side.SELL, 5, Product.MIS))
    with pytest.raises(InsufficientHoldingsError, match="0 can be sold"):
        convert_position(exchange, "a", "NSE:SBIN", Side.SELL, 5, Product.MIS, Product.CNC)
    filled(exchange, "a", order("NSE:SBIN", Side.BUY, 5, Product.CNC))  # today's delivery buy can be sold
    cash = exchange.funds("a").cash
    convert_position(exchange, "a", "NSE:SBIN", Side.SELL, 5, Product.MIS, Product.CNC)
    cnc = rows(exchange)[Product.CNC]
    assert (cnc.quantity, cnc.sell_quantity) == (0, 5)
    assert exchange.funds("a").cash == cash + cnc.sell_value  # the delivery sell brings its value in


def test_a_conversion_the_account_cannot_pay_for_is_refused_and_changes_nothing(exchange: PaperExchange) -> None:
    exchange.ensure_account("poor", Decimal(10_000))
    filled(exchange, "poor", order("NSE:INFY", Side.BUY, 10, Product.MIS))  # 20% margin: fits
    before = exchange.positions("poor"), exchange.funds("poor")
    with pytest.raises(InsufficientFundsError, match=r"required margin is .* but available margin is"):
        convert_position(exchange, "poor", "NSE:INFY", Side.BUY, 10, Product.MIS, Product.CNC)
    assert (exchange.positions("poor"), exchange.funds("poor")) == before


# -- margin previews ---------------------------------------------------------------------------------------
def test_an_order_margin_preview_is_what_placing_the_order_blocks(exchange: PaperExchange) -> None:
    exchange.set_price("NSE:INFY", Decimal(1500))
    requests = [order("NSE:INFY", Side.BUY, 10, product, order_type=OrderType.LIMIT, price=Decimal(1400))
                for product in (Product.MIS, Product.CNC)]
    intraday, delivery = order_margins(exchange, "a", requests)
    assert intraday.margin == Decimal(2800)  # a fifth of 10 × 1400
    assert delivery.margin == Decimal(14000)  # delivery blocks its whole cost
    assert (intraday.charges, delivery.charges) == (0, 0)
    assert exchange.orders("a") == []  # a preview places nothing
    for request, preview in zip(requests, (intraday, delivery), strict=True):
        used = exchange.funds("a").used_margin
        assert exchange.place("a", request).order.status is OrderStatus.OPEN  # rests below the market
        assert exchange.funds("a").used_margin == used + preview.margin


def test_a_market_order_is_valued_at_the_last_price_against_the_position(exchange: PaperExchange) -> None:
    exchange.set_price("NSE:SBIN", Decimal(960))
    (opening,) = order_margins(exchange, "a", [order("NSE:SBIN", Side.SELL, 10, Product.MIS)])
    assert (opening.price, opening.margin) == (Decimal(960), Decimal(1920))
    filled(exchange, "a", order("NSE:SBIN", Side.BUY, 10, Product.MIS))
    exchange.set_price("NSE:SBIN", Decimal(960))
    (closing,) = order_margins(exchange, "a", [order("NSE:SBIN", Side.SELL, 10, Product.MIS)])
    assert closing.margin == 0  # selling what is held frees margin rather than blocking it
    (alone,) = order_margins(exchange, "a", [order("NSE:SBIN", Side.SELL, 10, Product.MIS)], consider_positions=False)
    assert alone.margin == opening.margin


def test_a_preview_that_exceeds_the_funds_is_what_the_exchange_refuses(exchange: PaperExchange) -> None:
    exchange.set_price("NSE:INFY", Decimal(1500))
    request = order("NSE:INFY", Side.BUY, 10, Product.MIS, order_type=OrderType.LIMIT, price=Decimal(1400))
    (preview,) = order_margins(exchange, "a", [request])
    exchange.ensure_account("short", preview.margin - Decimal("0.01"))
    exchange.ensure_account("enough", preview.margin)
    refused = exchange.place("short", request).order
    assert refused.status is OrderStatus.REJECTED
    assert f"required margin is {preview.margin}" in (refused.status_message or "")
    assert exchange.place("enough", request).order.status is OrderStatus.OPEN


def test_a_basket_nets_opposite_legs_of_one_symbol(exchange: PaperExchange) -> None:
    nifty = nifty_future(exchange)
    lot = nifty.lot_size
    buy, sell = (order(nifty.symbol, side, lot, Product.NRML) for side in (Side.BUY, Side.SELL))
    hedge = basket_margins(exchange, "a", [buy, sell])
    alone = [preview.margin for preview in hedge.orders]
    assert alone[0] > 0
    assert alone[0] == alone[1]  # valued at one last price: a long and a short block alike
    assert hedge.initial == sum(alone)
    assert hedge.final == 0  # the legs cancel out
    more = basket_margins(exchange, "a", [buy, buy, sell])
    assert more.initial == 3 * alone[0]
    assert more.final == alone[0]
    apart = basket_margins(exchange, "a", [buy, order("NSE:SBIN", Side.BUY, 10, Product.MIS)])
    assert apart.final == apart.initial  # different symbols never net
    assert exchange.orders("a") == []


def test_a_basket_with_an_unlisted_symbol_is_refused(exchange: PaperExchange) -> None:
    with pytest.raises(SymbolError):
        basket_margins(exchange, "a", [order("NSE:SBIN", Side.BUY, 1, Product.MIS),
                                       order("NSE:NOSUCH", Side.BUY, 1, Product.MIS)])
