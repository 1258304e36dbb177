"""The store on SQLite and on PostgreSQL: migrations, a home from before the store imported intact,
secrets sealed, and the failures a person can meet (a wrong key, a file that is no database)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from brokerplex.errors import InputError
from brokerplex.journal import JournalState, OrderJournal
from brokerplex.manager import BrokerManager
from brokerplex.storage import StateFileError
from brokerplex.store import Store, database, tables
from cli_results import data, ok, one_line_error

if TYPE_CHECKING:
    from tests.conftest import Cli

SECRET = "kite-secret-9431"
TOKEN = "access-token-5521"
CREATED = dt.datetime(2026, 11, 20, 3, 45, 12, 123456, tzinfo=dt.UTC)
OLD_JOURNAL = """
CREATE TABLE journal (
    client_order_id TEXT PRIMARY KEY, account TEXT NOT NULL, broker TEXT NOT NULL, request TEXT NOT NULL,
    state TEXT NOT NULL, order_id TEXT, message TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
"""


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest) -> str | None:
    """None: the SQLite file under the home; else a fresh PostgreSQL database."""
    return None if request.param == "sqlite" else str(request.getfixturevalue("fresh_postgres_url"))


def old_home(home: Path, *, dealer_column: bool) -> None:
    """A home as brokerplex wrote it before the store: accounts.json, sessions/*.json, journal.sqlite."""
    home.mkdir(parents=True)
    (home / "accounts.json").write_text(json.dumps({
        "p1": {"broker": "paper", "settings": {"seed": 3, "opening_cash": "500000"}},
        "z1": {"broker": "zerodha", "settings": {"api_key": "kitekey", "api_secret": SECRET}},
    }))
    (home / "sessions").mkdir()
    session = {"api_key": "kitekey", "access_token": TOKEN, "user_id": "AB1234",
               "expires_at": "2026-11-21T00:30:00+00:00"}
    (home / "sessions" / "z1.json").write_text(json.dumps(session))
    with sqlite3.connect(home / "journal.sqlite") as old:
        old.executescript(OLD_JOURNAL)
        if dealer_column:
            old.execute("ALTER TABLE journal ADD COLUMN client TEXT")
        rows = [("c-sent", "SENT", "1001"), ("c-unknown", "UNKNOWN", None), ("c-intent", "INTENT", None)]
        for client_order_id, state, order_id in rows:
            old.execute("INSERT INTO journal (client_order_id, account, broker, request, state, order_id, message, "
                        "created_at, updated_at) VALUES (?, 'p1', 'paper', ?, ?, ?, NULL, ?, ?)",
                        (client_order_id, '{"symbol": "NSE:INFY"}', state, order_id, CREATED.isoformat(),
                         CREATED.isoformat()))
    old.close()


@pytest.mark.parametrize("dealer_column", [False, True])
def test_a_home_from_before_the_store_is_imported_intact_and_once(home: Path, url: str | None,
                                                                   dealer_column: bool) -> None:
    old_home(home, dealer_column=dealer_column)
    files = {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}
    for _ in range(2):  # the second open imports nothing again
        with BrokerManager(home, database=url) as manager:
            accounts = {account.name: account for account in manager.accounts()}
            assert accounts["p1"].public_settings()["seed"] == 3
            assert accounts["z1"].settings.api_secret.get_secret_value() == SECRET  # type: ignore[attr-defined]
            assert manager.store.session("z1").load()["access_token"] == TOKEN
            entries = {entry.client_order_id: entry for entry in manager.journal.entries()}
            assert {key: (entry.state, entry.order_id) for key, entry in entries.items()} == {
                "c-sent": (JournalState.SENT, "1001"), "c-unknown": (JournalState.UNKNOWN, None),
                "c-intent": (JournalState.INTENT, None)}
            assert entries["c-sent"].created_at == CREATED
            assert [entry.client_order_id for entry in manager.journal.unresolved("p1")] == ["c-intent", "c-unknown"]
    assert {path: path.read_bytes() for path in home.rglob("*") if path in files} == files, "old files untouched"
    assert_sealed(home, url)


def assert_sealed(home: Path, url: str | None) -> None:
    """Neither the secret setting nor the token is in the database in clear."""
    store = Store(home, url)
    try:
        with store.engine.connect() as connection:
            stored = " ".join(str(value) for table in (tables.accounts, tables.broker_sessions)
                              for row in connection.execute(sa.select(table)) for value in row)
        assert "kitekey" in stored  # not secret: readable where it is stored
        assert SECRET not in stored
        assert TOKEN not in stored
    finally:
        store.close()
    for path in home.glob("brokerplex.db*"):
        assert SECRET.encode() not in path.read_bytes()


def test_an_unreadable_old_file_is_named_and_the_rest_is_imported(home: Path, caplog: pytest.LogCaptureFixture
                                                                  ) -> None:
    old_home(home, dealer_column=True)
    (home / "accounts.json").write_text('{"p1": {"broker"')
    caplog.set_level(logging.WARNING)
    with BrokerManager(home) as manager:
        assert manager.account_store.names() == []
        assert len(manager.journal.entries()) == 3
    assert f"{home / 'accounts.json'} cannot be read, so it was not imported" in caplog.text


def test_migrations_build_exactly_what_the_tables_describe(tmp_path: Path, url: str | None) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "brokerplex.store:migrations")
    assert ScriptDirectory.from_config(config).get_current_head() == database.HEAD_REVISION
    store = Store(tmp_path, url)
    try:
        assert store.upgrade() == (None, database.HEAD_REVISION)
        with store.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), tables.metadata)
        assert differences == []
        assert store.upgrade() == (database.HEAD_REVISION, database.HEAD_REVISION)
    finally:
        store.close()


def test_processes_opening_a_new_store_at_once_migrate_it_once(tmp_path: Path, url: str | None) -> None:
    stores = [Store(tmp_path, url) for _ in range(4)]
    failures: list[BaseException] = []

    def open_one(store: Store) -> None:
        try:
            with store.engine.connect() as connection:
                assert database.revision(connection) == database.HEAD_REVISION
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=open_one, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert failures == []


def test_a_schema_from_a_newer_brokerplex_is_named_not_touched(tmp_path: Path, url: str | None) -> None:
    store = Store(tmp_path, url)
    try:
        store.upgrade()
        with store.engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        store.close()
    newer = Store(tmp_path, url)
    try:
        with pytest.raises(StateFileError, match=r"has a schema this brokerplex does not know .*upgrade brokerplex"):
            newer.upgrade()
    finally:
        newer.close()


def test_a_reused_client_order_id_is_refused_on_either_database(tmp_path: Path, url: str | None) -> None:
    store = Store(tmp_path, url)
    journal = OrderJournal(store)
    try:
        journal.record_intent("once", "p1", "paper", "{}", client="CL1")
        with pytest.raises(InputError, match="'once' was used before"):
            journal.record_intent("once", "p1", "paper", "{}")
        journal.record_outcome("once", JournalState.SENT, order_id="77")
        found = journal.by_order_id("p1", "77")
        assert found is not None
        assert (found.client, found.state) == ("CL1", JournalState.SENT)
    finally:
        journal.close()
        store.close()


def test_a_wrong_secret_key_is_named_with_the_way_out(cli: Cli) -> None:
    ok(cli("activate", "zerodha", "z1", "-o", "api_key=kitekey", "-o", f"api_secret={SECRET}"))
    ok(cli("activate", "paper", "p1"))
    other = {"BROKERPLEX_SECRET_KEY": Fernet.generate_key().decode()}
    line = one_line_error(cli("orders", "z1", env=other), 1)
    assert line == ("error: the secret settings of account 'z1' cannot be decrypted with the secret key in "
                    "$BROKERPLEX_SECRET_KEY: use the key they were stored with")
    listed = data(cli("accounts", "--json", env=other))
    assert [row["account"] for row in listed] == ["p1", "z1"]  # the others stay usable
    ok(cli("orders", "p1", env=other))


def test_a_database_file_that_is_not_one_is_named_and_left_as_it_is(cli: Cli, home: Path) -> None:
    home.mkdir(parents=True)
    (home / "brokerplex.db").write_bytes(b"not a database" * 100)
    line = one_line_error(cli("accounts"), 1)
    assert line.startswith(f"error: the database sqlite:///{home / 'brokerplex.db'} cannot be used: ")
    assert "file is not a database" in line
    assert (home / "brokerplex.db").read_bytes() == b"not a database" * 100


def test_a_database_url_is_checked_before_use(cli: Cli) -> None:
    line = one_line_error(cli("--database", "mysql://u:hunter2@host/db", "accounts"), 2)
    assert "is not supported: give sqlite:///FILE or postgresql://USER@HOST/NAME" in line
    assert "hunter2" not in line
    assert "is not a URL" in one_line_error(cli("--database", "::nonsense", "accounts"), 2)


def test_db_upgrade_says_what_it_did(cli: Cli, url: str | None) -> None:
    env = {"BROKERPLEX_DATABASE": url} if url else {}
    first = data(cli("db", "upgrade", "--json", env=env))
    assert (first["from"], first["to"]) == (None, database.HEAD_REVISION)
    assert "up to date" in ok(cli("db", "upgrade", env=env)).stdout
