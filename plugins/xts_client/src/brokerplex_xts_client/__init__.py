"""brokerplex-xts-client: Symphony XTS investor logins, on httpx.

XTS is one API run by many brokers (IIFL, Jainam, Nirmal Bang, …), each on its own
host: one implementation serves them all, with named host presets. This package is
also the XTS base that ``brokerplex-xts-pro`` (dealer logins) extends.

Imported on every ``brokerplex`` start: it loads neither httpx nor the simulator.
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
    exchanges=("NSE", "BSE", "NFO", "BFO", "CDS", "MCX"),
    varieties=("regular", "co", "bo"),
    streaming=("ltp", "quote", "full"),
    operations=("exit", "cancel_all", "convert", "margins", "basket_margins", "candles"),
    quote_batch=50,  # XTS takes 50 instruments a quotes request (OpenAlgo's XTS brokers page by it)
    # Instruments subscribed per market-data session (one per login, shared by its sockets): an instrument
    # counts once whatever message codes it takes (a full tick's 1502 and a derivative's 1510 alike).
    stream_subscriptions=50,
)


def _load() -> type[Broker]:
    from brokerplex_xts_client.broker import XtsClientBroker

    return XtsClientBroker


@hookimpl
def register_brokers(register: Callable[[BrokerSpec], None]) -> None:
    register(BrokerSpec(name="xts_client", title="Symphony XTS, investor login", capabilities=CAPABILITIES,
                        load=_load))


@hookimpl
def register_simulators(register: Callable[[click.Command], None]) -> None:
    from brokerplex_xts_client.sim.command import xts

    register(xts)


@hookimpl
def register_demos(register: Callable[[str, Callable[[BrokerManager], None]], None]) -> None:
    def scene(manager: BrokerManager) -> None:
        from brokerplex_xts_client.demo import xts_scene

        xts_scene(manager)

    register("Symphony XTS investor login, against the XTS simulator", scene)
