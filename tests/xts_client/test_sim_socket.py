"""The XTS simulator's Socket.IO streams: market data after REST subscriptions, order events."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import httpx
import pytest

from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_xts_client.sio.client import SocketIOClient, connect
from brokerplex_xts_client.sio.protocol import ConnectionRefused

RELIANCE = {"exchangeSegment": 1, "exchangeInstrumentID": 2885}
ORDER = {
    "exchangeSegment": "NSECM", "exchangeInstrumentID": 2885, "productType": "MIS", "orderType": "MARKET",
    "orderSide": "BUY", "timeInForce": "DAY", "disclosedQuantity": 0, "orderQuantity": 2, "limitPrice": 0,
    "stopPrice": 0, "orderUniqueIdentifier": "sock1",
}


def login(sim: XtsSimulator, role: str, api: str) -> dict[str, Any]:
    account = next(account for account in sim.accounts if account["role"] == role)
    path = "/interactive/user/session" if api == "interactive" else "/apimarketdata/auth/login"
    result: dict[str, Any] = httpx.post(sim.root + path, data={**account[api], "source": "WEBAPI"}).json()["result"]
    return result


def rest(sim: XtsSimulator, method: str, path: str, token: str, body: Any) -> dict[str, Any]:
    reply = httpx.request(method, sim.root + path, headers={"Authorization": token}, json=body)
    assert reply.status_code == 200, reply.text
    envelope: dict[str, Any] = reply.json()
    return envelope


async def market_socket(sim: XtsSimulator, session: dict[str, Any], mode: str = "Full") -> SocketIOClient:
    return await connect(sim.root, path="/apimarketdata/socket.io",
                         query={"token": session["token"], "userID": session["userID"], "publishFormat": "JSON",
                                "broadcastMode": mode})


async def order_socket(sim: XtsSimulator, session: dict[str, Any]) -> SocketIOClient:
    return await connect(sim.root, path="/interactive/socket.io",
                         query={"token": session["token"], "userID": session["userID"], "apiType": "INTERACTIVE"})


async def collect(client: SocketIOClient, wanted: set[str], seconds: float = 5.0) -> dict[str, list[Any]]:
    """Events by name until every name in ``wanted`` arrived (or the time is up)."""
    seen: dict[str, list[Any]] = {}

    async def read() -> None:
        async for event, data in client:
            seen.setdefault(event, []).append(data)
            if wanted <= set(seen):
                return

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(read(), seconds)
    return seen


def test_market_socket_joins_then_streams_subscribed_instruments(xts_sim: XtsSimulator) -> None:
    session = login(xts_sim, "investor", "marketdata")

    async def run() -> dict[str, list[Any]]:
        async with await market_socket(xts_sim, session) as client:
            joined = await collect(client, {"joined"})
            for code in (1501, 1502, 1512):
                rest(xts_sim, "POST", "/apimarketdata/instruments/subscription", session["token"],
                     {"instruments": [RELIANCE], "xtsMessageCode": code})
            return {**joined, **await collect(client, {"1501-json-full", "1502-json-full", "1512-json-full"})}

    events = asyncio.run(run())
    joined = json.loads(events["joined"][0])
    assert joined["code"] == "s-socket-0001"
    assert joined["description"].startswith("Socket joined successfully! SocketId=")
    touchline = json.loads(events["1501-json-full"][0])  # the payload is a JSON string
    header = (touchline["MessageCode"], touchline["ExchangeSegment"], touchline["ExchangeInstrumentID"])
    assert header == (1501, 1, 2885)
    assert touchline["Touchline"]["LastTradedPrice"] > 0
    depth = json.loads(events["1502-json-full"][0])
    assert len(depth["Bids"]) == 5
    assert json.loads(events["1512-json-full"][0])["LastTradedPrice"] > 0


def test_partial_mode_sends_key_value_text_and_unsubscribe_stops_it(xts_sim: XtsSimulator) -> None:
    session = login(xts_sim, "investor", "marketdata")
    body = {"instruments": [RELIANCE], "xtsMessageCode": 1501}

    async def run() -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
        async with await market_socket(xts_sim, session, mode="Partial") as client:
            rest(xts_sim, "POST", "/apimarketdata/instruments/subscription", session["token"], body)
            first = await collect(client, {"1501-json-partial"})
            rest(xts_sim, "PUT", "/apimarketdata/instruments/subscription", session["token"], body)
            await asyncio.sleep(0.7)  # a tick already under way may still arrive
            return first, await collect(client, {"never"}, seconds=1.2)

    first, after = asyncio.run(run())
    text = first["1501-json-partial"][0]
    assert text.startswith("t:1_2885,")
    fields = dict(part.split(":", 1) for part in text.split(","))
    assert float(fields["ltp"]) > 0
    assert len(fields["bi"].split("|")) == 4
    assert "1501-json-partial" not in after
    assert "1501-json-full" not in after


def test_sockets_refuse_bad_tokens_and_close_on_expiry(xts_sim: XtsSimulator) -> None:
    session = login(xts_sim, "investor", "marketdata")

    async def run() -> list[str]:
        with pytest.raises(ConnectionRefused):
            await market_socket(xts_sim, {**session, "token": "forged"})
        client = await market_socket(xts_sim, session)
        await collect(client, {"joined"})
        await asyncio.to_thread(xts_sim.expire_sessions)
        rest_of = await collect(client, {"never"}, seconds=3)
        assert not client.connected  # the server closed it, rather than merely having nothing to send
        await client.close()
        with pytest.raises(ConnectionRefused):
            await market_socket(xts_sim, session)
        return list(rest_of)

    assert asyncio.run(run()) == []  # iteration ended: the server closed the socket


def test_drop_streams_ends_connections_and_clients_can_reconnect(xts_sim: XtsSimulator) -> None:
    session = login(xts_sim, "investor", "interactive")

    async def run() -> dict[str, list[Any]]:
        client = await order_socket(xts_sim, session)
        await collect(client, {"joined"})
        await asyncio.to_thread(xts_sim.drop_streams)
        assert await collect(client, {"never"}, seconds=3) == {}
        assert not client.connected
        async with await order_socket(xts_sim, session) as again:
            return await collect(again, {"joined"})

    assert "joined" in asyncio.run(run())


def test_order_trade_and_position_events_reach_the_investor(xts_sim: XtsSimulator) -> None:
    session = login(xts_sim, "investor", "interactive")

    async def run() -> dict[str, list[Any]]:
        async with await order_socket(xts_sim, session) as client:
            await collect(client, {"joined"})
            rest(xts_sim, "POST", "/interactive/orders", session["token"], ORDER)
            return await collect(client, {"trade", "position"})

    events = asyncio.run(run())
    orders = [json.loads(text) for text in events["order"]]
    assert [order["OrderStatus"] for order in orders] == ["PendingNew", "New", "Filled"]
    assert {order["OrderUniqueIdentifier"] for order in orders} == {"sock1"}
    assert orders[-1]["MessageCode"] == 9004
    trades = [json.loads(text) for text in events["trade"]]
    assert sum(trade["LastTradedQuantity"] for trade in trades) == 2
    assert trades[0]["MessageCode"] == 9005
    position = json.loads(events["position"][0])
    assert (position["ExchangeInstrumentID"], position["NetPosition"], position["MessageCode"]) == ("2885", "2", 9002)


def test_dealer_socket_receives_every_clients_events(xts_sim: XtsSimulator) -> None:
    session = login(xts_sim, "dealer", "interactive")
    first, second = session["clientCodes"][:2]

    async def run() -> dict[str, list[Any]]:
        async with await order_socket(xts_sim, session) as client:
            await collect(client, {"joined"})
            for code in (first, second, "*****"):
                rest(xts_sim, "POST", "/interactive/orders", session["token"], {**ORDER, "clientID": code})
            seen: dict[str, list[Any]] = {}
            deadline = asyncio.get_running_loop().time() + 5
            while len(seen.get("trade", [])) < 3 and asyncio.get_running_loop().time() < deadline:
                for name, values in (await collect(client, {"trade"}, seconds=1)).items():
                    seen.setdefault(name, []).extend(values)
            return seen

    events = asyncio.run(run())
    trades = [json.loads(text) for text in events["trade"]]
    assert {trade["ClientID"] for trade in trades} == {first, second, session["userID"]}
    assert {trade["LoginID"] for trade in trades} == {session["userID"]}


def test_candle_and_open_interest_events_follow_their_subscriptions(xts_sim: XtsSimulator) -> None:
    session = login(xts_sim, "investor", "marketdata")
    future = json.loads(httpx.post(xts_sim.root + "/apimarketdata/instruments/master",
                                   headers={"Authorization": session["token"]},
                                   json={"exchangeSegmentList": ["NSEFO"]}).json()["result"].split("\n")[0]
                        .split("|")[1])
    contract = {"exchangeSegment": 2, "exchangeInstrumentID": future}

    async def run() -> dict[str, list[Any]]:
        async with await market_socket(xts_sim, session) as client:
            for code in (1505, 1510):
                rest(xts_sim, "POST", "/apimarketdata/instruments/subscription", session["token"],
                     {"instruments": [contract], "xtsMessageCode": code})
            return await collect(client, {"1505-json-full", "1510-json-full"})

    events = asyncio.run(run())
    candle = json.loads(events["1505-json-full"][0])
    assert (candle["MessageCode"], candle["ExchangeInstrumentID"]) == (1505, future)
    assert candle["Low"] <= candle["Close"] <= candle["High"]
    assert json.loads(events["1510-json-full"][0])["OpenInterest"] > 0


def test_property_changes_are_broadcast_to_every_market_socket(xts_sim: XtsSimulator) -> None:
    session = login(xts_sim, "investor", "marketdata")

    async def run() -> dict[str, list[Any]]:
        async with await market_socket(xts_sim, session) as client:  # nothing subscribed
            return await collect(client, {"1105-json-partial"}, seconds=10)

    text = asyncio.run(run())["1105-json-partial"][0]
    fields = dict(part.split(":", 1) for part in text.split(","))
    segment, _, token = fields["t"].partition("_")
    assert segment.isdigit()
    assert token.isdigit()
    assert float(fields["110"]) > float(fields["111"]) > 0


def test_refused_keys_fail_both_logins_and_every_socket_until_allowed_again(xts_sim: XtsSimulator) -> None:
    market, interactive = login(xts_sim, "investor", "marketdata"), login(xts_sim, "investor", "interactive")
    account = xts_sim.account("investor")
    xts_sim.refuse_keys(True)
    for path, api in (("/interactive/user/session", "interactive"), ("/apimarketdata/auth/login", "marketdata")):
        reply = httpx.post(xts_sim.root + path, data={**account[api], "source": "WEBAPI"})
        assert reply.status_code == 400
        assert reply.json() == {"type": "error", "code": "e-user-0001", "description": "Invalid appKey or secretKey",
                                "result": {}}
    # A session opened before keeps its REST access.
    assert rest(xts_sim, "GET", "/interactive/user/profile", interactive["token"], None)["type"] == "success"

    async def sockets() -> None:
        with pytest.raises(ConnectionRefused, match="Invalid Token"):
            await market_socket(xts_sim, market)
        with pytest.raises(ConnectionRefused, match="Invalid Token"):
            await order_socket(xts_sim, interactive)
        await asyncio.to_thread(xts_sim.refuse_keys, False)
        async with await market_socket(xts_sim, market) as client:
            assert "joined" in await collect(client, {"joined"})

    asyncio.run(sockets())
    assert login(xts_sim, "investor", "marketdata")["token"]
