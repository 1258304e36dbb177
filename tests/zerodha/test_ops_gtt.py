"""GTT triggers through the Zerodha broker against the Kite simulator: placed, listed, modified and deleted,
refused as Kite refuses them, fired by the market into an order, and unreadable replies refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from brokerplex.errors import InputError, InvalidOrderError, OutcomeUnknownError, ProtocolError, RefusedError
from brokerplex.models import Order, OrderType, Product, Side
from brokerplex.ops.models import Gtt, GttOrder, GttRequest, GttStatus, GttType
from brokerplex.testing.harness import eventually
from brokerplex_zerodha.broker import ZerodhaBroker
from brokerplex_zerodha.sim import KiteSimulator

OnKite = Callable[..., Any]
INFY = "NSE:INFY"
GTT_WRITES = "POST|PUT|DELETE /gtt/triggers"


@pytest.fixture
def market(kite_sim: KiteSimulator) -> KiteSimulator:
    """INFY at 1500: far from every trigger these tests use until a test moves it."""
    kite_sim.exchange.set_price(INFY, Decimal("1500"))
    return kite_sim


def single(trigger: str, side: Side, price: str, quantity: int = 1, product: Product = Product.CNC) -> GttRequest:
    return GttRequest(symbol=INFY, trigger_prices=[Decimal(trigger)], last_price=Decimal("1500"),
                      orders=[GttOrder(side=side, quantity=quantity, price=Decimal(price), product=product)])


def oco(lower: str, upper: str) -> GttRequest:
    return GttRequest(symbol=INFY, type=GttType.OCO, trigger_prices=[Decimal(lower), Decimal(upper)],
                      last_price=Decimal("1500"),
                      orders=[GttOrder(side=Side.SELL, quantity=2, price=Decimal(lower) - 1, product=Product.MIS),
                              GttOrder(side=Side.SELL, quantity=2, price=Decimal(upper) + 1, product=Product.MIS)])


def listed(on_kite: OnKite) -> list[Gtt]:
    async def work(broker: ZerodhaBroker) -> list[Gtt]:
        return await broker.gtts()

    found = on_kite(work)
    assert isinstance(found, list)
    return found


def test_a_trigger_is_placed_listed_modified_and_deleted(market: KiteSimulator, on_kite: OnKite) -> None:
    async def place(broker: ZerodhaBroker) -> str:
        return await broker.place_gtt(single("1400.05", Side.BUY, "1401.5", quantity=3))

    gtt_id = on_kite(place)
    assert isinstance(gtt_id, str)
    assert gtt_id.isdigit()
    [trigger] = listed(on_kite)
    assert (trigger.gtt_id, trigger.status, trigger.symbol, trigger.type) == (gtt_id, GttStatus.ACTIVE, INFY,
                                                                             GttType.SINGLE)
    assert (trigger.trigger_prices, trigger.last_price) == ([Decimal("1400.05")], Decimal("1500"))
    assert trigger.orders == [GttOrder(side=Side.BUY, quantity=3, price=Decimal("1401.5"), product=Product.CNC)]
    assert trigger.created_at is not None
    assert trigger.expires_at is not None
    assert trigger.expires_at > trigger.created_at
    assert trigger.triggered_order_ids == []

    async def modify(broker: ZerodhaBroker) -> None:
        await broker.modify_gtt(gtt_id, oco("1400", "1600"))

    on_kite(modify)
    [modified] = listed(on_kite)
    assert (modified.gtt_id, modified.type, modified.status) == (gtt_id, GttType.OCO, GttStatus.ACTIVE)
    assert modified.trigger_prices == [Decimal("1400"), Decimal("1600")]
    assert [(o.side, o.quantity, o.price, o.product) for o in modified.orders] == [
        (Side.SELL, 2, Decimal("1399"), Product.MIS), (Side.SELL, 2, Decimal("1601"), Product.MIS)]

    async def delete(broker: ZerodhaBroker) -> None:
        await broker.delete_gtt(gtt_id)

    on_kite(delete)
    assert [(t.gtt_id, t.status) for t in listed(on_kite)] == [(gtt_id, GttStatus.DELETED)]


def test_triggers_are_listed_newest_first(market: KiteSimulator, on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> list[str]:
        return [await broker.place_gtt(single("1600", Side.SELL, "1599")), await broker.place_gtt(oco("1400", "1600"))]

    first, second = on_kite(work)
    assert [(t.gtt_id, t.type) for t in listed(on_kite)] == [(second, GttType.OCO), (first, GttType.SINGLE)]


@pytest.mark.parametrize(("make", "message"), [
    (lambda: oco("1600", "1700"), "lower trigger below and its upper trigger above"),
    (lambda: single("1500", Side.BUY, "1500"), "must differ from the last price"),
    (lambda: GttRequest(symbol=INFY, type=GttType.OCO, trigger_prices=[Decimal(1400)], last_price=Decimal(1500),
                        orders=[GttOrder(side=Side.SELL, quantity=1, price=Decimal(1399))]), "2 trigger price"),
])
def test_a_malformed_trigger_is_refused_before_it_is_sent(make: Callable[[], GttRequest], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make()


def test_what_kite_refuses_is_a_refusal(market: KiteSimulator, on_kite: OnKite) -> None:
    async def unknown(broker: ZerodhaBroker) -> None:
        await broker.delete_gtt("999")

    async def not_a_number(broker: ZerodhaBroker) -> None:
        await broker.modify_gtt("abc", single("1400", Side.BUY, "1400"))

    async def unlisted(broker: ZerodhaBroker) -> str:
        return await broker.place_gtt(single("1400", Side.BUY, "1400").model_copy(update={"symbol": "NSE:NOSUCH"}))

    with pytest.raises(RefusedError, match="Trigger not found"):
        on_kite(unknown)
    with pytest.raises(InvalidOrderError, match="expired or does not exist"):
        on_kite(unlisted)
    watch = market.faults.refuse(GTT_WRITES, status=503)
    with pytest.raises(InputError, match="not a Kite GTT trigger id"):
        on_kite(not_a_number)
    assert watch.applied == 0
    assert listed(on_kite) == []


def test_a_trigger_the_market_reaches_places_its_order(market: KiteSimulator, on_kite: OnKite) -> None:
    async def place(broker: ZerodhaBroker) -> str:
        return await broker.place_gtt(single("1600", Side.SELL, "1599", quantity=4, product=Product.MIS))

    gtt_id = on_kite(place)
    market.exchange.set_price(INFY, Decimal("1610"))

    fired = eventually(lambda: t if (t := listed(on_kite)[0]).status is GttStatus.TRIGGERED else None, 10.0)
    assert isinstance(fired, Gtt), "the trigger did not fire"
    assert fired.gtt_id == gtt_id
    [order_id] = fired.triggered_order_ids

    async def orders(broker: ZerodhaBroker) -> list[Order]:
        return await broker.orders()

    [order] = on_kite(orders)
    assert order.order_id == order_id
    assert (order.symbol, order.side, order.order_type, order.quantity, order.price, order.product) == (
        INFY, Side.SELL, OrderType.LIMIT, 4, Decimal("1599"), Product.MIS)

    async def modify(broker: ZerodhaBroker) -> None:
        await broker.modify_gtt(gtt_id, single("1700", Side.SELL, "1699"))

    with pytest.raises(InvalidOrderError, match="only an active trigger can be modified"):
        on_kite(modify)


def test_a_lost_reply_to_a_placement_is_an_unknown_outcome(market: KiteSimulator, on_kite: OnKite) -> None:
    market.faults.lose_reply(GTT_WRITES)

    async def place(broker: ZerodhaBroker) -> str:
        return await broker.place_gtt(single("1400", Side.BUY, "1400"))

    with pytest.raises(OutcomeUnknownError):
        on_kite(place)
    assert [t.status for t in listed(on_kite)] == [GttStatus.ACTIVE]  # it was placed: the reply was lost


def trigger_json(**changes: Any) -> dict[str, Any]:
    trigger: dict[str, Any] = {
        "id": 7, "user_id": "ZS1234", "parent_trigger": None, "type": "single", "status": "active",
        "created_at": "2024-01-02 10:00:00", "updated_at": "2024-01-02 10:00:00", "expires_at": "2025-01-02 10:00:00",
        "condition": {"exchange": "NSE", "tradingsymbol": "INFY", "trigger_values": [1400], "last_price": 1500,
                      "instrument_token": 408065},
        "orders": [{"exchange": "NSE", "tradingsymbol": "INFY", "product": "CNC", "order_type": "LIMIT",
                    "transaction_type": "BUY", "quantity": 1, "price": 1400, "result": None}],
        "meta": {},
    }
    return {**trigger, **changes}


def test_a_kite_trigger_reads_as_the_contracts_gtt(market: KiteSimulator, on_kite: OnKite) -> None:
    fired = {"order_result": {"status": "success", "order_id": "240102000000001", "rejection_reason": ""}}
    market.faults.answer("GET /gtt/triggers$", json.dumps({"status": "success", "data": [trigger_json(
        status="triggered", orders=[{**trigger_json()["orders"][0], "result": fired}])]}))
    [trigger] = listed(on_kite)
    assert (trigger.gtt_id, trigger.status, trigger.triggered_order_ids) == ("7", GttStatus.TRIGGERED,
                                                                            ["240102000000001"])


@pytest.mark.parametrize("damage", [
    {"status": "paused"}, {"status": None}, {"type": "three-leg"}, {"condition": None},
    {"condition": {"exchange": "NSE", "tradingsymbol": "INFY", "last_price": 1500}}, {"orders": []},
    {"orders": [{"transaction_type": "BUY", "quantity": 1, "price": 1400}]},  # no product
    {"orders": [{"transaction_type": "BUY", "quantity": 1, "price": 1400, "product": "CNC", "result": {}}]},
    {"id": None}, {"created_at": "yesterday"},
])
def test_an_unreadable_trigger_is_a_protocol_error(market: KiteSimulator, on_kite: OnKite,
                                                   damage: dict[str, Any]) -> None:
    market.faults.answer("GET /gtt/triggers$", json.dumps({"status": "success", "data": [trigger_json(**damage)]}))
    with pytest.raises(ProtocolError):
        listed(on_kite)
