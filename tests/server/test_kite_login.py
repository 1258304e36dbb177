"""A Kite login finished by the server itself: ``POST …/login`` answers Kite's login URL, the Kite simulator
redirects the browser to the server's callback, which takes only the state it sealed, once; then a Kite
order through the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from apiserver import ApiServer
from brokerplex.testing.harness import eventually
from brokerplex_zerodha.sim import KiteSimulator

SECRET = "kite_sim_secret"


@pytest.fixture
def kite_sim(api: ApiServer, tmp_path: Path) -> Iterator[KiteSimulator]:
    """A Kite simulator whose app redirects to the server's callback for account z1."""
    simulator = KiteSimulator(state_dir=tmp_path / "kite", api_secret=SECRET,
                              redirect_url=f"{api.url}/api/v1/accounts/z1/login/callback").start()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def admin(api: ApiServer, kite_sim: KiteSimulator) -> httpx.Client:
    """An admin's client, with account z1 activated through the API at the Kite simulator."""
    client = api.client(api.key("root"))
    created = client.post("/accounts", json={"name": "z1", "broker": "zerodha", "settings": {
        "api_key": kite_sim.api_key, "api_secret": SECRET, "root": kite_sim.rest, "ws_root": kite_sim.ws,
        "login_url": kite_sim.login, "redirect_url": f"{api.url}/api/v1/accounts/z1/login/callback", "timeout": 5}})
    assert created.status_code == 201, created.text
    return client


def begin(admin: httpx.Client) -> dict[str, Any]:
    begun = admin.post("/accounts/z1/login")
    assert begun.status_code == 200, begun.text
    found: dict[str, Any] = begun.json()
    return found


def test_the_login_completes_through_the_callback_and_a_kite_order_follows(
        api: ApiServer, kite_sim: KiteSimulator, admin: httpx.Client) -> None:
    assert admin.get("/accounts/z1/profile").status_code == 503  # not logged in yet: log in again
    begun = begin(admin)
    assert begun["login_url"].startswith(f"{kite_sim.login}?api_key={kite_sim.api_key}")
    assert begun["callback_url"] == f"{api.url}/api/v1/accounts/z1/login/callback"

    with httpx.Client(follow_redirects=True) as browser:  # no API key: Kite's redirect carries none
        landed = browser.get(begun["login_url"])
    assert landed.status_code == 200, landed.text
    assert str(landed.url).startswith(begun["callback_url"])
    assert landed.json()["user_id"] == kite_sim.user_id
    assert admin.get("/accounts/z1/profile").json()["user_id"] == kite_sim.user_id

    placed = admin.post("/accounts/z1/orders", json={"symbol": "NSE:INFY", "side": "BUY", "quantity": 2})
    assert placed.status_code == 200, placed.text
    order_id = placed.json()["order_id"]

    def completed() -> dict[str, Any] | None:
        found: dict[str, Any] = admin.get(f"/accounts/z1/orders/{order_id}").json()
        return found if found["status"] == "COMPLETE" else None

    assert eventually(completed, 15.0) is not None
    assert [o["order_id"] for o in admin.get("/accounts/z1/orders").json()] == [order_id]
    assert kite_sim.exchange.orders(kite_sim.user_id)[0].order_id == order_id  # the truth, at the simulator


def test_an_order_whose_reply_is_lost_is_a_409_until_reconcile_finds_it_never_resent(
        api: ApiServer, kite_sim: KiteSimulator, admin: httpx.Client) -> None:
    with httpx.Client(follow_redirects=True) as browser:
        assert browser.get(begin(admin)["login_url"]).status_code == 200
    kite_sim.lose_next_order_reply()
    kite_sim.faults.refuse("books", times=None)  # and the lookup after it fails: the outcome stays unknown
    lost = admin.post("/accounts/z1/orders", json={"symbol": "NSE:INFY", "side": "BUY", "quantity": 1,
                                                  "client_order_id": "lostreply1"})
    assert lost.status_code == 409, lost.text
    error = lost.json()["error"]
    assert (error["type"], error["outcome_known"]) == ("OutcomeUnknownError", False)
    assert "lostreply1" in error["message"]
    assert [o["client_order_id"] for o in admin.get("/accounts/z1/unresolved-orders").json()] == ["lostreply1"]

    kite_sim.faults.clear()
    settled = admin.post("/accounts/z1/reconcile")
    assert settled.status_code == 200, settled.text
    (row,) = settled.json()
    assert (row["client_order_id"], row["was"], row["now"]) == ("lostreply1", "UNKNOWN", "SENT")
    assert admin.get("/accounts/z1/unresolved-orders").json() == []
    assert [o["order_id"] for o in admin.get("/accounts/z1/orders").json()] == [row["order_id"]]
    assert len(kite_sim.exchange.orders(kite_sim.user_id)) == 1  # sent once


def test_the_callback_takes_only_a_state_it_sealed_for_that_account_and_only_once(
        api: ApiServer, kite_sim: KiteSimulator, admin: httpx.Client) -> None:
    begun = begin(admin)
    with httpx.Client(follow_redirects=False) as browser:
        redirect = browser.get(begun["login_url"])
        assert redirect.status_code == 302
        callback = redirect.headers["location"]
        query = parse_qs(urlsplit(callback).query)
        token = query["request_token"][0]
        base = f"{api.url}/api/v1/accounts/z1/login/callback"
        forged = [{"request_token": token, "status": "success"},
                  {"request_token": token, "status": "success", "state": "forged"},
                  {"request_token": token, "status": "success", "redirect_params": "state=forged"}]
        for params in forged:
            refused = browser.get(base, params=params)
            assert refused.status_code == 403, refused.text
            assert refused.json()["error"]["type"] == "PermissionDenied"
        other = browser.get(f"{api.url}/api/v1/accounts/p1/login/callback", params=query)  # z1's state
        assert other.status_code == 403
        assert browser.get(callback).status_code == 200
        again = browser.get(callback)  # a state comes back once
        assert again.status_code == 403


def test_the_api_secret_is_never_shown(api: ApiServer, admin: httpx.Client) -> None:
    for path in ("/accounts", "/accounts/z1"):
        shown = admin.get(path)
        assert shown.status_code == 200
        assert SECRET not in shown.text
    listed = {row["account"]: row for row in admin.get("/accounts").json()}
    assert listed["z1"]["broker"] == "zerodha"
    assert listed["z1"]["settings"]["api_secret"] != SECRET
    assert SECRET not in begin(admin)["login_url"]
