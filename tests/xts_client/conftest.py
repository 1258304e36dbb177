"""Fixtures of the XTS plugin's tests: a running XTS simulator on an ephemeral port, bare REST clients of it."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.manager import AsyncBrokerManager, BrokerManager
from brokerplex.streaming import FeedState
from brokerplex_xts_client.broker import XtsClientBroker
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_xts_client.streaming import XtsStream

T = TypeVar("T")

Streaming = Callable[..., AbstractAsyncContextManager[tuple[XtsClientBroker, XtsStream]]]


@pytest.fixture
def xts_sim(tmp_path: Path) -> Iterator[XtsSimulator]:
    """A fresh simulator (its own paper exchange in ``tmp_path``), stopped after the test."""
    with XtsSimulator(state_dir=tmp_path / "xts-sim", seed=1) as simulator:
        yield simulator


@asynccontextmanager
async def streaming(home: Path, sim: XtsSimulator, *, live: bool = False,
                    **extra: str) -> AsyncIterator[tuple[XtsClientBroker, XtsStream]]:
    """A logged-in account ``s1`` (settings ``extra``) and a stream of it; ``live``: once it has said so."""
    manager = AsyncBrokerManager(home)
    try:
        manager.activate("xts_client", "s1", sim.settings(**extra))
        await manager.login("s1", {}, ClickLoginIO())
        broker = await manager.session("s1")
        assert isinstance(broker, XtsClientBroker)
        stream = await broker.stream()
        assert isinstance(stream, XtsStream)
        async with stream:
            if live:
                assert [await anext(aiter(stream)) for _ in range(2)] == [FeedState("connecting"), FeedState("live")]
            yield broker, stream
    finally:
        await manager.close()


@pytest.fixture
def xts_streaming() -> Streaming:
    return streaming


class Api:
    """A bare XTS client: logs in like the Python SDK (form body) and keeps the token."""

    def __init__(self, sim: XtsSimulator, role: str, api: str, http: httpx.Client) -> None:
        self.root = sim.root
        self.account = next(account for account in sim.accounts if account["role"] == role)
        path = "/interactive/user/session" if api == "interactive" else "/apimarketdata/auth/login"
        reply = httpx.post(self.root + path, data={**self.account[api], "source": "WEBAPI"})
        assert reply.status_code == 200, reply.text
        self.login = reply.json()["result"]
        self.headers = {"Authorization": self.login["token"], "Content-Type": "application/json"}
        self.http = http

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return self.http.request(method, self.root + path, headers=self.headers, params=params or None,
                                 content=json.dumps(body) if body is not None else None)

    def ok(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        reply = self.call(method, path, body, **params)
        assert reply.status_code == 200, reply.text
        envelope = reply.json()
        assert envelope["type"] == "success"
        return envelope["result"]


class Clients:
    """``xts_api(sim, role, api="interactive")`` logs a bare client in; ``xts_api.error_of(reply)`` reads
    an XTS error envelope; ``xts_api.wait_until(read, done)`` polls the simulator's truth. The clients close
    after the test."""

    def __init__(self) -> None:
        self.http: list[httpx.Client] = []

    def __call__(self, sim: XtsSimulator, role: str, api: str = "interactive") -> Api:
        self.http.append(httpx.Client(timeout=10))
        return Api(sim, role, api, self.http[-1])

    @staticmethod
    def error_of(reply: httpx.Response, status: int = 400) -> dict[str, Any]:
        assert reply.status_code == status, reply.text
        assert "json" in reply.headers["content-type"]
        envelope: dict[str, Any] = reply.json()
        assert envelope["type"] == "error"
        return envelope

    @staticmethod
    def wait_until(read: Callable[[], T], done: Callable[[T], bool], seconds: float = 5) -> T:
        """``read()`` once ``done`` holds for it (the exchange fills on its own steps), within ``seconds``."""
        deadline = time.monotonic() + seconds
        value = read()
        while not done(value) and time.monotonic() < deadline:
            time.sleep(0.05)
            value = read()
        assert done(value), value
        return value


@pytest.fixture
def xts_api() -> Iterator[Clients]:
    clients = Clients()
    yield clients
    for http in clients.http:
        http.close()


class Account:
    """An account logged in through a BrokerManager (``manager``, as ``name``): ``run(work)`` runs
    ``work(broker)`` on the manager's own loop with its connected broker, a dealer's acting for ``client``."""

    def __init__(self, manager: BrokerManager, name: str) -> None:
        self.manager, self.name = manager, name

    def run(self, work: Callable[[XtsClientBroker], Awaitable[T]], client: str | None = None) -> T:
        async def on(account: str) -> T:
            broker = await self.manager.aio.session(account)
            acting = broker if client is None else await broker.for_client(client)
            assert isinstance(acting, XtsClientBroker)
            return await work(acting)

        (result,) = self.manager.fan_out([self.name], on)
        if result.error is not None:
            raise result.error
        return result.value  # type: ignore[no-any-return]


@pytest.fixture
def investor(tmp_path: Path, xts_sim: XtsSimulator) -> Iterator[Account]:
    """The simulator's investor login as account ``x1``, logged in."""
    with BrokerManager(tmp_path / "home") as manager:
        manager.activate("xts_client", "x1", xts_sim.settings())
        manager.login("x1", {}, ClickLoginIO())
        yield Account(manager, "x1")
