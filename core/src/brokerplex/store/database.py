"""Which database, its engine, and bringing its schema up to date (Alembic) before first use.

The URL comes from ``--database``, else ``BROKERPLEX_DATABASE``, else a SQLite file under the home
folder. Every process (CLI, ``serve`` workers, the hub) upgrades the schema on open if it is behind;
concurrent openers take a lock (a file lock for SQLite, an advisory lock on PostgreSQL), so that one
migrates and the others find it done.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from brokerplex.errors import InputError
from brokerplex.storage import StateFileError

ENV_DATABASE = "BROKERPLEX_DATABASE"
SQLITE_FILE = "brokerplex.db"
HEAD_REVISION = "0001"  # the newest migration under migrations/versions (a test checks they agree)
_ADVISORY_LOCK = 0x62726F6B  # "brok": one migrator at a time on a PostgreSQL server


def database_url(home: Path, url: str | None = None) -> str:
    """``url``, else ``$BROKERPLEX_DATABASE``, else the SQLite file under ``home``."""
    chosen = url or os.environ.get(ENV_DATABASE)
    if chosen:
        return chosen
    return f"sqlite:///{home / SQLITE_FILE}"


def shown(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable URL)"


def create(url: str) -> Engine:
    """An engine for ``url``: SQLite (WAL, foreign keys) or PostgreSQL through psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(f"the database URL {shown(url)} is not a URL: give sqlite:///FILE or "
                         "postgresql://USER@HOST/NAME") from None
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return _engine(parsed, pool_pre_ping=True)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise InputError(f"the database URL {shown(url)} is not supported: give sqlite:///FILE or "
                         "postgresql://USER@HOST/NAME")
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # SQLite gives its -wal and -shm files these modes
    engine = _engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _engine(url: sa.URL, **options: Any) -> Engine:
    try:
        return sa.create_engine(url, **options)
    except NoSuchModuleError:
        raise InputError(f"no database driver for {url.drivername}: install brokerplex[postgres]") from None


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    # WAL: readers never wait for the one writer. NORMAL: commits survive a crash of the process; the
    # order journal syncs what it must to survive a power cut itself (OrderJournal.sync).
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite store (None on PostgreSQL)."""
    database = engine.url.database
    return Path(database) if engine.url.get_backend_name() == "sqlite" and database else None


def revision(connection: Connection) -> str | None:
    """The schema's Alembic revision; None for an empty database."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def unreachable(engine: Engine, exc: DBAPIError) -> StateFileError:
    """A database that cannot be opened, named without its password."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    return StateFileError(f"the database {shown(str(engine.url))} cannot be used: {reason}",
                          path=sqlite_file(engine))


@contextlib.contextmanager
def migration_lock(engine: Engine, connection: Connection) -> Iterator[None]:
    """Held while one process migrates: a file lock beside a SQLite file, an advisory lock on PostgreSQL."""
    path = sqlite_file(engine)
    if path is None:
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_LOCK})
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_LOCK})
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def upgrade(connection: Connection) -> None:
    """Run Alembic's migrations up to the newest on ``connection`` (imported only when needed)."""
    from alembic import command
    from alembic.config import Config
    from alembic.util.exc import CommandError

    config = Config()
    config.set_main_option("script_location", "brokerplex.store:migrations")
    config.attributes["connection"] = connection
    try:
        command.upgrade(config, "head")
    except CommandError as error:  # a revision this code does not know: a newer brokerplex migrated it
        raise StateFileError(f"the database {shown(str(connection.engine.url))} has a schema this brokerplex does "
                             f"not know ({error}): upgrade brokerplex", path=sqlite_file(connection.engine)) from None
