"""``brokerplex users``: placeholder until the users commands land."""

from __future__ import annotations

import click


@click.group()
def users() -> None:
    """Users of `brokerplex serve`: roles, passwords, API keys."""
