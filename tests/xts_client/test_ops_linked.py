"""Cover (co) and bracket (bo) orders through the investor adapter: their own routes, their legs linked in
the order book and on the socket, and exits through the cover and bracket routes."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from brokerplex.models import Order, OrderModify, OrderRequest, OrderStatus, OrderType, Product, Side, Variety
from brokerplex.rules import tick_floor
from brokerplex.streaming import StreamEvent
from brokerplex_xts_client.sim import XtsSimulator

if TYPE_CHECKING:
    from tests.xts_client.conftest import Account, Clients, Streaming

INFY = "NSE:INFY"


def price_at(account: Account, fraction: str) -> Decimal:
    last = account.manager.quotes(account.name, [INFY])[INFY].last_price
    return tick_floor(last * Decimal(fraction), account.manager.instrument(account.name, INFY))


def book_when(account: Account, xts_api: Clients, done: object) -> dict[str, Order]:
    """The order book (by order id) once ``done(book)`` holds."""
    return xts_api.wait_until(lambda: {o.order_id: o for o in account.manager.orders(account.name)},
                              done)  # type: ignore[arg-type]


def net(account: Account) -> int:
    return sum(p.quantity for p in account.manager.positions(account.name) if p.symbol == INFY)


def test_a_cover_order_books_its_stop_leg_under_the_entry_and_exits_through_the_cover_route(
    investor: Account, xts_api: Clients
) -> None:
    manager, name = investor.manager, investor.name
    stop = price_at(investor, "0.97")
    ack = manager.place_order(name, OrderRequest(symbol=INFY, side=Side.BUY, quantity=4, variety=Variety.CO,
                                                 trigger_price=stop, client_order_id="cover1"))
    book = book_when(investor, xts_api, lambda b: len(b) == 2 and b[ack.order_id].status is OrderStatus.COMPLETE)
    entry = book[ack.order_id]
    (leg,) = (o for o in book.values() if o.order_id != ack.order_id)
    assert (entry.variety, entry.product, entry.parent_order_id, entry.client_order_id) == (
        Variety.CO, Product.MIS, None, "cover1")
    assert (leg.variety, leg.parent_order_id, leg.side, leg.order_type, leg.trigger_price, leg.status) == (
        Variety.CO, entry.order_id, Side.SELL, OrderType.SL_M, stop, OrderStatus.TRIGGER_PENDING)
    manager.cancel_order(name, leg.order_id)  # exits the cover: its stop leg goes at market
    book_when(investor, xts_api, lambda b: b[leg.order_id].status is OrderStatus.COMPLETE)
    assert net(investor) == 0


def test_a_cover_stop_leg_can_be_moved(investor: Account, xts_api: Clients) -> None:
    manager, name = investor.manager, investor.name
    ack = manager.place_order(name, OrderRequest(symbol=INFY, side=Side.BUY, quantity=2, variety=Variety.CO,
                                                 trigger_price=price_at(investor, "0.97")))
    book = book_when(investor, xts_api, lambda b: len(b) == 2)
    (leg,) = (o for o in book.values() if o.order_id != ack.order_id)
    lower = price_at(investor, "0.96")
    manager.modify_order(name, leg.order_id, OrderModify(trigger_price=lower))
    moved = book_when(investor, xts_api, lambda b: b[leg.order_id].trigger_price == lower)[leg.order_id]
    assert (moved.variety, moved.parent_order_id) == (Variety.CO, ack.order_id)


def test_a_bracket_order_places_linked_legs_after_the_fill_and_cancelling_a_leg_exits_it(
    investor: Account, xts_api: Clients
) -> None:
    manager, name = investor.manager, investor.name
    ack = manager.place_order(name, OrderRequest(
        symbol=INFY, side=Side.BUY, quantity=3, order_type=OrderType.LIMIT, price=price_at(investor, "1.01"),
        variety=Variety.BO, target=Decimal(20), stop_loss=Decimal(15), client_order_id="bracket1"))
    book = book_when(investor, xts_api, lambda b: len(b) == 3)  # the legs follow the entry's fill
    entry = book[ack.order_id]
    assert (entry.status, entry.variety, entry.parent_order_id, entry.client_order_id) == (
        OrderStatus.COMPLETE, Variety.BO, None, "bracket1")
    assert entry.average_price is not None
    legs = {o.order_type: o for o in book.values() if o.order_id != ack.order_id}
    assert {(o.variety, o.parent_order_id, o.side, o.quantity) for o in legs.values()} == {
        (Variety.BO, ack.order_id, Side.SELL, 3)}
    assert legs[OrderType.LIMIT].price == entry.average_price + 20
    assert legs[OrderType.SL_M].trigger_price == entry.average_price - 15
    target = legs[OrderType.LIMIT].order_id
    further = entry.average_price + 25
    manager.modify_order(name, target, OrderModify(price=further))  # a leg changes as an order of product BO
    moved = book_when(investor, xts_api, lambda b: b[target].price == further)[target]
    assert (moved.variety, moved.parent_order_id, moved.status) == (Variety.BO, ack.order_id, OrderStatus.OPEN)
    manager.cancel_order(name, legs[OrderType.LIMIT].order_id)  # the bracket is cancelled: its exit at market
    book_when(investor, xts_api, lambda b: all(b[o.order_id].status is OrderStatus.CANCELLED for o in legs.values()))
    xts_api.wait_until(lambda: net(investor), lambda quantity: quantity == 0)


def test_a_resting_bracket_entry_is_modified_and_cancelled_through_the_bracket_route(
    investor: Account, xts_api: Clients, xts_sim: XtsSimulator
) -> None:
    manager, name = investor.manager, investor.name
    ack = manager.place_order(name, OrderRequest(
        symbol=INFY, side=Side.BUY, quantity=3, order_type=OrderType.LIMIT, price=price_at(investor, "0.95"),
        variety=Variety.BO, target=Decimal(20), stop_loss=Decimal(15)))
    lower = price_at(investor, "0.94")
    manager.modify_order(name, ack.order_id, OrderModify(price=lower, quantity=5))
    entry = book_when(investor, xts_api, lambda b: b[ack.order_id].quantity == 5)[ack.order_id]
    assert (entry.price, entry.variety, entry.status) == (lower, Variety.BO, OrderStatus.OPEN)
    manager.cancel_order(name, ack.order_id)
    book_when(investor, xts_api, lambda b: b[ack.order_id].status is OrderStatus.CANCELLED)
    assert len(xts_sim.exchange.orders(xts_sim.account("investor")["user_id"])) == 1  # no legs were ever placed


def test_socket_events_show_cover_legs_as_co_and_linked(tmp_path: Path, xts_sim: XtsSimulator,
                                                        xts_streaming: Streaming) -> None:
    async def run() -> tuple[str, list[StreamEvent]]:
        async with xts_streaming(tmp_path, xts_sim) as (broker, stream):
            last = (await broker.quotes([INFY]))[INFY].last_price
            ack = await broker.place_order(OrderRequest(
                symbol=INFY, side=Side.BUY, quantity=1, variety=Variety.CO,
                trigger_price=tick_floor(last * Decimal("0.97"), await broker.instrument(INFY))))
            seen: list[StreamEvent] = []

            async def read() -> None:
                async for event in stream:
                    seen.append(event)
                    if len({e.order_id for e in seen if isinstance(e, Order)}) == 2:
                        return

            await asyncio.wait_for(read(), 10)
            return ack.order_id, seen

    entry_id, events = asyncio.run(run())
    orders = [e for e in events if isinstance(e, Order)]
    assert {o.variety for o in orders} == {Variety.CO}
    assert {(o.order_id == entry_id, o.parent_order_id) for o in orders} == {(True, None), (False, entry_id)}
