"""The dealer adapter's native trader operations, per client code, against the XTS simulator: each acts on
the client it is run for and on no other, read back from that client's books and the simulator's exchange."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import pytest

from brokerplex.errors import OutcomeUnknownError
from brokerplex.formats import IST
from brokerplex.manager import BrokerManager
from brokerplex.models import Order, OrderRequest, OrderStatus, OrderType, Position, Product, Side, Variety
from brokerplex.rules import tick_floor
from brokerplex.testing.harness import eventually

if TYPE_CHECKING:
    from tests.xts_pro.conftest import OnClient, SimKeys

ACCOUNT, FIRST, SECOND, PRO = "d1", "CL1001", "CL1002", "*****"
INFY = "NSE:INFY"
T = TypeVar("T")


def waited(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 10.0) -> T:
    """``read()`` once ``done`` holds of it, polled as the harness polls."""
    def probe() -> tuple[T] | None:
        value = read()
        return (value,) if done(value) else None

    found = eventually(probe, seconds)
    assert found is not None, read()
    return found[0]


def price_at(dealer: BrokerManager, fraction: str) -> Decimal:
    last = dealer.quotes(ACCOUNT, [INFY])[INFY].last_price
    return tick_floor(last * Decimal(fraction), dealer.instrument(ACCOUNT, INFY))


def position(dealer: BrokerManager, client: str, product: Product, quantity: int) -> Position:
    found = waited(lambda: dealer.positions(ACCOUNT, client=client), lambda positions: any(
        p.symbol == INFY and p.product is product and p.quantity == quantity for p in positions))
    return next(p for p in found if p.symbol == INFY and p.product is product)


def bought(dealer: BrokerManager, client: str, quantity: int) -> Position:
    dealer.client(ACCOUNT, client).place_order(OrderRequest(symbol=INFY, side=Side.BUY, quantity=quantity,
                                                            product=Product.MIS))
    return position(dealer, client, Product.MIS, quantity)


@pytest.mark.parametrize("client", [SECOND, PRO])
def test_square_off_flattens_only_that_clients_position(dealer: BrokerManager, on_client: OnClient,
                                                        client: str) -> None:
    bought(dealer, FIRST, 2)
    mine = bought(dealer, client, 3)
    assert mine.client_code == client
    ack = on_client(client, lambda broker: broker.square_off(mine))
    position(dealer, client, Product.MIS, 0)
    assert any(o.order_id == ack.order_id for o in dealer.orders(ACCOUNT, client=client))
    assert position(dealer, FIRST, Product.MIS, 2).quantity == 2  # the other client's is untouched


def test_a_lost_square_off_reply_for_a_client_is_an_unknown_outcome(dealer: BrokerManager, on_client: OnClient,
                                                                    keys: SimKeys) -> None:
    mine = bought(dealer, SECOND, 1)
    keys.sim.lose_next_order_reply()
    with pytest.raises(OutcomeUnknownError):
        on_client(SECOND, lambda broker: broker.square_off(mine))
    position(dealer, SECOND, Product.MIS, 0)


def test_cancel_all_touches_only_that_clients_orders_of_that_instrument(dealer: BrokerManager,
                                                                        on_client: OnClient) -> None:
    price = price_at(dealer, "0.95")
    resting = OrderRequest(symbol=INFY, side=Side.BUY, quantity=1, order_type=OrderType.LIMIT, price=price)
    mine = [dealer.client(ACCOUNT, SECOND).place_order(resting).order_id for _ in range(2)]
    theirs = dealer.client(ACCOUNT, FIRST).place_order(resting).order_id
    on_client(SECOND, lambda broker: broker.cancel_all(INFY))
    waited(lambda: {o.order_id: o.status for o in dealer.orders(ACCOUNT, client=SECOND)},
           lambda seen: all(seen[order_id] is OrderStatus.CANCELLED for order_id in mine))
    assert {o.order_id: o.status for o in dealer.orders(ACCOUNT, client=FIRST)}[theirs] is OrderStatus.OPEN


def test_convert_moves_a_clients_quantity_between_products(dealer: BrokerManager, on_client: OnClient) -> None:
    mine = bought(dealer, SECOND, 4)
    on_client(SECOND, lambda broker: broker.convert_position(mine, 4, Product.CNC))
    position(dealer, SECOND, Product.CNC, 4)
    assert all(p.quantity == 0 for p in dealer.positions(ACCOUNT, client=SECOND) if p.product is Product.MIS)


def test_margins_for_a_client_are_what_its_order_then_blocks(dealer: BrokerManager, on_client: OnClient) -> None:
    request = OrderRequest(symbol=INFY, side=Side.BUY, quantity=3, order_type=OrderType.LIMIT,
                           price=price_at(dealer, "0.95"), product=Product.MIS)
    (margin,) = on_client(SECOND, lambda broker: broker.order_margins([request]))
    basket = on_client(SECOND, lambda broker: broker.basket_margins([request, request]))
    assert basket.initial == basket.final == 2 * margin.total  # two buys: nothing offsets
    view = dealer.client(ACCOUNT, SECOND)
    before = view.funds().used_margin
    view.place_order(request)
    after = waited(lambda: view.funds().used_margin, lambda used: used != before)
    assert after - before == margin.total


def test_candles_for_a_dealer(on_client: OnClient) -> None:
    end = dt.datetime.now(IST)
    bars = on_client(FIRST, lambda broker: broker.candles(INFY, "1h", end - dt.timedelta(days=5), end))
    assert bars
    assert [bar.at for bar in bars] == sorted(bar.at for bar in bars)


def book(dealer: BrokerManager, client: str, done: Callable[[dict[str, Order]], bool]) -> dict[str, Order]:
    return waited(lambda: {o.order_id: o for o in dealer.orders(ACCOUNT, client=client)}, done)


def test_cover_and_bracket_orders_for_a_client_are_linked_in_its_book(dealer: BrokerManager,
                                                                      keys: SimKeys) -> None:
    view = dealer.client(ACCOUNT, SECOND)
    cover = view.place_order(OrderRequest(symbol=INFY, side=Side.SELL, quantity=2, variety=Variety.CO,
                                          trigger_price=price_at(dealer, "1.03"), client_order_id="dco1"))
    bracket = view.place_order(OrderRequest(
        symbol=INFY, side=Side.BUY, quantity=1, order_type=OrderType.LIMIT, price=price_at(dealer, "1.01"),
        variety=Variety.BO, target=Decimal(30), stop_loss=Decimal(30), client_order_id="dbo1"))
    orders = book(dealer, SECOND, lambda seen: len(seen) == 5)  # two cover orders, a bracket's three
    children = {(o.variety, o.parent_order_id) for o in orders.values() if o.parent_order_id}
    assert children == {(Variety.CO, cover.order_id), (Variety.BO, bracket.order_id)}
    assert {o.client_code for o in orders.values()} == {SECOND}
    assert (orders[cover.order_id].client_order_id, orders[bracket.order_id].client_order_id) == ("dco1", "dbo1")
    assert keys.exchange_orders(FIRST) == []
    view.cancel_order(bracket.order_id)  # the bracket route: legs cancelled, the fill exited
    book(dealer, SECOND, lambda seen: all(o.status.is_final for o in seen.values()
                                          if o.variety is Variety.BO and o.parent_order_id))
    (exit_leg,) = (o for o in orders.values() if o.parent_order_id == cover.order_id)
    view.cancel_order(exit_leg.order_id)  # the cover route
    book(dealer, SECOND, lambda seen: seen[exit_leg.order_id].status is OrderStatus.COMPLETE)
    waited(lambda: sum(p.quantity for p in view.positions() if p.symbol == INFY), lambda net: net == 0)
