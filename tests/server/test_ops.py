"""The trading operations through the API (server in a child process, paper accounts p1 and p2, SQLite and
PostgreSQL): exit, cancel-all, target, basket, convert, GTT, halt and resume, each in the audit log."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

import httpx

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role

SBIN, INFY = "NSE:SBIN", "NSE:INFY"


def ok(response: httpx.Response) -> Any:
    assert response.is_success, response.text
    return response.json() if response.content else None


def trader(api: ApiServer) -> httpx.Client:
    return api.client(api.key("tess", Role.TRADER, ("p1",)))


def held(client: httpx.Client, symbol: str) -> int:
    """The net position in ``symbol``, from the P&L's lines."""
    return sum(line["quantity"] for line in ok(client.get("/accounts/p1/pnl"))["lines"] if line["symbol"] == symbol)


def market(symbol: str, side: str, quantity: int, **fields: Any) -> dict[str, Any]:
    return {"symbol": symbol, "side": side, "quantity": quantity, **fields}


def resting_buy(client: httpx.Client, symbol: str) -> dict[str, Any]:
    """A LIMIT buy of one well below the market, on the tick grid: it stays open."""
    [level, *_] = ok(client.get("/accounts/p1/depth", params={"symbol": symbol}))["bids"]
    price = (Decimal(level["price"]) * Decimal("0.97") / Decimal("0.05")).to_integral_value(ROUND_FLOOR) * Decimal(
        "0.05")
    return market(symbol, "BUY", 1, order_type="LIMIT", price=str(price))


def audited(api: ApiServer) -> list[tuple[str | None, str, str | None, str]]:
    return [(row["user"], row["action"], row["account"], row["outcome"]) for row in api.audit()]


def test_an_exit_cancels_the_symbols_open_order_then_flattens_and_a_dry_run_sends_nothing(api: ApiServer) -> None:
    client = trader(api)
    assert ok(client.post("/accounts/p1/orders", json=market(SBIN, "BUY", 10, product="MIS")))["status"] == "COMPLETE"
    resting = ok(client.post("/accounts/p1/orders", json=resting_buy(client, SBIN)))
    assert [(p["symbol"], p["quantity"]) for p in ok(client.get("/accounts/p1/positions"))] == [(SBIN, 10)]

    [planned] = ok(client.post("/accounts/p1/exit", params={"dry_run": "true"}, json={"symbols": [SBIN]}))
    assert (planned["outcome"], planned["side"], planned["quantity"]) == ("dry_run", "SELL", 10)
    assert held(client, SBIN) == 10

    [exited] = ok(client.post("/accounts/p1/exit", json={"symbols": [SBIN]}))
    assert exited["outcome"] == "done"
    assert exited["cancelled"] == [resting["order_id"]]
    assert held(client, SBIN) == 0
    assert ok(client.get(f"/accounts/p1/orders/{resting['order_id']}"))["status"] == "CANCELLED"
    assert ok(client.post("/accounts/p1/cancel-all")) == []
    assert ("tess", "order.exit", "p1", "ok") in audited(api)


def test_cancel_all_cancels_each_open_order_and_target_reaches_the_position_once(api: ApiServer) -> None:
    client = trader(api)
    [reached] = ok(client.post("/accounts/p1/target", json={"symbol": INFY, "quantity": 5}))
    assert (reached["outcome"], reached["side"], reached["quantity"]) == ("done", "BUY", 5)
    [already] = ok(client.post("/accounts/p1/target", json={"symbol": INFY, "quantity": 5}))
    assert already["quantity"] == 0
    assert held(client, INFY) == 5

    [first] = ok(client.post("/accounts/p1/slice", json=resting_buy(client, INFY)))
    [second] = ok(client.post("/accounts/p1/slice", json=resting_buy(client, SBIN)))
    cancelled = ok(client.post("/accounts/p1/cancel-all", params={"symbol": INFY}))
    assert [(leg["order_id"], leg["outcome"]) for leg in cancelled] == [(first["order_id"], "done")]
    assert [leg["order_id"] for leg in ok(client.post("/accounts/p1/cancel-all"))] == [second["order_id"]]
    actions = [(action, outcome) for _, action, _, outcome in audited(api)]
    assert actions.count(("order.cancel_all", "ok")) == 2
    assert ("order.target", "ok") in actions


def test_a_basket_dry_run_sends_nothing_and_a_bad_leg_is_refused_before_any_is_sent(api: ApiServer) -> None:
    client = trader(api)
    basket = [market(SBIN, "BUY", 2, product="MIS"), market(INFY, "SELL", 3, product="MIS")]

    result = ok(client.post("/accounts/p1/basket", params={"dry_run": "true"}, json=basket))
    assert [(leg["symbol"], leg["outcome"]) for leg in result["legs"]] == [(SBIN, "dry_run"), (INFY, "dry_run")]
    assert Decimal(result["margin"]["final"]) > 0
    assert ok(client.get("/accounts/p1/pnl"))["lines"] == []

    refused = client.post("/accounts/p1/basket", json=[basket[0], market("NSE:NOSUCHTHING", "BUY", 1)])
    assert refused.status_code == 422
    assert refused.json()["error"]["type"] == "SymbolError"
    assert refused.json()["error"]["message"].startswith("leg 2")
    malformed = client.post("/accounts/p1/basket", json=[market(SBIN, "HOLD", 0)])
    assert malformed.status_code == 422
    assert "side" in malformed.json()["error"]["message"]
    assert "quantity" in malformed.json()["error"]["message"]
    assert ok(client.get("/accounts/p1/pnl"))["lines"] == []

    placed = ok(client.post("/accounts/p1/basket", json=basket))
    assert [leg["outcome"] for leg in placed["legs"]] == ["done", "done"]
    assert (held(client, SBIN), held(client, INFY)) == (2, -3)


def test_halt_refuses_new_orders_but_exits_everything_and_resume_lifts_it(api: ApiServer) -> None:
    client = trader(api)
    ok(client.post("/accounts/p1/slice", json=market(SBIN, "BUY", 4, product="MIS")))
    ok(client.post("/accounts/p1/slice", json=resting_buy(client, INFY)))

    halted = ok(client.post("/accounts/p1/halt", json={"reason": "desk closing", "exit_all": True}))
    assert halted["reason"] == "desk closing"
    assert sorted((leg["symbol"], leg["outcome"]) for leg in halted["legs"]) == [(INFY, "done"), (SBIN, "done")]
    assert held(client, SBIN) == 0
    assert ok(client.get("/accounts/p1/limits"))["halted"]["reason"] == "desk closing"

    refused = client.post("/accounts/p1/slice", json=market(SBIN, "BUY", 1))
    assert refused.status_code == 422
    assert refused.json()["error"]["type"] == "VetoedError"
    assert "halted" in refused.json()["error"]["message"]

    assert ok(client.post("/accounts/p1/resume")) == {"account": "p1", "was_halted": True}
    assert ok(client.get("/accounts/p1/limits")) == {"limits": None, "halted": None}
    [bought] = ok(client.post("/accounts/p1/slice", json=market(SBIN, "BUY", 1)))
    assert bought["outcome"] == "done"
    assert [(action, outcome) for _, action, account, outcome in audited(api) if action.startswith("account.")] == [
        ("account.halt", "ok"), ("account.resume", "ok")]


def test_convert_and_gtt_place_read_change_and_delete(api: ApiServer) -> None:
    client = trader(api)
    ok(client.post("/accounts/p1/slice", json=market(SBIN, "BUY", 10, product="MIS")))
    after = ok(client.post("/accounts/p1/convert", json={"symbol": SBIN, "quantity": 4, "from_product": "MIS",
                                                          "to_product": "CNC"}))
    assert sorted((p["product"], p["quantity"]) for p in after) == [("CNC", 4), ("MIS", 6)]
    too_many = client.post("/accounts/p1/convert", json={"symbol": SBIN, "quantity": 7, "from_product": "MIS",
                                                         "to_product": "CNC"})
    assert too_many.status_code == 422

    last = Decimal(ok(client.get("/accounts/p1/pnl"))["lines"][0]["last_price"])
    floor = (last / 2).quantize(Decimal(1))
    placed = client.post("/accounts/p1/gtt", json={
        "symbol": SBIN, "trigger_prices": [str(floor)], "last_price": str(last),
        "orders": [{"side": "BUY", "quantity": 1, "price": str(floor)}]})
    assert placed.status_code == 201, placed.text
    gtt_id = placed.json()["gtt_id"]
    assert ok(client.get(f"/accounts/p1/gtt/{gtt_id}"))["status"] == "active"

    changed = ok(client.patch(f"/accounts/p1/gtt/{gtt_id}", json={"orders": [{"side": "BUY", "quantity": 2,
                                                                              "price": str(floor)}]}))
    assert changed["orders"][0]["quantity"] == 2
    assert [g["gtt_id"] for g in ok(client.get("/accounts/p1/gtt"))] == [gtt_id]
    assert client.delete(f"/accounts/p1/gtt/{gtt_id}").status_code == 204
    assert ok(client.get(f"/accounts/p1/gtt/{gtt_id}"))["status"] == "deleted"
    assert client.get("/accounts/p1/gtt/999999").status_code == 404
    assert [action for _, action, _, _ in audited(api) if action.startswith("gtt.")] == [
        "gtt.place", "gtt.modify", "gtt.delete"]


def test_a_sliced_order_is_cut_into_freeze_sized_lots_and_a_refused_child_stops_the_rest(api: ApiServer) -> None:
    client = trader(api)
    future = ok(client.get("/accounts/p1/instruments", params={"q": "NIFTY", "type": "FUT", "exchange": "NFO"}))[0]
    lot, freeze = future["lot_size"], future["freeze_quantity"]
    quantity = lot * (freeze // lot) * 2 + lot  # two full slices and one lot over

    children = ok(client.post("/accounts/p1/slice", params={"dry_run": "true"},
                              json=market(future["symbol"], "BUY", quantity)))
    assert [leg["outcome"] for leg in children] == ["dry_run"] * 3
    assert sum(leg["quantity"] for leg in children) == quantity
    assert all(leg["quantity"] <= freeze and leg["quantity"] % lot == 0 for leg in children)
    assert ok(client.get("/accounts/p1/orders")) == []

    placed = ok(client.post("/accounts/p1/slice", json=market(future["symbol"], "BUY", quantity)))
    # paper's opening cash covers no slice of this: the first is refused and the others are never sent
    assert [leg["outcome"] for leg in placed] == ["refused", "skipped", "skipped"]
    assert "insufficient funds" in placed[0]["message"]
    assert held(client, future["symbol"]) == 0
