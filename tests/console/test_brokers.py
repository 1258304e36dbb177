"""Broker connections in the console: an admin adds a Kite account through the form made from the plugin's
settings (the secret a password field, never shown again) and logs it in through Kite's redirect and back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from apiserver import ApiServer
from brokerplex_zerodha.sim import KiteSimulator
from browser import screenshot

SECRET = "kite-sim-secret-never-shown"


@pytest.fixture
def kite_sim(console: ApiServer, tmp_path: Path) -> Iterator[KiteSimulator]:
    """A Kite simulator whose app redirects to the console's server, for account z1."""
    simulator = KiteSimulator(state_dir=tmp_path / "kite", api_secret=SECRET,
                              redirect_url=f"{console.url}/api/v1/accounts/z1/login/callback").start()
    try:
        yield simulator
    finally:
        simulator.stop()


def test_an_admin_adds_a_kite_account_and_logs_it_in_through_the_redirect(admin_page: Page,
                                                                           kite_sim: KiteSimulator,
                                                                           console: ApiServer) -> None:
    page = admin_page
    page.get_by_role("link", name="Broker connections").click()
    expect(page.get_by_role("table", name="Installed brokers")).to_contain_text("Zerodha Kite Connect")
    form = page.get_by_role("form", name="Add an account")
    form.get_by_role("textbox", name="Broker").click()
    page.get_by_role("option", name="Zerodha Kite Connect (zerodha)").click()
    form.get_by_role("textbox", name="Account name").fill("z1")
    form.get_by_role("textbox", name="Api key").fill(kite_sim.api_key)
    secret = form.get_by_label("Api secret")
    expect(secret).to_have_attribute("type", "password")  # a secret is typed unseen
    secret.fill(SECRET)
    form.get_by_role("textbox", name="Root", exact=True).fill(kite_sim.rest)
    form.get_by_role("textbox", name="Ws root").fill(kite_sim.ws)
    form.get_by_role("textbox", name="Login url").fill(kite_sim.login)
    form.get_by_role("textbox", name="Redirect url").fill(f"{console.url}/api/v1/accounts/z1/login/callback")
    form.get_by_role("button", name="Add account").click()

    accounts = page.get_by_role("table", name="Accounts")
    expect(accounts.get_by_role("row").filter(has_text="z1")).to_contain_text("zerodha")
    expect(page.get_by_label("Session of z1: none")).to_be_visible()  # not logged in yet: a prompt to
    assert SECRET not in page.content()  # never shown again
    screenshot(page, "broker-connections")

    page.get_by_role("button", name="Log in z1").click()  # to Kite's login page, and back through the server
    expect(page.get_by_role("status").filter(has_text="z1 logged in")).to_be_visible()
    expect(page.get_by_label("Session of z1: live")).to_be_visible()
    expect(page.get_by_role("table", name="Accounts").get_by_role("row").filter(has_text="z1")).to_contain_text("until")
    assert SECRET not in page.content()
    screenshot(page, "broker-connections-logged-in")
