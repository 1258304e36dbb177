"""Each account's session state in ``GET /accounts`` and ``GET /accounts/{account}``: ``none`` before a login,
``live`` until it ends (Kite: the next 06:00 IST; XTS: the end of the IST day; paper: always, no end),
``expired`` after; read from the store, so a session stored by another process counts at once. A redirect
login begun with ``return_to`` sends the browser back to that page of the console, saying how it went."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from apiserver import ApiServer
from brokerplex.formats import IST
from brokerplex.store import Store
from brokerplex_server.auth.principal import Role
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_zerodha.session import session_expiry
from brokerplex_zerodha.sim import KiteSimulator

SECRET = "kite_sim_secret"
pytestmark = pytest.mark.parametrize("database", [None])  # the store is read through the library: SQLite


@pytest.fixture
def kite_sim(api: ApiServer, tmp_path: Path) -> Iterator[KiteSimulator]:
    with KiteSimulator(state_dir=tmp_path / "kite", api_secret=SECRET,
                       redirect_url=f"{api.url}/api/v1/accounts/z1/login/callback") as simulator:
        yield simulator


@pytest.fixture
def admin(api: ApiServer, kite_sim: KiteSimulator, xts: XtsSimulator) -> httpx.Client:
    """An admin's client; accounts p1, p2 (paper), z1 (Kite simulator) and x1 (XTS investor), none logged in."""
    client = api.client(api.key("root"))
    for name, broker, settings in (
            ("z1", "zerodha", {"api_key": kite_sim.api_key, "api_secret": SECRET, "root": kite_sim.rest,
                               "ws_root": kite_sim.ws, "login_url": kite_sim.login,
                               "redirect_url": f"{api.url}/api/v1/accounts/z1/login/callback"}),
            ("x1", "xts_client", xts.settings("investor"))):
        created = client.post("/accounts", json={"name": name, "broker": broker, "settings": settings})
        assert created.status_code == 201, created.text
    return client


def sessions(client: httpx.Client) -> dict[str, dict[str, Any]]:
    listed = client.get("/accounts")
    assert listed.status_code == 200, listed.text
    return {row["account"]: row["session"] for row in listed.json()}


def when(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def test_states_before_and_after_a_login(api: ApiServer, admin: httpx.Client, kite_sim: KiteSimulator) -> None:
    assert sessions(admin) == {"p1": {"state": "live", "expires_at": None}, "p2": {"state": "live", "expires_at": None},
                               "z1": {"state": "none", "expires_at": None}, "x1": {"state": "none", "expires_at": None}}

    logged = admin.post("/accounts/z1/login", json={"params": {"request_token": kite_sim.request_token()}})
    assert logged.status_code == 200, logged.text
    assert admin.post("/accounts/x1/login").status_code == 200
    now = dt.datetime.now(dt.UTC)
    found = sessions(admin)
    assert found["z1"]["state"] == "live"
    kite_ends = when(found["z1"]["expires_at"])
    assert kite_ends is not None
    assert kite_ends == session_expiry(now) or kite_ends == session_expiry(now - dt.timedelta(minutes=5))
    assert kite_ends.astimezone(IST).time() == dt.time(6, 0)
    assert found["x1"]["state"] == "live"
    xts_ends = when(found["x1"]["expires_at"])
    assert xts_ends is not None
    assert xts_ends.astimezone(IST).time() == dt.time(0, 0)
    assert now < xts_ends <= now + dt.timedelta(days=1)
    assert admin.get("/accounts/z1").json()["session"] == found["z1"]


def test_a_session_past_its_end_is_expired(api: ApiServer, admin: httpx.Client, kite_sim: KiteSimulator) -> None:
    assert admin.post("/accounts/z1/login", json={"params": {"request_token": kite_sim.request_token()}}
                      ).status_code == 200
    assert admin.post("/accounts/x1/login").status_code == 200
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    store = Store(api.home, api.database)  # as another process whose stored sessions are a day old
    try:
        kite = store.session("z1")
        kite.save({**kite.load(), "expires_at": session_expiry(yesterday - dt.timedelta(days=1)).isoformat()})
        xts = store.session("x1")
        xts.save({**xts.load(), "day": yesterday.astimezone(IST).date().isoformat()})
    finally:
        store.close()
    found = sessions(admin)
    assert found["z1"]["state"] == "expired"
    assert when(found["z1"]["expires_at"]) == session_expiry(yesterday - dt.timedelta(days=1))
    assert found["x1"]["state"] == "expired"
    assert when(found["x1"]["expires_at"]) == dt.datetime.combine(dt.datetime.now(IST).date(), dt.time(), tzinfo=IST)


def test_a_viewer_sees_the_state_of_the_accounts_granted_only(api: ApiServer, admin: httpx.Client) -> None:
    viewer = api.client(api.key("watcher", role=Role.VIEWER, accounts=("p1",)))
    assert sessions(viewer) == {"p1": {"state": "live", "expires_at": None}}
    assert viewer.get("/accounts/p1").json()["session"] == {"state": "live", "expires_at": None}
    refused = viewer.get("/accounts/z1")
    assert refused.status_code == 403
    assert refused.json()["error"]["type"] == "PermissionDenied"


def test_a_redirect_login_returns_to_the_page_it_began_on(api: ApiServer, admin: httpx.Client) -> None:
    begun = admin.post("/accounts/z1/login", json={"return_to": "/accounts?tab=brokers"})
    assert begun.status_code == 200, begun.text
    with httpx.Client(timeout=30) as browser:  # the broker's redirect carries no API key
        at_kite = browser.get(begun.json()["login_url"])
        assert at_kite.status_code == 302
        back = browser.get(at_kite.headers["location"])
        assert back.status_code == 303, back.text
        assert back.headers["location"] == "/accounts?tab=brokers&login=ok&account=z1"
        again = browser.get(at_kite.headers["location"])  # a state is taken once
        assert again.status_code == 403
        assert again.json()["error"]["type"] == "PermissionDenied"
    assert sessions(admin)["z1"]["state"] == "live"

    cancelled = admin.post("/accounts/z1/login", json={"return_to": "/accounts"}).json()
    state = parse_qs(parse_qs(urlsplit(cancelled["login_url"]).query)["redirect_params"][0])["state"][0]
    with httpx.Client(timeout=30) as browser:
        refused = browser.get(cancelled["callback_url"], params={"state": state, "status": "cancelled"})
    assert refused.status_code == 303
    assert refused.headers["location"] == "/accounts?login=failed&error=InputError&account=z1"


def test_return_to_must_be_a_page_of_this_site(admin: httpx.Client) -> None:
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example", "accounts", "/a b"):
        refused = admin.post("/accounts/z1/login", json={"return_to": elsewhere})
        assert refused.status_code == 422, elsewhere
        assert refused.json()["error"]["type"] == "InputError"
