"""The simulator's binary ticker encoders, read back by the official client's own parser."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from kiteconnect import KiteTicker

from brokerplex_zerodha.sim.catalog import divisor
from brokerplex_zerodha.sim.ticker import (
    HEARTBEAT,
    encode_full,
    encode_index,
    encode_ltp,
    encode_quote,
    frame,
)

INFY, USDINR_FUT, BCD_FUT, NIFTY_50 = 408065, 1000 * 256 + 3, 77 * 256 + 6, 256265
BIDS = [(5, 157340, 1), (140, 157300, 2), (2, 157295, 1), (219, 157290, 7), (50, 157285, 1)]
ASKS = [(172, 157370, 3), (44, 157375, 3), (302, 157385, 3), (141, 157390, 2), (724, 157395, 5)]


def parse(data: bytes) -> list[dict[str, Any]]:
    ticks: list[dict[str, Any]] = KiteTicker("key", "token")._parse_binary(data)
    return ticks


def test_ltp_packet_is_token_and_price() -> None:
    packet = encode_ltp(INFY, 157370)
    assert packet == bytes.fromhex("00063a01" "000266ba")
    assert parse(frame([packet])) == [{"tradable": True, "mode": "ltp", "instrument_token": INFY,
                                       "last_price": 1573.7}]


def test_full_packet_round_trips_through_the_client() -> None:
    quote = encode_quote(INFY, 157370, 7, 157037, 1192471, 256443, 363009, 156915, 157500, 156105, 156780)
    packet = encode_full(quote, 1625461887, 10, 12, 8, 1625461887, BIDS, ASKS)
    assert (len(quote), len(packet)) == (44, 184)
    (tick,) = parse(frame([packet]))
    assert tick["mode"] == "full"
    assert tick["last_price"] == 1573.7
    assert tick["last_traded_quantity"] == 7
    assert tick["average_traded_price"] == 1570.37
    assert tick["volume_traded"] == 1192471
    assert (tick["total_buy_quantity"], tick["total_sell_quantity"]) == (256443, 363009)
    assert tick["ohlc"] == {"open": 1569.15, "high": 1575.0, "low": 1561.05, "close": 1567.8}
    assert (tick["oi"], tick["oi_day_high"], tick["oi_day_low"]) == (10, 12, 8)
    assert tick["exchange_timestamp"] == dt.datetime.fromtimestamp(1625461887) == tick["last_trade_time"]
    assert tick["depth"]["buy"][0] == {"quantity": 5, "price": 1573.4, "orders": 1}
    assert tick["depth"]["sell"][4] == {"quantity": 724, "price": 1573.95, "orders": 5}


def test_short_depth_is_padded_with_empty_levels() -> None:
    packet = encode_full(encode_quote(INFY, *[1] * 10), 0, 0, 0, 0, 0, BIDS[:2], [])
    (tick,) = parse(frame([packet]))
    assert tick["depth"]["buy"][2] == tick["depth"]["sell"][0] == {"quantity": 0, "price": 0.0, "orders": 0}


@pytest.mark.parametrize(("token", "units", "price"), [
    (USDINR_FUT, 885_000_000, 88.5),  # CDS: 10**7 per rupee
    (BCD_FUT, 885_000, 88.5),  # BCD: 10**4
    (INFY, 8850, 88.5),
])
def test_currency_segments_carry_more_decimals(token: int, units: int, price: float) -> None:
    assert divisor(token) * price == units
    assert parse(frame([encode_ltp(token, units)]))[0]["last_price"] == price


def test_index_packets_quote_and_full() -> None:
    quote_packet = encode_index(NIFTY_50, 2600000, 2610000, 2590000, 2595000, 2580000)
    full_packet = encode_index(NIFTY_50, 2600000, 2610000, 2590000, 2595000, 2580000, exchange_time=1700000000)
    assert (len(quote_packet), len(full_packet)) == (28, 32)
    quote, full = parse(frame([quote_packet, full_packet]))
    assert quote["tradable"] is False
    assert quote["mode"] == "quote"
    assert quote["last_price"] == 26000.0
    assert quote["ohlc"] == {"high": 26100.0, "low": 25900.0, "open": 25950.0, "close": 25800.0}
    assert full["mode"] == "full"
    assert full["exchange_timestamp"] == dt.datetime.fromtimestamp(1700000000)
    falling = encode_index(NIFTY_50, 100, 100, 100, 100, 200)  # the change field is signed
    assert int.from_bytes(falling[24:28], "big", signed=True) == -100


def test_frame_carries_several_packets_and_the_heartbeat_none() -> None:
    packets = [encode_ltp(INFY, 1), encode_quote(INFY, *[2] * 10), encode_index(NIFTY_50, 3, 3, 3, 3, 3)]
    data = frame(packets)
    assert data[:2] == b"\x00\x03"
    assert data[2:4] == b"\x00\x08"
    assert [tick["mode"] for tick in parse(data)] == ["ltp", "quote", "quote"]
    assert HEARTBEAT == b"\x00"
    assert parse(HEARTBEAT) == []


def test_values_outside_the_unsigned_range_are_clamped() -> None:
    (tick,) = parse(frame([encode_quote(INFY, -5, 0, 0, 2**40, 0, 0, 0, 0, 0, 0)]))
    assert tick["last_price"] == 0
    assert tick["volume_traded"] == 2**32 - 1
