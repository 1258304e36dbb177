"""Our Socket.IO 2 client against our server under a real uvicorn on 127.0.0.1, plus raw frames.

Short ping intervals keep these fast; bad servers are plain ``websockets`` servers that send
exactly the frames under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import connect as ws_connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.http11 import Request, Response

from brokerplex.errors import InputError, UnreachableError
from brokerplex_xts_client.sio.client import SocketIOClient, connect, socket_uri
from brokerplex_xts_client.sio.protocol import (
    ConnectionLost,
    ConnectionRefused,
    Message,
    PongTimeout,
    SocketProtocolError,
)
from brokerplex_xts_client.sio.server import Session, SocketIOServer

pytestmark = pytest.mark.anyio

PATH = "/apimarketdata/socket.io"
INTERVAL, TIMEOUT = 0.05, 0.2
TOKENS = {"tok-alice-secret": "alice", "tok-bob-secret": "bob"}


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


class Sim:
    """A server whose callbacks record what happened, like the XTS simulator would use it."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Message]] = []
        self.left: list[str] = []
        self.server = SocketIOServer(
            self.authenticate,
            self.on_connect,
            on_disconnect=self.on_disconnect,
            on_event=self.on_event,
            namespaces=("/", "/admin"),
            ping_interval=INTERVAL,
            ping_timeout=TIMEOUT,
        )
        self.url = ""

    async def authenticate(self, query: Mapping[str, str]) -> str | None:
        return TOKENS.get(query.get("token", ""))

    async def on_connect(self, session: Session) -> None:
        await session.emit("joined", json.dumps({"type": "success", "description": f"SocketId={session.sid}"}))

    async def on_disconnect(self, session: Session) -> None:
        self.left.append(session.sid)

    async def on_event(self, session: Session, message: Message) -> Any:
        self.events.append((session.key, message))
        if message.name == "echo":
            await session.emit("echoed", message.data, namespace=message.namespace)
        return {"seen": message.name}

    async def connect(self, token: str = "tok-alice-secret", **options: Any) -> SocketIOClient:
        return await connect(self.url, path=PATH, query={"token": token, "userID": "U"}, open_timeout=2, **options)

    def raw_uri(self, **query: str) -> str:
        return socket_uri(self.url, PATH, {"token": "tok-alice-secret", **query})


@contextlib.asynccontextmanager
async def uvicorn_serving(app: Starlette) -> AsyncIterator[str]:
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, ws="websockets-sansio", lifespan="off", log_level="warning",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="module")
async def served() -> AsyncIterator[Sim]:
    # One uvicorn per module: its shutdown alone costs 0.2 s.
    sim = Sim()
    async with uvicorn_serving(Starlette(routes=sim.server.routes(PATH))) as url:
        sim.url = url
        yield sim


@pytest.fixture
async def sim(served: Sim) -> AsyncIterator[Sim]:
    yield served
    await served.server.close_all()
    served.events.clear()
    served.left.clear()


async def until(condition: Callable[[], bool], within: float = 2.0) -> None:
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.005)


async def next_event(client: SocketIOClient | Any, within: float = 2.0) -> tuple[str, Any]:
    async with asyncio.timeout(within):
        return await anext(aiter(client))


# ------------------------------------------------------------------ client against our server


async def test_handshake_joins_and_registers_the_connection(sim: Sim) -> None:
    async with await sim.connect() as client:
        assert (client.handshake.ping_interval, client.handshake.ping_timeout) == (INTERVAL, TIMEOUT)
        event, data = await next_event(client)
        assert event == "joined"
        assert json.loads(data)["description"] == f"SocketId={client.sid}"
        [session] = sim.server.connections("alice")
        assert session.sid == client.sid
        assert session.query["userID"] == "U"
        assert session.query["EIO"] == "3"
        assert "tok-alice" not in repr(session)
    await until(lambda: sim.left == [client.sid])
    assert sim.server.connections() == []


async def test_events_flow_both_ways_and_only_to_their_key(sim: Sim) -> None:
    alice, bob = await sim.connect(), await sim.connect("tok-bob-secret")
    assert (await next_event(alice))[0] == (await next_event(bob))[0] == "joined"

    tick = json.dumps({"MessageCode": 1501, "LastTradedPrice": 1501.5})
    assert await sim.server.emit("1501-json-full", tick, to="alice") == 1
    assert await sim.server.emit("marker", "everyone") == 2
    assert await next_event(alice) == ("1501-json-full", tick)
    assert await next_event(alice) == ("marker", "everyone")
    assert await next_event(bob) == ("marker", "everyone")

    await bob.emit("echo", {"n": 1})
    assert await next_event(bob) == ("echoed", {"n": 1})
    assert sim.events == [("bob", Message("/", "echo", ({"n": 1},)))]
    await alice.close()
    await bob.close()


async def test_namespaces_are_separate_channels(sim: Sim) -> None:
    client = await sim.connect(namespaces=("/", "/admin"))
    admin = client.of("/admin")
    assert (await next_event(client))[0] == "joined"
    [session] = sim.server.connections("alice")
    assert session.namespaces == {"/", "/admin"}

    assert await sim.server.emit("notice", "for admins", namespace="/admin") == 1
    assert await sim.server.emit("notice", "for all") == 1
    assert await next_event(admin) == ("notice", "for admins")
    assert await next_event(client) == ("notice", "for all")

    await admin.emit("echo", [1, 2])
    assert await next_event(admin) == ("echoed", [1, 2])
    assert sim.events[-1][1].namespace == "/admin"
    with pytest.raises(InputError, match="not connected"):
        client.of("/other")
    await client.close()

    with pytest.raises(ConnectionRefused, match="Invalid namespace"):
        await sim.connect(namespaces=("/nope",))


async def test_pings_keep_the_connection_alive_across_many_intervals(sim: Sim) -> None:
    client = await sim.connect()
    await next_event(client)
    # The server drops a client silent for interval + timeout; eight intervals prove the pings flow.
    await asyncio.sleep(8 * INTERVAL)
    assert client.connected
    assert len(sim.server.connections("alice")) == 1
    assert await sim.server.emit("still", "here", to="alice") == 1
    assert await next_event(client) == ("still", "here")
    await client.close()


async def test_a_server_that_stops_answering_pings_is_detected_within_ping_timeout(sim: Sim) -> None:
    client = await sim.connect()
    await next_event(client)
    [session] = sim.server.connections("alice")
    session.answer_pings = False
    started = time.monotonic()
    with pytest.raises(ConnectionLost, match=r"no Engine\.IO pong within 0\.2 s"):
        await next_event(client, within=1.0)
    assert time.monotonic() - started < INTERVAL + TIMEOUT + 0.25  # margin for a loaded machine
    assert not client.connected
    with pytest.raises(ConnectionLost):
        await client.emit("too", "late")
    await client.close()


async def test_a_ping_on_demand_proves_the_server_alive_or_drops_a_dead_connection(sim: Sim) -> None:
    client = await sim.connect()
    await next_event(client)
    await client.ping(1.0)  # answered: nothing happens
    assert client.close_reason is None
    [session] = sim.server.connections("alice")
    session.answer_pings = False
    started = time.monotonic()
    with pytest.raises(PongTimeout, match=r"no Engine\.IO pong within 0\.1 s"):
        await client.ping(0.1)
    assert time.monotonic() - started < 1
    assert not client.connected
    with pytest.raises(PongTimeout, match=r"no Engine\.IO pong within 0\.1 s"):
        await next_event(client)  # the reader learns it too
    closing = time.monotonic()
    await client.close()  # the link is dropped already: no handshake to wait for
    assert time.monotonic() - closing < 0.5


async def test_close_all_ends_iteration_and_a_new_connection_works(sim: Sim) -> None:
    first, second = await sim.connect(), await sim.connect("tok-bob-secret")
    assert await sim.server.close_all() == 2
    assert sim.server.connections() == []
    for client in (first, second):
        assert [event async for event, _ in client] == ["joined"]
        assert client.close_reason == "disconnected by the server"
    again = await sim.connect()
    assert (await next_event(again))[0] == "joined"
    assert await sim.server.disconnect("alice") == 1
    assert [event async for event, _ in again] == []


async def test_refused_authentication_is_a_clear_error_without_the_token(sim: Sim) -> None:
    with pytest.raises(ConnectionRefused, match="Invalid Token") as refused:
        await sim.connect("tok-wrong-secret")
    assert "tok-wrong" not in str(refused.value)
    assert refused.value.__cause__ is None
    await until(lambda: not sim.server._sessions)
    assert sim.server.connections() == []
    assert sim.left == []


async def test_the_query_never_reaches_the_logs(sim: Sim, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with await sim.connect() as client:
        await next_event(client)
        await asyncio.sleep(2 * INTERVAL)
    with contextlib.suppress(ConnectionRefused):
        await sim.connect("tok-bob-secret")
    assert caplog.records, "debug logging was on"
    assert "secret" not in caplog.text


async def test_connection_failures_are_clear(sim: Sim) -> None:
    with pytest.raises(InputError, match="http"):
        await connect("ftp://127.0.0.1:1", path=PATH)
    with pytest.raises(UnreachableError, match=r"cannot open a socket to 127\.0\.0\.1:1: ") as unreachable:
        await connect("http://127.0.0.1:1", path=PATH, query={"token": "tok-x-secret"}, open_timeout=2)
    assert "secret" not in str(unreachable.value)
    # starlette refuses a WebSocket on an unknown path with 403 (the upgrade is denied)
    with pytest.raises(ConnectionRefused, match="HTTP 403"):
        await connect(sim.url, path="/elsewhere/socket.io", open_timeout=2)

    def not_found(connection: ServerConnection, request: Request) -> Response:
        return connection.respond(HTTPStatus.NOT_FOUND, "Unable to connect provided url\n")

    async with serve(scripted(OPEN), "127.0.0.1", 0, process_request=not_found) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        with pytest.raises(UnreachableError, match="answered HTTP 404 instead of a WebSocket"):
            await connect(f"http://127.0.0.1:{port}", open_timeout=2)


# ------------------------------------------------------------------ our server, raw frames


async def test_raw_frames_of_a_session(sim: Sim) -> None:
    async with ws_connect(sim.raw_uri()) as ws:
        opened = await ws.recv()
        assert isinstance(opened, str)
        assert opened[0] == "0"
        handshake = json.loads(opened[1:])
        assert handshake == {"sid": handshake["sid"], "upgrades": [], "pingInterval": 50, "pingTimeout": 200}
        assert await ws.recv() == "40"
        assert json.loads(json.loads((await ws.recv())[2:])[1])["type"] == "success"
        await ws.send("2")
        assert await ws.recv() == "3"
        await ws.send("2probe")
        assert await ws.recv() == "3probe"
        await ws.send('421["ask",2]')
        assert await ws.recv() == '431[{"seen":"ask"}]'
        await ws.send("40/admin,")
        assert await ws.recv() == "40/admin,"
        await ws.send("40/secret,")
        assert await ws.recv() == '44/secret,"Invalid namespace"'
        await ws.send("41")
        with pytest.raises(ConnectionClosed):
            await ws.recv()
    await until(lambda: sim.server.connections() == [])


async def test_the_server_drops_a_client_that_never_pings(sim: Sim) -> None:
    async with ws_connect(sim.raw_uri()) as ws:
        frames = [await ws.recv() for _ in range(3)]
        assert frames[1] == "40"
        started = time.monotonic()
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 2)
        assert INTERVAL + TIMEOUT <= time.monotonic() - started + 0.02 < INTERVAL + TIMEOUT + 0.5


@pytest.mark.parametrize("garbage", ["x", "", "7", '42["x"', "4", '45-["x"]', b"\x04binary"])
async def test_the_server_drops_a_client_sending_malformed_packets(sim: Sim, garbage: str | bytes) -> None:
    async with ws_connect(sim.raw_uri()) as ws:
        for _ in range(3):
            await ws.recv()
        await ws.send(garbage)
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 2)
    await until(lambda: sim.server.connections() == [])


async def test_engineio_4_clients_and_polling_are_refused_before_the_upgrade(sim: Sim) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await ws_connect(sim.url.replace("http", "ws") + PATH + "/?token=tok-alice-secret&EIO=4&transport=websocket")
    assert refused.value.response.status_code == 403
    async with httpx.AsyncClient() as http:
        for path in (PATH, PATH + "/"):
            reply = await http.get(sim.url + path, params={"EIO": "3", "transport": "polling"})
            assert (reply.status_code, reply.json()) == (400, {"code": 0, "message": "Transport unknown"})


# ------------------------------------------------------------------ our client, misbehaving servers


@contextlib.asynccontextmanager
async def raw_server(script: Callable[[ServerConnection], Awaitable[None]]) -> AsyncIterator[str]:
    async with serve(script, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"http://127.0.0.1:{port}"


OPEN = '0{"sid":"raw","upgrades":[],"pingInterval":50,"pingTimeout":200}'


def scripted(*frames: str | bytes, then: str = "wait") -> Callable[[ServerConnection], Awaitable[None]]:
    async def script(ws: ServerConnection) -> None:
        for frame in frames:
            await ws.send(frame)
        if then == "abort":
            ws.transport.abort()
            return
        with contextlib.suppress(ConnectionClosed):
            async for frame in ws:
                if frame == "2":
                    await ws.send("3")

    return script


@pytest.mark.parametrize(
    ("frames", "error", "words"),
    [
        (["garbage"], SocketProtocolError, "unknown Engine.IO packet type"),
        (["40"], SocketProtocolError, "expected the Engine.IO OPEN packet"),
        (['0{"upgrades":[]}'], SocketProtocolError, "no sid"),
        ([b"\x00binary"], SocketProtocolError, "binary frame"),
        ([OPEN, '44{"message":"Not authorized"}'], ConnectionRefused, "Not authorized"),
        ([], UnreachableError, "closed before the Engine.IO handshake"),
    ],
)
async def test_the_client_refuses_a_bad_handshake(
    frames: list[str | bytes], error: type[Exception], words: str
) -> None:
    async with raw_server(scripted(*frames, then="abort" if not frames else "wait")) as url:
        with pytest.raises(error, match=words):
            await connect(url, open_timeout=2)


@pytest.mark.parametrize(
    ("frame", "words"),
    [("42{}", "EVENT without a string event name"), ("4x", "unknown Socket.IO packet type"), ("0{}", "second")],
)
async def test_malformed_frames_end_the_clients_iteration_with_an_error(frame: str, words: str) -> None:
    async with raw_server(scripted(OPEN, "40", '42["tick","1"]', frame)) as url:
        client = await connect(url, open_timeout=2)
        assert await next_event(client) == ("tick", "1")
        with pytest.raises(SocketProtocolError, match=words):
            await next_event(client)
        assert not client.connected
        await client.close()


async def test_a_dropped_tcp_link_raises_connection_lost() -> None:
    async with raw_server(scripted(OPEN, "40", '42["tick","1"]', then="abort")) as url:
        client = await connect(url, open_timeout=2)
        assert await next_event(client) == ("tick", "1")
        with pytest.raises(ConnectionLost, match="lost"):
            await next_event(client)
        await client.close()


async def test_engineio_close_and_acks_requested_by_the_server() -> None:
    answers: list[str | bytes] = []

    async def script(ws: ServerConnection) -> None:
        for frame in (OPEN, "40", '425["question","?"]'):
            await ws.send(frame)
        answers.append(await ws.recv())
        await ws.send("1")
        with contextlib.suppress(ConnectionClosed):
            await ws.recv()

    async with raw_server(script) as url:
        client = await connect(url, open_timeout=2)
        assert [pair async for pair in client] == [("question", "?")]
        assert client.close_reason == "closed by the server (Engine.IO CLOSE)"
    assert answers == ["435[]"]


async def test_the_client_sends_engineio3_pings_and_goodbyes() -> None:
    seen: list[str | bytes] = []
    request: list[str] = []

    async def script(ws: ServerConnection) -> None:
        assert ws.request is not None
        request.append(ws.request.path)
        await ws.send(OPEN)
        await ws.send("40")
        with contextlib.suppress(ConnectionClosed):
            async for frame in ws:
                seen.append(frame)
                if frame == "2":
                    await ws.send("3")

    async with raw_server(script) as url:
        client = await connect(
            url + "/ignored/path?a=1", path="/interactive/socket.io/", query={"token": "t", "apiType": "INTERACTIVE"}
        )
        await asyncio.sleep(3.5 * INTERVAL)
        await client.close()
        await until(lambda: bool(seen) and seen[-1] == "41")
    assert request == ["/interactive/socket.io/?a=1&token=t&apiType=INTERACTIVE&EIO=3&transport=websocket"]
    assert seen[:3] == ["2", "2", "2"]
    assert seen[-1] == "41"
