"""What a person does in the console, as steps the browser tests share (found by role and name, as a person
finds them)."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal

from playwright.sync_api import Locator, Page, expect


def add_symbol(page: Page, query: str, symbol: str) -> Locator:
    """Find ``symbol`` by typing ``query`` in the market watch's search and add it; its live price cell."""
    page.get_by_role("link", name="Market watch").click()
    page.get_by_role("textbox", name="Add symbol").fill(query)
    page.get_by_role("option", name=re.compile(f"^{re.escape(symbol)}( |$)")).click()
    price = page.get_by_label(f"{symbol} last price")
    expect(price).not_to_have_text("—")  # the stream's first tick arrived
    return price


def amount(text: str) -> Decimal:
    """A shown amount (Indian grouping, maybe signed) as a Decimal."""
    return Decimal(text.replace(",", "").replace("+", "").strip())


def price_below(last: Decimal, fraction: str, tick: str = "0.05") -> str:
    """A price ``fraction`` of ``last``, on the tick grid: a limit order that rests (inside the circuit limits)."""
    step = Decimal(tick)
    return str(((last * Decimal(fraction)) / step).to_integral_value(ROUND_DOWN) * step)


def open_ticket(page: Page, symbol: str, side: str = "Buy") -> Locator:
    """The order ticket for ``symbol``, opened from its market watch row."""
    page.get_by_role("button", name=f"{side} {symbol}").click()
    ticket = page.get_by_role("form", name="Order ticket")
    expect(ticket).to_be_visible()
    return ticket
