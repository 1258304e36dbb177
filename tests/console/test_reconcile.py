"""An order whose outcome is unknown (the broker acted, its reply was lost): the ticket says so in place and
never offers to resend; the order book marks it UNKNOWN with the reconcile action, which settles it."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from apiserver import ApiServer
from brokerplex_zerodha.sim import KiteSimulator
from browser import PageErrors, screenshot
from console_steps import add_symbol, open_ticket


def test_an_order_with_a_lost_reply_is_marked_unknown_and_reconciled(
        console: ApiServer, kite_sim: KiteSimulator, kite_settings: dict[str, str], admin_page: Page,
        page_errors: PageErrors) -> None:
    # The simulator before the page: the page then closes (and is checked) before the simulator stops.
    admin = console.client(console.key("kite-setup"))
    created = admin.post("/accounts", json={"name": "kite", "broker": "zerodha", "settings": kite_settings})
    assert created.status_code == 201, created.text
    begun = admin.post("/accounts/kite/login").json()
    with httpx.Client(follow_redirects=True) as browser:  # Kite's login page and back to the server's callback
        assert browser.get(begun["login_url"]).status_code == 200

    page = admin_page
    page.reload()  # the account list now has kite
    page.get_by_role("textbox", name="Account", exact=True).click()
    page.get_by_role("option", name="kite", exact=True).click()
    add_symbol(page, "infy", "NSE:INFY")
    ticket = open_ticket(page, "NSE:INFY")
    expect(ticket.get_by_role("status", name="Required margin")).not_to_contain_text("—")

    kite_sim.lose_next_order_reply()
    kite_sim.faults.refuse("books", times=None)  # and the lookup after it fails: the outcome stays unknown
    page_errors.expect_refusal(409, "/api/v1/accounts/kite/orders")
    ticket.get_by_role("button", name="Place buy order").click()
    problem = ticket.get_by_role("alert")
    expect(problem).to_contain_text("OutcomeUnknownError: the outcome is not known")
    expect(problem).to_contain_text("Reconcile the account before sending it again.")
    screenshot(page, "order-outcome-unknown")
    kite_sim.faults.clear()
    page.get_by_role("button", name="Close order ticket").click()

    page.get_by_role("link", name="Orders").click()
    unknown = page.get_by_role("region", name="Orders with an unknown outcome")
    expect(unknown).to_contain_text("UNKNOWN")
    expect(unknown).to_contain_text("BUY 1 NSE:INFY")
    book = page.get_by_role("table", name="Order book")  # the broker's own book has it: marked there too
    expect(book.get_by_role("row", name="BUY NSE:INFY COMPLETE")).to_contain_text("UNKNOWN")
    screenshot(page, "orders-unknown")
    unknown.get_by_role("button", name="Reconcile").click()
    expect(unknown.get_by_role("status")).to_contain_text("UNKNOWN → SENT")
    expect(book.get_by_role("row", name="BUY NSE:INFY COMPLETE")).not_to_contain_text("UNKNOWN")
    assert len(kite_sim.exchange.orders(kite_sim.user_id)) == 1  # sent once, never again
