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
import sqlite3
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from brokerplex.errors import InputError

UNRESOLVED = ("INTENT", "UNKNOWN")


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
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_account_state ON journal (account, state);
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class OrderJournal:
    """SQLite (WAL) journal shared by threads and processes using one home folder."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record_intent(self, client_order_id: str, account: str, broker: str, request_json: str) -> None:
        """Write the intent durably; a reused client order id is refused (it would double-send)."""
        now = _now()
        try:
            with self._lock:
                # The intent must survive a power cut before the order leaves (fsync); outcomes
                # need not: a lost outcome leaves the intent unresolved, and reconcile finds it.
                self._db.execute("PRAGMA synchronous=FULL")
                try:
                    self._db.execute(
                        "INSERT INTO journal VALUES (?, ?, ?, ?, 'INTENT', NULL, NULL, ?, ?)",
                        (client_order_id, account, broker, request_json, now, now),
                    )
                finally:
                    self._db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.IntegrityError:
            raise InputError(f"client order id {client_order_id!r} was used before; each order needs its own") from None

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

    def _select(self, where: str, params: tuple[str, ...]) -> list[JournalEntry]:
        with self._lock:
            rows = self._db.execute(f"SELECT * FROM journal {where}", params).fetchall()
        return [
            JournalEntry(
                row[0], row[1], row[2], row[3], JournalState(row[4]), row[5], row[6],
                dt.datetime.fromisoformat(row[7]), dt.datetime.fromisoformat(row[8]),
            )
            for row in rows
        ]
