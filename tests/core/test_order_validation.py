"""Every invalid order is refused before it reaches a broker; every valid one gets through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from brokerplex.errors import InputError, RefusedError
from brokerplex.manager import BrokerManager
from brokerplex.models import InstrumentType, OrderModify, OrderRequest, OrderType, Product, Side
from brokerplex.validation import build
from brokerplex_paper.universe import build_universe

TODAY = dt.datetime.now(dt.timezone(dt.timedelta(hours=5, minutes=30))).date()
UNIVERSE = {listing.instrument.symbol: listing.instrument for listing in build_universe(TODAY)}
NIFTY_FUTURE = min(
    (i for i in UNIVERSE.values() if i.underlying == "NIFTY" and i.instrument_type is InstrumentType.FUT),
    key=lambda i: i.expiry or TODAY,
)
NIFTY_OPTION = next(i for i in UNIVERSE.values() if i.underlying == "NIFTY" and i.instrument_type is InstrumentType.CE)
SYMBOLS = ["NSE:INFY", "NSE:SBIN", NIFTY_FUTURE.symbol, NIFTY_OPTION.symbol, "nse:tcs"] * 3 + [
    "NSE:NIFTY 50", "NSE:NOSUCH", "INFY", "NFO:NIFTY99JANFUT"]


@pytest.fixture(scope="module")
def manager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerManager]:
    home: Path = tmp_path_factory.mktemp("validation-home")
    with BrokerManager(home) as manager:
        manager.activate("paper", "v1", {"opening_cash": "1000000000"})
        yield manager


REFERENCE = {listing.instrument.symbol: listing.reference_price for listing in build_universe(TODAY)}
noise = st.decimals(min_value=Decimal("-5"), max_value=Decimal(30000), places=3, allow_nan=False, allow_infinity=False)


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    """Order inputs, about half of them valid: each field is mostly right, sometimes wrong."""
    symbol = draw(st.sampled_from(SYMBOLS))
    instrument = UNIVERSE.get(symbol.upper())
    kind = draw(st.sampled_from(["MARKET", "LIMIT", "SL", "SL-M"]))
    side = draw(st.sampled_from(["BUY", "SELL"] * 4 + ["HOLD"]))

    def price(wanted: bool, offset: int) -> Decimal | None:
        if instrument is None or draw(st.integers(0, 9)) == 0:
            return draw(st.none() | noise)
        if not wanted:
            return None
        ticks = draw(st.integers(-20, 20)) + offset * (1 if side == "SELL" else -1)
        return REFERENCE[instrument.symbol] + ticks * instrument.tick_size

    lot = instrument.lot_size if instrument else 1
    quantity = draw(st.integers(1, 5).map(lambda n: n * lot) if draw(st.integers(0, 3)) else st.integers(-3, 2000))
    return {
        "symbol": symbol, "side": side, "quantity": quantity, "order_type": kind,
        "price": price(kind in ("LIMIT", "SL"), 0),
        "trigger_price": price(kind in ("SL", "SL-M"), 30),
        "product": draw(st.sampled_from([None] * 4 + ["CNC", "MIS", "NRML"])),
        "validity": draw(st.sampled_from(["DAY", "DAY", "IOC"])),
    }


def obeys_the_rules(request: OrderRequest) -> bool:
    instrument = UNIVERSE[request.symbol]
    kind = request.order_type
    return (
        instrument.tradable
        and request.quantity > 0
        and request.quantity % instrument.lot_size == 0
        and (instrument.freeze_quantity is None or request.quantity <= instrument.freeze_quantity)
        and all(p is None or (p > 0 and p % instrument.tick_size == 0) for p in (request.price, request.trigger_price))
        and (request.price is not None) == (kind in (OrderType.LIMIT, OrderType.SL))
        and (request.trigger_price is not None) == (kind in (OrderType.SL, OrderType.SL_M))
        and (request.resolved_product is not Product.CNC or instrument.exchange in ("NSE", "BSE"))
        and (request.resolved_product is not Product.NRML or instrument.exchange not in ("NSE", "BSE"))
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=orders())
def test_invalid_orders_never_reach_the_broker(manager: BrokerManager, data: dict[str, Any]) -> None:
    sent_before = len(manager.orders("v1"))
    journal_before = len(manager.journal.entries("v1"))
    try:
        manager.place_order("v1", build(OrderRequest, data))
    except InputError:
        event("refused before sending")
        assert len(manager.orders("v1")) == sent_before, "a refused order reached the broker"
        assert len(manager.journal.entries("v1")) == journal_before
        return
    except RefusedError:
        event("refused by the exchange")  # funds, band, trigger: the order did reach it
    else:
        event("accepted")
    request = build(OrderRequest, data)
    assert obeys_the_rules(request), f"an order breaking the rules was sent: {request}"
    assert len(manager.orders("v1")) == sent_before + 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"quantity": 0}, "greater than 0"),
        ({"order_type": "LIMIT"}, "LIMIT order needs a price"),
        ({"order_type": "SL", "price": "100"}, "needs a trigger price"),
        ({"price": "100"}, "MARKET order takes no price"),
        ({"order_type": "SL", "price": "100", "trigger_price": "101"}, "trigger price <= price"),
        ({"order_type": "SL-M", "trigger_price": "101", "validity": "IOC"}, "IOC validity"),
        ({"order_type": "LIMIT", "price": "100", "trigger_price": "99"}, r"takes no trigger price.*variety co"),
        ({"product": "NRML"}, "NRML is for derivatives"),
        ({"symbol": "NSE:NIFTY 50"}, "indices can be quoted, not traded"),
        ({"client_order_id": "has space"}, "letters and digits"),
        ({"client_order_id": "x" * 21}, "at most 20"),
        ({"disclosed_quantity": 11}, "disclosed quantity cannot exceed"),
    ],
)
def test_order_request_explains_what_is_wrong(data: dict[str, Any], reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        build(OrderRequest, {"symbol": "NSE:INFY", "side": "BUY", "quantity": 10, **data})


def test_a_cover_order_is_an_entry_with_its_stop_loss_trigger() -> None:
    cover = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1, order_type=OrderType.LIMIT,
                         price=Decimal("100"), trigger_price=Decimal("95"), product=Product.MIS, variety="co")
    assert (cover.order_type, cover.trigger_price) == (OrderType.LIMIT, Decimal("95"))


def test_product_defaults_by_exchange() -> None:
    assert OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1).product is Product.CNC
    assert OrderRequest(symbol=NIFTY_FUTURE.symbol, side=Side.BUY, quantity=65).product is Product.NRML


def test_a_modify_must_change_something() -> None:
    with pytest.raises(InputError, match="nothing to modify"):
        build(OrderModify, {})


# -- requests built around validation ------------------------------------------------------------------------
VALID = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=5)


@pytest.mark.parametrize(("made", "reason"), [
    (VALID.model_copy(update={"quantity": -5}), "greater than 0"),
    (VALID.model_copy(update={"quantity": 0}), "greater than 0"),
    (VALID.model_copy(update={"order_type": OrderType.LIMIT}), "needs a price"),
    (VALID.model_copy(update={"order_type": OrderType.SL, "price": Decimal(1400)}), "needs a trigger"),
    (VALID.model_copy(update={"product": Product.NRML}), "NRML is for derivatives"),
    (VALID.model_copy(update={"disclosed_quantity": 9}), "disclosed quantity"),
    (VALID.model_copy(update={"client_order_id": "a-b"}), "letters and digits"),
    (OrderRequest.model_construct(symbol="NSE:INFY", side=Side.BUY, quantity="10"), "valid integer"),
    (OrderRequest.model_construct(symbol=b"NSE:INFY", side=Side.BUY, quantity=1), "valid string"),
])
def test_a_request_made_without_validation_is_refused_before_it_is_sent(
    manager: BrokerManager, made: OrderRequest, reason: str
) -> None:
    before = len(manager.orders("v1")), len(manager.journal.entries("v1"))
    with pytest.raises(InputError, match=reason):
        manager.place_order("v1", made)
    assert (len(manager.orders("v1")), len(manager.journal.entries("v1"))) == before


@pytest.mark.parametrize("fields", [
    {"quantity": True}, {"quantity": 1.0}, {"quantity": "10"}, {"symbol": b"NSE:INFY"},
    {"order_type": "LIMIT", "price": 1500.5}, {"order_type": "LIMIT", "price": True},
    {"disclosed_quantity": 1.0}, {"client_order_id": 123},
])
def test_lax_coercions_are_refused_at_the_api_boundary(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"valid|exact"):
        OrderRequest(**{"symbol": "NSE:INFY", "side": "BUY", "quantity": 5, **fields})


def test_exact_prices_and_json_numbers_are_taken() -> None:
    assert OrderRequest(symbol="NSE:INFY", side="BUY", quantity=5, order_type="LIMIT", price="1500.05").price == \
        Decimal("1500.05")
    parsed = OrderRequest.model_validate_json(
        '{"symbol": "NSE:INFY", "side": "BUY", "quantity": 5, "order_type": "LIMIT", "price": 1500.05}')
    assert parsed.price == Decimal("1500.05")


@pytest.mark.parametrize(("changes", "reason"), [
    ({"order_type": OrderType.MARKET, "price": Decimal(1500)}, "MARKET order takes no price"),
    ({"order_type": OrderType.SL_M, "price": Decimal(1500)}, "SL-M order takes no price"),
    ({"order_type": OrderType.LIMIT, "trigger_price": Decimal(1500)}, "LIMIT order takes no trigger"),
    ({"quantity": 1.0}, "valid integer"),
])
def test_modifications_that_contradict_themselves_are_refused(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        OrderModify(**changes)
