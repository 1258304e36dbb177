"""brokerplex-zerodha: Zerodha Kite Connect through the official ``kiteconnect`` client.

This module is imported on every ``brokerplex`` start, so it imports neither
``kiteconnect`` (Twisted: about 0.3 s and 45 MB) nor the simulator: the broker and
the ``sim zerodha`` command load their implementation when used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from brokerplex.capabilities import Capabilities
from brokerplex.hookspecs import hookimpl
from brokerplex.registry import BrokerSpec

if TYPE_CHECKING:
    from brokerplex.broker import Broker
    from brokerplex.manager import BrokerManager

CAPABILITIES = Capabilities(
    exchanges=("NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"),
    varieties=("regular", "amo", "co", "iceberg"),
    streaming=("ltp", "quote", "full"),
    interactive_login=True,
    operations=("slice", "convert", "margins", "basket_margins", "gtt", "candles"),
    stream_connections=3,  # ticker connections per API key, 3000 instruments each (Kite's WebSocket limits)
    stream_instruments=3000,
)


def _load() -> type[Broker]:
    from brokerplex_zerodha.broker import ZerodhaBroker

    return ZerodhaBroker


@hookimpl
def register_brokers(register: Callable[[BrokerSpec], None]) -> None:
    register(BrokerSpec(name="zerodha", title="Zerodha Kite Connect", capabilities=CAPABILITIES, load=_load))


@hookimpl
def register_simulators(register: Callable[[click.Command], None]) -> None:
    from brokerplex_zerodha.sim.command import zerodha

    register(zerodha)


@hookimpl
def register_demos(register: Callable[[str, Callable[[BrokerManager], None]], None]) -> None:
    def scene(manager: BrokerManager) -> None:
        from brokerplex_zerodha.demo import zerodha_scene

        zerodha_scene(manager)

    register("Zerodha Kite Connect, against the Kite simulator", scene)
