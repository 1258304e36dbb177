"""The PostgreSQL the test session starts for itself (tests/servers.py) is the real server, reachable only
through its unix socket, and hands each test a database of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest
import sqlalchemy
from sqlalchemy.engine import Connection

from servers import postgres_database


@contextmanager
def connected(url: str) -> Iterator[Connection]:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def tables(url: str) -> list[str]:
    with connected(url) as connection:
        return sqlalchemy.inspect(connection).get_table_names()


def test_the_session_server_is_postgresql(postgres_url: str) -> None:
    with connected(postgres_url) as connection:
        version = connection.scalar(sqlalchemy.text("SELECT version()"))
        database = connection.scalar(sqlalchemy.text("SELECT current_database()"))
    assert str(version).startswith("PostgreSQL 1"), version
    assert database == "brokerplex"


def test_it_listens_on_its_unix_socket_only(postgres_url: str) -> None:
    socket_folder = sqlalchemy.make_url(postgres_url).query["host"]
    with connected(postgres_url) as connection:
        listen = connection.scalar(sqlalchemy.text("SHOW listen_addresses"))
        sockets = connection.scalar(sqlalchemy.text("SHOW unix_socket_directories"))
        client_address = connection.scalar(sqlalchemy.text("SELECT inet_client_addr()"))
    assert listen == "", "no TCP port"
    assert sockets == socket_folder
    assert client_address is None, "this connection came through the unix socket"


def test_fresh_databases_are_distinct_and_empty(postgres_url: str, fresh_postgres_url: str) -> None:
    with connected(fresh_postgres_url) as connection:
        assert connection.scalar(sqlalchemy.text("SELECT current_database()")).startswith("test_")
        connection.execute(sqlalchemy.text("CREATE TABLE orders (id integer)"))
        connection.commit()
    assert tables(fresh_postgres_url) == ["orders"]

    with postgres_database(postgres_url) as other_url:
        assert sqlalchemy.make_url(other_url).database != sqlalchemy.make_url(fresh_postgres_url).database
        assert tables(other_url) == [], "a new database starts empty, whatever its neighbour holds"


def test_a_database_is_dropped_on_leaving_though_a_session_is_open(postgres_url: str) -> None:
    with ExitStack() as cleanup:
        with postgres_database(postgres_url) as url:
            engine = sqlalchemy.create_engine(url)
            cleanup.callback(engine.dispose)
            session = engine.connect()
            name = session.scalar(sqlalchemy.text("SELECT current_database()"))
        with pytest.raises(sqlalchemy.exc.OperationalError, match="terminating connection"):
            session.scalar(sqlalchemy.text("SELECT 1"))
    with connected(postgres_url) as connection:
        names = connection.scalars(sqlalchemy.text("SELECT datname FROM pg_database")).all()
    assert name not in names
