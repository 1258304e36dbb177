"""Every API test runs against ``brokerplex serve`` in a child process, once on SQLite (the default store
under the home) and once on PostgreSQL (a fresh database on the session's server)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from apiserver import ApiServer
from brokerplex.manager import BrokerManager
from brokerplex_xts_client.sim import XtsSimulator

Start = Callable[..., ApiServer]


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> str | None:
    """The store's URL: None for the SQLite file under the home, else a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def start_server(home: Path, database: str | None) -> Iterator[Start]:
    """``start_server(*serve_args, env=…)``: a server on this test's home and database; stopped (SIGTERM)
    afterwards, which must end it cleanly."""
    started: list[ApiServer] = []

    def start(*args: str, env: dict[str, str] | None = None) -> ApiServer:
        server = ApiServer.start(home, database, *args, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        assert server.stop() == 0, server.child.stderr.rest()


@pytest.fixture
def paper_accounts(home: Path, database: str | None) -> tuple[str, str]:
    """Two paper accounts, p1 and p2, activated in the store the server will use."""
    with BrokerManager(home, database=database) as manager:
        for name in ("p1", "p2"):
            manager.activate("paper", name, {"tick_interval": "0.05"})
    return "p1", "p2"


@pytest.fixture
def api(start_server: Start, paper_accounts: tuple[str, str]) -> ApiServer:
    """A server with the paper accounts p1 and p2."""
    return start_server()


@pytest.fixture
def xts(tmp_path: Path) -> Iterator[XtsSimulator]:
    """The XTS simulator (investor and dealer logins)."""
    with XtsSimulator(state_dir=tmp_path / "xts-sim", seed=1) as simulator:
        yield simulator


@pytest.fixture
def dealer(api: ApiServer, xts: XtsSimulator) -> httpx.Client:
    """An admin's client with the XTS dealer account d1, activated and logged in through the API."""
    admin = api.client(api.key("root"))
    codes = list(xts.account("dealer")["client_codes"])
    created = admin.post("/accounts", json={"name": "d1", "broker": "xts_pro",
                                            "settings": xts.settings("dealer", client_code=codes[0])})
    assert created.status_code == 201, created.text
    logged = admin.post("/accounts/d1/login")
    assert logged.status_code == 200, logged.text
    assert logged.json()["user_id"] == xts.account("dealer")["user_id"]
    return admin
