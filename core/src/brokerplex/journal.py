"""The order journal: every order intent is written down before it is sent.

States::

    INTENT ──send──▶ SENT        the broker acknowledged, order_id known
       │    ├──────▶ REJECTED    the broker refused; nothing happened
       │    ├──────▶ FAILED      never reached the broker; nothing happened
       │    └──────▶ UNKNOWN     may or may not exist: reconcile by client order id
       └─ (crash) ─▶ INTENT      left as is; reconcile treats it like UNKNOWN
    UNKNOWN ─reconcile─▶ SENT (found in the order book) | NOT_FOUND (not there after the grace period)

Nothing in this module ever sends an order again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from brokerplex.errors import InputError
from brokerplex.store.tables import journal

if TYPE_CHECKING:
    from brokerplex.store import Store

UNRESOLVED = ("INTENT", "UNKNOWN")
log = logging.getLogger(__name__)


class JournalState(StrEnum):
    INTENT = "INTENT"
    SENT = "SENT"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"
    NOT_FOUND = "NOT_FOUND"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    client_order_id: str
    account: str
    broker: str
    request: str  # OrderRequest as JSON
    state: JournalState
    order_id: str | None
    message: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    client: str | None = None  # dealer logins: the client code the order was placed for


# Built once: a statement made per call costs more than the SQLite write itself (the journal is on every
# order's way); these take their values as parameters.
_INSERT = journal.insert()
_OUTCOME = (journal.update().where(journal.c.client_order_id == sa.bindparam("cid"))
            .values(state=sa.bindparam("state"), message=sa.bindparam("message"),
                    updated_at=sa.bindparam("updated_at"),
                    order_id=sa.func.coalesce(sa.bindparam("order_id", type_=sa.String), journal.c.order_id)))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OrderJournal:
    """The ``journal`` table of the store, shared by every thread and process on that database."""

    def __init__(self, store: Store) -> None:
        self._store = store
        wal = store.sqlite_file
        self._wal = wal.with_name(wal.name + "-wal") if wal is not None else None
        self._wal_fd: int | None = None
        self._wal_lock = threading.Lock()

    def close(self) -> None:
        with self._wal_lock:
            if self._wal_fd is not None:
                os.close(self._wal_fd)
                self._wal_fd = None

    def record_intent(
        self, client_order_id: str, account: str, broker: str, request_json: str, *, client: str | None = None
    ) -> None:
        """Commit the intent (it survives a crash of this process); a reused client order id is
        refused (it would double-send). :meth:`sync` makes it survive a power cut too."""
        now = _now()
        try:
            self._store.write(_INSERT, {
                "client_order_id": client_order_id, "account": account, "broker": broker, "request": request_json,
                "state": JournalState.INTENT.value, "created_at": now, "updated_at": now, "client": client})
        except IntegrityError:
            raise InputError(f"client order id {client_order_id!r} was used before; each order needs its own") from None

    def sync(self) -> None:
        """Make what is committed survive a power cut. The manager runs this beside an order's send
        rather than before it (an fsync costs about half a millisecond), and returns only after both.
        PostgreSQL commits durably already; a SQLite store fsyncs its WAL."""
        if self._wal is None:
            return
        try:
            with self._wal_lock:  # orders sync from several worker threads at once
                if self._wal_fd is None:
                    # Kept open: opening costs as much as a small write. SQLite removes the WAL only
                    # when the last connection closes, and the engine's pool keeps one open.
                    self._wal_fd = os.open(self._wal, os.O_RDONLY)
                wal = self._wal_fd
            os.fsync(wal)  # flushes the file, whichever descriptor wrote it
        except FileNotFoundError:
            return  # no WAL: everything is in the database file, which its checkpoint synced
        except OSError:
            log.warning("the order journal could not be synced to disk", exc_info=True)

    def record_outcome(
        self, client_order_id: str, state: JournalState, *, order_id: str | None = None, message: str | None = None
    ) -> None:
        self._store.write(_OUTCOME, {"cid": client_order_id, "state": state.value, "order_id": order_id,
                               "message": message, "updated_at": _now()})

    def get(self, client_order_id: str) -> JournalEntry | None:
        rows = self._select(journal.c.client_order_id == client_order_id)
        return rows[0] if rows else None

    def entries(self, account: str | None = None) -> list[JournalEntry]:
        return self._select(sa.true() if account is None else journal.c.account == account)

    def unresolved(self, account: str) -> list[JournalEntry]:
        return self._select(journal.c.account == account, journal.c.state.in_(UNRESOLVED))

    def by_order_id(self, account: str, order_id: str) -> JournalEntry | None:
        """The journalled order the broker knows as ``order_id`` (a dealer's tells whose it is)."""
        rows = self._select(journal.c.account == account, journal.c.order_id == order_id)
        return rows[-1] if rows else None

    def _select(self, *where: sa.ColumnElement[bool]) -> list[JournalEntry]:
        query = sa.select(journal).where(*where).order_by(journal.c.created_at, journal.c.client_order_id)
        with self._store.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [JournalEntry(row.client_order_id, row.account, row.broker, row.request, JournalState(row.state),
                             row.order_id, row.message, row.created_at, row.updated_at, row.client) for row in rows]
