"""The Zerodha scene of ``brokerplex demo``: the unified API against a local Kite simulator."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import click

from brokerplex import output
from brokerplex.cli import ClickLoginIO
from brokerplex.demo import below, step
from brokerplex.manager import AsyncBrokerManager, BrokerManager
from brokerplex.models import OrderModify, OrderRequest, OrderType, Side
from brokerplex_zerodha.broker import ZerodhaBroker

ACCOUNT = "kite-demo"
SECRET = "kite_sim_secret"


def zerodha_scene(manager: BrokerManager) -> None:
    from brokerplex_zerodha.sim import KiteSimulator

    with tempfile.TemporaryDirectory(prefix="brokerplex-kite-sim-") as state, \
            KiteSimulator(api_secret=SECRET, state_dir=Path(state)) as sim:
        step(f"a Kite Connect simulator serves REST and the ticker at {sim.rest}")
        manager.activate("zerodha", ACCOUNT, {"api_key": sim.api_key, "api_secret": SECRET, "root": sim.rest,
                                              "ws_root": sim.ws, "login_url": sim.login})
        click.echo(f"activated {ACCOUNT}: `brokerplex login {ACCOUNT}` would print "
                   f"{sim.login}?api_key={sim.api_key}&v=3 and catch the redirect")

        step("log in with the request token of the redirect (the official client checks the checksum)")
        profile = manager.login(ACCOUNT, {"request_token": sim.request_token()}, ClickLoginIO())
        click.echo(f"logged in as {profile.user_id} ({profile.name})")

        step("quotes with depth, through the official kiteconnect client")
        quotes = manager.quotes(ACCOUNT, ["NSE:INFY", "NSE:RELIANCE", "NSE:NIFTY 50"])
        output.quotes(list(quotes.values()))

        step("market order: buy 10 NSE:INFY; our client order id travels as Kite's tag")
        ack = manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=10))
        click.echo(f"order {ack.order_id}, client order id {ack.client_order_id}")

        reliance = manager.instrument(ACCOUNT, "NSE:RELIANCE")
        limit = below(quotes["NSE:RELIANCE"].last_price, 2, reliance)
        step(f"limit order: buy 5 NSE:RELIANCE at {limit}, then modify and cancel it")
        ack = manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:RELIANCE", side=Side.BUY, quantity=5,
                                                        order_type=OrderType.LIMIT, price=limit))
        lower = below(quotes["NSE:RELIANCE"].last_price, 3, reliance)
        manager.modify_order(ACCOUNT, ack.order_id, OrderModify(price=lower))
        click.echo(f"order {ack.order_id} modified to {lower}")
        manager.cancel_order(ACCOUNT, ack.order_id)
        click.echo(f"order {ack.order_id} cancelled")

        step("the ticker: three full-mode ticks of NSE:INFY (binary protocol, native asyncio client)")
        for line in asyncio.run(_ticks(manager.home, 3)):
            click.echo(line)

        step("order book, positions and funds")
        output.orders(manager.orders(ACCOUNT))
        output.positions(manager.positions(ACCOUNT))
        output.funds(manager.funds(ACCOUNT))
        manager.deactivate(ACCOUNT)  # the simulator goes away with this scene


async def _ticks(home: Path, count: int) -> list[str]:
    from brokerplex.models import Tick

    aio = AsyncBrokerManager(home)
    try:
        broker = await aio.session(ACCOUNT)
        assert isinstance(broker, ZerodhaBroker)
        lines: list[str] = []
        async with await broker.stream() as stream:
            await stream.subscribe(["NSE:INFY"], "full")
            async with asyncio.timeout(15):
                async for event in stream:
                    if isinstance(event, Tick):
                        depth = event.depth
                        best = f" best bid {depth.bids[0].price} ask {depth.asks[0].price}" \
                            if depth and depth.bids and depth.asks else ""
                        lines.append(f"{event.symbol} {event.last_price}{best}")
                        if len(lines) == count:
                            break
        return lines
    finally:
        await aio.close()
