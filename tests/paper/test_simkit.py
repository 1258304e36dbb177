"""The simulator toolkit: the server runner, the session store, server-side rate limits, and the Venue
that every simulator built on it (Kite, XTS) gives the conformance kit."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from brokerplex.models import OrderRequest, OrderStatus, OrderType, Product, Side
from brokerplex.ratelimit import Limit
from brokerplex.testing import Venue
from brokerplex_paper.simkit import ServerLimits, SessionStore, SimServer, new_token
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_zerodha.sim import KiteSimulator


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"hello": request.query_params.get("name", "world")})


def hello_app() -> Starlette:
    return Starlette(routes=[Route("/hello", hello)])


# -- the server runner ----------------------------------------------------------------------------
def test_the_server_is_bound_before_it_serves_and_stops_cleanly() -> None:
    server = SimServer(hello_app(), name="hello")
    assert server.port > 0  # known before start: a CLI can print it first
    assert server.url == f"http://127.0.0.1:{server.port}"
    states = [server.running]
    with server:
        states.append(server.running)
        assert httpx.get(server.url + "/hello", params={"name": "sim"}, timeout=5).json() == {"hello": "sim"}
    states.append(server.running)
    assert states == [False, True, False]
    server.stop()  # twice is harmless
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/hello", timeout=2)


def test_call_runs_in_the_server_loop_and_does_nothing_once_stopped() -> None:
    async def loop_id() -> int:
        return id(asyncio.get_running_loop())

    with SimServer(hello_app()) as server:
        first, second = server.call(loop_id()), server.call(loop_id())
        assert first is not None
        assert first == second  # one loop: the connections' own
    work = loop_id()
    assert server.call(work) is None
    # closed, not left unawaited (which would warn, and warnings fail the tests)
    assert inspect.getcoroutinestate(work) == inspect.CORO_CLOSED


FOREGROUND = """
import sys
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from brokerplex_paper.simkit import SimServer

async def ping(request):
    return PlainTextResponse("pong")

server = SimServer(Starlette(routes=[Route("/ping", ping)]))
server.serve_forever(on_ready=lambda: print(server.url, flush=True))
print("stopped", flush=True)
"""


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_forever_serves_until_signalled_then_returns(stop_signal: signal.Signals) -> None:
    with subprocess.Popen([sys.executable, "-c", FOREGROUND], stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        try:
            url = process.stdout.readline().strip()
            assert httpx.get(url + "/ping", timeout=5).text == "pong"  # serving once announced
            process.send_signal(stop_signal)
            assert process.wait(15) == 0
            assert process.stdout.read() == "stopped\n"
        finally:
            if process.poll() is None:
                process.kill()


# -- sessions and rate limits ---------------------------------------------------------------------
def test_the_session_store_issues_finds_revokes_and_expires() -> None:
    store: SessionStore[str] = SessionStore()
    token = store.issue("ACME01")
    assert len(token) == 32
    assert token.isalnum()
    assert store.issue("ACME02", token="given") == "given"
    assert (store.find(token), store.find("given"), store.find("nope"), store.find(None)) == ("ACME01", "ACME02",
                                                                                               None, None)
    store.revoke("given")
    assert store.values() == ["ACME01"]
    store.refusing = True
    assert token not in repr(store)
    assert "refusing" in repr(store)
    store.expire_all()
    assert store.find(token) is None
    assert len(store) == 0
    assert new_token(10) != new_token(10)


def test_server_limits_count_allowed_requests_only_per_caller_and_bucket() -> None:
    now = [100.0]
    limits = ServerLimits({"orders": [Limit(2, 1.0)], "other": [Limit(1, 1.0)]}, clock=lambda: now[0])
    assert [limits.check("k1", "orders") for _ in range(2)] == [0.0, 0.0]
    wait = limits.check("k1", "orders")
    assert 0.9 < wait <= 1.0
    assert limits.check("k1", "other") == 0.0  # buckets are separate
    assert limits.check("k2", "orders") == 0.0  # so are callers
    now[0] += wait
    assert limits.check("k1", "orders") == 0.0  # the refusal was not counted: room exactly when told
    with pytest.raises(KeyError):
        limits.check("k1", "ordres")
    off = ServerLimits({"orders": [Limit(1, 60.0)]}, enabled=False)
    assert [off.check("k", "orders") for _ in range(5)] == [0.0] * 5


# -- the venue: both simulators -----------------------------------------------------------------
class Wire:
    """A bare client of one simulator: places an order with a client id as its broker's wire carries it."""

    def __init__(self, sim: KiteSimulator | XtsSimulator) -> None:
        self.sim = sim
        if isinstance(sim, KiteSimulator):
            request_token = sim.request_token()
            checksum = hashlib.sha256(f"{sim.api_key}{request_token}kite_sim_secret".encode()).hexdigest()
            session = httpx.post(sim.rest + "/session/token", timeout=5, data={
                "api_key": sim.api_key, "request_token": request_token, "checksum": checksum})
            self.headers = {"Authorization": f"token {sim.api_key}:{session.json()['data']['access_token']}"}
            self.root = sim.rest
        else:
            login = httpx.post(sim.root + "/interactive/user/session", timeout=5,
                               json={**sim.account("investor")["interactive"], "source": "WEBAPI"})
            self.headers = {"Authorization": login.json()["result"]["token"]}
            self.root = sim.root + "/interactive"

    def place(self, client_id: str, *, side: str = "SELL", timeout: float = 5.0) -> httpx.Response:
        """A LIMIT order for one INFY, 5% away from the market so that it rests."""
        price = str(resting_price(self.sim, side))
        if isinstance(self.sim, KiteSimulator):
            form = {"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": side, "quantity": "1",
                    "product": "MIS", "order_type": "LIMIT", "price": price, "validity": "DAY", "tag": client_id}
            return httpx.post(self.root + "/orders/regular", headers=self.headers, data=form, timeout=timeout)
        body = {"exchangeSegment": "NSECM", "exchangeInstrumentID": 1594, "productType": "MIS", "orderType": "LIMIT",
                "orderSide": side, "timeInForce": "DAY", "disclosedQuantity": 0, "orderQuantity": 1,
                "limitPrice": float(price), "stopPrice": 0, "orderUniqueIdentifier": client_id}
        return httpx.post(self.root + "/orders", headers=self.headers, json=body, timeout=timeout)

    def profile_status(self) -> int:
        return httpx.get(self.root + "/user/profile", headers=self.headers, timeout=5).status_code


def resting_price(sim: KiteSimulator | XtsSimulator, side: str) -> Decimal:
    last = sim.exchange.quotes(["NSE:INFY"])["NSE:INFY"].last_price
    return (last * Decimal("1.05" if side == "SELL" else "0.95")).quantize(Decimal("0.1"))


@pytest.fixture(params=["kite", "xts"])
def sim(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[KiteSimulator | XtsSimulator]:
    with (KiteSimulator if request.param == "kite" else XtsSimulator)(state_dir=tmp_path, rate_limits=False) as sim:
        yield sim


def test_both_simulators_are_venues(sim: KiteSimulator | XtsSimulator) -> None:
    assert isinstance(sim, Venue)


def test_received_orders_are_the_exchanges_with_the_client_id_sent(sim: KiteSimulator | XtsSimulator) -> None:
    wire = Wire(sim)
    assert wire.place("first1").status_code == 200
    assert wire.place("not-alnum-2", side="BUY").status_code == 200  # the exchange cannot keep this id
    received = sim.received_orders()
    assert [(o.client_order_id, o.side, o.symbol, o.quantity, o.order_type, o.product, o.status) for o in received] == [
        ("first1", Side.SELL, "NSE:INFY", 1, OrderType.LIMIT, Product.MIS, OrderStatus.OPEN),
        ("not-alnum-2", Side.BUY, "NSE:INFY", 1, OrderType.LIMIT, Product.MIS, OrderStatus.OPEN),
    ]
    assert received[0].price is not None
    assert received[1].price is not None
    assert received[0].price > received[1].price


def test_a_lost_order_reply_is_cut_while_the_order_stands(sim: KiteSimulator | XtsSimulator) -> None:
    wire = Wire(sim)
    sim.lose_next_order_reply()
    with pytest.raises(httpx.RemoteProtocolError):  # the headers came; the body they promised never did
        wire.place("lost1", timeout=5)
    assert [o.client_order_id for o in sim.received_orders()] == ["lost1"]
    assert wire.place("next1").status_code == 200  # only the next reply


def test_a_delayed_order_reply_comes_late_for_an_order_placed_at_once(sim: KiteSimulator | XtsSimulator) -> None:
    wire = Wire(sim)
    sim.delay_next_order_reply(0.6)
    started = time.monotonic()
    assert wire.place("late1").status_code == 200
    assert time.monotonic() - started >= 0.6
    order = sim.received_orders()[0]
    assert (order.client_order_id, order.status) == ("late1", OrderStatus.OPEN)


def test_expired_sessions_refuse_their_tokens(sim: KiteSimulator | XtsSimulator) -> None:
    wire = Wire(sim)
    assert wire.profile_status() == 200
    sim.expire_sessions()
    assert wire.profile_status() in (400, 403)  # XTS: 400 "Invalid Token"; Kite: 403 TokenException
    assert Wire(sim).profile_status() == 200  # a new login works


def test_a_dealer_order_carries_its_client_code(tmp_path: Path) -> None:
    with XtsSimulator(state_dir=tmp_path, rate_limits=False) as sim:
        dealer = sim.account("dealer")
        client = dealer["client_codes"][0]
        request = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1, order_type=OrderType.LIMIT,
                               price=Decimal("1"), product=Product.MIS, client_order_id="dealt1")
        sim.exchange.place(client, request)
        assert [(o.client_order_id, o.client_code) for o in sim.received_orders()] == [("dealt1", client)]
