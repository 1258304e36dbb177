"""What a home's store holds, read the way a person with the database would (``tests/`` is on pytest's path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brokerplex.journal import JournalEntry, OrderJournal
from brokerplex.store import Store
from brokerplex.store.tables import broker_sessions


def session_of(home: Path, account: str, database: str | None = None) -> dict[str, Any]:
    """The stored broker session (tokens) of ``account``; {} if none."""
    store = Store(home, database)
    try:
        return store.session(account).load()
    finally:
        store.close()


def save_session(home: Path, account: str, data: dict[str, Any]) -> None:
    store = Store(home)
    try:
        store.session(account).save(data)
    finally:
        store.close()


def journal_of(home: Path) -> list[JournalEntry]:
    """Every journalled order of the home's store."""
    store = Store(home)
    try:
        return OrderJournal(store).entries()
    finally:
        store.close()


def damage_session(home: Path, account: str, database: str | None = None) -> None:
    """Replace the sealed session of ``account`` by something no key opens (a session sealed with another key)."""
    store = Store(home, database)
    try:
        with store.engine.begin() as connection:
            changed = connection.execute(broker_sessions.update().where(broker_sessions.c.account == account)
                                         .values(data="gAAAAA-not-a-token"))
        assert changed.rowcount == 1, f"{account} has no stored session"
    finally:
        store.close()
