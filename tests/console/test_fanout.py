"""Fan-out from the order ticket: one order for two client codes of an XTS dealer login, and one order to two
paper accounts, each target's outcome shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from apiserver import ApiServer
from brokerplex_xts_client.sim import XtsSimulator
from browser import screenshot
from console_steps import add_symbol, open_ticket


@pytest.fixture
def dealer_codes(console: ApiServer, xts_sim: XtsSimulator) -> list[str]:
    """Account d1, an XTS dealer login at the simulator, activated and logged in through the API; its client
    codes."""
    admin = console.client(console.key("dealer-setup"))
    codes = list(xts_sim.account("dealer")["client_codes"])
    created = admin.post("/accounts", json={"name": "d1", "broker": "xts_pro",
                                            "settings": xts_sim.settings("dealer", client_code=codes[0])})
    assert created.status_code == 201, created.text
    assert admin.post("/accounts/d1/login").status_code == 200
    return codes


def test_a_dealer_fans_one_order_out_to_two_clients(dealer_codes: list[str], admin_page: Page) -> None:
    # dealer_codes first: the page then closes (and is checked) before the simulator stops under it
    page = admin_page
    page.get_by_role("textbox", name="Account", exact=True).click()
    page.get_by_role("option", name="d1").click()
    add_symbol(page, "infy", "NSE:INFY")
    ticket = open_ticket(page, "NSE:INFY")
    clients = ticket.get_by_role("textbox", name="Clients")
    for code in dealer_codes[:2]:
        clients.click()
        page.get_by_role("option", name=code, exact=True).click()
    expect(ticket.get_by_text("fan-out: one order for each of 2 clients")).to_be_visible()
    expect(ticket.get_by_role("status", name="Required margin")).not_to_contain_text("—")  # looked at before sending
    ticket.get_by_role("button", name="Place buy order").click()
    outcome = ticket.get_by_role("status").filter(has_text="Fan-out sent")
    for code in dealer_codes[:2]:
        expect(outcome).to_contain_text(f"d1 / {code}: order ")
    screenshot(page, "fan-out-clients")
    page.get_by_role("button", name="Close order ticket").click()

    # The dealer's portfolio across its clients: each client's positions, and their total.
    page.get_by_role("link", name="Portfolio").click()
    page.get_by_role("textbox", name="Client", exact=True).click()
    page.get_by_role("option", name="All clients").click()
    for code in dealer_codes[:2]:
        expect(page.get_by_role("table", name=f"Positions of d1 for {code}")).to_contain_text("NSE:INFY")
    expect(page.get_by_text("Net P&L (all)")).to_be_visible()
    screenshot(page, "portfolio-dealer-clients")


def test_an_order_fans_out_to_two_accounts(admin_page: Page) -> None:
    page = admin_page
    add_symbol(page, "infy", "NSE:INFY")
    ticket = open_ticket(page, "NSE:INFY")
    ticket.get_by_role("textbox", name="Also send to accounts").click()
    page.get_by_role("option", name="p2", exact=True).click()
    expect(ticket.get_by_role("status", name="Required margin")).not_to_contain_text("—")
    ticket.get_by_role("button", name="Place buy order").click()
    outcome = ticket.get_by_role("status").filter(has_text="Fan-out sent")
    expect(outcome).to_contain_text("p1: order ")
    expect(outcome).to_contain_text("p2: order ")
