"""Market-data socket messages → Tick, in Full and Partial broadcast modes (spec section 11.2)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from brokerplex.errors import ProtocolError
from brokerplex_xts_client.ticks import TickBook, parse_partial

SYMBOLS = {(1, 2885): "NSE:RELIANCE", (2, 51601): "NFO:NIFTY26DECFUT"}


def book() -> TickBook:
    return TickBook(lambda key, code: SYMBOLS.get(key))


def touchline(**changes: object) -> dict[str, object]:
    line: dict[str, object] = {
        "BidInfo": {"Size": 5, "Price": 1250.1, "TotalOrders": 1}, "AskInfo": {"Size": 9, "Price": 1250.3},
        "LastTradedPrice": 1250.2, "LastTradedQunatity": 3, "TotalBuyQuantity": 1000, "TotalSellQuantity": 1200,
        "TotalTradedQuantity": 456789, "AverageTradedPrice": 1249.55, "LastTradedTime": 1479900000,
        "LastUpdateTime": 1479900001, "Open": 1240, "High": 1260, "Low": 1235.5, "Close": 1238.4,
    }
    line.update(changes)
    return line


def test_full_touchline_and_depth() -> None:
    ticks = book()
    tick = ticks.full(1501, json.dumps({"MessageCode": 1501, "ExchangeSegment": 1, "ExchangeInstrumentID": 2885,
                                        "ExchangeTimeStamp": 1479900001, "Touchline": touchline()}))
    assert tick is not None
    assert (tick.symbol, tick.mode, tick.last_price, tick.volume) == ("NSE:RELIANCE", "quote", Decimal("1250.2"),
                                                                      456789)
    assert tick.close == Decimal("1238.4")
    assert tick.exchange_time == 1479900001 + 315532800 - 19800
    depth = ticks.full(1502, {"ExchangeSegment": 1, "ExchangeInstrumentID": 2885, "Touchline": touchline(),
                              "Bids": [{"Size": 5, "Price": 1250.1, "TotalOrders": 1},
                                       {"Size": 0, "Price": 0, "TotalOrders": 0}],
                              "Asks": [{"Size": 9, "Price": 1250.3, "TotalOrders": 2}]})
    assert depth is not None
    assert depth.mode == "full"
    assert depth.depth is not None
    assert [(level.price, level.quantity) for level in depth.depth.bids] == [(Decimal("1250.1"), 5)]
    assert depth.asks == ((125030, 9, 2),)


def test_ltp_and_open_interest_merge() -> None:
    ticks = book()
    assert ticks.full(1510, {"ExchangeSegment": 2, "ExchangeInstrumentID": 51601, "OpenInterest": 10}) is None
    ltp = ticks.full(1512, {"ExchangeSegment": 2, "ExchangeInstrumentID": 51601, "LastTradedPrice": 24010.5,
                            "LastTradedQunatity": 75})
    assert ltp is not None
    assert (ltp.mode, ltp.last_price, ltp.last_quantity) == ("ltp", Decimal("24010.5"), 75)
    oi = ticks.full(1510, {"ExchangeSegment": 2, "ExchangeInstrumentID": 51601, "OpenInterest": 1234500})
    assert oi is not None
    assert (oi.open_interest, oi.last_price) == (1234500, Decimal("24010.5"))


def test_messages_for_other_instruments_are_ignored() -> None:
    assert book().full(1501, {"ExchangeSegment": 1, "ExchangeInstrumentID": 1, "Touchline": touchline()}) is None
    assert book().partial(1105, "t:12_2201,87:-7.75,88:12.90") is None


def test_partial_messages_merge_changed_fields() -> None:
    ticks = book()
    first = ticks.partial(1502, "t:1_2885,ltp:1250.2,ltq:3,v:1000,o:1240,h:1260,l:1235.5,c:1238.4,"
                                "bi:0|5|1250.1|1|1|7|1250|2,ai:0|9|1250.3|2")
    assert first is not None
    assert first.bids == ((125010, 5, 1), (125000, 7, 2))
    second = ticks.partial(1502, "t:1_2885,ltp:1250.25,v:1010,h:,bi:1|4|1250.05|1")
    assert second is not None
    assert (second.last_price, second.volume, second.last_quantity) == (Decimal("1250.25"), 1010, 3)
    assert second.high == Decimal(1260)  # empty = unchanged
    assert second.bids == ((125010, 5, 1), (125005, 4, 1))


def test_partial_without_a_base_waits_for_a_price() -> None:
    ticks = book()
    assert ticks.partial(1501, "t:1_2885,v:5") is None
    tick = ticks.partial(1501, "t:1_2885,ltp:1250,v:5")
    assert tick is not None
    assert tick.mode == "quote"


def test_only_the_wanted_codes_are_ticks() -> None:
    ticks = TickBook(lambda key, code: SYMBOLS.get(key) if code == 1512 else None)
    message = {"ExchangeSegment": 1, "ExchangeInstrumentID": 2885, "Touchline": touchline(), "LastTradedPrice": 1}
    assert ticks.full(1501, message) is None
    assert ticks.full(1512, message) is not None


def test_partial_parsing() -> None:
    assert parse_partial("t:1_22,ltp:1567.95,ltq:20,ai:0|1428|1567.95|10") == (
        (1, 22), {"ltp": "1567.95", "ltq": "20", "ai": "0|1428|1567.95|10"})
    with pytest.raises(ProtocolError):
        parse_partial("ltp:1")


def test_unreadable_full_message_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        book().full(1501, "{not json")
    with pytest.raises(ProtocolError):
        book().full(1501, {"ExchangeSegment": 1})
