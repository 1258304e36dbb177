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
import shlex
import sqlite3
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from brokerplex.errors import InputError
from brokerplex.storage import DamagedFileError, StateFileError

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


_COLUMNS = ("client_order_id, account, broker, request, state, order_id, message, created_at, updated_at, client")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    client_order_id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    broker TEXT NOT NULL,
    request TEXT NOT NULL,
    state TEXT NOT NULL,
    order_id TEXT,
    message TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    client TEXT
);
CREATE INDEX IF NOT EXISTS journal_account_state ON journal (account, state);
"""


def _unreadable(path: Path, exc: sqlite3.DatabaseError) -> StateFileError:
    """A journal that SQLite cannot open is reported, never rebuilt: it may hold orders whose outcome is unknown."""
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return StateFileError(f"the order journal {path} is locked by another process ({exc}); try again", path=path)
    move = f"mv {shlex.quote(str(path))} {shlex.quote(f'{path}.damaged')}"
    return DamagedFileError(
        f"the order journal {path} cannot be read ({exc}). It is not rebuilt, as it may list orders whose outcome "
        f"is unknown: move it aside ({move}) to start a new one, and keep the old one to check its orders against "
        f"the broker's order book", path=path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class OrderJournal:
    """SQLite (WAL) journal shared by threads and processes using one home folder."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._wal = path.with_name(path.name + "-wal")
        self._wal_fd: int | None = None
        self._wal_lock = threading.Lock()
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            if "client" not in {row[1] for row in self._db.execute("PRAGMA table_info(journal)")}:
                self._db.execute("ALTER TABLE journal ADD COLUMN client TEXT")  # journals from before dealer logins
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise _unreadable(path, exc) from None

    def close(self) -> None:
        with self._lock, self._wal_lock:
            if self._wal_fd is not None:
                os.close(self._wal_fd)
                self._wal_fd = None
            self._db.close()

    def record_intent(
        self, client_order_id: str, account: str, broker: str, request_json: str, *, client: str | None = None
    ) -> None:
        """Commit the intent (it survives a crash of this process); a reused client order id is
        refused (it would double-send). :meth:`sync` makes it survive a power cut too."""
        now = _now()
        try:
            with self._lock:
                self._db.execute(
                    f"INSERT INTO journal ({_COLUMNS}) VALUES (?, ?, ?, ?, 'INTENT', NULL, NULL, ?, ?, ?)",
                    (client_order_id, account, broker, request_json, now, now, client),
                )
        except sqlite3.IntegrityError:
            raise InputError(f"client order id {client_order_id!r} was used before; each order needs its own") from None

    def sync(self) -> None:
        """fsync what is committed. The manager runs this beside an order's send rather than
        before it (an fsync costs about half a millisecond here), and returns only after both."""
        try:
            with self._wal_lock:  # orders sync from several worker threads at once
                if self._wal_fd is None:
                    # Kept open: opening costs as much as a small write. SQLite removes the WAL only
                    # when the last connection closes, and this one stays open until close().
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
        with self._lock:
            self._db.execute(
                "UPDATE journal SET state = ?, order_id = COALESCE(?, order_id), message = ?, updated_at = ?"
                " WHERE client_order_id = ?",
                (state.value, order_id, message, _now(), client_order_id),
            )

    def get(self, client_order_id: str) -> JournalEntry | None:
        rows = self._select("WHERE client_order_id = ?", (client_order_id,))
        return rows[0] if rows else None

    def entries(self, account: str | None = None) -> list[JournalEntry]:
        if account is None:
            return self._select("ORDER BY created_at", ())
        return self._select("WHERE account = ? ORDER BY created_at", (account,))

    def unresolved(self, account: str) -> list[JournalEntry]:
        return self._select("WHERE account = ? AND state IN (?, ?) ORDER BY created_at", (account, *UNRESOLVED))

    def by_order_id(self, account: str, order_id: str) -> JournalEntry | None:
        """The journalled order the broker knows as ``order_id`` (a dealer's tells whose it is)."""
        rows = self._select("WHERE account = ? AND order_id = ? ORDER BY created_at DESC", (account, order_id))
        return rows[0] if rows else None

    def _select(self, where: str, params: tuple[str, ...]) -> list[JournalEntry]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM journal {where}", params).fetchall()
        return [
            JournalEntry(
                row[0], row[1], row[2], row[3], JournalState(row[4]), row[5], row[6],
                dt.datetime.fromisoformat(row[7]), dt.datetime.fromisoformat(row[8]), row[9],
            )
            for row in rows
        ]
