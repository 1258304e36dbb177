"""Fixtures for the Zerodha plugin and its Kite simulator.

* ``kite_sim``: a started :class:`KiteSimulator` (tmp state dir, Kite's rate limits on),
  stopped afterwards. ``kite_sim_factory(**options)`` starts more, e.g. ``rate_limits=False``.
* ``kite``: the official ``KiteConnect`` client logged in to ``kite_sim`` through the real
  login flow (request token + checksum); ``kite_login(simulator, **client_options)`` makes more.
* ``kite_stream``: runs an async scenario on a stream of a logged-in account ``z1`` (see :func:`run_stream`).
* ``TickerProbe``: the official ``KiteTicker`` in a child process (its Twisted reactor cannot
  be restarted in one process), whose events the test reads as dicts.
"""

from __future__ import annotations

import asyncio
import json
import queue
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from brokerplex.manager import AsyncBrokerManager
from brokerplex.streaming import StreamEvent
from brokerplex_zerodha.broker import ZerodhaBroker
from brokerplex_zerodha.sim import KiteSimulator
from brokerplex_zerodha.ticker import KiteTickerStream

PROBE = Path(__file__).with_name("sim_ticker_probe.py")
API_KEY, API_SECRET = "kite_sim_key", "kite_sim_secret"

SimFactory = Callable[..., KiteSimulator]
Scenario = Callable[[ZerodhaBroker, KiteTickerStream, AsyncIterator[StreamEvent]], Awaitable[Any]]


def run_stream(home: Path, scenario: Scenario) -> None:
    """Run ``scenario(broker, stream, events)`` on a new stream of the logged-in account ``z1`` under ``home``."""
    async def run() -> None:
        manager = AsyncBrokerManager(home)
        broker = await manager.session("z1")
        assert isinstance(broker, ZerodhaBroker)
        stream = await broker.stream()
        assert isinstance(stream, KiteTickerStream)
        try:
            await scenario(broker, stream, aiter(stream))
        finally:
            await stream.close()
            await manager.close()

    asyncio.run(run())


@pytest.fixture
def kite_stream() -> Callable[[Path, Scenario], None]:
    return run_stream


@pytest.fixture
def kite_sim_factory(tmp_path: Path) -> Iterator[SimFactory]:
    started: list[KiteSimulator] = []

    def start(**options: Any) -> KiteSimulator:
        options.setdefault("state_dir", tmp_path / f"kite{len(started)}")
        simulator = KiteSimulator(**options).start()
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()


@pytest.fixture
def kite_sim(kite_sim_factory: SimFactory) -> KiteSimulator:
    return kite_sim_factory()


def login(simulator: KiteSimulator, **client_options: Any) -> Any:
    """An official ``KiteConnect`` client with a fresh session on ``simulator``."""
    from kiteconnect import KiteConnect

    client = KiteConnect(simulator.api_key, root=simulator.rest, **client_options)
    client.generate_session(simulator.request_token(), API_SECRET)
    return client


@pytest.fixture
def kite_login() -> Callable[..., Any]:
    """``kite_login(simulator, **client_options)``: see :func:`login`."""
    return login


@pytest.fixture
def kite(kite_sim: KiteSimulator) -> Any:
    return login(kite_sim)


class TickerProbe:
    """``KiteTicker`` subscribed to ``tokens`` in ``mode``, running in a child process."""

    def __init__(self, ws: str, access_token: str, mode: str, tokens: list[int], api_key: str = API_KEY) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(PROBE), ws, api_key, access_token, mode, ",".join(map(str, tokens))],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.events.put(json.loads(line))

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool], timeout: float = 15.0) -> dict[str, Any]:
        """The next event for which ``wanted`` is true (every event read is kept in ``seen``)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(event)
            if wanted(event):
                return event
        raise AssertionError(f"no such ticker event within {timeout} s; saw {[e['event'] for e in self.seen]}")

    def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Every event that arrives in the next ``seconds``."""
        deadline, got = time.monotonic() + seconds, []
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(self.events.get(timeout=left))
            except queue.Empty:
                break
        self.seen += got
        return got

    def close(self) -> None:
        self.process.kill()
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def ticker_probe() -> Iterator[Callable[..., TickerProbe]]:
    probes: list[TickerProbe] = []

    def start(*args: Any, **kwargs: Any) -> TickerProbe:
        probes.append(TickerProbe(*args, **kwargs))
        return probes[-1]

    yield start
    for probe in probes:
        probe.close()


KiteWork = Callable[[ZerodhaBroker], Awaitable[Any]]


@pytest.fixture
def kite_home(tmp_path: Path, kite_sim: KiteSimulator) -> Path:
    """A brokerplex home whose account ``z1`` is logged in to ``kite_sim`` (REST calls time out after 2 s)."""
    from brokerplex.cli import ClickLoginIO
    from brokerplex.manager import BrokerManager

    folder = tmp_path / "kite-home"
    with BrokerManager(folder) as manager:
        manager.activate("zerodha", "z1", {"api_key": kite_sim.api_key, "api_secret": API_SECRET,
                                           "root": kite_sim.rest, "ws_root": kite_sim.ws, "login_url": kite_sim.login,
                                           "timeout": "2"})
        manager.login("z1", {"request_token": kite_sim.request_token()}, ClickLoginIO())
    return folder


@pytest.fixture
def on_kite(kite_home: Path) -> Callable[[KiteWork], Any]:
    """``on_kite(work)``: runs ``await work(broker)`` on the Zerodha broker of ``z1`` and returns its result."""
    def run(work: KiteWork) -> Any:
        async def main() -> Any:
            manager = AsyncBrokerManager(kite_home)
            try:
                broker = await manager.session("z1")
                assert isinstance(broker, ZerodhaBroker)
                return await work(broker)
            finally:
                await manager.close()

        return asyncio.run(main())

    return run
