"""Who may do what, as the console shows it and as the API enforces it: a viewer reads, never trades; a
session that ends under a half-typed order keeps the order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

from browser import PageErrors, screenshot
from console_steps import add_symbol, open_ticket

if TYPE_CHECKING:
    from tests.console.conftest import Person


def test_a_viewer_sees_no_order_ticket_and_the_api_refuses_the_viewers_order(viewer_page: Page,
                                                                              page_errors: PageErrors) -> None:
    page = viewer_page
    add_symbol(page, "infy", "NSE:INFY")
    expect(page.get_by_role("button", name="Buy NSE:INFY")).to_have_count(0)
    expect(page.get_by_role("button", name="Sell NSE:INFY")).to_have_count(0)
    page.get_by_role("table", name="Watch list").click()
    page.keyboard.press("b")  # the buy key opens nothing for a viewer
    expect(page.get_by_role("form", name="Order ticket")).to_have_count(0)
    page.get_by_role("link", name="Orders").click()
    expect(page.get_by_role("button", name="Cancel all open orders")).to_have_count(0)
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    screenshot(page, "viewer-orders")

    # What the console does not offer, the API refuses: the viewer's own session, with its CSRF token.
    csrf = page.context.request.get("/api/v1/session").json()["csrf_token"]
    refused = page.context.request.post("/api/v1/accounts/p1/orders", headers={"X-CSRF-Token": csrf},
                                        data={"symbol": "NSE:INFY", "side": "BUY", "quantity": 1})
    assert refused.status == 403, refused.text()
    assert refused.json()["error"]["type"] == "PermissionDenied"


def test_a_trader_buys_with_the_keyboard(trader_page: Page) -> None:
    page = trader_page
    add_symbol(page, "reliance", "NSE:RELIANCE")
    page.get_by_role("table", name="Watch list").click()
    page.keyboard.press("s")
    ticket = page.get_by_role("form", name="Order ticket")
    expect(ticket.get_by_role("radio", name="Sell")).to_be_checked()
    expect(ticket.get_by_role("button", name="Place sell order")).to_be_visible()


def test_a_session_that_ends_keeps_the_typed_order(trader_page: Page, people: dict[str, Person],
                                                  page_errors: PageErrors) -> None:
    page = trader_page
    trader = people["trader"]
    add_symbol(page, "infy", "NSE:INFY")
    ticket = open_ticket(page, "NSE:INFY")
    ticket.get_by_role("radio", name="LIMIT").check()
    ticket.get_by_role("textbox", name="Price").fill("1400")
    quantity = ticket.get_by_role("textbox", name="Quantity", exact=True)

    # The session ends at the server (signed out elsewhere): the page's next calls are refused (the margin
    # below, and any read still under way, such as the chart's history).
    page_errors.expect_refusal(401, "/api/v1/accounts/p1/")
    csrf = page.context.request.get("/api/v1/session").json()["csrf_token"]
    assert page.context.request.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status == 204
    quantity.fill("7")  # the ticket asks the margin of the new quantity: 401

    overlay = page.get_by_role("dialog", name="Your session ended: sign in again")
    expect(overlay).to_be_visible()
    screenshot(page, "session-ended")
    overlay.get_by_label("Password").fill(trader.password)
    overlay.get_by_role("button", name="Sign in").click()
    expect(overlay).to_be_hidden()
    expect(quantity).to_have_value("7")  # the ticket was never unmounted
    expect(ticket.get_by_role("textbox", name="Price")).to_have_value("1400")

