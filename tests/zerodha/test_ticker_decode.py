"""The ticker decoder: checked against the official KiteTicker's parser on the same frames."""

from __future__ import annotations

import datetime as dt
import json
import struct
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokerplex.errors import ProtocolError
from brokerplex.models import Order, OrderStatus, Tick
from brokerplex_zerodha.sim.ticker import encode_full, encode_index, encode_ltp, encode_quote, frame
from brokerplex_zerodha.ticker import decode_frame, decode_text

INFY = 408065  # 1594 * 256 + NSE (1)
USDINR = 1612 * 256 + 3  # a CDS token: prices in 10**-7 rupee
NIFTY = 256265  # 1001 * 256 + indices (9)
SYMBOLS = {INFY: "NSE:INFY", USDINR: "CDS:USDINR26DECFUT", NIFTY: "NSE:NIFTY 50"}

u32 = st.integers(min_value=0, max_value=2**31 - 1)
u16 = st.integers(min_value=0, max_value=0xFFFF)
levels = st.lists(st.tuples(u32, u32, u16), min_size=5, max_size=5)


def official() -> Any:
    from kiteconnect import KiteTicker

    return KiteTicker("key", "token")


def full_packet(token: int, values: list[int], times: list[int], bids: list[tuple[int, int, int]],
                asks: list[tuple[int, int, int]]) -> bytes:
    return encode_full(encode_quote(token, *values), *times, bids, asks)


def assert_same(ours: Tick, theirs: dict[str, Any]) -> None:
    """Our integer tick equals the official float tick, price by price."""
    def close(units: int | None, value: float) -> None:
        assert units is not None
        assert float(Decimal(units) / ours.units) == pytest.approx(value, rel=1e-12, abs=1e-9)

    assert ours.mode == theirs["mode"]
    close(ours.last, theirs["last_price"])
    if "ohlc" in theirs:
        assert ours.ohlc is not None
        for index, name in enumerate(("open", "high", "low", "close")):
            close(ours.ohlc[index], theirs["ohlc"][name])
    if "volume_traded" in theirs:
        assert (ours.last_quantity, ours.volume, ours.buy_quantity, ours.sell_quantity) == (
            theirs["last_traded_quantity"], theirs["volume_traded"], theirs["total_buy_quantity"],
            theirs["total_sell_quantity"])
        close(ours.average, theirs["average_traded_price"])
    if "depth" in theirs:
        assert ours.open_interest == theirs["oi"]
        assert ours.last_traded is not None
        assert dt.datetime.fromtimestamp(ours.last_traded) == theirs["last_trade_time"]
        for mine, side in ((ours.bids, "buy"), (ours.asks, "sell")):
            wanted = [level for level in theirs["depth"][side] if level["quantity"]] if len(mine) < 5 \
                else theirs["depth"][side]
            assert len(mine) == len(wanted)
            for (price, quantity, orders), level in zip(mine, wanted, strict=True):
                assert (quantity, orders) == (level["quantity"], level["orders"])
                close(price, level["price"])
    if "exchange_timestamp" in theirs:
        assert ours.exchange_time is not None
        assert dt.datetime.fromtimestamp(ours.exchange_time) == theirs["exchange_timestamp"]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(u32, min_size=10, max_size=10), times=st.lists(u32, min_size=5, max_size=5),
       bids=levels, asks=levels, token=st.sampled_from([INFY, USDINR]))
def test_full_packets_decode_like_the_official_client(
    values: list[int], times: list[int], bids: list[tuple[int, int, int]], asks: list[tuple[int, int, int]],
    token: int,
) -> None:
    data = frame([full_packet(token, values, times, bids, asks), encode_ltp(token, values[0])])
    ours, theirs = decode_frame(data, SYMBOLS), official()._parse_binary(data)
    assert [t.symbol for t in ours] == [SYMBOLS[token]] * 2
    assert ours[0].units == (10_000_000 if token == USDINR else 100)
    for mine, reference in zip(ours, theirs, strict=True):
        assert_same(mine, reference)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(u32, min_size=10, max_size=10), prices=st.lists(u32, min_size=5, max_size=5), stamp=u32)
def test_quote_and_index_packets_decode_like_the_official_client(
    values: list[int], prices: list[int], stamp: int
) -> None:
    data = frame([encode_quote(INFY, *values), encode_index(NIFTY, *prices),
                  encode_index(NIFTY, *prices, exchange_time=stamp)])
    ours, theirs = decode_frame(data, SYMBOLS), official()._parse_binary(data)
    assert [t.mode for t in ours] == ["quote", "quote", "full"]
    for mine, reference in zip(ours, theirs, strict=True):
        assert_same(mine, reference)


def test_the_recorded_full_packet_decodes_to_the_documented_values() -> None:
    # The spec's check values of Kite's recorded 184-byte packet, rebuilt here (token 408065).
    bids = [(5, 157340, 1), (0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0)]
    asks = [(172, 157370, 3), (0, 0, 0), (0, 0, 0), (0, 0, 0), (0, 0, 0)]
    packet = full_packet(INFY, [157370, 1, 157000, 100, 5, 172, 156915, 157500, 156105, 156780],
                         [1625461887, 0, 0, 0, 1625461887], bids, asks)
    (tick,) = decode_frame(frame([packet]), SYMBOLS)
    assert tick.last_price == Decimal("1573.70")
    assert (tick.open, tick.high, tick.low, tick.close) == (
        Decimal("1569.15"), Decimal("1575"), Decimal("1561.05"), Decimal("1567.8"))
    assert tick.exchange_timestamp == dt.datetime(2021, 7, 5, 5, 11, 27, tzinfo=dt.UTC)
    depth = tick.depth
    assert depth is not None
    assert [(level.price, level.quantity, level.orders) for level in depth.bids] == [(Decimal("1573.4"), 5, 1)]
    assert [(level.price, level.quantity, level.orders) for level in depth.asks] == [(Decimal("1573.7"), 172, 3)]


def test_heartbeats_unknown_lengths_and_unsubscribed_tokens_yield_nothing() -> None:
    assert decode_frame(b"\x00", SYMBOLS) == []
    assert decode_frame(frame([b"\x00" * 12]), SYMBOLS) == []
    assert decode_frame(frame([encode_ltp(999 * 256 + 1, 100)]), SYMBOLS) == []


def test_a_truncated_frame_is_a_protocol_error() -> None:
    data = frame([encode_quote(INFY, *range(10))])
    with pytest.raises(ProtocolError, match="cut short"):
        decode_frame(data[:-5], SYMBOLS)
    with pytest.raises(ProtocolError):
        decode_frame(struct.pack(">HH", 3, 8) + b"\x00", SYMBOLS)


def test_text_messages_become_orders_or_errors() -> None:
    update = {"order_id": "1", "status": "UPDATE", "order_timestamp": "2026-11-24 10:00:00", "exchange": "NSE",
              "tradingsymbol": "INFY", "transaction_type": "BUY", "order_type": "LIMIT", "product": "CNC",
              "quantity": 10, "filled_quantity": 4, "pending_quantity": 6, "price": 1500.05, "tag": "abc1"}
    order = decode_text(json.dumps({"type": "order", "data": update}))
    assert isinstance(order, Order)
    assert (order.status, order.client_order_id, order.price) == (OrderStatus.OPEN, "abc1", Decimal("1500.05"))
    assert decode_text(json.dumps({"type": "error", "data": "too many subscriptions"})) == "too many subscriptions"
    assert decode_text(json.dumps({"type": "message", "data": "hello"})) is None
    assert decode_text("not json") is None
    with pytest.raises(ProtocolError):
        decode_text(json.dumps({"type": "order", "data": {"order_id": "1"}}))
