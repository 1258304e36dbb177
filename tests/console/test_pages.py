"""Every page of the console, as an admin sees it on a desktop (1280×800) and on a phone (390 px wide), in
the light and the dark theme: each shows its heading and controls, and is kept as a screenshot."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser import DESKTOP, PHONE, screenshot
from console_steps import add_symbol, open_ticket

PAGES = [  # link name, heading, screenshot name
    ("Market watch", "Market watch", "market-watch"),
    ("Orders", "Orders and trades", "orders"),
    ("Portfolio", "Portfolio", "portfolio"),
    ("Option chain", "Option chain", "option-chain"),
    ("Broker connections", "Broker connections", "brokers"),
    ("Admin", "Admin", "admin"),
]


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_every_page_shows_at_desktop_and_phone_sizes(admin_page: Page, size: str, viewport: dict[str, int]) -> None:
    page = admin_page
    add_symbol(page, "infy", "NSE:INFY")
    page.set_viewport_size(viewport)
    for link, heading, name in PAGES:
        if size == "phone":
            page.get_by_role("button", name="Navigation").click()
        page.get_by_role("navigation", name="Pages").get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        if name == "market-watch":
            expect(page.get_by_role("figure", name="Candle chart of NSE:INFY")).to_have_attribute("aria-busy", "false")
        expect(page.get_by_role("banner").get_by_role("status", name="Feed of p1: live")).to_be_visible()
        screenshot(page, f"page-{name}-{size}")


def test_the_dark_theme_and_the_ticket_on_a_phone(admin_page: Page) -> None:
    page = admin_page
    add_symbol(page, "infy", "NSE:INFY")
    page.get_by_role("button", name="Switch to dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "dark")
    screenshot(page, "market-watch-dark")
    page.set_viewport_size(PHONE)
    ticket = open_ticket(page, "NSE:INFY")
    expect(ticket.get_by_role("button", name="Place buy order")).to_be_visible()
    screenshot(page, "order-ticket-phone-dark")
    page.get_by_role("button", name="Close order ticket").click()  # on a phone the ticket covers the page
    page.get_by_role("button", name="Switch to light theme").click()
    expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", "light")
