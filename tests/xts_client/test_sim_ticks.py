"""The XTS simulator's market-data messages mean something: the market moves between ticks, and a
message with nothing new is not sent to a socket. Read through the project's own Socket.IO client."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import httpx

from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_xts_client.sio.client import connect

RELIANCE, NIFTY_50 = {"exchangeSegment": 1, "exchangeInstrumentID": 2885}, {"exchangeSegment": 1,
                                                                            "exchangeInstrumentID": 26000}
RATE = 10  # ticks a second


def market_login(sim: XtsSimulator) -> dict[str, Any]:
    account = sim.account("investor")
    result: dict[str, Any] = httpx.post(sim.root + "/apimarketdata/auth/login", data=account["marketdata"]).json()[
        "result"]
    return result


def subscribe(sim: XtsSimulator, token: str, code: int, *instruments: dict[str, int]) -> None:
    reply = httpx.post(sim.root + "/apimarketdata/instruments/subscription", headers={"Authorization": token},
                       json={"instruments": list(instruments), "xtsMessageCode": code})
    assert reply.status_code == 200, reply.text


async def messages(sim: XtsSimulator, session: dict[str, Any], mode: str, wanted: dict[str, int],
                   timeout: float = 20.0) -> dict[str, list[str]]:
    """Texts by event name until each event in ``wanted`` came that many times."""
    seen: dict[str, list[str]] = {}
    client = await connect(sim.root, path="/apimarketdata/socket.io", query={
        "token": session["token"], "userID": session["userID"], "publishFormat": "JSON", "broadcastMode": mode})
    async with client:
        async with asyncio.timeout(timeout):
            async for event, data in client:
                seen.setdefault(event, []).append(data)
                if all(len(seen.get(name, [])) >= count for name, count in wanted.items()):
                    break
    return seen


def news(text: str) -> dict[str, Any]:
    """A full message without what changes in every message (sequence number, update times)."""
    body: dict[str, Any] = json.loads(text)
    for name in ("SequenceNumber", "ExchangeTimeStamp"):
        body.pop(name, None)
    body.get("Touchline", {}).pop("LastUpdateTime", None)
    return body


def test_consecutive_full_messages_always_differ_and_the_market_moves_between_them(xts_sim: XtsSimulator) -> None:
    session = market_login(xts_sim)
    subscribe(xts_sim, session["token"], 1501, RELIANCE, NIFTY_50)
    subscribe(xts_sim, session["token"], 1502, RELIANCE)
    xts_sim.set_tick_rate(RATE)
    # Thirty messages within the collection bound (ten a second, each with news).
    seen = asyncio.run(messages(xts_sim, session, "Full", {"1502-json-full": 30}))
    depth = [json.loads(text) for text in seen["1502-json-full"]]
    bodies = [news(text) for text in seen["1502-json-full"]]
    assert all(before != after for before, after in itertools.pairwise(bodies))
    volumes = [message["Touchline"]["TotalTradedQuantity"] for message in depth]
    assert all(after > before for before, after in itertools.pairwise(volumes))
    books = [(message["Bids"], message["Asks"]) for message in depth]
    assert sum(before != after for before, after in itertools.pairwise(books)) >= len(books) * 0.8
    assert len({message["Touchline"]["LastTradedPrice"] for message in depth}) > 1
    stamps = [message["ExchangeTimeStamp"] for message in depth]
    assert stamps == sorted(stamps)  # exchange time never goes back
    sequences = [message["SequenceNumber"] for message in depth]
    assert sequences == sorted(sequences)
    for instrument in (2885, 26000):
        touchlines = [news(text) for text in seen.get("1501-json-full", [])
                      if json.loads(text)["ExchangeInstrumentID"] == instrument]
        assert touchlines
        assert all(before != after for before, after in itertools.pairwise(touchlines))


def test_consecutive_partial_messages_differ_and_open_interest_is_sent_once(xts_sim: XtsSimulator) -> None:
    session = market_login(xts_sim)
    future = httpx.post(xts_sim.root + "/apimarketdata/instruments/master",
                        json={"exchangeSegmentList": ["NSEFO"]}).json()["result"].split("\n")[0].split("|")[1]
    contract = {"exchangeSegment": 2, "exchangeInstrumentID": int(future)}
    subscribe(xts_sim, session["token"], 1501, RELIANCE)
    subscribe(xts_sim, session["token"], 1510, contract)
    xts_sim.set_tick_rate(RATE)
    seen = asyncio.run(messages(xts_sim, session, "Partial", {"1501-json-partial": 20}))
    lines = [",".join(part for part in text.split(",") if not part.startswith("lut:"))
             for text in seen["1501-json-partial"]]
    assert all(before != after for before, after in itertools.pairwise(lines))
    assert len(seen["1510-json-partial"]) == 1  # open interest does not change in a day here: one message
