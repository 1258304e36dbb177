"""The reading operations through the API: option chains with greeks, expiries, depth, candles, margins, P&L of
one account and across accounts; what a viewer may read and may not do; bad input refused with 422."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role, Scope

SBIN = "NSE:SBIN"


def ok(response: httpx.Response) -> Any:
    assert response.is_success, response.text
    return response.json()


def test_a_viewer_reads_chain_depth_candles_margins_and_pnl_but_may_not_trade(api: ApiServer) -> None:
    viewer = api.client(api.key("vera", Role.VIEWER, ("p1",), Scope.READ))

    found = ok(viewer.get("/accounts/p1/chain", params={"underlying": "NIFTY", "strikes": 2}))
    assert found["underlying"] == "NIFTY"
    assert len(found["rows"]) == 5
    priced = [side for row in found["rows"] for side in (row["call"], row["put"]) if side and side["delta"]]
    assert priced, found["rows"]
    assert all(side["iv"] is not None and side["gamma"] is not None for side in priced)
    expiries = ok(viewer.get("/accounts/p1/expiries", params={"underlying": "NIFTY"}))
    assert found["expiry"] in expiries
    assert expiries == sorted(expiries)

    book = ok(viewer.get("/accounts/p1/depth", params={"symbol": SBIN}))
    assert book["bids"]
    assert book["asks"]
    end = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    candles = ok(viewer.get("/accounts/p1/candles", params={"symbol": SBIN, "interval": "5m",
                                                            "from": (end - dt.timedelta(hours=1)).isoformat(),
                                                            "to": end.isoformat()}))
    assert 11 <= len(candles) <= 13
    assert all(Decimal(c["low"]) <= Decimal(c["close"]) <= Decimal(c["high"]) for c in candles)

    [margin] = ok(viewer.post("/accounts/p1/margins", json=[{"symbol": SBIN, "side": "BUY", "quantity": 10}]))
    assert Decimal(margin["total"]) > 0
    basket = [{"symbol": SBIN, "side": "BUY", "quantity": 10}, {"symbol": SBIN, "side": "SELL", "quantity": 5}]
    assert Decimal(ok(viewer.post("/accounts/p1/basket-margin", json=basket))["final"]) > 0
    assert ok(viewer.get("/accounts/p1/pnl"))["lines"] == []

    for path, body in (("/accounts/p1/exit", {"all": True}), ("/accounts/p1/halt", {}),
                       ("/accounts/p1/basket", [{"symbol": SBIN, "side": "BUY", "quantity": 1}])):
        refused = viewer.post(path, json=body)
        assert refused.status_code == 403, path
        assert refused.json()["error"]["type"] == "PermissionDenied"
    assert viewer.get("/accounts/p2/chain", params={"underlying": "NIFTY"}).status_code == 403


def test_pnl_across_accounts_is_what_the_caller_may_read(api: ApiServer) -> None:
    trader = api.client(api.key("tess", Role.TRADER, ("p1",)))
    admin = api.client(api.key("root", Role.ADMIN))
    ok(trader.post("/accounts/p1/orders", json={"symbol": SBIN, "side": "BUY", "quantity": 3}))
    ok(admin.post("/accounts/p2/orders", json={"symbol": SBIN, "side": "SELL", "quantity": 1, "product": "MIS"}))

    mine = ok(trader.get("/pnl"))
    assert [summary["account"] for summary in mine["summaries"]] == ["p1"]
    assert mine["failures"] == []
    assert trader.get("/pnl", params={"accounts": "p1,p2"}).status_code == 403

    both = ok(admin.get("/pnl", params={"accounts": "p1,p2"}))
    assert sorted((s["account"], s["lines"][0]["quantity"]) for s in both["summaries"]) == [("p1", 3), ("p2", -1)]
    assert Decimal(both["total"]["net"]) == sum(Decimal(s["realised"]) + Decimal(s["unrealised"])
                                                for s in both["summaries"])
    missing = admin.get("/pnl", params={"accounts": "nosuch"})
    assert missing.status_code == 404
    partly = ok(admin.get("/pnl", params={"accounts": "p1,nosuch"}))
    assert [(f["account"], f["status"], f["error"]["type"]) for f in partly["failures"]] == [
        ("nosuch", 404, "UnknownAccountError")]


def test_bad_input_is_refused_with_422_before_anything_is_sent(api: ApiServer) -> None:
    client = api.client(api.key("tess", Role.TRADER, ("p1",)))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for response in (
        client.get("/accounts/p1/candles", params={"symbol": SBIN, "interval": "7m", "from": now.isoformat(),
                                                   "to": now.isoformat()}),
        client.get("/accounts/p1/candles", params={"symbol": SBIN, "interval": "5m", "from": now.isoformat(),
                                                   "to": (now - dt.timedelta(hours=1)).isoformat()}),
        client.get("/accounts/p1/chain", params={"underlying": "NIFTY", "strikes": 0}),
        client.get("/accounts/p1/expiries", params={"underlying": "NOSUCHINDEX"}),
        client.post("/accounts/p1/exit", json={}),
        client.post("/accounts/p1/exit", json={"symbols": [SBIN], "all": True}),
        client.post("/accounts/p1/target", json={"symbol": SBIN}),
        client.post("/accounts/p1/convert", json={"symbol": SBIN, "quantity": 1, "from_product": "MIS",
                                                  "to_product": "MIS"}),
        client.post("/accounts/p1/basket", json=[]),
    ):
        assert response.status_code == 422, (response.request.url, response.text)
        assert response.json()["error"]["type"] in ("InputError", "SymbolError"), response.text
    assert ok(client.get("/accounts/p1/orders")) == []
