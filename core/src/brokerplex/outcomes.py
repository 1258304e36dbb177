"""What manager calls give back besides values: one result per account or client of a fan-out, the
outcome of a reconciliation, an order's first verdict, and the rule that only brokerplex errors leave
a broker call."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

from brokerplex.broker import Broker
from brokerplex.errors import BrokerplexError, ProtocolError
from brokerplex.journal import JournalEntry, JournalState
from brokerplex.models import Order, OrderStatus
from brokerplex.payloads import excerpt

log = logging.getLogger("brokerplex")
T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


def only_ours(method: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Whatever a broker call raises that is not one of our errors leaves as ProtocolError, and is logged:
    a plugin must map its failures, and a caller must never have to catch KeyError or RecursionError."""
    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except BrokerplexError:
            raise
        except Exception as exc:
            log.warning("%s failed with %s, which its plugin should have mapped", method.__name__,
                        type(exc).__name__, exc_info=True)
            raise ProtocolError(f"the broker plugin failed unexpectedly ({type(exc).__name__}: "
                                f"{excerpt(str(exc))})") from exc
    return call


@dataclass(frozen=True, slots=True)
class FanOutResult(Generic[T]):
    """One account's (or one client's) outcome of a fan-out: a value or an error, never both."""

    account: str
    value: T | None = None
    error: Exception | None = None
    client: str | None = None  # dealer fan-outs: the client code

    @property
    def ok(self) -> bool:
        return self.error is None


async def outcome_of(account: str, client: str | None, work: Awaitable[T]) -> FanOutResult[T]:
    try:
        return FanOutResult(account, value=await work, client=client)
    except Exception as exc:
        return FanOutResult(account, error=exc, client=client)


@dataclass(frozen=True, slots=True)
class Reconciled:
    entry: JournalEntry
    state: JournalState
    order: Order | None


async def first_verdict(broker: Broker, order_id: str, timeout: float) -> Order | None:
    """The order once ``broker`` has judged it (no longer PENDING), else as it stands after ``timeout`` seconds;
    None if it could not be read. The order stands whatever the answer: a failed lookup is only asked again."""
    loop = asyncio.get_running_loop()
    deadline, pause, latest = loop.time() + timeout, 0.05, None
    while True:
        try:
            history = await broker.order_history(order_id)
            latest = history[-1] if history else latest
        except Exception as exc:  # not in the book yet, or unreadable: ask again until the deadline
            log.info("order %s not readable yet: %s", order_id, exc)
        if (latest is not None and latest.status is not OrderStatus.PENDING) or loop.time() + pause > deadline:
            return latest
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.5)
