"""The audit log: every order action, account change and sign-in — who, when, what, from where, and how
it ended — in the store's ``audit`` table (admins read it at ``GET /api/v1/audit``). Never a secret."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.requests import HTTPConnection

from brokerplex.store import Store, now
from brokerplex.store.tables import audit
from brokerplex_server.auth.identify import source_of

log = logging.getLogger("brokerplex.server.audit")


def record(connection: HTTPConnection, action: str, *, account: str | None = None, target: str | None = None,
           detail: dict[str, Any] | None = None, outcome: str = "ok", user_name: str | None = None) -> None:
    """Write one entry. The caller is the request's principal (set by ``CurrentUser``) unless
    ``user_name`` is given (a sign-in names who tried). ``outcome``: ok | refused | failed | unknown."""
    principal = getattr(connection.state, "principal", None)
    who = user_name if user_name is not None else (principal.name if principal is not None else None)
    store: Store = connection.app.state.manager.store
    try:
        with store.engine.begin() as db:
            db.execute(audit.insert().values(
                at=now(), user_name=who, action=action, account=account, target=target,
                detail=json.dumps(detail, default=str) if detail else None, source=source_of(connection)[:64],
                outcome=outcome))
    except Exception:  # the action happened: a failed audit write is logged loudly, never turned into its failure
        log.exception("the audit entry %s by %s could not be written", action, who)
