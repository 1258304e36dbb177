"""Fixtures of the XTS dealer plugin's tests: the XTS simulator, a logged-in dealer account, its keys.

Test modules import nothing from here at run time (pytest imports conftest files by path); the
classes are named in annotations only, under ``TYPE_CHECKING``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import pytest

from brokerplex.cli import ClickLoginIO
from brokerplex.manager import BrokerManager
from brokerplex.models import Order
from brokerplex_xts_client.sim import XtsSimulator

T = TypeVar("T")
ACCOUNT = "d1"  # the dealer account of the `dealer` fixture
PRO = "*****"  # the client code of the dealer's own (PRO) book


class SimKeys:
    """What the simulator says about its logins, as `activate` options (secrets included)."""

    def __init__(self, sim: XtsSimulator) -> None:
        self.sim = sim
        self.dealer, self.investor = sim.account("dealer"), sim.account("investor")
        self.dealer_id: str = self.dealer["user_id"]
        self.codes: list[str] = list(self.dealer["client_codes"])  # the clients the dealer holds, PRO book aside

    def options(self, role: str = "dealer", **extra: str) -> dict[str, str]:
        """Settings of an account for the ``role`` login (without a client_code unless given)."""
        return self.sim.settings(role, **extra)

    def cli_options(self, role: str = "dealer", **extra: str) -> list[str]:
        """The same settings as ``-o KEY=VALUE`` arguments."""
        return [arg for key, value in self.options(role, **extra).items() for arg in ("-o", f"{key}={value}")]

    @property
    def secrets(self) -> list[str]:
        return [pair["secretKey"] for account in self.sim.accounts
                for pair in (account["interactive"], account["marketdata"])]

    def account_of(self, code: str) -> str:
        """The simulator's paper account behind one of the dealer's client codes (its own for ``*****``)."""
        return f"{self.dealer_id}-PRO" if code == PRO else code

    def exchange_orders(self, code: str) -> list[Order]:
        """The orders the simulator's exchange holds for one of the dealer's clients: the truth, not our view."""
        return self.sim.exchange.orders(self.account_of(code))

    def all_exchange_orders(self) -> int:
        """How many orders the simulator's exchange holds, for every login and client."""
        return sum(len(self.sim.exchange.orders(user.account(code)))
                   for user in self.sim.state.users.values()
                   for code in (*user.client_codes, *(() if user.investor else (PRO,))))


class RequestCounter:
    """Counts the API requests the simulator serves: each one passes its rate-limit check once
    (logins keyed by app key, the rest by session token)."""

    def __init__(self, sim: XtsSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[tuple[str, str]] = []
        limits = sim.state.limits
        real = limits.check

        def check(who: str, bucket: str) -> float:
            self.seen.append((who, bucket))
            return real(who, bucket)

        monkeypatch.setattr(limits, "check", check)

    @property
    def count(self) -> int:
        return len(self.seen)


@pytest.fixture
def dealer_sim(tmp_path: Path) -> Iterator[XtsSimulator]:
    """A fresh XTS simulator on an ephemeral port (its own paper exchange in ``tmp_path``), stopped after."""
    with XtsSimulator(state_dir=tmp_path / "xts-sim", seed=1) as simulator:
        yield simulator


@pytest.fixture
def start_sim(tmp_path: Path) -> Iterator[Callable[..., SimKeys]]:
    """Starts simulators with other options (``dealer_routes=False`` …) and gives their keys; all are
    stopped after the test."""
    with ExitStack() as stack:
        started: list[SimKeys] = []

        def start(**options: Any) -> SimKeys:
            folder = tmp_path / f"xts-sim-{len(started)}"
            started.append(SimKeys(stack.enter_context(XtsSimulator(state_dir=folder, seed=1, **options))))
            return started[-1]

        yield start


@pytest.fixture
def keys(dealer_sim: XtsSimulator) -> SimKeys:
    return SimKeys(dealer_sim)


@pytest.fixture
def requests_seen(dealer_sim: XtsSimulator, monkeypatch: pytest.MonkeyPatch) -> RequestCounter:
    return RequestCounter(dealer_sim, monkeypatch)


@pytest.fixture
def dealer_home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def dealer(dealer_home: Path, keys: SimKeys) -> Iterator[BrokerManager]:
    """A manager with the dealer account ``d1`` logged in; its default client is the login's first code."""
    with BrokerManager(dealer_home) as manager:
        manager.activate("xts_pro", ACCOUNT, keys.options(client_code=keys.codes[0]))
        manager.login(ACCOUNT, {}, ClickLoginIO())
        yield manager


class OnClient:
    """``on_client(code, work)`` runs ``work(broker)`` with the dealer account's broker acting for client
    ``code``, on the manager's own loop."""

    def __init__(self, manager: BrokerManager) -> None:
        self.manager = manager

    def __call__(self, code: str, work: Callable[[Any], Awaitable[T]]) -> T:
        async def on(account: str) -> T:
            return await work(await (await self.manager.aio.session(account)).for_client(code))

        (result,) = self.manager.fan_out([ACCOUNT], on)
        if result.error is not None:
            raise result.error
        return result.value  # type: ignore[no-any-return]


@pytest.fixture
def on_client(dealer: BrokerManager) -> OnClient:
    return OnClient(dealer)
