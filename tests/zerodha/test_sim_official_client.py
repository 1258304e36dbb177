"""The unchanged official ``kiteconnect`` client, end to end against the Kite simulator."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from kiteconnect import KiteConnect
from kiteconnect.exceptions import GeneralException, InputException, NetworkException, OrderException, TokenException

from brokerplex_zerodha.sim import KiteSimulator

API_KEY, API_SECRET = "kite_sim_key", "kite_sim_secret"  # the simulator's defaults
SEGMENT_CODES = {"NSE": 1, "NFO": 2, "CDS": 3, "BSE": 4, "MCX": 7}


def wait_for_status(kite: Any, order_id: str, status: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        order: dict[str, Any] = kite.order_history(order_id)[-1]
        if order["status"] == status or time.monotonic() > deadline:
            return order
        time.sleep(0.2)


# -- login and session ---------------------------------------------------------------------------
def test_login_with_checksum_gives_a_session(kite_sim: KiteSimulator) -> None:
    kite = KiteConnect(API_KEY, root=kite_sim.rest)
    session = kite.generate_session(kite_sim.request_token(), API_SECRET)
    assert session["user_id"] == kite_sim.user_id
    assert session["access_token"] == kite.access_token
    assert len(kite.access_token) == 32
    assert {"public_token", "enctoken", "refresh_token", "api_key", "exchanges", "products"} <= session.keys()
    assert isinstance(session["login_time"], dt.datetime)
    profile = kite.profile()
    assert profile["user_id"] == kite_sim.user_id
    assert "NFO" in profile["exchanges"]


def test_login_page_redirects_with_a_request_token(kite_sim: KiteSimulator) -> None:
    page = requests.get(kite_sim.login, params={"api_key": API_KEY, "v": "3"}, allow_redirects=False, timeout=5)
    assert page.status_code == 302
    location = page.headers["location"]
    assert location.startswith("http://127.0.0.1:5000/?")
    assert "status=success" in location
    assert "action=login" in location
    assert "request_token=" in location
    stranger = requests.get(kite_sim.login, params={"api_key": "nobody", "v": "3"}, allow_redirects=False, timeout=5)
    assert stranger.status_code == 400
    assert "location" not in stranger.headers


def test_request_token_is_single_use_and_checksum_checked(kite_sim: KiteSimulator) -> None:
    kite = KiteConnect(API_KEY, root=kite_sim.rest)
    token = kite_sim.request_token()
    with pytest.raises(TokenException, match="Invalid `checksum`") as wrong:
        kite.generate_session(token, "not-the-secret")
    assert wrong.value.code == 403
    kite.generate_session(token, API_SECRET)
    with pytest.raises(TokenException, match="Token is invalid or has expired"):
        kite.generate_session(token, API_SECRET)
    raw = requests.post(f"{kite_sim.rest}/session/token", timeout=5, data={
        "api_key": API_KEY, "request_token": "made-up",
        "checksum": hashlib.sha256(f"{API_KEY}made-up{API_SECRET}".encode()).hexdigest()})
    assert raw.status_code == 403
    assert raw.json() == {"status": "error", "message": "Token is invalid or has expired.", "data": None,
                          "error_type": "TokenException"}


def test_bad_expired_and_logged_out_tokens_raise_token_exception(
    kite_sim: KiteSimulator, kite_login: Callable[..., Any],
) -> None:
    stranger = KiteConnect(API_KEY, access_token="x" * 32, root=kite_sim.rest)
    with pytest.raises(TokenException, match="Incorrect `api_key` or `access_token`") as bad:
        stranger.profile()
    assert bad.value.code == 403
    kite = kite_login(kite_sim)
    hook_calls: list[bool] = []
    kite.set_session_expiry_hook(lambda: hook_calls.append(True))
    kite.profile()
    kite_sim.expire_sessions()
    with pytest.raises(TokenException):
        kite.margins()
    assert hook_calls == [True]
    again = kite_login(kite_sim)
    assert again.invalidate_access_token() is True
    with pytest.raises(TokenException):
        again.positions()


def test_margins_whole_and_by_segment(kite: Any) -> None:
    margins = kite.margins()
    assert set(margins) == {"equity", "commodity"}
    equity = kite.margins("equity")
    assert equity["net"] == margins["equity"]["net"] > 0
    assert {"cash", "opening_balance", "live_balance"} <= equity["available"].keys()
    assert {"debits", "span", "exposure", "m2m_realised"} <= equity["utilised"].keys()
    with pytest.raises(InputException):
        kite.margins("crypto")


# -- instruments and market data ---------------------------------------------------------------------
def test_instruments_parse_through_the_client(kite: Any) -> None:
    nse = {row["tradingsymbol"]: row for row in kite.instruments("NSE")}
    assert nse["INFY"]["instrument_token"] == 408065
    assert nse["INFY"]["exchange_token"] == "1594"
    assert nse["NIFTY 50"]["instrument_token"] == 256265
    assert nse["NIFTY 50"]["segment"] == "INDICES"
    assert nse["INFY"]["segment"] == "NSE"
    assert nse["INFY"]["tick_size"] == 0.05
    nfo = kite.instruments("NFO")
    futures = [row for row in nfo if row["instrument_type"] == "FUT" and row["name"] == "NIFTY"]
    assert futures
    assert all(isinstance(row["expiry"], dt.date) for row in futures)
    assert futures[0]["lot_size"] == 65
    assert futures[0]["segment"] == "NFO-FUT"
    assert any(row["segment"] == "NFO-OPT" and row["strike"] > 0 for row in nfo)
    for row in kite.instruments():
        if row["segment"] != "INDICES":
            assert row["instrument_token"] == int(row["exchange_token"]) * 256 + SEGMENT_CODES[row["exchange"]]
    with pytest.raises(InputException):
        kite.instruments("NYSE")


def test_quote_ohlc_and_ltp(
    kite_sim_factory: Callable[..., KiteSimulator], kite_login: Callable[..., Any],
) -> None:
    kite = kite_login(kite_sim_factory(rate_limits=False))
    quote = kite.quote("NSE:INFY", "NSE:NOSUCH")
    assert set(quote) == {"NSE:INFY"}  # unknown instruments are left out
    infy = quote["NSE:INFY"]
    assert infy["instrument_token"] == 408065
    assert infy["last_price"] > 0
    assert len(infy["depth"]["buy"]) == len(infy["depth"]["sell"]) == 5
    assert infy["depth"]["sell"][0]["price"] > infy["depth"]["buy"][0]["price"] > 0
    assert isinstance(infy["timestamp"], dt.datetime)
    ltp = kite.ltp("NSE:NIFTY 50", "408065")
    assert ltp["NSE:NIFTY 50"]["instrument_token"] == 256265
    assert ltp["408065"]["last_price"] > 0
    ohlc = kite.ohlc("NFO:" + next(r["tradingsymbol"] for r in kite.instruments("NFO")))
    (row,) = ohlc.values()
    assert set(row["ohlc"]) == {"open", "high", "low", "close"}
    assert row["last_price"] > 0


def test_historical_candles(kite: Any) -> None:
    end = dt.datetime.now() - dt.timedelta(days=7)
    start = end - dt.timedelta(days=3)
    candles = kite.historical_data(408065, start, end, "60minute", oi=True)
    assert candles
    assert all(c["date"].utcoffset() == dt.timedelta(hours=5, minutes=30) for c in candles)
    assert all(c["low"] <= min(c["open"], c["close"]) <= max(c["open"], c["close"]) <= c["high"] for c in candles)
    assert all("oi" in c for c in candles)
    with pytest.raises(InputException):
        kite.historical_data(408065, start, end, "7minute")


def test_rate_limit_answers_429(kite: Any) -> None:
    kite.ltp("NSE:INFY")
    with pytest.raises(NetworkException, match="Too many requests") as limited:
        kite.ltp("NSE:INFY")
    assert limited.value.code == 429
    time.sleep(1.0)
    assert kite.ltp("NSE:INFY")["NSE:INFY"]["last_price"] > 0  # a client pacing at 1/s is served


# -- orders ------------------------------------------------------------------------------------------
def test_market_order_completes_with_trades_and_a_position(kite: Any) -> None:
    order_id = kite.place_order(variety="regular", exchange="NSE", tradingsymbol="INFY", transaction_type="BUY",
                                quantity=3, product="CNC", order_type="MARKET", tag="mkt1")
    order = wait_for_status(kite, order_id, "COMPLETE")
    assert order["status"] == "COMPLETE"
    assert order["filled_quantity"] == 3
    assert order["pending_quantity"] == 0
    assert order["tag"] == "mkt1"
    assert order["average_price"] > 0
    assert isinstance(order["order_timestamp"], dt.datetime)
    listed = {o["order_id"]: o for o in kite.orders()}
    assert listed[order_id]["status"] == "COMPLETE"
    trades = kite.order_trades(order_id)
    assert sum(t["quantity"] for t in trades) == 3
    assert trades[0]["instrument_token"] == 408065
    assert {t["trade_id"] for t in trades} <= {t["trade_id"] for t in kite.trades()}
    (position,) = [p for p in kite.positions()["net"] if p["tradingsymbol"] == "INFY"]
    assert position["quantity"] == 3
    assert position["product"] == "CNC"
    assert position["buy_quantity"] == 3
    assert kite.positions()["day"][0]["quantity"] == 3


def test_limit_order_is_modified_then_cancelled(kite: Any) -> None:
    quote = kite.quote("NSE:INFY")["NSE:INFY"]
    far = round(quote["lower_circuit_limit"] + 1, 2)  # inside the band, far below the market
    order_id = kite.place_order("regular", "NSE", "INFY", "BUY", 2, "CNC", "LIMIT", price=far)
    assert wait_for_status(kite, order_id, "OPEN")["status"] == "OPEN"
    assert kite.modify_order("regular", order_id, price=round(far + 0.05, 2), quantity=4) == order_id
    modified = kite.order_history(order_id)
    assert "MODIFIED" in [row["status"] for row in modified]
    assert modified[-1]["status"] == "OPEN"
    assert modified[-1]["quantity"] == 4
    assert modified[-1]["modified"] is True
    assert kite.cancel_order("regular", order_id) == order_id
    cancelled = kite.order_history(order_id)[-1]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancelled_quantity"] == 4
    with pytest.raises(InputException):
        kite.cancel_order("regular", order_id)


@pytest.mark.parametrize(("variety", "fields", "message"), [
    ("regular", {"quantity": 0}, "Invalid `quantity`"),
    ("regular", {"tradingsymbol": "NOSUCH"}, "has either expired or does not exist"),
    ("regular", {"order_type": "LIMIT"}, "Invalid `price`"),
    ("regular", {"product": "BO"}, "Invalid `product`"),
    ("regular", {"tag": "x" * 21}, "Tag length"),
    ("auction", {}, "Invalid `variety`"),
    ("iceberg", {}, "Iceberg legs"),
    ("iceberg", {"quantity": 10, "iceberg_legs": 2, "iceberg_quantity": 3}, "Iceberg quantity"),
    ("co", {"product": "MIS"}, "Trigger price is required for cover orders"),
    ("regular", {"exchange": "NFO", "tradingsymbol": "{nifty_future}", "product": "NRML"}, "lot size"),
])
def test_bad_orders_raise_input_exception(kite: Any, variety: str, fields: dict[str, Any], message: str) -> None:
    nifty_future = next(r["tradingsymbol"] for r in kite.instruments("NFO")
                        if r["name"] == "NIFTY" and r["instrument_type"] == "FUT")
    order: dict[str, Any] = {"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY", "quantity": 1,
                             "product": "CNC", "order_type": "MARKET", **fields}
    order["tradingsymbol"] = order["tradingsymbol"].format(nifty_future=nifty_future)
    with pytest.raises(InputException, match=message) as refused:
        kite.place_order(variety=variety, **order)
    assert refused.value.code == 400
    assert kite.orders() == []  # refused orders never reach the order book


def test_iceberg_and_cover_orders_are_accepted(kite: Any) -> None:
    iceberg = kite.place_order("iceberg", "NSE", "INFY", "BUY", 10, "CNC", "MARKET", iceberg_legs=2,
                               iceberg_quantity=5)
    assert wait_for_status(kite, iceberg, "COMPLETE")["meta"]["iceberg"]["legs"] == 2
    last = kite.ltp("NSE:SBIN")["NSE:SBIN"]["last_price"]
    cover = kite.place_order("co", "NSE", "SBIN", "BUY", 1, "MIS", "MARKET", trigger_price=round(last * 0.9, 1))
    order = wait_for_status(kite, cover, "COMPLETE")
    assert order["variety"] == "co"
    assert order["product"] == "CO"


def test_unknown_order_id(kite: Any) -> None:
    calls: list[Callable[[], object]] = [
        lambda: kite.order_history("999"), lambda: kite.order_trades("999"),
        lambda: kite.cancel_order("regular", "999"), lambda: kite.modify_order("regular", "999", price=1),
    ]
    for call in calls:
        with pytest.raises(OrderException, match="Couldn't find that `order_id`"):
            call()


def test_margin_shortfall_and_missing_holdings_keep_kite_wording(kite: Any) -> None:
    with pytest.raises(GeneralException) as funds:
        kite.place_order("regular", "NSE", "MARUTI", "BUY", 5000, "CNC", "MARKET")
    assert funds.value.code == 400
    assert str(funds.value).startswith("Insufficient funds. Required margin is ")
    assert " but available margin is " in str(funds.value)
    with pytest.raises(GeneralException, match=r"^Insufficient holdings\.") as holdings:
        kite.place_order("regular", "NSE", "TCS", "SELL", 1, "CNC", "MARKET")
    assert holdings.value.code == 400
    assert kite.orders() == []


def test_delayed_order_answer_times_out_but_the_order_stands(
    kite_sim: KiteSimulator, kite_login: Callable[..., Any],
) -> None:
    kite = kite_login(kite_sim, timeout=1)
    kite_sim.faults.delay("orders", 2.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        kite.place_order("regular", "NSE", "ITC", "BUY", 1, "CNC", "MARKET", tag="slow1")
    kite_sim.faults.clear()
    assert [o["status"] for o in kite.orders() if o["tag"] == "slow1"] == ["COMPLETE"]


def test_unknown_route_answers_an_envelope(kite_sim: KiteSimulator, kite: Any) -> None:
    reply = requests.get(f"{kite_sim.rest}/no/such/route", timeout=5,
                         headers={"Authorization": f"token {API_KEY}:{kite.access_token}"})
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/json"
    assert reply.json()["error_type"] == "GeneralException"


def test_order_margins_price_each_order(kite: Any) -> None:
    order = {"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY", "variety": "regular",
             "product": "CNC", "order_type": "LIMIT", "quantity": 2, "price": 1500, "trigger_price": 0}
    intraday = {**order, "product": "MIS"}
    cash, margined = kite.order_margins([order, intraday])
    assert cash["total"] == 3000.0
    assert 0 < margined["total"] < cash["total"]  # intraday needs a fraction of the value
    with pytest.raises(InputException, match="Missing `transaction_type`"):
        kite.order_margins([{"exchange": "NSE", "tradingsymbol": "INFY"}])
