"""brokerplex: one Python API over many Indian stock brokers.

Importing this package is cheap: the data model and the manager load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from brokerplex.hookspecs import hookimpl

if TYPE_CHECKING:
    from brokerplex.aiomanager import AsyncBrokerManager as AsyncBrokerManager
    from brokerplex.broker import Broker as Broker
    from brokerplex.broker import BrokerSettings as BrokerSettings
    from brokerplex.capabilities import Capabilities as Capabilities
    from brokerplex.manager import BrokerManager as BrokerManager
    from brokerplex.models import OrderModify as OrderModify
    from brokerplex.models import OrderRequest as OrderRequest
    from brokerplex.registry import BrokerSpec as BrokerSpec
    from brokerplex.symbols import parse_symbol as parse_symbol

_LAZY = {
    "AsyncBrokerManager": "brokerplex.aiomanager",
    "BrokerManager": "brokerplex.manager",
    "Broker": "brokerplex.broker",
    "BrokerSettings": "brokerplex.broker",
    "BrokerSpec": "brokerplex.registry",
    "Capabilities": "brokerplex.capabilities",
    "OrderModify": "brokerplex.models",
    "OrderRequest": "brokerplex.models",
    "parse_symbol": "brokerplex.symbols",
}

__all__ = ["hookimpl", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'brokerplex' has no attribute {name!r}")
