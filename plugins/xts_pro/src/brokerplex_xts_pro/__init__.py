"""brokerplex-xts-pro: Symphony XTS dealer (PRO) logins, trading for many client codes.

It extends ``brokerplex-xts-client``: the REST API is one; what differs is who is
logged in, the ``clientID`` every call names, and the dealer book routes.

Imported on every ``brokerplex`` start: it loads neither httpx nor the simulator.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from brokerplex.hookspecs import hookimpl
from brokerplex.registry import BrokerSpec
from brokerplex_xts_client import CAPABILITIES as INVESTOR_CAPABILITIES

if TYPE_CHECKING:
    from brokerplex.broker import Broker
    from brokerplex.manager import BrokerManager

CAPABILITIES = dataclasses.replace(INVESTOR_CAPABILITIES, dealer=True)


def _load() -> type[Broker]:
    from brokerplex_xts_pro.broker import XtsProBroker

    return XtsProBroker


@hookimpl
def register_brokers(register: Callable[[BrokerSpec], None]) -> None:
    register(BrokerSpec(name="xts_pro", title="Symphony XTS, dealer (PRO) login", capabilities=CAPABILITIES,
                        load=_load))


@hookimpl
def register_demos(register: Callable[[str, Callable[[BrokerManager], None]], None]) -> None:
    def scene(manager: BrokerManager) -> None:
        from brokerplex_xts_pro.demo import dealer_scene

        dealer_scene(manager)

    register("Symphony XTS dealer login trading for two clients, against the XTS simulator", scene)
