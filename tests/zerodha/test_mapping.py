"""Kite payloads → models, and Kite failures → our errors: pure functions, no server."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kiteconnect import exceptions as kite

from brokerplex.errors import (
    AuthenticationError,
    BrokerUnavailableError,
    InsufficientFundsError,
    InsufficientHoldingsError,
    InvalidOrderError,
    OrderNotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    RefusedError,
    TokenExpiredError,
    UnreachableError,
)
from brokerplex.formats import IST
from brokerplex.models import OrderModify, OrderRequest, OrderStatus, OrderType, Product, Side, Variety
from brokerplex.wire import Kind
from brokerplex_zerodha import mapping
from brokerplex_zerodha.errors import kite_call, map_error
from brokerplex_zerodha.session import session_expiry
from brokerplex_zerodha.transport import LoopSession, current_call, run_blocking


def kite_order(**changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "order_id": "261124000000001", "exchange_order_id": None, "status": "OPEN", "status_message": None,
        "order_timestamp": dt.datetime(2026, 11, 24, 10, 1, 2), "exchange_update_timestamp": None,
        "variety": "regular", "exchange": "NSE", "tradingsymbol": "INFY", "instrument_token": 408065,
        "order_type": "LIMIT", "transaction_type": "BUY", "validity": "DAY", "product": "CNC", "quantity": 10,
        "disclosed_quantity": 0, "price": 1500.05, "trigger_price": 0, "average_price": 0, "filled_quantity": 0,
        "pending_quantity": 10, "cancelled_quantity": 0, "tag": "bp1a2b3c",
    }
    return order | changes


def test_an_order_maps_with_its_tag_as_client_order_id() -> None:
    order = mapping.order_from_kite(kite_order())
    assert order.client_order_id == "bp1a2b3c"
    assert order.symbol == "NSE:INFY"
    assert order.price == Decimal("1500.05")  # exact, not 1500.0499999
    assert order.trigger_price is None
    assert order.average_price is None
    assert order.placed_at == dt.datetime(2026, 11, 24, 10, 1, 2, tzinfo=IST)
    assert order.updated_at == order.placed_at


@pytest.mark.parametrize(("status", "extra", "expected"), [
    ("VALIDATION PENDING", {}, OrderStatus.PENDING),
    ("AMO REQ RECEIVED", {}, OrderStatus.PENDING),
    ("MODIFIED", {}, OrderStatus.OPEN),
    ("TRIGGER PENDING", {}, OrderStatus.TRIGGER_PENDING),
    ("UPDATE", {"filled_quantity": 4, "pending_quantity": 6}, OrderStatus.OPEN),
    ("UPDATE", {"filled_quantity": 10, "pending_quantity": 0}, OrderStatus.COMPLETE),
    ("REJECTED", {"status_message": "Insufficient funds"}, OrderStatus.REJECTED),
])
def test_kite_statuses_fold_into_ours(status: str, extra: dict[str, Any], expected: OrderStatus) -> None:
    assert mapping.order_from_kite(kite_order(status=status, **extra)).status is expected


def test_strings_and_missing_optional_fields_are_tolerated() -> None:
    sparse = {k: v for k, v in kite_order().items() if k in (
        "order_id", "status", "order_timestamp", "exchange", "tradingsymbol", "transaction_type", "order_type",
        "product", "quantity")}
    order = mapping.order_from_kite(sparse | {"order_timestamp": "2026-11-24 10:01:02", "product": "MTF"})
    assert (order.product, order.variety, order.filled_quantity, order.client_order_id) == (
        Product.CNC, Variety.REGULAR, 0, None)


@pytest.mark.parametrize("broken", [
    {"order_id": None, "status": None}, {"transaction_type": "HOLD"}, {"order_timestamp": None},
    {"quantity": "ten"}, {"price": "NaN"}, {"exchange": None},
    {"quantity": None}, {"order_id": None}, {"order_id": ""}, {"order_id": True}, {"status": None},
    {"order_timestamp": "9999999999999999999"}, {"price": 1e308 * 10},
])
def test_malformed_orders_are_protocol_errors(broken: dict[str, Any]) -> None:
    """Required fields are never read as defaults: no quantity 0, no order id "None"."""
    with pytest.raises(ProtocolError, match="unreadable order"):
        mapping.order_from_kite(kite_order(**broken))


def test_steps_folded_into_one_status_keep_kites_word() -> None:
    """After a modify Kite's history has MODIFY VALIDATION PENDING, MODIFY PENDING, MODIFIED, OPEN: all OPEN for
    us, told apart by Kite's own word, and a message Kite sends is kept."""
    steps = ["MODIFY VALIDATION PENDING", "MODIFY PENDING", "MODIFIED", "OPEN"]
    mapped = [mapping.order_from_kite(kite_order(status=step)) for step in steps]
    assert [(o.status, o.status_message) for o in mapped] == [
        (OrderStatus.OPEN, "modify validation pending"), (OrderStatus.OPEN, "modify pending"),
        (OrderStatus.OPEN, "modified"), (OrderStatus.OPEN, None)]
    rejected = mapping.order_from_kite(kite_order(status="REJECTED", status_message="Insufficient funds"))
    assert (rejected.status, rejected.status_message) == (OrderStatus.REJECTED, "Insufficient funds")


@pytest.mark.parametrize(("reply", "what"), [
    ({"day": []}, "positions"),  # no "net": unreadable, not "no positions"
    ({"net": None, "day": []}, "positions"),
])
def test_a_positions_reply_without_its_book_is_unreadable(reply: dict[str, Any], what: str) -> None:
    with pytest.raises(ProtocolError, match=f"unreadable {what}"):
        mapping.positions_from_kite(reply)


@pytest.mark.parametrize("reply", [
    {"commodity": {"net": 10}},  # no equity segment: not zero funds
    {"equity": {"net": None, "available": {"cash": 1}, "utilised": {"debits": 0}}},
    {"equity": {"net": 5, "available": {"cash": None}, "utilised": {"debits": 0}}},
])
def test_margins_without_their_equity_numbers_are_unreadable(reply: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError, match="unreadable funds"):
        mapping.funds_from_kite(reply)


def test_a_quote_without_a_last_price_is_unreadable_not_zero() -> None:
    with pytest.raises(ProtocolError, match="unreadable quote"):
        mapping.quote_from_kite("NSE:INFY", {"last_price": None, "ohlc": {}})


@settings(deadline=None)  # about what comes out, not how fast: a loaded machine must not fail it
@given(st.dictionaries(st.sampled_from(list(kite_order())), st.none() | st.integers() | st.text(max_size=5)
                       | st.floats(allow_nan=True)))
def test_any_damage_to_an_order_is_mapped_or_a_protocol_error(damage: dict[str, Any]) -> None:
    with contextlib.suppress(ProtocolError):
        mapping.order_from_kite(kite_order(**damage))


def test_quote_drops_empty_depth_levels_and_keeps_exact_prices() -> None:
    raw = {"instrument_token": 408065, "timestamp": dt.datetime(2026, 11, 24, 10, 0), "last_price": 1412.95,
           "volume": 10, "ohlc": {"open": 1400, "high": 1420.5, "low": 1399.1, "close": 1389.65},
           "depth": {"buy": [{"price": 1412.9, "quantity": 3, "orders": 1}] + [{"price": 0, "quantity": 0}] * 4,
                     "sell": [{"price": 1413.0, "quantity": 9, "orders": 2}]}}
    quote = mapping.quote_from_kite("NSE:INFY", raw)
    assert (quote.last_price, quote.close, len(quote.depth.bids), len(quote.depth.asks)) == (
        Decimal("1412.95"), Decimal("1389.65"), 1, 1)
    assert mapping.quote_from_kite("NSE:INFY", {"last_price": 1.5}).depth.bids == []
    with pytest.raises(ProtocolError):
        mapping.quote_from_kite("NSE:INFY", {"ohlc": {}})


def test_portfolio_funds_and_profile() -> None:
    positions = mapping.positions_from_kite({"net": [{"tradingsymbol": "NIFTY26DECFUT", "exchange": "NFO",
                                                      "product": "NRML", "quantity": -65, "multiplier": 1,
                                                      "average_price": 24010.5, "last_price": 24010.55,
                                                      "realised": 10.5, "unrealised": -2.25}], "day": []})
    assert (positions[0].quantity, positions[0].pnl) == (-65, Decimal("8.25"))
    funds = mapping.funds_from_kite({"equity": {"net": 99725.05, "available": {"cash": 245431.6},
                                                "utilised": {"debits": 145706.55}}, "commodity": {}})
    assert (funds.available_margin, funds.cash, funds.used_margin) == (
        Decimal("99725.05"), Decimal("245431.6"), Decimal("145706.55"))
    profile = mapping.profile_from_kite({"user_id": "AB1234", "exchanges": ["NSE", "MF"], "products": ["CNC", "BO"]})
    assert (profile.broker, profile.exchanges, profile.products) == ("zerodha", ["NSE"], [Product.CNC])
    with pytest.raises(ProtocolError):
        mapping.funds_from_kite({"equity": {"net": "lots"}})


def test_place_and_modify_parameters() -> None:
    request = OrderRequest(symbol="NSE:INFY", side=Side.SELL, quantity=3, order_type=OrderType.LIMIT,
                           price=Decimal("1500.10"), client_order_id="abc123")
    params = mapping.place_params(request)
    assert params == {"variety": "regular", "exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "SELL",
                      "quantity": 3, "product": "CNC", "order_type": "LIMIT", "price": "1500.1",
                      "trigger_price": None, "validity": "DAY", "disclosed_quantity": None, "tag": "abc123"}
    iceberg = mapping.place_params(request.model_copy(update={"variety": Variety.ICEBERG}))
    assert (iceberg["iceberg_legs"], iceberg["iceberg_quantity"]) == (2, 2)
    assert mapping.modify_params(OrderModify(price=Decimal("1499.00")))["price"] == "1499"


@pytest.mark.parametrize(("raised", "call", "expected", "words"), [
    (kite.TokenException("Incorrect `api_key` or `access_token`.", 403), "read", TokenExpiredError,
     "brokerplex login z1"),
    (kite.TokenException("Invalid `checksum`.", 403), "login", AuthenticationError, "brokerplex login z1"),
    (kite.PermissionException("Not allowed", 403), "read", PermissionDeniedError, "Not allowed"),
    (kite.GeneralException("Insufficient funds. Required margin is 5 but available margin is 1.", 400), "place",
     InsufficientFundsError, "Required margin"),
    (kite.GeneralException("Insufficient holdings. You hold 0.", 400), "place", InsufficientHoldingsError,
     "hold 0"),
    (kite.NetworkException("Too many requests", 429), "place", RateLimitedError, "Too many"),
    (kite.InputException("Couldn't find that `order_id`.", 400), "change", OrderNotFoundError, "order_id"),
    (kite.InputException("Invalid `price`.", 400), "place", InvalidOrderError, "price"),
    (kite.OrderException("Order rejected", 500), "place", InvalidOrderError, "rejected"),
    (kite.InputException("Too many tokens requested.", 400), "read", RefusedError, "tokens"),
    (kite.NetworkException("OMS down", 503), "read", BrokerUnavailableError, "OMS"),
    (kite.DataException("Couldn't parse the JSON response", 502), "read", ProtocolError, "parse"),
    (kite.GeneralException("Something went wrong", 500), "place", OutcomeUnknownError, "wrong"),
    (KeyError("content-type"), "read", ProtocolError, "unreadable"),
    (KeyError("content-type"), "change", OutcomeUnknownError, "unreadable"),
])
def test_client_failures_map_into_our_errors(raised: Exception, call: str, expected: type[Exception],
                                             words: str) -> None:
    kinds: dict[str, Kind] = {"place": "write", "change": "write", "read": "read", "login": "login"}
    order_id = "1" if call in ("change", "read") else None  # only a call about an order can find none
    mapped = map_error(raised, kite_call(kinds[call], "z1", order_id=order_id, client_order_id="c1"))
    assert type(mapped) is expected
    assert words in str(mapped)
    assert "secret" not in str(mapped)
    assert getattr(mapped, "client_order_id", None) == "c1"


def test_an_unparseable_reply_is_not_repeated_in_the_error() -> None:
    raised = kite.DataException("Couldn't parse the JSON response received from the server: "
                                "b'{\"access_token\": \"tok123secret\"'")
    mapped = map_error(raised, kite_call("login", "z1"))
    assert isinstance(mapped, ProtocolError)
    assert "tok123secret" not in str(mapped)
    assert "tok123secret" not in str(getattr(mapped, "broker_message", ""))


def test_a_refused_connection_is_unreachable() -> None:
    """The transport raises ours: a connection refused before anything left is UnreachableError, even for an
    order, and the URL (tokens) is never in the message."""
    async def place() -> None:
        session = LoopSession(5.0)
        current_call.set(kite_call("write", "z1"))
        try:
            await run_blocking(session.request, "POST", "http://127.0.0.1:9/orders?access_token=secret")
        finally:
            await session.aclose()

    with pytest.raises(UnreachableError) as caught:
        asyncio.run(place())
    assert caught.value.nothing_happened
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(("login", "ends"), [
    (dt.datetime(2026, 11, 24, 9, 30, tzinfo=IST), dt.datetime(2026, 11, 25, 6, 0, tzinfo=IST)),
    (dt.datetime(2026, 11, 24, 5, 59, tzinfo=IST), dt.datetime(2026, 11, 24, 6, 0, tzinfo=IST)),
    (dt.datetime(2026, 11, 24, 6, 0, tzinfo=IST), dt.datetime(2026, 11, 25, 6, 0, tzinfo=IST)),
    (dt.datetime(2026, 11, 24, 23, 0, tzinfo=dt.UTC), dt.datetime(2026, 11, 25, 6, 0, tzinfo=IST)),  # 04:30 IST
])
def test_sessions_end_at_the_next_six_am_ist(login: dt.datetime, ends: dt.datetime) -> None:
    assert session_expiry(login) == ends
