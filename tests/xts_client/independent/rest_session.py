"""Run by the 3.12 venv: xts-api-client's own REST clients against the simulator.

Usage: python rest_session.py <sim.json>   (sim.json: {"root": ..., "accounts": [...]})
Prints one JSON object: what the clients saw. Not part of the project's package; it only
calls xts-api-client's public methods as its README shows them.
"""

import asyncio
import json
import sys
import time
import warnings

from xts_api_client.helper.helper import (
    cm_master_df_to_xts_cm_instrument_list,
    cm_master_string_to_df,
    fo_master_df_to_xts_future_instrument_list,
    fo_master_df_to_xts_options_instrument_list,
    fo_master_string_to_df,
)
from xts_api_client.xts_connect import XTSConnect
from xts_api_client.xts_connect_async import XTSConnect as AsyncXTSConnect

warnings.simplefilter("ignore")  # its async client posts str bodies through httpx's deprecated data=


def account(sim, role):
    return next(item for item in sim["accounts"] if item["role"] == role)


def wait_status(client, order_id, wanted):
    deadline = time.monotonic() + 10
    while True:
        book = client.get_order_book()
        found = [order for order in book.get("result") or [] if order["AppOrderID"] == order_id]
        if (found and found[0]["OrderStatus"] == wanted) or time.monotonic() > deadline:
            return found[0] if found else None
        time.sleep(0.2)


def failure(call):
    try:
        outcome = call()
    except Exception as error:  # the sync client's try/except turns API errors into UnboundLocalError
        return type(error).__name__
    return outcome


def investor_flow(sim, seen):
    keys = account(sim, "investor")
    interactive = XTSConnect(keys["interactive"]["appKey"], keys["interactive"]["secretKey"], "WEBAPI", sim["root"])
    login = interactive.interactive_login()
    seen["investor_login"] = {key: login["result"][key] for key in ("userID", "isInvestorClient", "clientCodes")}

    market = XTSConnect(keys["marketdata"]["appKey"], keys["marketdata"]["secretKey"], "WEBAPI", sim["root"])
    seen["marketdata_login"] = market.marketdata_login()["type"]
    cash_text = market.get_master(["NSECM"])["result"]
    fo_text = market.get_master(["NSEFO"])["result"]
    cash = cm_master_df_to_xts_cm_instrument_list(cm_master_string_to_df(cash_text))
    futures_df, options_df, _spreads = fo_master_string_to_df(fo_text)
    futures = fo_master_df_to_xts_future_instrument_list(futures_df)
    options = fo_master_df_to_xts_options_instrument_list(options_df)
    reliance = next(item for item in cash if item.Name == "RELIANCE")
    seen["master"] = {"cash": len(cash), "futures": len(futures), "options": len(options),
                      "reliance_id": int(reliance.ExchangeInstrumentID), "reliance_isin": reliance.ISIN,
                      "nifty_future_lot": int(next(item for item in futures if item.Name == "NIFTY").LotSize)}
    quote = market.get_quote([{"exchangeSegment": 1, "exchangeInstrumentID": 2885}], 1501, "JSON")
    touchline = json.loads(quote["result"]["listQuotes"][0])
    seen["quote"] = {"id": touchline["ExchangeInstrumentID"], "ltp": touchline["LastTradedPrice"]}
    depth = market.get_quote([{"exchangeSegment": 1, "exchangeInstrumentID": 2885}], 1502, "JSON")
    seen["depth_levels"] = len(json.loads(depth["result"]["listQuotes"][0])["Bids"])
    ohlc = market.get_ohlc(1, 2885, "Jan 05 2026 091500", "Jan 05 2026 093000", 60)
    seen["ohlc_bars"] = len(ohlc["result"]["dataReponse"].split(","))
    seen["index_list"] = market.get_index_list(1)["result"]["indexList"]

    placed = interactive.place_order("NSECM", 2885, "CNC", "MARKET", "BUY", "DAY", 0, 5, 0, 0, "indep1")
    order_id = placed["result"]["AppOrderID"]
    filled = wait_status(interactive, order_id, "Filled")
    seen["market_order"] = {"status": filled["OrderStatus"], "unique": filled["OrderUniqueIdentifier"],
                            "quantity": filled["CumulativeQuantity"]}
    history = interactive.get_order_history(order_id)["result"]
    seen["history"] = [state["OrderStatus"] for state in history]
    seen["trades"] = sum(trade["LastTradedQuantity"] for trade in interactive.get_trade()["result"])
    positions = interactive.get_position_netwise()["result"]["positionList"]
    seen["position"] = [(row["ExchangeInstrumentId"], row["Quantity"]) for row in positions]
    seen["balance_header"] = interactive.get_balance()["result"]["BalanceList"][0]["limitHeader"]
    seen["profile_client"] = interactive.get_profile()["result"]["ClientId"]
    seen["holdings"] = interactive.get_holding()["description"]  # nothing settled yet

    resting = interactive.place_order("NSECM", 2885, "CNC", "LIMIT", "BUY", "DAY", 0, 1, 1300, 0, "indep2")
    resting_id = resting["result"]["AppOrderID"]
    seen["resting"] = wait_status(interactive, resting_id, "New")["OrderStatus"]
    modified = interactive.modify_order(resting_id, "CNC", "LIMIT", 2, 0, 1301.5, 0, "DAY", "indep2")
    seen["modify"] = modified["type"]
    changed = wait_status(interactive, resting_id, "Replaced")
    seen["modified"] = [changed["OrderQuantity"], changed["OrderPrice"]]
    seen["cancel"] = interactive.cancel_order(resting_id, "indep2")["type"]
    seen["cancelled"] = wait_status(interactive, resting_id, "Cancelled")["OrderStatus"]

    seen["refused_bad_side"] = failure(
        lambda: interactive.place_order("NSECM", 2885, "CNC", "MARKET", "HOLD", "DAY", 0, 1, 0, 0, "bad"))
    interactive.token = "forged"
    seen["refused_bad_token"] = failure(lambda: interactive.get_order_book())
    again = XTSConnect(keys["interactive"]["appKey"], keys["interactive"]["secretKey"], "WEBAPI", sim["root"])
    again.interactive_login()
    seen["logout"] = again.interactive_logout()["description"]
    seen["after_logout"] = failure(lambda: again.get_order_book())


async def dealer_flow(sim, seen):
    keys = account(sim, "dealer")
    client = AsyncXTSConnect(keys["interactive"]["appKey"], keys["interactive"]["secretKey"], "WEBAPI", sim["root"])
    login = await client.interactive_login()
    seen["dealer_login"] = {key: login["result"][key] for key in ("userID", "isInvestorClient", "clientCodes")}
    # The async client sends clientID=***** for every dealer call: the dealer's PRO book.
    placed = await client.place_order("NSECM", 1594, "MIS", "MARKET", "SELL", "DAY", 0, 4, 0, 0, "pro1")
    order_id = placed["result"]["AppOrderID"]
    deadline = time.monotonic() + 10
    while True:
        book = (await client.get_dealer_orderbook())["result"]
        status = next(order["OrderStatus"] for order in book if order["AppOrderID"] == order_id)
        if status == "Filled" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    seen["dealer_order"] = {"status": status, "client": book[0]["ClientID"], "login": book[0]["LoginID"]}
    trades = (await client.get_dealer_tradebook())["result"]
    seen["dealer_trades"] = sum(trade["LastTradedQuantity"] for trade in trades)
    positions = (await client.get_dealerposition_netwise())["result"]["positionList"]
    seen["dealer_position"] = [(row["ExchangeInstrumentId"], row["Quantity"]) for row in positions]
    try:
        await client.get_order_history(order_id, clientID="NOT-MINE")  # still sends ***** for dealers
        seen["dealer_history"] = "ok"
    except Exception as error:
        seen["dealer_history"] = type(error).__name__
    await client.reqsession.aclose()


def main():
    with open(sys.argv[1]) as handle:
        sim = json.load(handle)
    seen = {}
    investor_flow(sim, seen)
    asyncio.run(dealer_flow(sim, seen))
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
