"""The server's part of the ``brokerplex`` CLI: ``serve`` and ``users`` (registered like any plugin's
commands; nothing heavy is imported until a command runs)."""

from __future__ import annotations

import click

from brokerplex import hookimpl


@hookimpl
def register_commands(cli: click.Group) -> None:
    from brokerplex_server.commands import serve, users

    cli.add_command(serve.serve)
    cli.add_command(users.users)
