"""Orders through the REST API on paper: entry to COMPLETE seen in every book, modify and cancel, bad input
refused with nothing sent, every action audited, 404s for an admin, 403 before any lookup."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from apiserver import ApiServer
from brokerplex.store import Store
from brokerplex.store.tables import journal
from brokerplex.testing.harness import eventually
from brokerplex_server.auth.principal import Role, Scope

WAIT = 15.0


def order_when(client: httpx.Client, account: str, order_id: str, status: str) -> dict[str, Any] | None:
    """The order once it stands in ``status`` (polled), else None."""
    def probe() -> dict[str, Any] | None:
        found: dict[str, Any] = client.get(f"/accounts/{account}/orders/{order_id}").json()
        return found if found["status"] == status else None

    return eventually(probe, WAIT)


def rows_of(api: ApiServer, table: sa.Table) -> list[Any]:
    store = Store(api.home, api.database)
    try:
        with store.engine.connect() as db:
            return list(db.execute(sa.select(table)))
    finally:
        store.close()


def test_a_market_order_completes_and_shows_in_orders_history_trades_and_positions(api: ApiServer) -> None:
    client = api.client(api.key("root"))
    placed = client.post("/accounts/p1/orders", json={"symbol": "NSE:INFY", "side": "BUY", "quantity": 3,
                                                     "client_order_id": "restbuy1"})
    assert placed.status_code == 200, placed.text
    ack = placed.json()
    assert ack["client_order_id"] == "restbuy1"
    order = order_when(client, "p1", ack["order_id"], "COMPLETE")
    assert order is not None, client.get(f"/accounts/p1/orders/{ack['order_id']}").text
    assert order["filled_quantity"] == 3

    listed = client.get("/accounts/p1/orders", params={"status": "complete", "symbol": "nse:infy"}).json()
    assert [o["order_id"] for o in listed] == [ack["order_id"]]
    assert client.get("/accounts/p1/orders", params={"status": "open"}).json() == []
    history = client.get(f"/accounts/p1/orders/{ack['order_id']}/history").json()
    assert history[-1]["status"] == "COMPLETE"
    trades = client.get("/accounts/p1/trades").json()
    assert sum(t["quantity"] for t in trades if t["order_id"] == ack["order_id"]) == 3
    positions = client.get("/accounts/p1/positions").json()
    assert [(p["symbol"], p["quantity"]) for p in positions] == [("NSE:INFY", 3)]
    assert client.get("/accounts/p2/positions").json() == []  # another account's book is its own

    entries = [row for row in api.audit() if row["action"] == "order.place"]
    assert [(e["user"], e["account"], e["target"], e["outcome"]) for e in entries] == [("root", "p1", "restbuy1", "ok")]


def test_the_same_client_order_id_twice_is_refused_never_a_second_order(api: ApiServer) -> None:
    client = api.client(api.key("root"))
    body = {"symbol": "NSE:INFY", "side": "BUY", "quantity": 1, "client_order_id": "onceonly"}
    assert client.post("/accounts/p1/orders", json=body).status_code == 200
    again = client.post("/accounts/p1/orders", json=body)
    assert again.status_code == 422, again.text
    assert "onceonly" in again.json()["error"]["message"]
    assert len(client.get("/accounts/p1/orders").json()) == 1


def test_a_limit_order_is_modified_then_cancelled_each_audited(api: ApiServer) -> None:
    client = api.client(api.key("root"))
    quote = client.get("/accounts/p1/quotes", params={"symbols": "NSE:INFY"}).json()["NSE:INFY"]
    below = f"{int(float(quote['last_price']) * 0.95)}.00"  # far under the asks, inside the circuit
    placed = client.post("/accounts/p1/orders", json={"symbol": "NSE:INFY", "side": "BUY", "quantity": 2,
                                                     "order_type": "LIMIT", "price": below})
    assert placed.status_code == 200, placed.text
    ack = placed.json()
    assert order_when(client, "p1", ack["order_id"], "OPEN") is not None
    modified = client.patch(f"/accounts/p1/orders/{ack['order_id']}", json={"quantity": 4})
    assert modified.status_code == 200, modified.text

    def modified_to_four() -> dict[str, Any] | None:
        found: dict[str, Any] = client.get(f"/accounts/p1/orders/{ack['order_id']}").json()
        return found if found["quantity"] == 4 else None

    assert eventually(modified_to_four, WAIT) is not None
    cancelled = client.delete(f"/accounts/p1/orders/{ack['order_id']}")
    assert cancelled.status_code == 200, cancelled.text
    assert order_when(client, "p1", ack["order_id"], "CANCELLED") is not None
    actions = [(row["action"], row["outcome"]) for row in api.audit() if row["action"].startswith("order.")]
    assert actions == [("order.place", "ok"), ("order.modify", "ok"), ("order.cancel", "ok")]


def test_bad_input_is_a_422_naming_the_problem_and_nothing_is_journalled(api: ApiServer) -> None:
    client = api.client(api.key("root"))
    cases = [
        ({"symbol": "NSE:INFY", "side": "BUY", "quantity": -5}, "quantity"),
        ({"symbol": "NSE:INFY", "side": "HOLD", "quantity": 1}, "side"),
        ({"symbol": "NSE:INFY", "side": "BUY", "quantity": 1, "order_type": "LIMIT"}, "price"),
        ({"symbol": "INFY", "side": "BUY", "quantity": 1}, "INFY"),
        ({"symbol": "NSE:NOSUCHSTOCK", "side": "BUY", "quantity": 1}, "NOSUCHSTOCK"),
    ]
    for body, named in cases:
        refused = client.post("/accounts/p1/orders", json=body)
        assert refused.status_code == 422, (body, refused.text)
        error = refused.json()["error"]
        assert named.lower() in error["message"].lower(), (body, error)
        assert error["outcome_known"] is True
    assert rows_of(api, journal) == []
    assert client.get("/accounts/p1/orders").json() == []
    assert client.get("/accounts/p1/orders", params={"status": "done"}).status_code == 422
    assert client.patch("/accounts/p1/orders/1", json={"quantity": 0}).status_code == 422


def test_an_unknown_account_or_order_is_a_404_for_an_admin(api: ApiServer) -> None:
    client = api.client(api.key("root"))
    for method, path in [("GET", "/accounts/nobody"), ("GET", "/accounts/nobody/orders"),
                         ("POST", "/accounts/nobody/orders"), ("GET", "/accounts/nobody/positions"),
                         ("GET", "/accounts/p1/orders/424242"), ("DELETE", "/accounts/p1/orders/424242"),
                         ("GET", "/accounts/nobody/unresolved-orders")]:
        body = {"symbol": "NSE:INFY", "side": "BUY", "quantity": 1} if method == "POST" else None
        found = client.request(method, path, json=body)
        assert found.status_code == 404, (method, path, found.text)
        assert found.json()["error"]["type"] in ("UnknownAccountError", "OrderNotFoundError")
    assert rows_of(api, journal) == []


def test_a_trader_without_the_account_or_with_a_read_key_is_refused_before_anything_is_sent(
        api: ApiServer) -> None:
    outsider = api.client(api.key("alice", Role.TRADER, ("p2",)))
    reader = api.client(api.key("bob", Role.TRADER, ("p1",), Scope.READ))
    body = {"symbol": "NSE:INFY", "side": "BUY", "quantity": 1}
    assert outsider.post("/accounts/p1/orders", json=body).status_code == 403
    assert outsider.get("/accounts/p1/orders").status_code == 403
    assert outsider.get("/accounts/nobody/orders").status_code == 403  # tells nothing about existence
    refused = reader.post("/accounts/p1/orders", json=body)
    assert refused.status_code == 403
    assert "read-only" in refused.json()["error"]["message"]
    assert reader.get("/accounts/p1/orders").status_code == 200
    assert rows_of(api, journal) == []


def test_reconcile_answers_what_it_settled_and_unresolved_orders_lists_none_left(api: ApiServer) -> None:
    client = api.client(api.key("root"))
    assert client.post("/accounts/p1/reconcile").json() == []
    assert client.get("/accounts/p1/unresolved-orders").json() == []
