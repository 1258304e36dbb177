"""``brokerplex serve --demo`` as a first look in the browser: its admin signs in through the form with the
password of the first line, and the broker connections page shows the demo's accounts logged in; the API
answers on each (the Kite and XTS simulators are child processes). A stop ends it all and removes the
temporary home."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from apiserver import ApiServer
from browser import screenshot
from processes import Child

STARTUP_SECONDS = 120.0  # two simulators, four accounts and their logins, on a loaded machine
ACCOUNTS = {"paper": "paper", "kite": "zerodha", "xts": "xts_client", "dealer": "xts_pro"}


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[ApiServer, dict[str, Any]]]:
    """The demo's server and its first line; stopped with SIGTERM afterwards, its temporary home gone."""
    env = {**os.environ, "BROKERPLEX_HOME": str(tmp_path / "not-the-demo-home")}  # a home it must not use
    env.pop("BROKERPLEX_DATABASE", None)
    child = Child("serve", "--demo", "--port", "0", env=env)
    try:
        _, line = child.stdout.wait_for(lambda text: text.startswith("{"), timeout=STARTUP_SECONDS)
    except AssertionError:
        child.stop()
        raise AssertionError(f"the demo did not start: {child.stderr.rest()}") from None
    first = json.loads(line)
    home = Path(first["home"])
    yield ApiServer(child, str(first["url"]), home, None, env), first
    assert child.stop(signal.SIGTERM) == 0, child.stderr.rest()
    assert not home.exists()


@pytest.fixture
def console(demo: tuple[ApiServer, dict[str, Any]]) -> ApiServer:
    """The server the page opens: the demo's (instead of the usual paper server)."""
    return demo[0]


def test_the_demo_admin_signs_in_and_its_accounts_are_logged_in(
        page: Page, demo: tuple[ApiServer, dict[str, Any]], tmp_path: Path) -> None:
    server, first = demo
    assert first["user"] == "admin"
    assert first["accounts"] == sorted(ACCOUNTS)
    assert Path(first["home"]) != tmp_path / "not-the-demo-home"
    assert first["admin_password"] in server.child.stderr.wait_for(lambda text: "sign in as admin" in text)[1]

    page.goto("/")
    form = page.get_by_role("form", name="Sign in")
    form.get_by_role("textbox", name="User name").fill("admin")
    form.get_by_label("Password").fill(first["admin_password"])
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/brokers")  # a load of its own: the session cookie held on plain HTTP
    expect(page.get_by_role("heading", name="Broker connections", exact=True)).to_be_visible()
    accounts = page.get_by_role("table", name="Accounts")
    for account in ACCOUNTS:
        expect(accounts.get_by_label(f"Session of {account}: live")).to_be_visible()
    screenshot(page, "demo-broker-connections")

    api = page.context.request  # the signed-in browser's cookie
    rows = {row["account"]: row for row in api.get("/api/v1/accounts").json()}
    assert {name: row["broker"] for name, row in rows.items()} == ACCOUNTS
    for account in ACCOUNTS:
        assert api.get(f"/api/v1/accounts/{account}/profile").ok, account
    clients = api.get("/api/v1/accounts/dealer/clients")
    assert clients.ok
    assert len(clients.json()) >= 2  # a dealer with its client codes
    quotes = api.get("/api/v1/accounts/kite/quotes", params={"symbols": "NSE:INFY"})
    assert quotes.ok, quotes.text()
    assert quotes.json()["NSE:INFY"]["last_price"]
