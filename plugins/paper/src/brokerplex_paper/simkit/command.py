"""``brokerplex sim NAME``: serve a simulator, announce it in one line of JSON, stop on a signal."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from brokerplex_paper.simkit.simulator import Simulator


def serve_until_signalled(simulator: Simulator, first_line: Mapping[str, object]) -> None:
    """Serve ``simulator``; once it accepts connections, print ``first_line`` as the first line of output
    (JSON, flushed, for a script or test to read its address), then serve until SIGINT or SIGTERM and
    return normally (exit status 0)."""

    def announce() -> None:
        click.echo(json.dumps(first_line))
        sys.stdout.flush()

    simulator.serve_forever(on_ready=announce)
