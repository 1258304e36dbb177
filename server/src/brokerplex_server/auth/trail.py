"""Audit entries written straight to the store, for changes made outside a request (``brokerplex users``
writes with source ``cli``). Requests record through :func:`brokerplex_server.audit.record`."""

from __future__ import annotations

import getpass
import json
from typing import Any

from brokerplex.store import Store, now
from brokerplex.store.tables import audit

CLI_SOURCE = "cli"


def write(store: Store, action: str, *, user_name: str | None, source: str, target: str | None = None,
          account: str | None = None, detail: dict[str, Any] | None = None, outcome: str = "ok") -> None:
    """One audit entry (never give a secret in ``detail``)."""
    with store.engine.begin() as db:
        db.execute(audit.insert().values(
            at=now(), user_name=None if user_name is None else user_name[:64], action=action, account=account,
            target=target, detail=json.dumps(detail, default=str) if detail else None, source=source[:64],
            outcome=outcome))


def cli_actor() -> str:
    """Who ran a command: the operating-system login (the CLI has no brokerplex user)."""
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os:unknown"
