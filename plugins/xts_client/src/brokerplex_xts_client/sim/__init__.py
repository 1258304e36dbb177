"""The XTS wire simulator: interactive + market data REST and Socket.IO on the paper exchange.

Imported by the plugin's CLI hook on every ``brokerplex`` start, so it loads nothing heavy:
``XtsSimulator`` (starlette, uvicorn, the paper engine) is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brokerplex_xts_client.sim.server import XtsSimulator

__all__ = ["XtsSimulator"]


def __getattr__(name: str) -> Any:
    if name == "XtsSimulator":
        from brokerplex_xts_client.sim.server import XtsSimulator

        return XtsSimulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
