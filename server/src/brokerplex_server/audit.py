"""The audit log: every order action, account change, user change and sign-in — who, when, what, from
where, and how it ended — in the store's ``audit`` table (admins read it at ``GET /api/v1/audit``).
Never a secret.

:func:`write` is the one writer; requests go through :func:`record` (their caller and address) or
:func:`audited` (an action, recorded however it ends); ``brokerplex users`` writes with source ``cli``.

A worker's entries are written by its :class:`AuditTrail` in batches, one transaction for what came in
``BATCH_SECONDS``: off the orders' path (a write on it cost a fifth of what the API adds to an order, and
one on the loop's next turn held up the next order as much), and cheaper per entry the busier the worker.
``GET /audit`` writes what is kept first, so it sees every entry of its worker. A crash loses the entries
of its last batch: the actions happened (the order journal has them), their entries not.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from starlette.requests import HTTPConnection

from brokerplex.errors import BrokerplexError
from brokerplex.ops.models import LegOutcome, outcome_of_error
from brokerplex.store import Store, now
from brokerplex.store.tables import audit
from brokerplex_server.auth.identify import source_of

T = TypeVar("T")
CLI_SOURCE = "cli"
log = logging.getLogger("brokerplex.server.audit")
#: How an action ended, in the audit log's words (ok | refused | failed | unknown), from a leg's outcome.
OUTCOMES = {LegOutcome.UNKNOWN: "unknown", LegOutcome.REFUSED: "refused", LegOutcome.FAILED: "failed",
            LegOutcome.SKIPPED: "refused"}


_INSERT = audit.insert()  # built once: on every order's way
BATCH_SECONDS = 0.05


def entry(action: str, *, user_name: str | None, source: str, target: str | None = None,
          account: str | None = None, detail: dict[str, Any] | None = None, outcome: str = "ok") -> dict[str, Any]:
    """One audit entry's row, stamped now (never give a secret in ``detail``)."""
    return {"at": now(), "user_name": None if user_name is None else user_name[:64], "action": action,
            "account": account, "target": target, "detail": json.dumps(detail, default=str) if detail else None,
            "source": source[:64], "outcome": outcome}


def write(store: Store, *rows: dict[str, Any]) -> None:
    """Audit entries made by :func:`entry`, in one transaction."""
    store.write(_INSERT, list(rows))


class AuditTrail:
    """One worker's writer: :meth:`add` keeps an entry for the batch (or writes it at once when called off
    the loop, from a plain-function route's thread, which may wait)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._pending: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        if threading.get_ident() != self._loop_thread:
            self._write([row])
            return
        self._pending.append(row)
        if len(self._pending) == 1:
            self._loop.call_later(BATCH_SECONDS, self.flush)

    def flush(self) -> None:
        """Write what is kept (on the loop)."""
        rows, self._pending = self._pending, []
        if rows:
            self._write(rows)

    def _write(self, rows: list[dict[str, Any]]) -> None:
        try:
            write(self._store, *rows)
        except Exception:  # the actions happened: a failed audit write is logged loudly, never their failure
            log.exception("audit entries could not be written: %s",
                          ", ".join(f"{row['action']} by {row['user_name']}" for row in rows))


def record(connection: HTTPConnection, action: str, *, account: str | None = None, target: str | None = None,
           detail: dict[str, Any] | None = None, outcome: str = "ok", user_name: str | None = None) -> None:
    """An entry for a request. The caller is its principal (set by ``CurrentUser``) unless ``user_name``
    is given (a sign-in names who tried)."""
    principal = getattr(connection.state, "principal", None)
    who = user_name if user_name is not None else (principal.name if principal is not None else None)
    trail: AuditTrail = connection.app.state.audit
    trail.add(entry(action, user_name=who, source=source_of(connection), target=target, account=account,
                    detail=detail, outcome=outcome))


async def audited(connection: HTTPConnection, action: str, work: Awaitable[T], *, account: str | None = None,
                  target: str | None = None, detail: dict[str, Any] | None = None,
                  judge: Callable[[T], tuple[str, dict[str, Any]]] | None = None) -> T:
    """``await work``, with one entry saying what was asked (``detail``) and how it ended: an error by its
    kind (then raised for the error handler to answer); a result by ``judge`` (its outcome and what to
    keep of it: a multi-order action ends as the worst of its legs), else ok. Empty parts of ``detail``
    (None, False) are left out."""
    detail = {key: value for key, value in (detail or {}).items() if value not in (None, False)}
    try:
        result = await work
    except Exception as exc:
        said = f"{type(exc).__name__}: {exc}" if isinstance(exc, BrokerplexError) else type(exc).__name__
        record(connection, action, account=account, target=target, outcome=OUTCOMES[outcome_of_error(exc)],
               detail={**detail, "error": said})
        raise
    outcome, kept = judge(result) if judge is not None else ("ok", {})
    record(connection, action, account=account, target=target, detail={**detail, **kept} or None,
           outcome=outcome)
    return result


def cli_actor() -> str:
    """Who ran a command: the operating-system login (the CLI has no brokerplex user)."""
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os:unknown"
