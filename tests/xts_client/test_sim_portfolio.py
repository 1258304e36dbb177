"""The XTS simulator's portfolio routes (convert, square off all, margin calculator), checked against the
paper exchange's own books after each call, for an investor and for a dealer's client."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from brokerplex.models import OrderStatus, Product
from brokerplex_xts_client.sim import XtsSimulator

EQUITY = {"exchangeSegment": "NSECM", "exchangeInstrumentID": 2885}
ORDER = {**EQUITY, "productType": "MIS", "orderType": "MARKET", "orderSide": "BUY", "timeInForce": "DAY",
         "disclosedQuantity": 0, "orderQuantity": 4, "limitPrice": 0, "stopPrice": 0, "orderUniqueIdentifier": "p1"}


def nets(sim: XtsSimulator, account: str) -> dict[tuple[str, Product], int]:
    return {(position.symbol, position.product): position.quantity for position in sim.exchange.positions(account)}


def filled(xts_api: Any, sim: XtsSimulator, account: str) -> None:
    xts_api.wait_until(lambda: sim.exchange.orders(account), lambda orders: all(o.status.is_final for o in orders))


def test_investor_converts_part_of_a_day_position_to_delivery(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    account = api.account["user_id"]
    api.ok("POST", "/interactive/orders", ORDER)
    filled(xts_api, xts_sim, account)
    symbol = xts_sim.exchange.orders(account)[0].symbol
    cash_before = xts_sim.exchange.funds(account).cash
    body = {**EQUITY, "targetQty": 3, "isDayWise": True, "oldProductType": "MIS", "newProductType": "CNC"}
    result = api.ok("PUT", "/interactive/portfolio/positions/convert", body)
    assert result["CovertedQty"] == 3
    assert (result["OldProductType"], result["NewProductType"], result["ClientID"]) == ("MIS", "CNC", account)
    assert nets(xts_sim, account) == {(symbol, Product.MIS): 1, (symbol, Product.CNC): 3}
    assert xts_sim.exchange.funds(account).cash < cash_before  # delivery is paid for
    too_many = xts_api.error_of(api.call("PUT", "/interactive/portfolio/positions/convert", body))
    assert too_many["type"] == "error"
    assert "holds 1" in too_many["description"]
    net_wise = xts_api.error_of(api.call("PUT", "/interactive/portfolio/positions/convert",
                                         {**body, "targetQty": 1, "isDayWise": False}))
    assert net_wise["description"] == "Bad Request"
    assert nets(xts_sim, account) == {(symbol, Product.MIS): 1, (symbol, Product.CNC): 3}  # refusals change nothing


def test_dealer_converts_for_the_client_it_names(xts_sim: XtsSimulator, xts_api: Any) -> None:
    dealer = xts_api(xts_sim, "dealer")
    client, other = dealer.account["client_codes"]
    dealer.ok("POST", "/interactive/orders", {**ORDER, "clientID": client})
    filled(xts_api, xts_sim, client)
    body = {**EQUITY, "targetQty": 4, "isDayWise": True, "oldProductType": "MIS", "newProductType": "CNC"}
    missing = xts_api.error_of(dealer.call("PUT", "/interactive/portfolio/positions/convert", body))
    assert missing["result"]["errors"] == ["clientID is required for a dealer login"]
    refused = xts_api.error_of(dealer.call("PUT", "/interactive/portfolio/positions/convert",
                                           {**body, "clientID": other}))
    assert refused["type"] == "error"  # the other client holds nothing to convert
    converted = dealer.ok("PUT", "/interactive/portfolio/positions/convert", {**body, "clientID": client})
    assert converted["ClientID"] == client
    assert [(product, net) for (_, product), net in nets(xts_sim, client).items() if net] == [(Product.CNC, 4)]
    assert nets(xts_sim, other) == {}


def test_square_off_all_flattens_every_position_of_the_client_only(xts_sim: XtsSimulator, xts_api: Any) -> None:
    dealer = xts_api(xts_sim, "dealer")
    client, other = dealer.account["client_codes"]
    dealer.ok("POST", "/interactive/orders", {**ORDER, "clientID": client})
    dealer.ok("POST", "/interactive/orders", {**ORDER, "clientID": client, "orderSide": "SELL",
                                              "exchangeInstrumentID": 11536, "orderQuantity": 2})
    dealer.ok("POST", "/interactive/orders", {**ORDER, "clientID": other})
    filled(xts_api, xts_sim, client)
    filled(xts_api, xts_sim, other)
    assert sorted(nets(xts_sim, client).values()) == [-2, 4]
    placed = dealer.ok("PUT", "/interactive/portfolio/squareoffall", {"squareoffMode": "NetWise", "clientID": client})
    assert len(placed) == 2
    filled(xts_api, xts_sim, client)
    exits = {order.order_id: order for order in xts_sim.exchange.orders(client)}
    assert {(exits[str(i).zfill(15)].side.value, exits[str(i).zfill(15)].quantity) for i in placed} == {
        ("SELL", 4), ("BUY", 2)}
    assert all(order.status is OrderStatus.COMPLETE for order in exits.values())
    assert set(nets(xts_sim, client).values()) == {0}
    assert set(nets(xts_sim, other).values()) == {4}  # the other client is untouched
    nothing = xts_api.error_of(dealer.call("PUT", "/interactive/portfolio/squareoffall",
                                           {"squareoffMode": "NetWise", "clientID": client}))
    assert nothing["description"] == "No open position to square off"


def test_investor_square_off_all(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    account = api.account["user_id"]
    api.ok("POST", "/interactive/orders", ORDER)
    filled(xts_api, xts_sim, account)
    [order_id] = api.ok("PUT", "/interactive/portfolio/squareoffall", {"squareoffMode": "DayWise"})
    filled(xts_api, xts_sim, account)
    assert set(nets(xts_sim, account).values()) == {0}
    record = next(row for row in api.ok("GET", "/interactive/orders") if row["AppOrderID"] == order_id)
    assert (record["OrderSide"], record["OrderQuantity"], record["OrderType"]) == ("Sell", 4, "Market")


def margin_leg(**changes: Any) -> dict[str, Any]:
    leg = {"exchange": 1, "exchangeInstrumentId": 2885, "productType": "MIS", "orderType": "LIMIT",
           "orderSide": "BUY", "quantity": 10, "price": 1000, "stopPrice": 0, "orderSessionType": 1}
    return {**leg, **changes}


def test_margin_details_values_the_basket_with_the_exchange_margin_check(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    account = api.account["user_id"]
    available = xts_sim.exchange.funds(account).available_margin
    one = api.ok("POST", "/interactive/orders/margindetails", {"portfolio": [margin_leg()]})["brokerageDeatils"]
    assert one["IsValid"] is True
    assert one["MarginShortfall"] == 0
    assert one["ErrorMessage"] == ""
    assert 0 < one["MarginRequired"] < 10 * 1000  # intraday needs a fraction of the value
    assert Decimal(str(one["MarginAvailable"])) == available
    hedged = api.ok("POST", "/interactive/orders/margindetails",
                    {"portfolio": [margin_leg(), margin_leg(orderSide="SELL")]})["brokerageDeatils"]
    assert hedged["MarginRequired"] == 0  # opposite legs of one symbol and product net off
    huge = api.ok("POST", "/interactive/orders/margindetails",
                  {"portfolio": [margin_leg(productType="CNC", quantity=10_000_000)]})["brokerageDeatils"]
    assert huge["IsValid"] is False
    assert huge["MarginShortfall"] > 0
    assert huge["ErrorMessage"]
    assert xts_sim.exchange.orders(account) == []  # nothing placed
    bad = xts_api.error_of(api.call("POST", "/interactive/orders/margindetails",
                                    {"portfolio": [margin_leg(orderSide="UP", exchangeInstrumentId=1)]}))
    assert len(bad["result"]["errors"]) == 2
    assert all(e.startswith("portfolio[0]") for e in bad["result"]["errors"])


def test_dealer_margin_details_use_the_named_clients_funds(xts_sim: XtsSimulator, xts_api: Any) -> None:
    dealer = xts_api(xts_sim, "dealer")
    client = dealer.account["client_codes"][0]
    result = dealer.ok("POST", "/interactive/orders/margindetails",
                       {"portfolio": [margin_leg()], "clientID": client})["brokerageDeatils"]
    assert Decimal(str(result["MarginAvailable"])) == xts_sim.exchange.funds(client).available_margin
    assert xts_api.error_of(dealer.call("POST", "/interactive/orders/margindetails",
                                        {"portfolio": [margin_leg()]}))["description"] == "Bad Request"


def test_lost_square_off_and_convert_replies_still_act(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api = xts_api(xts_sim, "investor")
    account = api.account["user_id"]
    api.ok("POST", "/interactive/orders", ORDER)
    filled(xts_api, xts_sim, account)
    xts_sim.faults.lose_reply("changes")  # a conversion is a change
    body = {**EQUITY, "targetQty": 1, "isDayWise": True, "oldProductType": "MIS", "newProductType": "CNC"}
    with pytest.raises(httpx.HTTPError):  # a lost reply never comes
        httpx.put(xts_sim.root + "/interactive/portfolio/positions/convert", headers=api.headers, json=body,
                  timeout=0.5)
    xts_api.wait_until(lambda: sorted(nets(xts_sim, account).values()), lambda quantities: quantities == [1, 3])
    xts_sim.faults.lose_reply("orders")  # a square-off places orders
    with pytest.raises(httpx.HTTPError):
        httpx.put(xts_sim.root + "/interactive/portfolio/squareoffall", headers=api.headers,
                  json={"squareoffMode": "NetWise"}, timeout=0.5)
    xts_api.wait_until(lambda: set(nets(xts_sim, account).values()), lambda quantities: quantities == {0})
