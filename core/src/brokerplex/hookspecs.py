"""The plugin contract. Plugins implement these with ``@brokerplex.hookimpl``.

Plugins are found through the ``brokerplex`` entry-point group; built-in brokers are
registered through it exactly like third-party ones. A hook implementation whose name
is not listed here fails at load time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from brokerplex.models import Instrument, OrderEvent, OrderRequest
    from brokerplex.registry import BrokerSpec

hookspec = pluggy.HookspecMarker("brokerplex")
hookimpl = pluggy.HookimplMarker("brokerplex")


@hookspec
def register_brokers(register: Callable[[BrokerSpec], None]) -> None:
    """Register brokers by calling ``register(BrokerSpec(...))`` once for each."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands or command groups to the ``brokerplex`` CLI.

    Import heavy modules inside the command, not here: this runs on every start.
    """


@hookspec
def register_simulators(register: Callable[[click.Command], None]) -> None:
    """Add a wire simulator: ``register(command)`` makes it ``brokerplex sim <command.name>``.

    The command prints one JSON line (its URLs and logins), then serves until SIGINT or SIGTERM;
    ``brokerplex_paper.simkit`` has the runner that does both.
    """


@hookspec
def register_demos(register: Callable[[str, Callable[..., None]], None]) -> None:
    """Add a scene to ``brokerplex demo``: ``register(title, scene)``.

    ``scene(manager)`` takes a :class:`brokerplex.BrokerManager` (not named in this contract, so that
    it imports nothing of the manager), runs after the paper scene, in the demo's temporary home; it
    starts whatever simulator it needs and stops it before returning.
    """


@hookspec
def pretrade_check(account: str, broker: str, request: OrderRequest, instrument: Instrument | None) -> str | None:
    """Return a reason to veto the order before it is sent, or None to let it pass."""


@hookspec
def order_event(event: OrderEvent) -> None:
    """Observe an order event (sent, rejected, unknown, reconciled, modified, …)."""
