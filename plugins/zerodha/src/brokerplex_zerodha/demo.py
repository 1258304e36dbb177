"""The Zerodha scene of ``brokerplex demo``: the unified API against a local Kite simulator."""

from __future__ import annotations

import contextlib
import itertools
import tempfile
from pathlib import Path

import click

from brokerplex.cli import ClickLoginIO
from brokerplex.cli.watch import stream_event_line
from brokerplex.manager import BrokerManager
from brokerplex.models import Tick
from brokerplex_paper.demo import show_books, step, trade_round_trip

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

        trade_round_trip(manager, ACCOUNT, quantity=5, carried_as="Kite's tag")

        step("the ticker: three full-mode ticks of NSE:INFY (binary protocol, native asyncio client)")
        with contextlib.closing(manager.watch(ACCOUNT, ["NSE:INFY"], "full")) as events:
            for tick in itertools.islice((event.data for event in events if isinstance(event.data, Tick)), 3):
                click.echo(stream_event_line(tick))

        show_books(manager, ACCOUNT)
        manager.deactivate(ACCOUNT)  # the simulator goes away with this scene
