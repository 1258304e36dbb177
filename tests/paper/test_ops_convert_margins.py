"""Paper's native conversions and margins, through PaperBroker: what they say is what the exchange then does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest

from brokerplex.errors import InvalidOrderError
from brokerplex.models import OrderRequest, OrderStatus, OrderType, Position, Product, Side
from brokerplex_paper.broker import PaperBroker

Call = Callable[[Awaitable[Any]], Any]
Fill = Callable[[PaperBroker, OrderRequest], Decimal]


def order(symbol: str, side: Side, quantity: int, product: Product, **fields: object) -> OrderRequest:
    return OrderRequest.model_validate({"symbol": symbol, "side": side, "quantity": quantity, "product": product,
                                        "client_order_id": "t1", **fields})


def by_product(call: Call, broker: PaperBroker, symbol: str) -> dict[Product, Position]:
    return {p.product: p for p in call(broker.positions()) if p.symbol == symbol}


def nifty_future(call: Call, broker: PaperBroker) -> str:
    """The NIFTY future furthest from expiry (so that it is still listed tomorrow)."""
    futures = [i for i in call(broker.instruments()) if i.underlying == "NIFTY" and i.instrument_type == "FUT"]
    return max(futures, key=lambda i: i.expiry).symbol


# -- convert -------------------------------------------------------------------------------------------
def test_converting_intraday_to_delivery_moves_the_quantity_and_pays_for_the_shares(
        paper_home: Any, call: Call, fill: Fill) -> None:
    broker = paper_home.broker()
    broker.exchange.set_price("NSE:SBIN", Decimal(960))
    average = fill(broker, order("NSE:SBIN", Side.BUY, 10, Product.MIS))
    before = call(broker.funds())
    mis = by_product(call, broker, "NSE:SBIN")[Product.MIS]

    call(broker.convert_position(mis, 6, Product.CNC))

    after_rows = by_product(call, broker, "NSE:SBIN")
    assert (after_rows[Product.MIS].quantity, after_rows[Product.CNC].quantity) == (4, 6)
    assert after_rows[Product.CNC].average_price == average
    after = call(broker.funds())
    assert after.cash == before.cash - 6 * average  # delivery is paid in cash
    assert after.used_margin < before.used_margin  # and no longer margined as intraday


def test_converting_carry_forward_to_intraday_on_a_future_moves_the_margin_with_it(
        paper_home: Any, call: Call, fill: Fill) -> None:
    broker = paper_home.broker()
    future = nifty_future(call, broker)
    lot = call(broker.instrument(future)).lot_size
    fill(broker, order(future, Side.SELL, 2 * lot, Product.NRML))
    before = call(broker.funds()).used_margin
    nrml = by_product(call, broker, future)[Product.NRML]
    assert nrml.quantity == -2 * lot

    call(broker.convert_position(nrml, lot, Product.MIS))

    rows = by_product(call, broker, future)
    assert (rows[Product.NRML].quantity, rows[Product.MIS].quantity) == (-lot, -lot)
    assert call(broker.funds()).used_margin == before  # paper margins a future alike in both products


@pytest.mark.parametrize(("quantity", "to", "message"), [
    (11, Product.CNC, "holds 10 bought to convert, not 11"),
    (5, Product.MIS, "cannot be converted from MIS to MIS"),
    (5, Product.NRML, "its products are CNC and MIS"),
    (0, Product.CNC, "must be positive"),
])
def test_conversions_the_exchange_refuses_change_nothing(
        paper_home: Any, call: Call, fill: Fill, quantity: int, to: Product, message: str) -> None:
    broker = paper_home.broker()
    fill(broker, order("NSE:SBIN", Side.BUY, 10, Product.MIS))
    positions, funds = call(broker.positions()), call(broker.funds())

    with pytest.raises(InvalidOrderError, match=message):
        call(broker.convert_position(positions[0], quantity, to))

    assert (call(broker.positions()), call(broker.funds())) == (positions, funds)


def test_a_derivative_cannot_become_delivery(paper_home: Any, call: Call, fill: Fill) -> None:
    broker = paper_home.broker()
    future = nifty_future(call, broker)
    fill(broker, order(future, Side.BUY, call(broker.instrument(future)).lot_size, Product.MIS))
    mis = by_product(call, broker, future)[Product.MIS]
    with pytest.raises(InvalidOrderError, match="its products are MIS and NRML"):
        call(broker.convert_position(mis, mis.quantity, Product.CNC))
    assert by_product(call, broker, future) == {Product.MIS: mis}


def test_a_flat_position_has_nothing_to_convert(paper_home: Any, call: Call, fill: Fill) -> None:
    broker = paper_home.broker()
    fill(broker, order("NSE:SBIN", Side.BUY, 10, Product.MIS))
    fill(broker, order("NSE:SBIN", Side.SELL, 10, Product.MIS))
    flat = call(broker.positions())[0]
    with pytest.raises(InvalidOrderError, match="no open MIS position in NSE:SBIN"):
        call(broker.convert_position(flat, 1, Product.CNC))


# -- margins -------------------------------------------------------------------------------------------
def test_an_orders_margin_is_what_placing_it_blocks(paper_home: Any, call: Call) -> None:
    broker = paper_home.broker()
    broker.exchange.set_price("NSE:INFY", Decimal(1500))
    resting = order("NSE:INFY", Side.BUY, 20, Product.MIS, order_type=OrderType.LIMIT, price=Decimal(1400))
    delivery = order("NSE:INFY", Side.BUY, 5, Product.CNC, order_type=OrderType.LIMIT, price=Decimal(1400))
    margins = call(broker.order_margins([resting, delivery]))
    assert [(m.symbol, m.side, m.quantity, m.charges) for m in margins] == [
        ("NSE:INFY", Side.BUY, 20, 0), ("NSE:INFY", Side.BUY, 5, 0)]
    assert margins[1].total == 5 * 1400  # delivery: the full value

    used = call(broker.funds()).used_margin
    ack = call(broker.place_order(resting))
    assert ack.status is OrderStatus.OPEN
    assert call(broker.funds()).used_margin - used == margins[0].total


def test_a_hedged_basket_needs_less_than_its_legs(paper_home: Any, call: Call) -> None:
    broker = paper_home.broker()
    future = nifty_future(call, broker)
    lot = call(broker.instrument(future)).lot_size
    legs = [order(future, Side.BUY, 2 * lot, Product.NRML), order(future, Side.SELL, lot, Product.NRML)]
    alone = call(broker.order_margins(legs))

    basket = call(broker.basket_margins(legs))

    assert basket.legs == alone
    assert basket.initial == sum(m.total for m in alone)
    assert 0 < basket.final < basket.initial
    assert basket.charges == 0
    assert basket.final == call(broker.order_margins([order(future, Side.BUY, lot, Product.NRML)]))[0].total


# -- what P&L needs --------------------------------------------------------------------------------------
def test_positions_quotes_and_holdings_carry_what_pnl_needs(
        paper_home: Any, call: Call, fill: Fill, clock: Any) -> None:
    broker = paper_home.broker()
    broker.exchange.set_price("NSE:SBIN", Decimal(960))
    bought = fill(broker, order("NSE:SBIN", Side.BUY, 10, Product.MIS))
    sold = fill(broker, order("NSE:SBIN", Side.SELL, 4, Product.MIS))
    future = nifty_future(call, broker)
    lot = call(broker.instrument(future)).lot_size
    fill(broker, order(future, Side.BUY, lot, Product.NRML))
    fill(broker, order("NSE:ITC", Side.BUY, 3, Product.CNC))
    broker.exchange.set_price("NSE:SBIN", Decimal(990))

    quote = call(broker.quotes(["NSE:SBIN"]))["NSE:SBIN"]
    sbin = by_product(call, broker, "NSE:SBIN")[Product.MIS]
    assert quote.close is not None  # the previous close: the day's P&L is measured from it
    assert sbin.last_price == quote.last_price == Decimal(990)
    assert sbin.realised_pnl == 4 * (sold - bought)
    assert sbin.unrealised_pnl == 6 * (Decimal(990) - bought)

    clock.now += dt.timedelta(days=1)  # the overnight batch: the future is carried, the shares held
    carried = by_product(call, broker, future)[Product.NRML]
    assert (carried.overnight_quantity, carried.quantity) == (lot, lot)
    holding = next(h for h in call(broker.holdings()) if h.symbol == "NSE:ITC")
    assert holding.t1_quantity == 3
    assert holding.last_price == call(broker.quotes(["NSE:ITC"]))["NSE:ITC"].last_price
