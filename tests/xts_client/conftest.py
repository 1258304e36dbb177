"""Fixtures of the XTS plugin's tests: a running XTS simulator on an ephemeral port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.manager import AsyncBrokerManager
from brokerplex.streaming import FeedState
from brokerplex_xts_client.broker import XtsClientBroker
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_xts_client.streaming import XtsStream

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
