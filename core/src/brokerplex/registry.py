"""Broker registrations: what a plugin hands to ``register_brokers(register)``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from brokerplex.capabilities import Capabilities

if TYPE_CHECKING:
    from brokerplex.broker import Broker


@dataclass(frozen=True, slots=True)
class BrokerSpec:
    """A broker as a plugin registers it.

    ``load`` imports and returns the implementation class; it is called only when an
    account of this broker is used, so that listing brokers never imports an SDK.
    """

    name: str
    title: str
    capabilities: Capabilities
    load: Callable[[], type[Broker]]


@dataclass(frozen=True, slots=True)
class RegisteredBroker:
    spec: BrokerSpec
    plugin: str  # the plugin (entry point) name that registered it
    distribution: str | None  # None for plugins registered in-process
    version: str | None

    @property
    def name(self) -> str:
        return self.spec.name
