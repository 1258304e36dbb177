"""The XTS simulator's market-data REST API (master, quotes, subscriptions, bars, lookups), spoken to over
HTTP as an XTS client would."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from brokerplex_xts_client.sim import XtsSimulator

RELIANCE_MD = {"exchangeSegment": 1, "exchangeInstrumentID": 2885}


# -- market data ------------------------------------------------------------------------------------


def test_master_lines_have_the_xts_column_counts(xts_sim: XtsSimulator, xts_api: Any) -> None:
    market = xts_api(xts_sim, "investor", "marketdata")
    cash = market.ok("POST", "/apimarketdata/instruments/master", {"exchangeSegmentList": ["NSECM"]})
    assert isinstance(cash, str)
    lines = cash.split("\n")
    assert {line.count("|") for line in lines} == {21}
    reliance = next(line.split("|") for line in lines if line.startswith("NSECM|2885|"))
    assert reliance[2:8] == ["8", "RELIANCE", "RELIANCE-EQ", "EQ", "RELIANCE-EQ", "1100100002885"]
    assert reliance[15] == "INE002A01018"
    fo = market.ok("POST", "/apimarketdata/instruments/master", {"exchangeSegmentList": ["NSEFO"]}).split("\n")
    futures = [line.split("|") for line in fo if line.count("|") == 20]
    options = [line.split("|") for line in fo if line.count("|") == 22]
    assert len(futures) + len(options) == len(fo)
    assert futures
    assert options
    nifty = next(row for row in futures if row[3] == "NIFTY")
    assert (nifty[2], nifty[5], nifty[14], nifty[15]) == ("1", "FUTIDX", "-1", "Nifty 50")
    assert nifty[16].endswith("T14:30:00")
    assert {row[18] for row in options} <= {"3", "4"}
    bad = xts_api.error_of(market.call("POST", "/apimarketdata/instruments/master", {"exchangeSegmentList": ["NOPE"]}))
    assert bad["description"] == "Bad Request"


@pytest.mark.parametrize("prefix", ["/apimarketdata", "/marketdata"])
def test_the_master_and_the_index_list_are_public_before_any_market_data_login(
        xts_sim: XtsSimulator, prefix: str, xts_api: Any) -> None:
    interactive = xts_api(xts_sim, "investor")  # what a client holds before its market-data login
    for headers in ({}, {"Authorization": interactive.login["token"]}, {"Authorization": "stale-or-forged"}):
        master = httpx.post(xts_sim.root + prefix + "/instruments/master", headers=headers,
                            json={"exchangeSegmentList": ["NSECM"]})
        assert master.status_code == 200, master.text
        assert any(line.startswith("NSECM|2885|") for line in master.json()["result"].split("\n"))
        indices = httpx.get(xts_sim.root + prefix + "/instruments/indexlist", headers=headers,
                            params={"exchangeSegment": 1})
        assert indices.status_code == 200, indices.text
        assert "NIFTY 50_26000" in indices.json()["result"]["indexList"]
        # Market data proper still wants the market-data token.
        quotes = httpx.post(xts_sim.root + prefix + "/instruments/quotes", headers=headers,
                            json={"instruments": [RELIANCE_MD], "xtsMessageCode": 1501})
        assert xts_api.error_of(quotes)["description"] == "Invalid Token"


def test_quotes_are_json_strings_and_unknown_instruments_are_left_out(xts_sim: XtsSimulator, xts_api: Any) -> None:
    market = xts_api(xts_sim, "investor", "marketdata")
    instruments = [{"exchangeSegment": 1, "exchangeInstrumentID": 2885},
                   {"exchangeSegment": 1, "exchangeInstrumentID": 26000},
                   {"exchangeSegment": 2, "exchangeInstrumentID": 1}]
    body = {"instruments": instruments, "xtsMessageCode": 1501, "publishFormat": "JSON"}
    touchline = market.ok("POST", "/apimarketdata/instruments/quotes", body)
    assert touchline["mdp"] == 1501
    assert touchline["quotesList"] == instruments
    quotes = [json.loads(text) for text in touchline["listQuotes"]]
    assert [quote["ExchangeInstrumentID"] for quote in quotes] == [2885, 26000]
    assert quotes[0]["LastTradedPrice"] > 0
    assert "LastTradedQunatity" in quotes[0]
    assert "BidInfo" in quotes[0]
    depth = market.ok("POST", "/apimarketdata/instruments/quotes", {**body, "xtsMessageCode": 1502})
    nested = json.loads(depth["listQuotes"][0])
    assert len(nested["Bids"]) == len(nested["Asks"]) == 5
    assert nested["Touchline"]["LastTradedPrice"] > 0
    assert nested["Asks"][0]["Price"] > nested["Bids"][0]["Price"]
    ltp = json.loads(market.ok("POST", "/apimarketdata/instruments/quotes", {**body, "xtsMessageCode": 1512})[
        "listQuotes"][0])
    assert set(ltp) >= {"LastTradedPrice", "LastUpdateTime", "Close"}
    assert xts_api.error_of(market.call("POST", "/apimarketdata/instruments/quotes", {**body, "xtsMessageCode": 9}))[
        "result"]["errors"]


def test_subscriptions_count_down_and_legacy_prefix_works(xts_sim: XtsSimulator, xts_api: Any) -> None:
    market = xts_api(xts_sim, "investor", "marketdata")
    instruments = [{"exchangeSegment": 1, "exchangeInstrumentID": token} for token in (2885, 1594, 26000)]
    first = market.ok("POST", "/apimarketdata/instruments/subscription",
                      {"instruments": instruments, "xtsMessageCode": 1501})
    assert first["Remaining_Subscription_Count"] == 47
    same = market.ok("POST", "/marketdata/instruments/subscription", {"instruments": instruments,
                                                                       "xtsMessageCode": 1502})
    assert same["Remaining_Subscription_Count"] == 47
    gone = market.ok("PUT", "/apimarketdata/instruments/subscription",
                     {"instruments": instruments[:1], "xtsMessageCode": 1501})
    assert gone == {"xtsMessageCode": 1501, "unsubList": instruments[:1]}


def test_ohlc_bars_use_the_pipe_format(xts_sim: XtsSimulator, xts_api: Any) -> None:
    market = xts_api(xts_sim, "investor", "marketdata")
    result = market.ok("GET", "/apimarketdata/instruments/ohlc", exchangeSegment=1, exchangeInstrumentID=2885,
                       startTime="Jan 05 2026 091500", endTime="Jan 05 2026 103000", compressionValue=300)
    bars = result["dataReponse"].split(",")
    assert len(bars) == 15
    fields = bars[0].split("|")
    assert len(fields) == 8
    assert fields[-1] == ""
    # 09:15 IST on the IST wall clock, as seconds since 1970
    assert int(fields[0]) == 1767604500
    opened, high, low, close = (float(value) for value in fields[1:5])
    assert low <= min(opened, close) <= max(opened, close) <= high


def test_index_list_and_lookups(xts_sim: XtsSimulator, xts_api: Any) -> None:
    market = xts_api(xts_sim, "investor", "marketdata")
    indices = market.ok("GET", "/apimarketdata/instruments/indexlist", exchangeSegment=1)
    assert "NIFTY 50_26000" in indices["indexList"]
    equity = market.ok("GET", "/apimarketdata/instruments/instrument/symbol", exchangeSegment=1, series="EQ",
                       symbol="INFY")
    assert equity[0]["ExchangeInstrumentID"] == 1594
    found = market.ok("POST", "/apimarketdata/search/instrumentsbyid",
                      {"source": "WEBAPI", "instruments": [{"exchangeSegment": 1, "exchangeInstrumentID": 2885}]})
    assert found[0]["Name"] == "RELIANCE"
    missing = market.call("GET", "/apimarketdata/instruments/instrument/optionSymbol", exchangeSegment=2,
                          series="OPTIDX", symbol="NIFTY", expiryDate="01Jan2001", optionType="CE", strikePrice=1)
    assert xts_api.error_of(missing)["description"] == "Data not available"


def test_quotes_for_candles_oi_and_indices(xts_sim: XtsSimulator, xts_api: Any) -> None:
    market = xts_api(xts_sim, "investor", "marketdata")
    nifty = [{"exchangeSegment": 1, "exchangeInstrumentID": 26000}]
    index = json.loads(market.ok("POST", "/apimarketdata/instruments/quotes",
                                 {"instruments": nifty, "xtsMessageCode": 1504, "publishFormat": "JSON"})[
        "listQuotes"][0])
    assert index["IndexName"] == "NIFTY 50"
    assert index["IndexValue"] > 0
    candle = json.loads(market.ok("POST", "/apimarketdata/instruments/quotes",
                                  {"instruments": [RELIANCE_MD], "xtsMessageCode": 1505,
                                   "publishFormat": "JSON"})["listQuotes"][0])
    assert candle["MessageCode"] == 1505
    assert candle["BarTime"] % 60 == 0



def test_the_simulator_counts_each_sessions_subscriptions_with_their_codes(xts_sim: XtsSimulator, xts_api: Any) -> None:
    first, second = (xts_api(xts_sim, role, "marketdata") for role in ("investor", "dealer"))  # two sessions
    reliance, nifty = RELIANCE_MD, {"exchangeSegment": 1, "exchangeInstrumentID": 26000}
    for code in (1501, 1502):  # one session, two codes of one instrument: one subscription of it
        first.ok("POST", "/apimarketdata/instruments/subscription", {"instruments": [reliance], "xtsMessageCode": code})
    second.ok("POST", "/apimarketdata/instruments/subscription",
              {"instruments": [reliance, nifty], "xtsMessageCode": 1512})
    assert xts_sim.stream_subscriptions == {"1:2885": ["quote+full", "ltp"], "1:26000": ["ltp"]}
    first.ok("PUT", "/apimarketdata/instruments/subscription", {"instruments": [reliance], "xtsMessageCode": 1501})
    second.ok("PUT", "/apimarketdata/instruments/subscription", {"instruments": [reliance], "xtsMessageCode": 1512})
    assert xts_sim.stream_subscriptions == {"1:2885": ["full"], "1:26000": ["ltp"]}
    first.ok("PUT", "/apimarketdata/instruments/subscription", {"instruments": [reliance], "xtsMessageCode": 1502})
    second.ok("PUT", "/apimarketdata/instruments/subscription", {"instruments": [nifty], "xtsMessageCode": 1512})
    assert xts_sim.stream_subscriptions == {}
