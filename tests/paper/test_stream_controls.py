"""The simulators' stream controls, seen by a raw WebSocket client over real sockets.

Both simulators take the same controls under the same names (drop, silence, freeze, tick rate,
connection count); each test runs against both. A Kite feed is the binary ticker subscribed to
INFY in full mode; an XTS feed is a market-data Socket.IO connection (Engine.IO 3 spoken by hand)
whose session subscribed RELIANCE's touchline.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_zerodha.sim import KiteSimulator

IN_FLIGHT = 0.5  # seconds of calm after which nothing more is on its way
QUIET = 1.5  # seconds without a message that prove a feed silent (it ticks twice a second, beats every second)
Message = str | bytes


class Feed:
    """One raw stream connection and what it receives."""

    def __init__(self, websocket: ClientConnection, is_tick: Callable[[Message], bool], ping: str | None) -> None:
        self.websocket, self.is_tick, self._ping = websocket, is_tick, ping

    async def next(self, timeout: float) -> Message | None:
        """The next message, or None when none came within ``timeout``."""
        try:
            return await asyncio.wait_for(self.websocket.recv(), timeout)
        except TimeoutError:
            return None

    async def ticks(self, count: int, timeout: float = 10.0) -> list[Message]:
        got: list[Message] = []
        deadline = time.monotonic() + timeout
        while len(got) < count:
            message = await self.next(max(0.0, deadline - time.monotonic()))
            assert message is not None, f"{len(got)} of {count} ticks within {timeout} s"
            if self.is_tick(message):
                got.append(message)
        return got

    async def closed(self, timeout: float = 5.0) -> bool:
        """Whether the server ends the connection within ``timeout`` (what still arrives is skipped)."""
        deadline = time.monotonic() + timeout
        try:
            while (left := deadline - time.monotonic()) > 0:
                await self.next(left)
        except websockets.ConnectionClosed:
            return True
        return False

    async def received(self, seconds: float) -> list[Message]:
        """Everything that arrives in the next ``seconds``."""
        got: list[Message] = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0 and (message := await self.next(left)) is not None:
            got.append(message)
        return got

    async def calm(self) -> bool:
        """Whether what was on its way when a control took effect has landed (a gap of ``IN_FLIGHT``
        without a message within 5 s; a stream that goes on ticking never calms)."""
        deadline = time.monotonic() + 5
        while await self.next(IN_FLIGHT) is not None:
            if time.monotonic() > deadline:
                return False
        return True

    async def quiet(self, seconds: float = QUIET) -> list[Message]:
        """What arrives in ``seconds`` after the stream calmed down (None if it never did)."""
        assert await self.calm(), "the stream went on talking"
        return await self.received(seconds)

    @property
    def has_app_ping(self) -> bool:
        return self._ping is not None

    async def app_ping(self) -> None:
        """An application-level ping, where the protocol has one (Engine.IO's ``2``)."""
        if self._ping is not None:
            await self.websocket.send(self._ping)

    async def app_pong(self, timeout: float = 5.0) -> bool:
        """Ping (Engine.IO) and whether its pong (``3``) came within ``timeout``."""
        await self.app_ping()
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0 and (message := await self.next(left)) is not None:
            if message == "3":
                return True
        return False

    async def transport_pong(self, timeout: float) -> bool:
        """Whether a WebSocket ping is answered within ``timeout``."""
        waiter = await self.websocket.ping()
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            return False
        return True


class Target:
    """A simulator with a logged-in session whose feed streams one instrument."""

    def __init__(self, sim: Any, open_feed: Callable[[], Any]) -> None:
        self.sim, self._open_feed = sim, open_feed

    @asynccontextmanager
    async def feed(self) -> AsyncIterator[Feed]:
        feed: Feed = await self._open_feed()
        try:
            yield feed
        finally:
            await feed.websocket.close()

    async def wait_connections(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.sim.stream_connections != count:
            assert time.monotonic() < deadline, f"{self.sim.stream_connections} stream connections, not {count}"
            await asyncio.sleep(0.02)


def kite_session(sim: KiteSimulator) -> str:
    request_token = sim.request_token()
    checksum = hashlib.sha256(f"{sim.api_key}{request_token}kite_sim_secret".encode()).hexdigest()
    reply = httpx.post(sim.rest + "/session/token", timeout=5, data={
        "api_key": sim.api_key, "request_token": request_token, "checksum": checksum})
    return str(reply.json()["data"]["access_token"])


def kite_target(tmp_path: Path) -> Iterator[Target]:
    with KiteSimulator(state_dir=tmp_path, rate_limits=False) as sim:
        access_token = kite_session(sim)

        async def open_feed() -> Feed:
            websocket = await websockets.connect(f"{sim.ws}?api_key={sim.api_key}&access_token={access_token}",
                                                 ping_interval=None, close_timeout=1)
            await websocket.send('{"a": "subscribe", "v": [408065]}')
            await websocket.send('{"a": "mode", "v": ["full", [408065]]}')
            return Feed(websocket, lambda message: isinstance(message, bytes) and len(message) > 1, None)

        yield Target(sim, open_feed)


def xts_target(tmp_path: Path) -> Iterator[Target]:
    with XtsSimulator(state_dir=tmp_path, rate_limits=False) as sim:
        account = sim.account("investor")
        login = httpx.post(sim.root + "/apimarketdata/auth/login", json=account["marketdata"]).json()["result"]
        subscribed = httpx.post(sim.root + "/apimarketdata/instruments/subscription",
                                headers={"Authorization": login["token"]},
                                json={"instruments": [{"exchangeSegment": 1, "exchangeInstrumentID": 2885}],
                                      "xtsMessageCode": 1501})
        assert subscribed.status_code == 200, subscribed.text

        async def open_feed() -> Feed:
            query = f"token={login['token']}&userID={login['userID']}&publishFormat=JSON&broadcastMode=Full"
            websocket = await websockets.connect(
                f"ws://{sim.host}:{sim.port}/apimarketdata/socket.io/?{query}&EIO=3&transport=websocket",
                ping_interval=None, close_timeout=1)
            opening = await asyncio.wait_for(websocket.recv(), 5)
            assert isinstance(opening, str)
            assert opening.startswith("0{")
            return Feed(websocket, lambda message: str(message).startswith('42["1501-json-full"'), "2")

        yield Target(sim, open_feed)


@pytest.fixture(params=["kite", "xts"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    yield from (kite_target if request.param == "kite" else xts_target)(tmp_path)


def test_drop_streams_closes_every_connection_and_a_new_one_streams(target: Target) -> None:
    async def run() -> None:
        async with target.feed() as feed:
            await feed.ticks(1)
            await target.wait_connections(1)
            await asyncio.to_thread(target.sim.drop_streams)
            assert await feed.closed()
            await target.wait_connections(0)
        async with target.feed() as again:
            await again.ticks(1)
            await target.wait_connections(1)

    asyncio.run(run())


def test_silenced_streams_send_nothing_but_stay_open_until_resumed(target: Target) -> None:
    async def run() -> None:
        async with target.feed() as feed:
            await feed.ticks(1)
            target.sim.silence_streams(True)
            await feed.app_ping()  # XTS: an Engine.IO ping that must go unanswered too
            assert await feed.quiet() == []
            assert await feed.transport_pong(5)  # half-dead, not gone: the connection itself answers
            assert target.sim.stream_connections == 1
            target.sim.silence_streams(False)
            await feed.ticks(2, timeout=5)
            if feed.has_app_ping:
                assert await feed.app_pong()

    asyncio.run(run())


def test_a_frozen_link_answers_nothing_not_even_a_close_until_thawed(target: Target) -> None:
    async def run() -> None:
        async with target.feed() as frozen:
            await frozen.ticks(1)
            await asyncio.to_thread(target.sim.freeze_streams, True)
            await frozen.app_ping()
            assert await frozen.quiet() == []
            assert not await frozen.transport_pong(1.0)
            async with target.feed() as fresh:  # a link opened meanwhile works
                await fresh.ticks(1)
                await target.wait_connections(2)
            await target.wait_connections(1)
            started = time.monotonic()
            await frozen.websocket.close()  # the client gives up on the close handshake after close_timeout
            assert time.monotonic() - started >= 0.9
            assert frozen.websocket.protocol.close_rcvd is None  # the server never answered it
            assert target.sim.stream_connections == 1  # and still holds the link
            await asyncio.to_thread(target.sim.freeze_streams, False)
            await target.wait_connections(0)  # thawed, it reads the close and lets go

    asyncio.run(run())


def test_a_frozen_link_thaws_into_a_working_one(target: Target) -> None:
    async def run() -> None:
        async with target.feed() as feed:
            await feed.ticks(1)
            await asyncio.to_thread(target.sim.freeze_streams, True)
            assert await feed.quiet() == []
            await asyncio.to_thread(target.sim.freeze_streams, False)
            assert await feed.transport_pong(5)
            await feed.ticks(2, timeout=5)

    asyncio.run(run())


def test_dropping_a_frozen_link_cuts_it(target: Target) -> None:
    async def run() -> None:
        async with target.feed() as feed:
            await feed.ticks(1)
            await asyncio.to_thread(target.sim.freeze_streams, True)
            await asyncio.to_thread(target.sim.drop_streams)
            assert await feed.closed()
            assert feed.websocket.protocol.close_rcvd is None  # cut at the TCP level: no close frame came
            await target.wait_connections(0)

    asyncio.run(run())


def test_the_tick_rate_is_set_at_run_time_and_zero_pauses_ticks_only(target: Target) -> None:
    async def run() -> None:
        async with target.feed() as feed:
            await feed.ticks(1)
            target.sim.set_tick_rate(10)
            started = time.monotonic()
            await feed.ticks(20, timeout=10)
            assert time.monotonic() - started < 7  # twice a second, 20 ticks would take 10 s
            target.sim.set_tick_rate(0)
            paused = await feed.quiet(QUIET + 1)
            assert not any(feed.is_tick(message) for message in paused)
            if feed.has_app_ping:
                assert await feed.app_pong()  # Engine.IO keeps answering
            else:
                assert b"\x00" in paused  # Kite keeps its one-byte heartbeats
            target.sim.set_tick_rate(2)
            await feed.ticks(1, timeout=5)
        with pytest.raises(ValueError, match="tick rate"):
            target.sim.set_tick_rate(-1)

    asyncio.run(run())
