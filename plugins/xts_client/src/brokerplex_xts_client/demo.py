"""The XTS scene of ``brokerplex demo``: an investor login against the XTS simulator, end to end."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click

from brokerplex.cli import ClickLoginIO
from brokerplex.manager import BrokerManager
from brokerplex_paper.demo import show_books, step, trade_round_trip

ACCOUNT = "xts-demo"


def xts_scene(manager: BrokerManager) -> None:
    from brokerplex_xts_client.sim import XtsSimulator

    folder = Path(tempfile.mkdtemp(prefix="brokerplex-xts-sim-"))
    try:
        with XtsSimulator(seed=1, state_dir=folder) as sim:
            step(f"start the XTS simulator at {sim.root}; activate {ACCOUNT!r} with investor keys")
            manager.activate("xts_client", ACCOUNT, sim.settings("investor"))
            profile = manager.login(ACCOUNT, {}, ClickLoginIO())
            click.echo(f"logged in to both XTS APIs as {profile.user_id} ({profile.name})")
            trade_round_trip(manager, ACCOUNT, quantity=5, carried_as="orderUniqueIdentifier")
            show_books(manager, ACCOUNT)
            manager.deactivate(ACCOUNT)  # the simulator goes away with this scene
    finally:
        shutil.rmtree(folder, ignore_errors=True)
