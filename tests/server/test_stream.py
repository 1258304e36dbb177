"""``WS /api/v1/stream`` against ``brokerplex serve`` in a child process (SQLite and PostgreSQL): who may
open it, ticks of what was subscribed, order events of orders placed through REST, and refusals that
leave the socket open."""

from __future__ import annotations

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role, Scope
from streamclient import StreamClient, is_order, is_state, open_socket


def place(client: httpx.Client, client_order_id: str) -> str:
    placed = client.post("/accounts/p1/orders", json={"symbol": "NSE:INFY", "side": "BUY", "quantity": 1,
                                                      "client_order_id": client_order_id})
    assert placed.status_code == 200, placed.text
    return str(placed.json()["order_id"])


def refused_status(server: ApiServer, key: str | None = None, headers: dict[str, str] | None = None) -> int:
    with pytest.raises(InvalidStatus) as refused, open_socket(server.url, key, headers=headers):
        pass
    return refused.value.response.status_code


def test_the_socket_is_refused_on_the_handshake_without_credentials_a_valid_key_or_a_same_origin_cookie(
        api: ApiServer) -> None:
    assert refused_status(api) == 403
    assert refused_status(api, "not-a-key") == 403
    users = api.users()
    trader = users.add("tess", "tess-password", Role.TRADER, frozenset({"p1"}))
    cookie, _csrf = users.new_session(trader, "127.0.0.1")
    session = {"Cookie": f"brokerplex_session={cookie}"}
    assert refused_status(api, headers=session) == 403  # no Origin: not from a page of this server
    assert refused_status(api, headers=session | {"Origin": "https://evil.example"}) == 403
    with open_socket(api.url, headers=session | {"Origin": api.url}) as same_origin:
        same_origin.send('{"type": "follow", "account": "p1"}')
        assert '"state"' in str(same_origin.recv(timeout=20))


def test_subscribed_ticks_arrive_as_watch_json_prints_them_and_unsubscribe_stops_them(api: ApiServer) -> None:
    with StreamClient(api.url, api.key("tess", Role.TRADER, ("p1",))) as client:
        client.send(type="subscribe", account="p1", symbols=["NSE:INFY", "NSE:TCS"], mode="ltp")
        tick = client.next(lambda record: record["type"] == "tick" and record["symbol"] == "NSE:INFY")
        assert tick["account"] == "p1"
        assert tick["mode"] == "ltp"
        assert float(tick["last_price"]) > 0
        client.next(lambda record: record["type"] == "tick" and record["symbol"] == "NSE:TCS")
        client.send(type="unsubscribe", account="p1", symbols=["NSE:INFY"])
        client.send(type="subscribe", account="p1", symbols=["NSE:SBIN"], mode="ltp")  # after the unsubscribe
        client.next(lambda record: record["type"] == "tick" and record["symbol"] == "NSE:SBIN")
        seen = len(client.seen)
        client.next(lambda record: record["type"] == "tick" and record["symbol"] == "NSE:TCS")
        client.next(lambda record: record["type"] == "tick" and record["symbol"] == "NSE:TCS")
        assert not [r for r in client.seen[seen:] if r.get("symbol") == "NSE:INFY"]


def test_bad_messages_get_the_one_error_shape_and_the_socket_stays_open(api: ApiServer) -> None:
    with StreamClient(api.url, api.key("tess", Role.TRADER, ("p1",))) as client:
        for bad in ("not json", '{"type": "dance"}', '{"type": "subscribe", "account": "p1", "mode": "loud"}',
                    '{"type": "subscribe", "account": "p1", "symbols": ["NSE:NOSUCHTHING"]}'):
            client.socket.send(bad)
            error = client.next(lambda record: record["type"] == "error")
            assert set(error["error"]) == {"type", "message", "broker_code", "outcome_known"}
            assert error["error"]["type"] in ("InputError", "SymbolError"), error
        client.socket.send(b"\x00binary")
        assert client.next(lambda record: record["type"] == "error")["error"]["type"] == "InputError"
        client.send(type="subscribe", account="nobody", symbols=["NSE:INFY"])
        assert client.next(lambda record: record["type"] == "error")["error"]["type"] == "PermissionDenied"
        client.send(type="subscribe", account="p1", symbols=["NSE:INFY"], mode="quote")
        tick = client.next(lambda record: record["type"] == "tick")
        assert tick["mode"] == "quote"


def test_a_viewer_of_p1_sees_p1_and_cannot_subscribe_to_p2(api: ApiServer) -> None:
    with StreamClient(api.url, api.key("vera", Role.VIEWER, ("p1",), Scope.READ)) as client:
        client.send(type="subscribe", account="p2", symbols=["NSE:INFY"], mode="ltp")
        refusal = client.next(lambda record: record["type"] == "error")
        assert refusal["error"]["type"] == "PermissionDenied"
        assert "p2" in refusal["error"]["message"]
        client.send(type="follow", account="p2")
        assert client.next(lambda record: record["type"] == "error")["error"]["type"] == "PermissionDenied"
        client.send(type="subscribe", account="p1", symbols=["NSE:INFY"], mode="ltp")
        client.next(lambda record: record["type"] == "tick" and record["account"] == "p1")
        client.next(lambda record: record["type"] == "tick" and record["account"] == "p1")
        assert {record["account"] for record in client.seen if "account" in record} == {"p1"}


def test_an_order_placed_through_rest_shows_on_the_socket_until_complete(api: ApiServer) -> None:
    key = api.key("tess", Role.TRADER, ("p1",))
    with StreamClient(api.url, key) as client:
        client.send(type="follow", account="p1")
        client.next(is_state("p1", "live"))  # followed: what the feed reports from here on reaches us
        order_id = place(api.client(key), "ws1")
        complete = client.next(is_order(order_id, "COMPLETE"))
        assert complete["account"] == "p1"
        assert complete["filled_quantity"] == 1
        client.next(lambda record: record["type"] == "trade" and record["order_id"] == order_id)


def test_without_a_bus_a_socket_resumes_order_events_after_an_id_of_the_store(api: ApiServer) -> None:
    key = api.key("tess", Role.TRADER, ("p1",))
    rest = api.client(key)
    with StreamClient(api.url, key) as keeper:  # another client keeps the account's feed open meanwhile
        keeper.send(type="follow", account="p1")
        keeper.next(is_state("p1", "live"))
        with StreamClient(api.url, key) as first:
            first.send(type="follow", account="p1")
            first.next(is_state("p1", "live"))
            seen = first.next(is_order(place(rest, "early"), "COMPLETE"))
        later = place(rest, "late")  # the first client is away
        keeper.next(is_order(later, "COMPLETE"))
        with StreamClient(api.url, key, after=seen["id"]) as resumed:
            resumed.send(type="follow", account="p1")
            resumed.next(is_order(later, "COMPLETE"))
            resumed_ids = [int(record["id"]) for record in resumed.seen if record["type"] in ("order", "trade")]
            assert all(event_id > int(seen["id"]) for event_id in resumed_ids)
