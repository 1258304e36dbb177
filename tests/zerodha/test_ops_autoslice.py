"""Orders above the freeze quantity through Kite's autoslice, by the Zerodha broker against the Kite
simulator: one request, one child order per slice, a refused slice said as such, and a reply that is
lost or unreadable an unknown outcome (the slices may stand)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from brokerplex.errors import InputError, OutcomeUnknownError
from brokerplex.ids import new_client_order_id
from brokerplex.models import (
    Instrument,
    InstrumentType,
    Order,
    OrderAck,
    OrderRequest,
    OrderStatus,
    OrderType,
    Side,
    Variety,
)
from brokerplex_zerodha.broker import ZerodhaBroker
from brokerplex_zerodha.sim import KiteSimulator

OnKite = Callable[..., Any]
PLACE = "POST /orders/regular$"
FREEZE = 1800  # the simulator's NIFTY freeze quantity


async def deep_call(broker: ZerodhaBroker) -> Instrument:
    """The NIFTY call with the highest premium (far in the money): far above every limit price used here."""
    calls = [i for i in (await broker.instrument_store()).instruments()
             if i.name == "NIFTY" and i.instrument_type is InstrumentType.CE]
    prices = await broker.ltp([i.symbol for i in calls])
    return max(calls, key=lambda i: prices[i.symbol].last_price)


def sliced(call: Instrument, lots: int, price: str, **changes: Any) -> OrderRequest:
    fields: dict[str, Any] = {"client_order_id": new_client_order_id(), **changes}
    return OrderRequest(symbol=call.symbol, side=Side.BUY, quantity=lots * call.lot_size, order_type=OrderType.LIMIT,
                        price=Decimal(price), product="NRML", **fields)


def test_an_order_above_the_freeze_quantity_is_placed_as_slices(kite_sim: KiteSimulator, on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> tuple[OrderRequest, Instrument, OrderAck, list[Order]]:
        call = await deep_call(broker)
        request = sliced(call, FREEZE // call.lot_size + 1, "1")
        return request, call, await broker.place_autosliced(request), await broker.orders()

    sent = kite_sim.faults.rewrite(PLACE, lambda body: body)
    request, call, ack, book = on_kite(work)
    assert sent.applied == 1  # one request for every slice
    assert ack.client_order_id == request.client_order_id
    assert [child.status for child in ack.children] == [None, None]
    orders = {order.order_id: order for order in book}
    assert ack.order_id not in orders  # the parent is a reference, not an order
    slices = [orders[child.order_id] for child in ack.children]
    size = FREEZE // call.lot_size * call.lot_size
    assert [order.quantity for order in slices] == [size, call.lot_size]
    assert sum(order.quantity for order in slices) == request.quantity
    assert all(order.client_order_id == request.client_order_id and order.status is OrderStatus.OPEN
               for order in slices)


def test_a_refused_slice_is_a_rejected_child_and_the_rest_stand(on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> tuple[OrderAck, list[Order]]:
        call = await deep_call(broker)
        size = FREEZE // call.lot_size * call.lot_size
        # At 200 a slice blocks 200 × size: the account's 1,000,000 pays for two and the small last one.
        assert 2 * 200 * size < 1_000_000 < 3 * 200 * size
        return await broker.place_autosliced(sliced(call, 3 * (size // call.lot_size) + 1, "200")), \
            await broker.orders()

    ack, book = on_kite(work)
    assert [child.status for child in ack.children] == [None, None, OrderStatus.REJECTED, None]
    refused = ack.children[2]
    assert refused.order_id == ""
    assert refused.status_message is not None
    assert refused.status_message.startswith("Insufficient funds")
    assert {order.order_id for order in book} == {child.order_id for child in ack.children if child.order_id}


def test_an_iceberg_is_refused_before_it_is_sent(kite_sim: KiteSimulator, on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> OrderAck:
        return await broker.place_autosliced(sliced(await deep_call(broker), 1, "1", variety=Variety.ICEBERG))

    watch = kite_sim.faults.refuse(PLACE, status=503)
    with pytest.raises(InputError, match="iceberg"):
        on_kite(work)
    assert watch.applied == 0


def test_a_lost_reply_is_an_unknown_outcome_and_the_slices_stand(kite_sim: KiteSimulator, on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> tuple[OrderRequest, list[Order]]:
        call = await deep_call(broker)
        request = sliced(call, FREEZE // call.lot_size + 1, "1")
        kite_sim.faults.lose_reply(PLACE)
        with pytest.raises(OutcomeUnknownError) as lost:
            await broker.place_autosliced(request)
        assert lost.value.client_order_id == request.client_order_id
        return request, await broker.orders()

    request, book = on_kite(work)
    assert len([order for order in book if order.client_order_id == request.client_order_id]) == 2


@pytest.mark.parametrize("data", [{"order_id": "1"}, {"order_id": "1", "children": [{"error": {}}]},
                                  {"children": [{"order_id": "2"}]}, ["1"]])
def test_an_unreadable_reply_is_an_unknown_outcome(kite_sim: KiteSimulator, on_kite: OnKite, data: Any) -> None:
    async def work(broker: ZerodhaBroker) -> OrderAck:
        return await broker.place_autosliced(sliced(await deep_call(broker), 1, "1"))

    kite_sim.faults.answer(PLACE, json.dumps({"status": "success", "data": data}))
    with pytest.raises(OutcomeUnknownError, match="autoslice"):
        on_kite(work)


def test_the_manager_slices_through_kite_once_and_reports_each_slice(kite_home: Any, on_kite: OnKite) -> None:
    """``place_sliced`` on Kite: one journalled request; a leg per slice, with its order id and the quantity
    the book shows; a cash order goes as it is (Kite autoslices derivatives)."""
    from brokerplex.manager import BrokerManager
    from brokerplex.ops.models import LegOutcome

    call = on_kite(deep_call)
    with BrokerManager(kite_home) as manager:
        legs = manager.place_sliced("z1", sliced(call, FREEZE // call.lot_size + 1, "1", client_order_id=None))
        assert [leg.outcome for leg in legs] == [LegOutcome.DONE, LegOutcome.DONE], [leg.message for leg in legs]
        size = FREEZE // call.lot_size * call.lot_size
        assert [leg.quantity for leg in legs] == [size, call.lot_size]
        book = {order.order_id: order for order in manager.orders("z1")}
        assert all(leg.order_id in book for leg in legs)
        assert len({leg.client_order_id for leg in legs}) == 1, "Kite's slices share the order's tag"
        assert len(manager.journal.entries("z1")) == 1, "one request, one intent"
        [cash] = manager.place_sliced("z1", OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1))
        assert cash.order_id in {order.order_id for order in manager.orders("z1")}
