"""The dealer scene of ``brokerplex demo``: one XTS dealer login trading for two clients and its PRO book."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from brokerplex import output
from brokerplex.cli import ClickLoginIO
from brokerplex.errors import ClientCodeError
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, Side
from brokerplex_paper.demo import acknowledged, step
from brokerplex_xts_pro.settings import PRO

ACCOUNT = "dealer-demo"


def dealer_scene(manager: BrokerManager) -> None:
    from brokerplex_xts_client.sim import XtsSimulator

    folder = Path(tempfile.mkdtemp(prefix="brokerplex-xts-dealer-"))
    try:
        with XtsSimulator(seed=1, state_dir=folder) as sim:
            first, second = sim.account("dealer")["client_codes"][:2]
            step(f"activate {ACCOUNT!r} with the simulator's dealer keys; its default client is {first}")
            manager.activate("xts_pro", ACCOUNT, sim.settings("dealer", client_code=first))
            profile = manager.login(ACCOUNT, {}, ClickLoginIO())
            codes = manager.clients(ACCOUNT)
            click.echo(f"logged in as dealer {profile.user_id}; it acts for {', '.join(codes)} "
                       f"({PRO} is its own PRO book)")
            trade_for_clients(manager, [first, second, PRO])
            manager.deactivate(ACCOUNT)  # the simulator goes away with this scene
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def trade_for_clients(manager: BrokerManager, clients: list[str]) -> None:
    step(f"one order fanned out to {', '.join(clients)}: buy 3 NSE:INFY each, a result per client")
    results = manager.place_order_for_clients(ACCOUNT, clients, OrderRequest(symbol="NSE:INFY", side=Side.BUY,
                                                                              quantity=3))
    for result in results:
        click.echo(f"{result.client}: {acknowledged(result.value) if result.value else result.error}")

    second = clients[1]
    step(f"a separate order for {second} only: sell 2 NSE:RELIANCE (MIS)")
    view = manager.client(ACCOUNT, second)
    click.echo(acknowledged(view.place_order(OrderRequest(symbol="NSE:RELIANCE", side=Side.SELL, quantity=2,
                                                          product="MIS"))))

    step("a client code the login does not hold is refused before anything is sent")
    try:
        manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1), client="CL9999")
    except ClientCodeError as exc:
        click.echo(f"refused: {exc}")

    step(f"{second}'s own order book, then positions across every client")
    output.orders(view.orders())
    everyone = manager.for_clients(ACCOUNT, None, lambda code: manager.aio.positions(ACCOUNT, client=code))
    output.positions([position for result in everyone if result.value for position in result.value])
