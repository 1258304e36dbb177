"""The simulator toolkit: what every wire simulator over the paper exchange is built from.

=========================  ======================================================================
:class:`Simulator`         the base class: server, faults, sessions, stream and venue controls
:class:`SimServer`         uvicorn serving one app from a daemon thread or the foreground
:class:`SessionStore`      tokens → sessions, ``expire_all``, the ``refusing`` flag
:class:`ServerLimits`      rate limits per caller and bucket (the core's RateLimiter)
``serve_until_signalled``  the ``brokerplex sim NAME`` command's body
=========================  ======================================================================

Import-light (a plugin's ``sim`` command imports it on every ``brokerplex`` start): each name
loads its module, and uvicorn with it, on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brokerplex_paper.faults import HttpFaults, RoutePattern
    from brokerplex_paper.simkit.command import serve_until_signalled
    from brokerplex_paper.simkit.limits import ServerLimits
    from brokerplex_paper.simkit.server import SimServer
    from brokerplex_paper.simkit.sessions import SessionStore, new_token
    from brokerplex_paper.simkit.simulator import FAULT_ROUTE_NAMES, Simulator, StreamHub

_HOMES = {
    "HttpFaults": "brokerplex_paper.faults", "RoutePattern": "brokerplex_paper.faults",
    "serve_until_signalled": "brokerplex_paper.simkit.command", "ServerLimits": "brokerplex_paper.simkit.limits",
    "SimServer": "brokerplex_paper.simkit.server", "SessionStore": "brokerplex_paper.simkit.sessions",
    "new_token": "brokerplex_paper.simkit.sessions", "FAULT_ROUTE_NAMES": "brokerplex_paper.simkit.simulator",
    "Simulator": "brokerplex_paper.simkit.simulator", "StreamHub": "brokerplex_paper.simkit.simulator",
}
__all__ = [
    "FAULT_ROUTE_NAMES", "HttpFaults", "RoutePattern", "ServerLimits", "SessionStore", "SimServer", "Simulator",
    "StreamHub", "new_token", "serve_until_signalled",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
