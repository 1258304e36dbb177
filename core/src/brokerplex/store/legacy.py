"""A home folder written before the store existed, imported once: ``accounts.json``, ``sessions/*.json`` and
``journal.sqlite`` become rows, and the files stay where they were (nothing reads them again).

An unreadable file is not guessed at: it is named in a warning and left for a person, and the rest is
imported.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from brokerplex.store import tables
from brokerplex.store.secrets import Cipher

IMPORTED = "home_imported"
log = logging.getLogger(__name__)


def imported(connection: Connection) -> bool:
    if not sa.inspect(connection).has_table("meta"):
        return False
    query = sa.select(tables.meta.c.value).where(tables.meta.c.key == IMPORTED)
    return connection.execute(query).scalar() is not None


def import_home(connection: Connection, home: Path, cipher: Cipher) -> None:
    """Import the old files of ``home`` into an up-to-date store, unless a home was imported before."""
    from brokerplex.store import now

    if imported(connection):
        return
    names = _accounts(connection, home, cipher)
    sessions = sum(_session(connection, path, cipher) for path in sorted((home / "sessions").glob("*.json"))
                   if path.stem in names)
    orders = _journal(connection, home / "journal.sqlite")
    connection.execute(tables.meta.insert().values(key=IMPORTED, value=json.dumps(
        {"home": str(home), "at": now().isoformat(), "accounts": len(names), "sessions": sessions,
         "journal": orders})))
    if names or orders:
        log.warning("imported %d accounts, %d sessions and %d journalled orders from the files of %s into the store",
                    len(names), sessions, orders, home)


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("%s cannot be read, so it was not imported into the store: fix it and activate again", path)
        return None
    return data if isinstance(data, dict) else None


def _accounts(connection: Connection, home: Path, cipher: Cipher) -> set[str]:
    from brokerplex.accounts import split_secrets
    from brokerplex.store import now

    names: set[str] = set()
    for name, entry in (_read(home / "accounts.json") or {}).items():
        if not (isinstance(entry, dict) and isinstance(entry.get("broker"), str)
                and isinstance(entry.get("settings", {}), dict)):
            log.warning("account %r in %s is malformed and was not imported", name, home / "accounts.json")
            continue
        public, secret = split_secrets(entry["broker"], entry.get("settings", {}))
        connection.execute(tables.accounts.insert().values(
            name=name, broker=entry["broker"], settings=json.dumps(public),
            secrets=cipher.seal(secret) if secret else None, created_at=now(), updated_at=now()))
        names.add(name)
    return names


def _session(connection: Connection, path: Path, cipher: Cipher) -> int:
    from brokerplex.store import now

    data = _read(path)
    if not data:
        return 0
    connection.execute(tables.broker_sessions.insert().values(account=path.stem, data=cipher.seal(data),
                                                              updated_at=now()))
    return 1


def _journal(connection: Connection, path: Path) -> int:
    if not path.exists():
        return 0
    import datetime as dt

    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as old:
            rows = old.execute("SELECT * FROM journal").fetchall()
            columns = [column[0] for column in old.execute("SELECT * FROM journal LIMIT 0").description]
    except sqlite3.DatabaseError as exc:
        log.warning("the order journal %s cannot be read (%s), so it was not imported: check its orders against "
                    "the broker's order book", path, exc)
        return 0
    for row in rows:
        entry = dict(zip(columns, row, strict=True))
        for stamp in ("created_at", "updated_at"):
            entry[stamp] = dt.datetime.fromisoformat(entry[stamp])
        connection.execute(tables.journal.insert().values(
            **{column.name: entry.get(column.name) for column in tables.journal.c}))
    return len(rows)
