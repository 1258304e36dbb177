"""The ``brokerplex`` command line.

Exit codes: 0 ok; 2 bad input or usage (one line, nothing sent); 1 a broker or other
failure (one line; ``--debug`` adds the traceback). Imports stay lazy: ``brokerplex
brokers`` must not pay for pydantic models or any broker SDK. Each module adds its
commands to the one group, :data:`brokerplex.cli.app.cli`.
"""

from brokerplex.cli import accounts, books, db, hub, ops, orders, plugin, watch  # noqa: F401 - they register their commands
from brokerplex.cli.accounts import ClickLoginIO
from brokerplex.cli.app import cli, main

__all__ = ["ClickLoginIO", "cli", "main"]
