"""``POST /fan-out``: one order to several paper accounts, and an XTS dealer's order to two client codes
against the XTS simulator; a target the caller may not trade on stops everything before anything is sent."""

from __future__ import annotations

import httpx

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role
from brokerplex_xts_client.sim import XtsSimulator

ORDER = {"symbol": "NSE:INFY", "side": "BUY", "quantity": 1}


def test_one_order_to_two_accounts_gives_a_result_each(api: ApiServer) -> None:
    admin = api.client(api.key("root"))
    results = admin.post("/fan-out", json={"order": ORDER, "accounts": ["p1", "p2"]})
    assert results.status_code == 200, results.text
    items = results.json()
    assert [(item["account"], item["status"], item["error"]) for item in items] == [("p1", 200, None),
                                                                                   ("p2", 200, None)]
    assert items[0]["ack"]["client_order_id"] != items[1]["ack"]["client_order_id"]
    for item in items:
        orders = admin.get(f"/accounts/{item['account']}/orders").json()
        assert [o["order_id"] for o in orders] == [item["ack"]["order_id"]]


def test_one_failing_target_hides_no_other_result(api: ApiServer) -> None:
    admin = api.client(api.key("root"))
    items = admin.post("/fan-out", json={"order": ORDER, "accounts": ["p1", "nobody"]}).json()
    assert items[0]["ack"]["order_id"]
    assert (items[1]["account"], items[1]["status"], items[1]["error"]["type"]) == (
        "nobody", 404, "UnknownAccountError")


def test_a_target_the_caller_may_not_trade_on_refuses_all_and_sends_nothing(api: ApiServer) -> None:
    trader = api.client(api.key("alice", Role.TRADER, ("p1",)))
    refused = trader.post("/fan-out", json={"order": ORDER, "accounts": ["p1", "p2"]})
    assert refused.status_code == 403
    assert "'p2'" in refused.json()["error"]["message"]
    viewer = api.client(api.key("vera", Role.VIEWER, ("p1", "p2")))
    assert viewer.post("/fan-out", json={}).status_code == 403  # refused before the body is read
    admin = api.client(api.key("root"))
    assert admin.get("/accounts/p1/orders").json() == []
    for bad in ({"order": ORDER, "accounts": []}, {"order": ORDER, "accounts": ["p1", "p1"]},
                {"order": {**ORDER, "client_order_id": "shared1"}, "accounts": ["p1", "p2"]},
                {"order": {**ORDER, "quantity": 0}, "accounts": ["p1"]},
                {"order": ORDER, "accounts": ["p1", "p2"], "clients": ["A1"]}):
        assert admin.post("/fan-out", json=bad).status_code == 422, bad
    assert admin.get("/accounts/p1/orders").json() == []



def test_an_xts_dealer_order_goes_to_two_client_codes_each_in_its_own_book(
        api: ApiServer, xts: XtsSimulator, dealer: httpx.Client) -> None:
    codes = dealer.get("/accounts/d1/clients").json()
    first, second = codes[:2]
    results = dealer.post("/fan-out", json={"order": ORDER, "accounts": ["d1"], "clients": [first, second]})
    assert results.status_code == 200, results.text
    items = results.json()
    assert [(item["client"], item["error"]) for item in items] == [(first, None), (second, None)]
    for item in items:
        book = dealer.get("/accounts/d1/orders", params={"client": item["client"]}).json()
        assert [o["order_id"] for o in book] == [item["ack"]["order_id"]]
        truth = xts.exchange.orders(item["client"])  # what the simulator's exchange holds for that client
        assert len(truth) == 1
    assert dealer.get("/accounts/d1/positions", params={"client": first}).status_code == 200

    not_held = dealer.post("/fan-out", json={"order": ORDER, "accounts": ["d1"], "clients": [first, "NOTMINE"]})
    assert not_held.status_code == 422
    assert "NOTMINE" in not_held.json()["error"]["message"]
    assert all(len(xts.exchange.orders(code)) == 1 for code in (first, second))
