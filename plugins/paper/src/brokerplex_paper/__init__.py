"""brokerplex-paper: the embedded default broker, a paper exchange in SQLite.

Registered through the ``brokerplex`` entry point exactly like any third-party broker.
This module stays tiny: the implementation is imported only when an account is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from brokerplex.capabilities import Capabilities
from brokerplex.hookspecs import hookimpl
from brokerplex.registry import BrokerSpec

if TYPE_CHECKING:
    from brokerplex.broker import Broker
    from brokerplex.manager import BrokerManager

CAPABILITIES = Capabilities(
    exchanges=("NSE", "BSE", "NFO", "CDS", "MCX"),
    varieties=("regular", "amo"),
    operations=("convert", "margins", "basket_margins", "gtt", "candles"),
    streaming=("ltp", "quote", "full"),
)


def _load() -> type[Broker]:
    from brokerplex_paper.broker import PaperBroker

    return PaperBroker


@hookimpl
def register_brokers(register: Callable[[BrokerSpec], None]) -> None:
    register(BrokerSpec(name="paper", title="Paper exchange (embedded default)", capabilities=CAPABILITIES, load=_load))


@hookimpl(tryfirst=True)  # the first scene: the embedded default, before any simulator's
def register_demos(register: Callable[[str, Callable[[BrokerManager], None]], None]) -> None:
    from brokerplex_paper.demo import paper_round_trip

    register("Paper exchange (embedded default)", paper_round_trip)
