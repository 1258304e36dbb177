"""The Kite Connect v3 simulator (REST, login page, ticker) on the paper exchange.

Import-light: ``brokerplex`` loads this package for the ``sim zerodha`` command on every
start, so the server (Starlette, uvicorn) is imported only when ``KiteSimulator`` is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brokerplex_zerodha.sim.server import KiteSimulator

__all__ = ["KiteSimulator"]


def __getattr__(name: str) -> Any:
    if name == "KiteSimulator":
        from brokerplex_zerodha.sim.server import KiteSimulator

        return KiteSimulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
