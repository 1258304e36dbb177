"""Position conversion and order/basket margins through the Zerodha broker against the Kite simulator:
what is converted reads back from the positions, a margin is what the order then blocks, a hedge needs
less than its legs, and refusals, lost and unreadable replies fail as the contract says."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from brokerplex.errors import (
    InputError,
    InsufficientHoldingsError,
    InvalidOrderError,
    OutcomeUnknownError,
    ProtocolError,
    RefusedError,
)
from brokerplex.models import Instrument, InstrumentType, OrderRequest, OrderType, Position, Product, Side
from brokerplex.ops.models import BasketMargin, Margin
from brokerplex.rules import tick_floor
from brokerplex_zerodha.broker import ZerodhaBroker
from brokerplex_zerodha.sim import KiteSimulator

OnKite = Callable[..., Any]
INFY = "NSE:INFY"
CONVERT = "PUT /portfolio/positions$"


async def held(broker: ZerodhaBroker, symbol: str = INFY) -> dict[Product, Position]:
    return {row.product: row for row in await broker.positions() if row.symbol == symbol and row.quantity}


async def buy(broker: ZerodhaBroker, symbol: str, quantity: int, side: Side = Side.BUY,
              product: Product = Product.MIS) -> None:
    await broker.place_order(OrderRequest(symbol=symbol, side=side, quantity=quantity, product=product))


async def nearest(broker: ZerodhaBroker, kind: InstrumentType) -> list[Instrument]:
    """NIFTY contracts of ``kind`` on the nearest expiry, by strike."""
    rows = [i for i in (await broker.instrument_store()).instruments()
            if i.name == "NIFTY" and i.instrument_type is kind]
    expiry = min(i.expiry for i in rows if i.expiry)
    return sorted((i for i in rows if i.expiry == expiry), key=lambda i: i.strike or 0)


# -- convert ----------------------------------------------------------------------------------------
def test_a_conversion_moves_quantity_between_products(on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> list[dict[Product, int]]:
        await buy(broker, INFY, 10)
        seen = []
        await broker.convert_position((await held(broker))[Product.MIS], 10, Product.CNC)
        seen.append({product: row.quantity for product, row in (await held(broker)).items()})
        await broker.convert_position((await held(broker))[Product.CNC], 4, Product.MIS)
        seen.append({product: row.quantity for product, row in (await held(broker)).items()})
        return seen

    assert on_kite(work) == [{Product.CNC: 10}, {Product.CNC: 6, Product.MIS: 4}]


def test_a_short_converts_as_a_sell(on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> dict[Product, int]:
        future = (await nearest(broker, InstrumentType.FUT))[0]
        await buy(broker, future.symbol, future.lot_size, Side.SELL)
        await broker.convert_position((await held(broker, future.symbol))[Product.MIS], future.lot_size,
                                      Product.NRML)
        return {product: row.quantity for product, row in (await held(broker, future.symbol)).items()}

    [(product, quantity)] = on_kite(work).items()
    assert product is Product.NRML
    assert quantity < 0


def test_a_carried_position_converts_as_overnight(on_kite: OnKite) -> None:
    # The simulator's paper exchange converts day positions only: its refusal shows what was asked.
    async def work(broker: ZerodhaBroker) -> None:
        await buy(broker, INFY, 10)
        carried = (await held(broker))[Product.MIS].model_copy(update={"overnight_quantity": 10})
        await broker.convert_position(carried, 10, Product.CNC)

    with pytest.raises(InvalidOrderError, match="Only day positions can be converted"):
        on_kite(work)


def test_the_days_part_of_a_carried_position_converts_as_day(kite_sim: KiteSimulator, on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> dict[Product, int]:
        await buy(broker, INFY, 10)
        # As if 4 were carried and 6 bought today: the 6 convert as the day's, the rest cannot go in one request.
        mixed = (await held(broker))[Product.MIS].model_copy(update={"overnight_quantity": 4})
        watch = kite_sim.faults.refuse(CONVERT, status=503)
        with pytest.raises(InputError, match="6 from today and 4 carried, which Kite converts apart"):
            await broker.convert_position(mixed, 7, Product.CNC)
        assert watch.applied == 0
        kite_sim.faults.clear()
        await broker.convert_position(mixed, 6, Product.CNC)
        return {product: row.quantity for product, row in (await held(broker)).items()}

    assert on_kite(work) == {Product.CNC: 6, Product.MIS: 4}


def test_what_kite_refuses_is_a_refusal_and_stays_unconverted(on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> dict[Product, int]:
        await buy(broker, INFY, 10)
        with pytest.raises(InvalidOrderError, match="its products are CNC and MIS"):
            await broker.convert_position((await held(broker))[Product.MIS], 5, Product.NRML)
        await buy(broker, "NSE:TCS", 5, Side.SELL)
        with pytest.raises(InsufficientHoldingsError):
            await broker.convert_position((await held(broker, "NSE:TCS"))[Product.MIS], 5, Product.CNC)
        return {product: row.quantity for product, row in (await held(broker)).items()}

    assert on_kite(work) == {Product.MIS: 10}


@pytest.mark.parametrize(("quantity", "to", "message"), [
    (11, Product.CNC, "between 1 and 10 of NSE:INFY MIS, not 11"), (0, Product.CNC, "between 1 and 10"),
    (5, Product.MIS, "already MIS")])
def test_a_conversion_that_cannot_be_is_refused_before_it_is_sent(
        kite_sim: KiteSimulator, on_kite: OnKite, quantity: int, to: Product, message: str) -> None:
    async def work(broker: ZerodhaBroker) -> None:
        await buy(broker, INFY, 10)
        watch = kite_sim.faults.refuse(CONVERT, status=503)
        try:
            with pytest.raises(InputError, match=message):
                await broker.convert_position((await held(broker))[Product.MIS], quantity, to)
            assert watch.applied == 0
        finally:
            kite_sim.faults.clear()

    on_kite(work)


def test_a_lost_conversion_reply_is_an_unknown_outcome(kite_sim: KiteSimulator, on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> dict[Product, int]:
        await buy(broker, INFY, 10)
        kite_sim.faults.lose_reply(CONVERT)
        with pytest.raises(OutcomeUnknownError):
            await broker.convert_position((await held(broker))[Product.MIS], 10, Product.CNC)
        return {product: row.quantity for product, row in (await held(broker)).items()}

    assert on_kite(work) == {Product.CNC: 10}  # it happened: only the reply was lost


def test_a_conversion_reply_that_is_not_true_is_an_unknown_outcome(kite_sim: KiteSimulator, on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> None:
        await buy(broker, INFY, 10)
        kite_sim.faults.answer(CONVERT, '{"status": "success", "data": "maybe"}')
        await broker.convert_position((await held(broker))[Product.MIS], 10, Product.CNC)

    with pytest.raises(OutcomeUnknownError, match="maybe"):
        on_kite(work)


# -- margins ----------------------------------------------------------------------------------------
def test_an_order_margin_is_what_the_order_then_blocks(on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> tuple[Margin, Decimal, Decimal]:
        instrument = await broker.instrument(INFY)
        assert instrument is not None
        last = (await broker.ltp([INFY]))[INFY].last_price
        # Below the market: the order rests and blocks its margin.
        request = OrderRequest(symbol=INFY, side=Side.BUY, quantity=10, order_type=OrderType.LIMIT,
                               price=tick_floor(last * Decimal("0.95"), instrument), product=Product.MIS)
        [margin] = await broker.order_margins([request])
        before = (await broker.funds()).used_margin
        await broker.place_order(request)
        return margin, before, (await broker.funds()).used_margin

    margin, before, after = on_kite(work)
    assert (margin.symbol, margin.side, margin.quantity) == (INFY, Side.BUY, 10)
    assert margin.total > 0
    assert after - before == margin.total
    assert margin.breakdown == {"var": margin.total}  # the cash market's margin is VaR
    assert margin.charges == 0  # the paper exchange charges nothing, and says so


def test_margins_of_several_orders_come_back_in_order(on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> tuple[list[Margin], Instrument]:
        call = (await nearest(broker, InstrumentType.CE))[-1]
        requests = [OrderRequest(symbol=INFY, side=Side.SELL, quantity=3, product=Product.MIS),
                    OrderRequest(symbol=call.symbol, side=Side.BUY, quantity=call.lot_size, product=Product.NRML)]
        return await broker.order_margins(requests), call

    (equity, option), call = on_kite(work)
    assert [(m.symbol, m.side, m.quantity) for m in (equity, option)] == [
        (INFY, Side.SELL, 3), (call.symbol, Side.BUY, call.lot_size)]
    assert option.breakdown == {"option_premium": option.total}  # a bought option blocks its premium


def test_a_hedged_basket_needs_less_than_its_legs(on_kite: OnKite) -> None:
    # The paper exchange nets opposite legs of one contract (not a future against its option).
    async def work(broker: ZerodhaBroker) -> tuple[BasketMargin, Instrument]:
        future = (await nearest(broker, InstrumentType.FUT))[0]
        legs = [OrderRequest(symbol=future.symbol, side=side, quantity=future.lot_size * lots, product=Product.NRML)
                for side, lots in ((Side.BUY, 2), (Side.SELL, 1))]
        basket = await broker.basket_margins(legs)
        assert await broker.orders() == []  # nothing placed
        return basket, future

    basket, future = on_kite(work)
    assert [(leg.symbol, leg.side) for leg in basket.legs] == [(future.symbol, Side.BUY), (future.symbol, Side.SELL)]
    assert basket.initial == sum(leg.total for leg in basket.legs)
    assert 0 < basket.final < basket.initial
    assert basket.charges == 0


def test_a_basket_considers_the_positions_held(on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> BasketMargin:
        await buy(broker, INFY, 10)
        return await broker.basket_margins([OrderRequest(symbol=INFY, side=Side.SELL, quantity=10)])

    assert on_kite(work).final == 0  # selling what is held blocks nothing


def test_a_margin_request_kite_refuses_is_a_refusal(on_kite: OnKite) -> None:
    async def work(broker: ZerodhaBroker) -> list[Margin]:
        return await broker.order_margins([OrderRequest(symbol="NSE:NOSUCH", side=Side.BUY, quantity=1)])

    with pytest.raises(RefusedError, match="expired or does not exist"):  # a read: refused, nothing invalidated
        on_kite(work)


def test_no_orders_need_no_margin_and_an_empty_basket_is_refused(kite_sim: KiteSimulator, on_kite: OnKite) -> None:
    watch = kite_sim.faults.refuse("POST /margins/", status=503)

    async def work(broker: ZerodhaBroker) -> list[Margin]:
        assert await broker.order_margins([]) == []
        with pytest.raises(InputError, match="at least one order"):
            await broker.basket_margins([])
        return []

    on_kite(work)
    assert watch.applied == 0


MARGIN = {"type": "equity", "tradingsymbol": "INFY", "exchange": "NSE", "span": 0, "exposure": 0,
          "option_premium": 0, "additional": 0, "bo": 0, "cash": 0, "var": 1498,
          "pnl": {"realised": 0, "unrealised": 0}, "leverage": 1, "charges": {"total": 1.79}, "total": 1498}


def test_kites_margin_reads_with_its_charges_and_breakdown(kite_sim: KiteSimulator, on_kite: OnKite) -> None:
    kite_sim.faults.answer("POST /margins/orders$", json.dumps({"status": "success", "data": [
        {**MARGIN, "exposure": 10.5, "pnl": {"realised": 2, "unrealised": -5}}]}))

    async def work(broker: ZerodhaBroker) -> list[Margin]:
        return await broker.order_margins([OrderRequest(symbol=INFY, side=Side.BUY, quantity=1)])

    [margin] = on_kite(work)
    assert (margin.total, margin.charges) == (Decimal(1498), Decimal("1.79"))
    assert margin.breakdown == {"var": Decimal(1498), "exposure": Decimal("10.5"), "pnl": Decimal(-3)}


@pytest.mark.parametrize(("route", "data"), [
    ("orders", [{**MARGIN, "total": None}]),
    ("orders", [{**MARGIN, "total": "lots"}]),
    ("orders", [{**MARGIN, "charges": {"brokerage": 20}}]),
    ("orders", [{**MARGIN, "tradingsymbol": "TCS"}]),  # a margin for another order
    ("orders", [MARGIN, MARGIN]),  # more margins than orders
    ("orders", {"total": 1}),
    ("basket", {"initial": {"total": 10}, "orders": [MARGIN]}),
    ("basket", {"initial": {"total": 10}, "final": {"total": 5}, "orders": []}),
    ("basket", {"initial": {"total": 10}, "final": {}, "orders": [MARGIN]}),
    ("basket", [MARGIN]),
])
def test_an_unreadable_margin_reply_is_a_protocol_error(kite_sim: KiteSimulator, on_kite: OnKite, route: str,
                                                        data: Any) -> None:
    kite_sim.faults.answer(f"POST /margins/{route}$", json.dumps({"status": "success", "data": data}))

    async def work(broker: ZerodhaBroker) -> object:
        requests = [OrderRequest(symbol=INFY, side=Side.BUY, quantity=1)]
        return await (broker.order_margins(requests) if route == "orders" else broker.basket_margins(requests))

    with pytest.raises(ProtocolError):
        on_kite(work)
