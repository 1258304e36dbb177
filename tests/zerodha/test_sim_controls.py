"""Rate-limit windows, state that survives a restart, refused keys, and secrets kept out of reprs."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import websockets
from kiteconnect.exceptions import TokenException

from brokerplex.ratelimit import SLACK_SECONDS
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.simkit.limits import ServerLimits
from brokerplex_zerodha.sim import KiteSimulator
from brokerplex_zerodha.sim.auth import Session, Sessions
from brokerplex_zerodha.sim.state import KITE_LIMITS, SimState


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_pacing_at_the_limit_is_served_despite_jitter() -> None:
    clock = FakeClock()
    limits = ServerLimits(KITE_LIMITS, clock=clock)
    for step in (0.0, 0.97, 1.01, 0.96):  # about one a second, with jitter
        clock.now += step
        assert limits.check("key", "quote") == 0.0
    clock.now += 0.3
    assert limits.check("key", "quote") == pytest.approx(0.7 - SLACK_SECONDS)  # the window, less the slack
    assert limits.check("other-key", "quote") == 0.0  # limits are per API key


def test_orders_have_a_per_second_and_a_per_minute_cap() -> None:
    clock = FakeClock()
    limits = ServerLimits(KITE_LIMITS, clock=clock)
    assert all(limits.check("key", "orders") == 0.0 for _ in range(10))
    assert limits.check("key", "orders") > 0
    served = 10
    for _ in range(40):
        clock.now += 1.0
        served += sum(limits.check("key", "orders") == 0.0 for _ in range(10))
    assert served == 200  # the 200-a-minute cap binds before 10 a second does
    clock.now += 60
    assert limits.check("key", "orders") == 0.0


def test_orders_survive_a_restart_on_the_same_state_dir(tmp_path: Path, kite_login: Callable[..., Any]) -> None:
    with KiteSimulator(state_dir=tmp_path) as first:
        order_id = kite_login(first).place_order("regular", "NSE", "SBIN", "BUY", 2, "CNC", "MARKET", tag="keep1")
    with KiteSimulator(state_dir=tmp_path) as second:
        orders = kite_login(second).orders()
    assert [(o["order_id"], o["tag"], o["status"]) for o in orders] == [(order_id, "keep1", "COMPLETE")]


def test_secrets_stay_out_of_reprs(kite_sim: KiteSimulator, kite: Any) -> None:
    sessions = Sessions("key", "the-secret", "U")
    state = SimState(PaperExchange(), sessions, "the-secret", "http://127.0.0.1/", ServerLimits(KITE_LIMITS))
    text = repr(kite_sim) + repr(state) + repr(sessions)
    assert "kite_sim_secret" not in text
    assert "the-secret" not in text
    assert kite.access_token not in text


def ticker_status(sim: KiteSimulator, access_token: str) -> int:
    """101 when the ticker accepts the upgrade, else the HTTP status it refused it with."""
    async def attempt() -> int:
        try:
            async with websockets.connect(f"{sim.ws}?api_key={sim.api_key}&access_token={access_token}"):
                return 101
        except websockets.InvalidStatus as refused:
            return refused.response.status_code

    return asyncio.run(attempt())


def test_refused_keys_fail_the_token_exchange_and_the_ticker_until_allowed_again(
        kite_sim: KiteSimulator, kite: Any, kite_login: Callable[..., Any]) -> None:
    kite_sim.refuse_keys(True)
    with pytest.raises(TokenException, match="Invalid `api_key`") as refused:
        kite_login(kite_sim)  # the login page still answers; the token exchange refuses the key
    assert refused.value.code == 403
    assert ticker_status(kite_sim, kite.access_token) == 403
    assert kite.profile()["user_id"] == kite_sim.user_id  # a session already open keeps its REST access
    kite_sim.refuse_keys(False)
    assert ticker_status(kite_sim, kite_login(kite_sim).access_token) == 101


def test_sessions_end_at_six_in_the_morning_ist() -> None:
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    evening = Session("U", "k", "a", "p", "e", dt.datetime(2026, 11, 23, 21, 0, tzinfo=ist))
    assert not evening.expired(dt.datetime(2026, 11, 24, 5, 59, tzinfo=ist))
    assert evening.expired(dt.datetime(2026, 11, 24, 6, 0, tzinfo=ist))
    early = Session("U", "k", "a", "p", "e", dt.datetime(2026, 11, 24, 2, 0, tzinfo=ist))
    assert early.expired(dt.datetime(2026, 11, 24, 6, 0, tzinfo=ist))
