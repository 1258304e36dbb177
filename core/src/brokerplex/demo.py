"""``brokerplex demo``: the main job end to end, in a temporary home, through the scenes plugins register
(the paper broker's first: it runs on the embedded default, with no simulator)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import click

from brokerplex.manager import BrokerManager


def run_demo(home: Path | None, *, keep: bool = False) -> None:
    temporary = home is None
    root = Path(tempfile.mkdtemp(prefix="brokerplex-demo-")) if home is None else home
    try:
        with BrokerManager(root) as manager:
            for title, scene in plugin_scenes():
                click.secho(f"\n━━ {title}", bold=True)
                scene(manager)
    finally:
        if temporary and not keep:
            shutil.rmtree(root, ignore_errors=True)
        elif temporary:
            click.echo(f"\nthe demo's home folder is kept at {root}")


def plugin_scenes() -> list[tuple[str, Callable[[BrokerManager], None]]]:
    """The scenes installed plugins add through the ``register_demos`` hook."""
    from brokerplex.plugins import get_plugin_manager

    scenes: list[tuple[str, Callable[[BrokerManager], None]]] = []
    get_plugin_manager().hook.register_demos(register=lambda title, scene: scenes.append((title, scene)))
    return scenes
