"""The platform's store: accounts, broker sessions, the order journal, order events, users, API keys and
the audit log, in one SQL database (SQLAlchemy 2 Core; Alembic migrations).

A SQLite file under the home folder by default; PostgreSQL by URL (``--database`` or
``BROKERPLEX_DATABASE``), which every process of a desk points at. Opening a store brings its schema up
to date and, once, imports a home folder written before the store existed
(:mod:`brokerplex.store.legacy`).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from brokerplex.store import database, tables
from brokerplex.store.database import ENV_DATABASE, database_url
from brokerplex.store.secrets import Cipher, SecretKeyError
from brokerplex.store.sessions import StoredSession

__all__ = ["ENV_DATABASE", "SecretKeyError", "Store", "StoredSession", "database_url", "now", "tables"]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Store:
    """One database for one process: the engine, made ready (migrated, old home imported) on first use."""

    def __init__(self, home: Path, url: str | None = None) -> None:
        self.home = home
        self.url = database_url(home, url)
        self._engine = database.create(self.url)
        self.cipher = Cipher(home)
        self._ready = False
        self._lock = threading.Lock()
        # On SQLite, writes on an order's path go through one held connection: taking one from the pool
        # and resetting it cost as much as the write. (PostgreSQL's pool checks a connection is alive when
        # it is taken; a held one could have died with a server restart.)
        self._writer: Connection | None = None
        self._write_lock = threading.Lock()
        self._on_sqlite = self.sqlite_file is not None

    def __repr__(self) -> str:
        return f"Store({database.shown(self.url)!r})"

    @property
    def shown_url(self) -> str:
        """The database URL without its password."""
        return database.shown(self.url)

    @property
    def engine(self) -> Engine:
        """The engine, once the schema is current: every reader and writer goes through here."""
        if not self._ready:
            with self._lock:
                if not self._ready:
                    self.upgrade()
        return self._engine

    @property
    def sqlite_file(self) -> Path | None:
        return database.sqlite_file(self._engine)

    def upgrade(self) -> tuple[str | None, str]:
        """Migrate to the newest schema and import an old home once; (revision before, revision now)."""
        from brokerplex.store import legacy

        try:
            with self._engine.connect() as connection:
                before = database.revision(connection)
                if before != database.HEAD_REVISION or not legacy.imported(connection):
                    with database.migration_lock(self._engine, connection):
                        connection.commit()  # the lock query opened a transaction: migrations open their own
                        before = database.revision(connection)
                        if before != database.HEAD_REVISION:
                            database.upgrade(connection)
                            connection.commit()
                        legacy.import_home(connection, self.home, self.cipher)
                        connection.commit()
        except DBAPIError as exc:
            raise database.unreachable(self._engine, exc) from None
        self._ready = True
        return before, database.HEAD_REVISION

    def session(self, account: str) -> StoredSession:
        """The broker session (tokens) of ``account``, encrypted at rest."""
        return StoredSession(self, account)

    def write(self, statement: sa.Executable, values: dict[str, Any] | list[dict[str, Any]]) -> None:
        """One committed write (``values`` a list: one row each, in the same transaction)."""
        if not self._on_sqlite:
            with self.engine.begin() as connection:
                connection.execute(statement, values)
            return
        with self._write_lock:
            if self._writer is None:
                self._writer = self.engine.connect()
            try:
                self._writer.execute(statement, values)
                self._writer.commit()
            except BaseException:
                self._writer.rollback()
                raise

    def close(self) -> None:
        with self._write_lock:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        self._engine.dispose()

