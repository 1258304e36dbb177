"""Real servers the tests start for themselves (``tests/`` is on pytest's path): each on a unix socket in a
temporary folder, stopped afterwards. Nothing here is a fake."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
import redis
from psycopg import sql
from sqlalchemy.engine import make_url

STARTUP_SECONDS = 10.0
POSTGRES_STARTUP_SECONDS = 30.0  # a loaded machine (make test -n 2 among other sessions) starts it slowly
POSTGRES_SETTINGS = {
    "listen_addresses": "",  # no TCP port at all: the unix socket in the cluster's folder only
    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",  # throwaway data: speed over safety
}


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A ``redis-server`` on a unix socket in ``folder``, no persistence; its URL (``unix://…``)."""
    binary = shutil.which("redis-server")
    assert binary is not None, "redis-server is not installed: `make test` installs it (apt-get)"
    socket, log = folder / "redis.sock", folder / "redis.log"
    process = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700", "--save", "",
         "--appendonly", "no", "--dir", str(folder), "--logfile", str(log)], stdout=subprocess.DEVNULL)
    try:
        url = f"unix://{socket}"
        _wait_until_answering(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise AssertionError(f"redis-server exited: {log.read_text() if log.exists() else ''}")
        try:
            with redis.Redis.from_url(url) as client:
                client.ping()
                return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def postgres_server(folder: Path) -> Iterator[str]:
    """A PostgreSQL cluster on a unix socket only, trusting local users, with a database ``brokerplex``; the
    SQLAlchemy URL of that database (``postgresql+psycopg://postgres@/brokerplex?host=<socket folder>``)."""
    binaries = _postgres_binaries()
    home, scratch = _cluster_home(folder)
    try:
        with _postgres_running(binaries, home) as sockets:
            yield _postgres_url("brokerplex", str(sockets))
    finally:
        if scratch:
            shutil.rmtree(home, ignore_errors=True)


@contextmanager
def _postgres_running(binaries: Path, home: Path) -> Iterator[Path]:
    """A new cluster in ``home``, running, with a database ``brokerplex``; its socket folder."""
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data, sockets, log = home / "data", home / "socket", home / "postgres.log"
    sockets.mkdir()
    if as_postgres:
        account = pwd.getpwnam("postgres")
        for path in (home, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
    initdb = subprocess.run(
        [*as_postgres, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
         "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"],
        cwd=home, capture_output=True, text=True)
    if initdb.returncode != 0:
        raise AssertionError(f"initdb failed: {initdb.stdout}{initdb.stderr}")
    settings = [f"--{name}={value}" for name, value in
                {**POSTGRES_SETTINGS, "unix_socket_directories": str(sockets)}.items()]
    with log.open("wb") as output:
        process = subprocess.Popen([*as_postgres, str(binaries / "postgres"), "-D", str(data), *settings],
                                   cwd=home, stdout=output, stderr=subprocess.STDOUT)
    try:
        with _postgres_ready(sockets, process, log) as admin:
            admin.execute("CREATE DATABASE brokerplex")
        yield sockets
    finally:
        if process.poll() is None:
            subprocess.run([*as_postgres, str(binaries / "pg_ctl"), "stop", "-D", str(data), "-m", "fast"],
                           cwd=home, capture_output=True)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server of ``server_url``, dropped afterwards (its sessions closed); its URL."""
    host = make_url(server_url).query["host"]
    assert isinstance(host, str), "a postgres_server URL names one socket folder"
    name = f"test_{uuid.uuid4().hex}"
    with _admin_connection(host) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _postgres_url(name, host)
    finally:
        with _admin_connection(host) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _postgres_url(database: str, socket_folder: str) -> str:
    return f"postgresql+psycopg://postgres@/{database}?host={quote(socket_folder, safe='/')}"


def _admin_connection(socket_folder: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(host=socket_folder, user="postgres", dbname="postgres", autocommit=True)


def _postgres_binaries() -> Path:
    """The folder with initdb, postgres and pg_ctl: on PATH, else pg_config's, else the newest Debian one."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).parent] if on_path else []
    if pg_config := shutil.which("pg_config"):
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
        candidates += [Path(bindir)] if bindir else []
    candidates += sorted((Path(found) for found in glob.glob("/usr/lib/postgresql/*/bin")),
                         key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0, reverse=True)
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "postgres", "pg_ctl")):
            return folder
    raise AssertionError("PostgreSQL is not installed: `make test` installs it (apt-get)")


def _cluster_home(folder: Path) -> tuple[Path, bool]:
    """Where the cluster lives, and whether it is a scratch folder to remove: ``folder`` when the postgres
    user can reach it (pytest's root-owned temp folders are 0700) and its socket path fits the unix limit."""
    reachable = os.geteuid() != 0 or all(path.stat().st_mode & 0o001 for path in (folder, *folder.parents))
    if reachable and len(str(folder / "cluster" / "socket" / ".s.PGSQL.5432")) < 100:
        home = folder / "cluster"
        home.mkdir()
        return home, False
    return Path(tempfile.mkdtemp(prefix="brokerplex-postgres-", dir="/tmp")), True


@contextmanager
def _postgres_ready(sockets: Path, process: subprocess.Popen[bytes], log: Path,
                    ) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A superuser connection to the maintenance database, once the server accepts one."""
    deadline = time.monotonic() + POSTGRES_STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise AssertionError(f"postgres exited ({process.returncode}): {log.read_text()}")
        try:
            connection = _admin_connection(str(sockets))
            break
        except psycopg.OperationalError as error:
            if time.monotonic() > deadline:
                raise AssertionError(f"postgres did not answer in time ({error}): {log.read_text()}") from error
            time.sleep(0.05)
    with connection:
        yield connection
