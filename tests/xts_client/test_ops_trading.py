"""The investor adapter's native trader operations against the XTS simulator: square-off, cancel-all,
conversion and margins, each checked against what the simulator's exchange then holds."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from brokerplex.errors import InputError, NotSupportedError, OutcomeUnknownError, ProtocolError
from brokerplex.models import OrderRequest, OrderStatus, OrderType, Position, Product, Side
from brokerplex.rules import tick_floor
from brokerplex_xts_client.sim import XtsSimulator

if TYPE_CHECKING:
    from tests.xts_client.conftest import Account, Clients

INFY, RELIANCE = "NSE:INFY", "NSE:RELIANCE"


def resting(account: Account, symbol: str) -> Decimal:
    """A BUY limit 5 % under the market: it rests."""
    manager = account.manager
    last = manager.quotes(account.name, [symbol])[symbol].last_price
    return tick_floor(last * Decimal("0.95"), manager.instrument(account.name, symbol))


def bought(account: Account, xts_api: Clients, symbol: str, quantity: int, product: Product = Product.MIS) -> Position:
    """Buy at market and wait for the position it makes."""
    account.manager.place_order(account.name, OrderRequest(symbol=symbol, side=Side.BUY, quantity=quantity,
                                                           product=product))
    return position_of(account, xts_api, symbol, product, quantity)


def position_of(account: Account, xts_api: Clients, symbol: str, product: Product, quantity: int) -> Position:
    found = xts_api.wait_until(lambda: account.run(lambda broker: broker.positions()), lambda positions: any(
        p.symbol == symbol and p.product is product and p.quantity == quantity for p in positions))
    return next(p for p in found if p.symbol == symbol and p.product is product)


def test_square_off_flattens_the_position_at_market(investor: Account, xts_api: Clients,
                                                    xts_sim: XtsSimulator) -> None:
    position = bought(investor, xts_api, INFY, 3)
    assert position.overnight_quantity == 0
    ack = investor.run(lambda broker: broker.square_off(position))
    position_of(investor, xts_api, INFY, Product.MIS, 0)
    sent = next(o for o in xts_sim.exchange.orders(xts_sim.account("investor")["user_id"])
                if o.order_id.lstrip("0") == ack.order_id)
    assert (sent.side, sent.quantity, sent.order_type, sent.product) == (Side.SELL, 3, OrderType.MARKET, Product.MIS)
    flat = position.model_copy(update={"quantity": 0})
    with pytest.raises(InputError, match="already flat"):
        investor.run(lambda broker: broker.square_off(flat))


def test_a_lost_square_off_reply_is_an_unknown_outcome_and_still_acts(investor: Account, xts_api: Clients,
                                                                       xts_sim: XtsSimulator) -> None:
    position = bought(investor, xts_api, INFY, 2)
    xts_sim.lose_next_order_reply()
    with pytest.raises(OutcomeUnknownError):
        investor.run(lambda broker: broker.square_off(position))
    position_of(investor, xts_api, INFY, Product.MIS, 0)  # the square-off went through all the same


def test_a_square_off_reply_without_an_order_id_is_unreadable(investor: Account, xts_api: Clients,
                                                             xts_sim: XtsSimulator) -> None:
    position = bought(investor, xts_api, INFY, 1)
    xts_sim.faults.rewrite("PUT /interactive/portfolio/squareoff$", lambda body: body.replace(b"AppOrderID", b"Id"))
    with pytest.raises(ProtocolError):
        investor.run(lambda broker: broker.square_off(position))
    position_of(investor, xts_api, INFY, Product.MIS, 0)  # it acted; only its reply was unreadable


def test_cancel_all_cancels_only_that_instruments_open_orders(investor: Account, xts_api: Clients) -> None:
    manager, name = investor.manager, investor.name
    price = resting(investor, INFY)
    infy = [manager.place_order(name, OrderRequest(symbol=INFY, side=Side.BUY, quantity=1, order_type=OrderType.LIMIT,
                                                   price=price)).order_id for _ in range(2)]
    kept = manager.place_order(name, OrderRequest(symbol=RELIANCE, side=Side.BUY, quantity=1,
                                                  order_type=OrderType.LIMIT, price=resting(investor, RELIANCE)))
    investor.run(lambda broker: broker.cancel_all(INFY))
    statuses = xts_api.wait_until(lambda: {o.order_id: o.status for o in manager.orders(name)},
                                  lambda seen: all(seen[order_id] is OrderStatus.CANCELLED for order_id in infy))
    assert statuses[kept.order_id] is OrderStatus.OPEN


def test_convert_moves_quantity_between_products(investor: Account, xts_api: Clients) -> None:
    position = bought(investor, xts_api, INFY, 5)
    investor.run(lambda broker: broker.convert_position(position, 2, Product.CNC))
    position_of(investor, xts_api, INFY, Product.MIS, 3)
    position_of(investor, xts_api, INFY, Product.CNC, 2)
    with pytest.raises(InputError, match="not 9"):
        investor.run(lambda broker: broker.convert_position(position, 9, Product.CNC))


def test_order_margin_is_what_the_order_then_blocks(investor: Account, xts_api: Clients) -> None:
    manager, name = investor.manager, investor.name
    request = OrderRequest(symbol=INFY, side=Side.BUY, quantity=4, order_type=OrderType.LIMIT,
                           price=resting(investor, INFY), product=Product.MIS)
    (margin,) = investor.run(lambda broker: broker.order_margins([request]))
    assert (margin.symbol, margin.side, margin.quantity) == (INFY, Side.BUY, 4)
    assert margin.total > 0
    before = manager.funds(name).used_margin
    manager.place_order(name, request)
    after = xts_api.wait_until(lambda: manager.funds(name).used_margin, lambda used: used != before)
    assert after - before == margin.total


def test_basket_margin_nets_opposite_legs(investor: Account) -> None:
    legs = [OrderRequest(symbol=INFY, side=side, quantity=10, product=Product.MIS) for side in (Side.BUY, Side.SELL)]
    basket = investor.run(lambda broker: broker.basket_margins(legs))
    assert [leg.side for leg in basket.legs] == [Side.BUY, Side.SELL]
    assert basket.initial == sum(leg.total for leg in basket.legs) > 0
    assert basket.final < basket.initial  # the two legs offset each other


def test_margin_reply_without_its_details_is_unreadable(investor: Account, xts_sim: XtsSimulator) -> None:
    xts_sim.faults.rewrite("POST /interactive/orders/margindetails$",
                           lambda body: body.replace(b"brokerageDeatils", b"details"))
    with pytest.raises(ProtocolError, match="brokerageDeatils"):
        investor.run(lambda broker: broker.order_margins([OrderRequest(symbol=INFY, side=Side.BUY, quantity=1)]))


def test_a_host_without_the_margin_calculator_says_it_does_not_offer_one(investor: Account,
                                                                         xts_sim: XtsSimulator) -> None:
    xts_sim.faults.answer("POST /interactive/orders/margindetails$", "<html>Cannot POST</html>", status=404,
                          content_type="text/html")
    with pytest.raises(NotSupportedError, match="margin calculator"):
        investor.run(lambda broker: broker.order_margins([OrderRequest(symbol=INFY, side=Side.BUY, quantity=1)]))
