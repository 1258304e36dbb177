"""``brokerplex hub``: hold the broker connections for every process on a Redis bus."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from brokerplex.cli.app import cli, state
from brokerplex.errors import InputError

if TYPE_CHECKING:
    from brokerplex.hub.bus import Bus


@cli.command()
@click.option("--bus", envvar="BROKERPLEX_BUS", metavar="URL",
              help="The Redis URL the consumers use (redis://, rediss:// or unix://) [env BROKERPLEX_BUS].")
@click.option("--accounts", metavar="ACCOUNT[,ACCOUNT…]",
              help="Open these accounts' feeds now: their order updates flow with no consumer yet "
                   "(other accounts open when a consumer asks).")
def hub(bus: str | None, accounts: str | None) -> None:
    """Serve live ticks, order updates and feed states to every `watch --bus` and `BrokerManager(bus=…)`
    on the bus, merging what they want into one broker connection per account.

    Prints one JSON line (`bus`, `accounts`), then serves until SIGTERM or Ctrl-C.
    """
    from brokerplex.hub.bus import Bus

    held = [name.strip() for name in (accounts or "").split(",") if name.strip()]
    if accounts is not None and not held:
        raise InputError("--accounts names no account")
    import asyncio  # here: `brokerplex brokers` must not pay for it

    asyncio.run(_serve(Bus.from_url(bus), state().checked_home(), held))


async def _serve(bus: Bus, home: Path, held: list[str]) -> None:
    import asyncio
    import signal

    from brokerplex.aiomanager import AsyncBrokerManager
    from brokerplex.hub.bus.codec import shown
    from brokerplex.hub.bus.server import HubServer

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    manager = AsyncBrokerManager(home)
    server = HubServer(manager.hub, manager.stream_terms, bus, held)
    try:
        await server.start()
        click.echo(json.dumps({"bus": shown(bus.url), "accounts": server.held}))
        sys.stdout.flush()  # the first line is how a supervisor knows the hub serves
        gc.freeze()  # what start-up made lives on: full collections need not walk it (tick latency)
        await server.serve(stop)
    finally:
        await server.close()
        await manager.close()
        await bus.close()
