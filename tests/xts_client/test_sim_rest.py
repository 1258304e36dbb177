"""The XTS simulator's REST API, spoken to over HTTP as an XTS client would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from brokerplex_xts_client.sim import XtsSimulator

ORDER = {
    "exchangeSegment": "NSECM", "exchangeInstrumentID": 2885, "productType": "CNC", "orderType": "MARKET",
    "orderSide": "BUY", "timeInForce": "DAY", "disclosedQuantity": 0, "orderQuantity": 2, "limitPrice": 0,
    "stopPrice": 0, "orderUniqueIdentifier": "t1",
}

def wait_for_status(api: Any, order_id: int, wanted: str, **client: str) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while True:
        book = api.ok("GET", "/interactive/orders", **client)
        record = next(order for order in book if order["AppOrderID"] == order_id)
        if record["OrderStatus"] == wanted or time.monotonic() > deadline:
            assert record["OrderStatus"] == wanted, record
            return record
        time.sleep(0.1)


# -- sessions -------------------------------------------------------------------------------------


def test_investor_login_accepts_form_and_json(xts_sim: XtsSimulator) -> None:
    investor = next(account for account in xts_sim.accounts if account["role"] == "investor")
    url = xts_sim.root + "/interactive/user/session"
    form = httpx.post(url, data={**investor["interactive"], "source": "WEBAPI"})
    as_json = httpx.post(url, json={**investor["interactive"], "source": "WebAPI"})
    for reply in (form, as_json):
        envelope = reply.json()
        assert (envelope["type"], envelope["code"]) == ("success", "s-user-0001")
        assert envelope["description"] == "Valid User."
        result = envelope["result"]
        assert result["isInvestorClient"] is True
        assert result["userID"] == investor["user_id"]
        assert result["clientCodes"] == investor["client_codes"]
        assert result["token"].count(".") == 2  # JWT-shaped


def test_wrong_secret_and_marketdata_keys_are_refused_on_interactive(xts_sim: XtsSimulator, xts_api: Any) -> None:
    investor = xts_sim.accounts[0]
    wrong = {**investor["interactive"], "secretKey": "nope"}
    assert xts_api.error_of(httpx.post(xts_sim.root + "/interactive/user/session", data=wrong))["description"]
    crossed = httpx.post(xts_sim.root + "/interactive/user/session", data=investor["marketdata"])
    xts_api.error_of(crossed)
    missing = xts_api.error_of(httpx.post(xts_sim.root + "/interactive/user/session", data={"appKey": "x"}))
    assert missing["description"] == "Bad Request"
    assert missing["result"]["errors"] == ["secretKey is required"]


def test_tokens_are_checked_and_expire_on_demand(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    market = xts_api(xts_sim, "investor", "marketdata")
    assert api.ok("GET", "/interactive/user/profile")["ClientId"] == api.account["user_id"]
    # A market-data token is no interactive token, and the other way round.
    api.headers["Authorization"], market.headers["Authorization"] = market.headers["Authorization"], api.login["token"]
    assert xts_api.error_of(api.call("GET", "/interactive/orders"))["description"] == "Invalid Token"
    quotes = {"instruments": [{"exchangeSegment": 1, "exchangeInstrumentID": 2885}], "xtsMessageCode": 1501}
    refused = xts_api.error_of(market.call("POST", "/apimarketdata/instruments/quotes", quotes))
    assert refused["description"] == "Invalid Token"
    fresh = xts_api(xts_sim, "investor")
    xts_sim.expire_sessions()
    assert xts_api.error_of(fresh.call("GET", "/interactive/user/profile"))["description"] == "Invalid Token"


def test_logout_ends_the_session(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    logout = api.call("DELETE", "/interactive/user/session")
    assert logout.json() == {"type": "success", "code": "s-user-0001",
                             "description": "successfully logout from all API.", "result": ""}
    assert xts_api.error_of(api.call("GET", "/interactive/orders"))["description"] == "Invalid Token"


def test_paths_are_case_insensitive_and_unknown_paths_are_html_404(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    api.ok("POST", "/Interactive/Orders/", ORDER)
    assert api.ok("GET", "/INTERACTIVE/orders/Trades")[0]["OrderStatus"] == "Filled"
    unknown = api.call("GET", "/interactive/nowhere")
    assert unknown.status_code == 404
    assert "html" in unknown.headers["content-type"]


# -- orders and books ----------------------------------------------------------------------------


def test_market_order_fills_and_shows_in_every_book(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    placed = api.ok("POST", "/interactive/orders", {**ORDER, "orderQuantity": "3", "orderUniqueIdentifier": "mine42"})
    order_id = placed["AppOrderID"]
    assert isinstance(order_id, int)
    assert placed["OrderUniqueIdentifier"] == "mine42"
    record = wait_for_status(api, order_id, "Filled")
    assert record["OrderSide"] == "Buy"
    assert record["OrderType"] == "Market"
    assert record["ProductType"] == "CNC"
    assert record["CumulativeQuantity"] == 3
    assert record["LeavesQuantity"] == 0
    assert record["OrderUniqueIdentifier"] == "mine42"
    assert isinstance(record["OrderAverageTradedPrice"], str)
    assert float(
        record["OrderAverageTradedPrice"].replace(",", "")) > 0
    history = api.ok("GET", "/interactive/orders", appOrderID=order_id)
    assert [state["OrderStatus"] for state in history] == ["PendingNew", "New", "Filled"]
    trades = api.ok("GET", "/interactive/orders/trades")
    assert sum(trade["LastTradedQuantity"] for trade in trades) == 3
    assert {trade["AppOrderID"] for trade in trades} == {order_id}
    positions = api.ok("GET", "/interactive/portfolio/positions", dayOrNet="DayWise")["positionList"]
    assert [(row["ExchangeInstrumentId"], row["Quantity"]) for row in positions] == [("2885", "3")]
    net = api.ok("GET", "/interactive/portfolio/positions", dayOrNet="NetWise")["positionList"]
    assert net[0]["ProductType"] == "CNC"
    balance = api.ok("GET", "/interactive/user/balance")["BalanceList"][0]
    assert balance["limitHeader"] == "ALL|ALL|ALL"
    assert float(balance["limitObject"]["RMSSubLimits"]["cashAvailable"]) < 1_000_000


def test_limit_order_rests_then_is_modified_and_cancelled(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    far_below = {**ORDER, "orderType": "LIMIT", "limitPrice": 1300, "orderUniqueIdentifier": "rest1"}
    order_id = api.ok("POST", "/interactive/orders", far_below)["AppOrderID"]
    assert wait_for_status(api, order_id, "New")["OrderPrice"] == 1300
    modify = {"appOrderID": order_id, "modifiedProductType": "CNC", "modifiedOrderType": "LIMIT",
              "modifiedOrderQuantity": 4, "modifiedDisclosedQuantity": 0, "modifiedLimitPrice": 1310.5,
              "modifiedStopPrice": 0, "modifiedTimeInForce": "DAY", "orderUniqueIdentifier": "rest1"}
    modified = api.ok("PUT", "/interactive/orders", modify)
    assert modified["AppOrderID"] == order_id == modified["appOrderID"]
    record = wait_for_status(api, order_id, "Replaced")
    assert (record["OrderPrice"], record["OrderQuantity"]) == (1310.5, 4)
    assert api.ok("DELETE", "/interactive/orders", appOrderID=order_id, orderUniqueIdentifier="rest1") == {
        "AppOrderID": order_id}
    assert wait_for_status(api, order_id, "Cancelled")["LeavesQuantity"] == 0
    again = xts_api.error_of(api.call("DELETE", "/interactive/orders", appOrderID=order_id))
    assert "cannot be cancelled" in again["description"]
    unknown = xts_api.error_of(api.call("DELETE", "/interactive/orders", appOrderID=42))
    assert unknown["description"] == "Order Not Found"


def test_cancel_all_cancels_working_orders_of_one_instrument(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    resting = {**ORDER, "orderType": "LIMIT", "limitPrice": 1300}
    ids = [api.ok("POST", "/interactive/orders", resting)["AppOrderID"] for _ in range(2)]
    cancelled = api.ok("POST", "/interactive/orders/cancelall", {"exchangeSegment": "NSECM",
                                                                 "exchangeInstrumentID": 2885})
    assert sorted(cancelled) == sorted(ids)
    assert [order["AppOrderID"] for order in api.ok("GET", "/interactive/orders")] == ids[::-1]  # newest first
    assert {wait_for_status(api, order_id, "Cancelled")["OrderStatus"] for order_id in ids} == {"Cancelled"}


def test_refused_orders_are_rejected_asynchronously(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    too_big = api.ok("POST", "/interactive/orders", {**ORDER, "orderQuantity": 100_000})["AppOrderID"]
    record = wait_for_status(api, too_big, "Rejected")
    assert record["CancelRejectReason"].startswith("OEMS:RMS : insufficient funds")
    off_tick = api.ok("POST", "/interactive/orders", {**ORDER, "orderType": "LIMIT", "limitPrice": 1500.03})
    assert wait_for_status(api, off_tick["AppOrderID"], "Rejected")["CancelRejectReason"]


def test_malformed_orders_get_bad_request_with_errors(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    missing = xts_api.error_of(api.call("POST", "/interactive/orders", {"exchangeSegment": "NSECM"}))
    assert missing["description"] == "Bad Request"
    assert "exchangeInstrumentID is required" in missing["result"]["errors"]
    assert "orderQuantity is required" in missing["result"]["errors"]
    wrong = xts_api.error_of(api.call("POST", "/interactive/orders",
                                      {**ORDER, "orderSide": "HOLD", "orderQuantity": "x"}))
    assert len(wrong["result"]["errors"]) == 2
    index = xts_api.error_of(api.call("POST", "/interactive/orders", {**ORDER, "exchangeInstrumentID": 26000}))
    assert "index" in index["result"]["errors"][0]
    camel = api.ok("POST", "/interactive/orders", {**ORDER, "orderType": "StopMarket", "stopPrice": 1900,
                                                   "orderSide": "BUY"})
    assert isinstance(camel["AppOrderID"], int)


def test_empty_books_answer_data_not_available(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    for path, params in (("/interactive/orders", {}), ("/interactive/orders/trades", {}),
                         ("/interactive/portfolio/positions", {"dayOrNet": "NetWise"}),
                         ("/interactive/portfolio/holdings", {})):
        assert xts_api.error_of(api.call("GET", path, **params))["description"] == "Data Not Available"


def test_delayed_order_answer_still_places_the_order(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    xts_sim.faults.delay("orders", 1.0)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(xts_sim.root + "/interactive/orders", headers=api.headers, json={**ORDER, "orderUniqueIdentifier":
                                                                                    "late1"}, timeout=0.3)
    xts_sim.faults.clear()
    deadline = time.monotonic() + 3
    while not (book := api.call("GET", "/interactive/orders")).is_success and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [order["OrderUniqueIdentifier"] for order in book.json()["result"]] == ["late1"]


# -- investor and dealer rules (spec 5.4) ----------------------------------------------------------


def test_investor_may_name_itself_but_no_one_else(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    own = api.account["user_id"]
    for client in (own, "*****"):
        assert api.ok("POST", "/interactive/orders", {**ORDER, "clientID": client})["ClientID"] == own
    other = next(account["user_id"] for account in xts_sim.accounts
                 if account["role"] == "investor" and account["user_id"] != own)
    refused = xts_api.error_of(api.call("POST", "/interactive/orders", {**ORDER, "clientID": other}))
    assert refused["description"] == "Bad Request"
    assert refused["result"]["errors"]
    assert xts_api.error_of(api.call("GET", "/interactive/orders", clientID=other))["description"] == "Bad Request"
    assert len(api.ok("GET", "/interactive/orders", clientID="*****")) == 2
    dealer_route = xts_api.error_of(api.call("GET", "/interactive/orders/dealerorderbook", clientID=own))
    assert dealer_route["description"] == "Data Not Available"


def test_dealer_login_requires_client_id_and_keeps_books_apart(xts_sim: XtsSimulator, xts_api: Any) -> None:
    dealer = xts_api(xts_sim, "dealer")
    assert dealer.login["isInvestorClient"] is False
    first, second = dealer.login["clientCodes"][:2]
    missing = xts_api.error_of(dealer.call("POST", "/interactive/orders", ORDER))
    assert missing["description"] == "Bad Request"
    assert missing["result"]["errors"]
    assert xts_api.error_of(dealer.call("GET", "/interactive/orders/dealerorderbook"))["description"] == "Bad Request"
    stranger = xts_api.error_of(dealer.call("POST", "/interactive/orders", {**ORDER, "clientID": "XTS0001"}))
    assert stranger["description"] == "Bad Request"
    placed = dealer.ok("POST", "/interactive/orders", {**ORDER, "clientID": first})
    assert placed["ClientID"] == first
    pro = dealer.ok("POST", "/interactive/orders", {**ORDER, "clientID": "*****", "orderQuantity": 5})
    books = {code: dealer.ok("GET", "/interactive/orders/dealerorderbook", clientID=code)
             for code in (first, second, "*****")}
    assert [order["AppOrderID"] for order in books[first]] == [placed["AppOrderID"]]
    assert books[second] == []  # dealer routes answer an empty list, not an error
    assert [order["AppOrderID"] for order in books["*****"]] == [pro["AppOrderID"]]
    assert books[first][0]["LoginID"] == dealer.account["user_id"]
    assert books[first][0]["ClientID"] == first
    trades = dealer.ok("GET", "/interactive/orders/dealertradebook", clientID=first)
    assert {trade["ClientID"] for trade in trades} == {first}
    positions = dealer.ok("GET", "/interactive/portfolio/dealerpositions", clientID="*****", dayOrNet="NetWise")
    assert positions["positionList"][0]["Quantity"] == "5"
    # The investor routes also answer dealers that name a client (as PY expects).
    assert dealer.ok("GET", "/interactive/orders", clientID=first)[0]["ClientID"] == first


# -- rate limits and the CLI -----------------------------------------------------------------------


def test_rate_limit_answers_429_with_an_error_envelope(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    replies = [api.call("GET", "/interactive/user/profile") for _ in range(40)]
    limited = [reply for reply in replies if reply.status_code == 429]
    assert limited, "40 reads in well under a second must hit the limit"
    envelope = limited[0].json()
    assert envelope["type"] == "error"
    assert envelope["result"]["errors"]
    assert int(limited[0].headers["retry-after"]) >= 1


def test_without_rate_limits_nothing_is_limited(tmp_path: Path, xts_api: Any) -> None:
    with XtsSimulator(state_dir=tmp_path, rate_limits=False) as sim:
        api = xts_api(sim, "investor")
        assert {api.call("GET", "/interactive/user/profile").status_code for _ in range(40)} == {200}


def test_cli_prints_root_and_accounts_then_serves_until_sigterm(tmp_path: Path) -> None:
    brokerplex = Path(sys.executable).parent / "brokerplex"
    process = subprocess.Popen([str(brokerplex), "sim", "xts", "--seed", "3"], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "BROKERPLEX_HOME": str(tmp_path)})
    try:
        assert process.stdout is not None
        announced = json.loads(process.stdout.readline())
        roles = [account["role"] for account in announced["accounts"]]
        assert "investor" in roles
        assert "dealer" in roles
        dealer = next(account for account in announced["accounts"] if account["role"] == "dealer")
        assert len(dealer["client_codes"]) >= 2
        reply = httpx.post(announced["root"] + "/interactive/user/session", data=dealer["interactive"])
        assert reply.json()["result"]["isInvestorClient"] is False
    finally:
        process.send_signal(signal.SIGTERM)
        process.stdout.close()  # type: ignore[union-attr]
        assert process.wait(10) == 0  # a clean stop


def test_square_off_closes_the_position_with_a_market_order(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    bought = api.ok("POST", "/interactive/orders", {**ORDER, "productType": "MIS", "orderQuantity": 4})
    wait_for_status(api, bought["AppOrderID"], "Filled")
    body = {"exchangeSegment": "NSECM", "exchangeInstrumentID": 2885, "productType": "MIS",
            "squareoffMode": "DayWise", "positionSquareOffQuantityType": "Percentage", "squareOffQtyValue": 50,
            "blockOrderSending": True, "cancelOrders": True}
    half = api.ok("PUT", "/interactive/portfolio/squareoff", body)
    record = wait_for_status(api, half["AppOrderID"], "Filled")
    assert (record["OrderSide"], record["OrderQuantity"]) == ("Sell", 2)
    api.ok("PUT", "/interactive/portfolio/squareoff", {**body, "positionSquareOffQuantityType": "ExactQty",
                                                        "squareOffQtyValue": 10})
    net = api.ok("GET", "/interactive/portfolio/positions", dayOrNet="NetWise")["positionList"]
    deadline = time.monotonic() + 3
    while net[0]["Quantity"] != "0" and time.monotonic() < deadline:
        time.sleep(0.1)
        net = api.ok("GET", "/interactive/portfolio/positions", dayOrNet="NetWise")["positionList"]
    assert net[0]["Quantity"] == "0"
    nothing = xts_api.error_of(api.call("PUT", "/interactive/portfolio/squareoff", body))
    assert nothing["result"]["errors"]


def test_a_bracket_without_its_exits_is_refused_and_places_nothing(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    bracket = {**ORDER, "orderType": "MARKET", "squarOff": 2}  # a MARKET entry is allowed (PY's example)
    refused = xts_api.error_of(api.call("POST", "/interactive/orders/bracket", bracket))
    assert refused["result"]["errors"] == ["stopLossPrice is required"]
    assert xts_api.error_of(api.call("GET", "/interactive/orders"))["description"] == "Data Not Available"


def test_a_restarted_simulator_keeps_its_books(tmp_path: Path, xts_api: Any) -> None:
    with XtsSimulator(state_dir=tmp_path) as first:
        api = xts_api(first, "investor")
        order_id = api.ok("POST", "/interactive/orders", ORDER)["AppOrderID"]
        wait_for_status(api, order_id, "Filled")
    with XtsSimulator(state_dir=tmp_path) as second:
        again = xts_api(second, "investor")
        assert [order["AppOrderID"] for order in again.ok("GET", "/interactive/orders")] == [order_id]
        stale = httpx.get(second.root + "/interactive/orders", headers=api.headers)
        assert xts_api.error_of(stale)["description"] == "Invalid Token"  # tokens do not survive a restart


def test_investor_book_routes_can_be_closed_to_dealers(xts_sim: XtsSimulator, xts_api: Any) -> None:
    dealer = xts_api(xts_sim, "dealer")
    client = dealer.login["clientCodes"][0]
    dealer.ok("POST", "/interactive/orders", {**ORDER, "clientID": client})
    xts_sim.state.dealer_investor_routes = False  # as JNM found on its brokers
    closed = xts_api.error_of(dealer.call("GET", "/interactive/orders", clientID=client))
    assert closed["description"] == "Data Not Available"
    booked = dealer.ok("GET", "/interactive/orders/dealerorderbook", clientID=client)
    assert len(booked) == 1
    # An order's history stays every login's route (spec 5.3), closed investor books or not.
    history = dealer.ok("GET", "/interactive/orders", clientID=client, appOrderID=booked[0]["AppOrderID"])
    assert {record["AppOrderID"] for record in history} == {booked[0]["AppOrderID"]}


def test_a_host_without_dealer_routes_answers_them_like_unknown_paths(tmp_path: Path, xts_api: Any) -> None:
    with XtsSimulator(state_dir=tmp_path / "sim", dealer_routes=False) as sim:
        dealer = xts_api(sim, "dealer")
        client = dealer.login["clientCodes"][0]
        for path in ("/interactive/orders/dealerorderbook", "/interactive/orders/dealertradebook",
                     "/interactive/portfolio/dealerpositions"):
            reply = dealer.call("GET", path, clientID=client, dayOrNet="NetWise")
            assert reply.status_code == 404
            assert reply.headers["content-type"].startswith("text/html")
        dealer.ok("POST", "/interactive/orders", {**ORDER, "clientID": client})
        assert len(dealer.ok("GET", "/interactive/orders", clientID=client)) == 1  # the investor route serves
