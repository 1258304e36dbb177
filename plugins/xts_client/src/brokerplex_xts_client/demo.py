"""The XTS scene of ``brokerplex demo``: an investor login against the XTS simulator, end to end."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from brokerplex import output
from brokerplex.cli import ClickLoginIO
from brokerplex.demo import below, step
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderModify, OrderRequest, OrderType, Side

ACCOUNT = "xts-demo"


def xts_scene(manager: BrokerManager) -> None:
    from brokerplex_xts_client.sim import XtsSimulator

    folder = Path(tempfile.mkdtemp(prefix="brokerplex-xts-sim-"))
    try:
        with XtsSimulator(seed=1, state_dir=folder) as sim:
            investor = next(account for account in sim.accounts if account["role"] == "investor")
            step(f"start the XTS simulator at {sim.root}; activate {ACCOUNT!r} with investor keys")
            manager.activate("xts_client", ACCOUNT, {
                "root": sim.root,
                "interactive_key": investor["interactive"]["appKey"],
                "interactive_secret": investor["interactive"]["secretKey"],
                "marketdata_key": investor["marketdata"]["appKey"],
                "marketdata_secret": investor["marketdata"]["secretKey"],
            })
            profile = manager.login(ACCOUNT, {}, ClickLoginIO())
            click.echo(f"logged in to both XTS APIs as {profile.user_id} ({profile.name})")
            trade(manager)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def trade(manager: BrokerManager) -> None:
    step("quotes (XTS 1502: touchline and five-level depth)")
    quotes = manager.quotes(ACCOUNT, ["NSE:INFY", "NSE:RELIANCE", "NSE:NIFTY 50"])
    output.quotes(list(quotes.values()))

    step("market order: buy 5 NSE:INFY; the client order id travels as orderUniqueIdentifier")
    ack = manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=5))
    click.echo(f"AppOrderID {ack.order_id}, client order id {ack.client_order_id}")

    reliance = manager.instrument(ACCOUNT, "NSE:RELIANCE")
    limit = below(quotes["NSE:RELIANCE"].last_price, 2, reliance)
    step(f"limit order: buy 3 NSE:RELIANCE at {limit}; modify it lower, then cancel it")
    ack = manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:RELIANCE", side=Side.BUY, quantity=3,
                                                    order_type=OrderType.LIMIT, price=limit))
    lower = below(quotes["NSE:RELIANCE"].last_price, 3, reliance)
    manager.modify_order(ACCOUNT, ack.order_id, OrderModify(price=lower))
    click.echo(f"order {ack.order_id} modified to {lower}")
    manager.cancel_order(ACCOUNT, ack.order_id)
    click.echo(f"order {ack.order_id} cancelled")

    step("order book, positions and funds, as XTS reports them")
    output.orders(manager.orders(ACCOUNT))
    output.positions(manager.positions(ACCOUNT))
    output.funds(manager.funds(ACCOUNT))
