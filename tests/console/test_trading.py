"""Trading in the console against ``brokerplex serve`` and its paper broker: live prices, a limit order placed,
modified and cancelled, a market order whose position and P&L then move with the market."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser import PageErrors, screenshot
from console_steps import add_symbol, amount, open_ticket, price_below


def test_ticks_move_the_market_watch_and_its_depth(trader_page: Page) -> None:
    page = trader_page
    price = add_symbol(page, "infy", "NSE:INFY")
    expect(page.get_by_role("status", name="Feed of p1: live")).to_be_visible()
    first = price.inner_text()
    expect(price).not_to_have_text(first)  # a later tick moved it
    depth = page.get_by_role("table", name="Market depth of NSE:INFY")
    expect(depth.get_by_role("row")).to_have_count(6)  # a header and five levels
    expect(depth.get_by_role("row").nth(1)).not_to_contain_text("—")
    expect(page.get_by_role("figure", name="Candle chart of NSE:INFY")).to_be_visible()
    screenshot(page, "market-watch")


def test_a_limit_order_is_placed_modified_and_cancelled(trader_page: Page) -> None:
    page = trader_page
    last = amount(add_symbol(page, "infy", "NSE:INFY").inner_text())
    ticket = open_ticket(page, "NSE:INFY")
    ticket.get_by_role("radio", name="LIMIT").check()
    price = ticket.get_by_role("textbox", name="Price")
    price.fill("1500.03")  # off the tick grid: the form says why, as the server would
    expect(ticket.get_by_text("price 1500.03 is not a multiple of the tick size 0.05 of NSE:INFY")).to_be_visible()
    expect(ticket.get_by_role("button", name="Place buy order")).to_be_disabled()

    resting = price_below(last, "0.9")
    price.fill(resting)
    ticket.get_by_role("textbox", name="Quantity", exact=True).fill("3")
    expect(ticket.get_by_role("status", name="Required margin")).not_to_contain_text("—")  # asked before sending
    screenshot(page, "order-ticket")
    ticket.get_by_role("button", name="Place buy order").click()
    expect(ticket.get_by_role("status").filter(has_text="Order sent")).to_be_visible()
    page.get_by_role("button", name="Close order ticket").click()

    page.get_by_role("link", name="Orders").click()
    book = page.get_by_role("table", name="Order book")
    row = book.get_by_role("row", name="BUY NSE:INFY OPEN")
    expect(row).to_contain_text(_grouped(resting))
    book.get_by_role("button", name=re.compile("^Modify order")).click()
    moved = price_below(last, "0.85")
    page.get_by_role("textbox", name="New price").fill(moved)
    page.get_by_role("button", name="Save changes").click()
    # The stream's order update shows the new price (Indian grouping)
    expect(row).to_contain_text(_grouped(moved))
    screenshot(page, "orders-modified")

    book.get_by_role("button", name=re.compile("^Cancel order")).click()
    expect(book.get_by_role("row", name="BUY NSE:INFY CANCELLED")).to_be_visible()
    book.get_by_role("button", name=re.compile("^History of order")).click()
    history = page.get_by_role("table", name="Order history")
    expect(history).to_contain_text("CANCELLED")
    expect(history).to_contain_text("OPEN")


def test_a_market_order_makes_a_position_whose_pnl_moves(trader_page: Page) -> None:
    page = trader_page
    add_symbol(page, "infy", "NSE:INFY")
    ticket = open_ticket(page, "NSE:INFY")
    ticket.get_by_role("textbox", name="Quantity", exact=True).fill("50")
    ticket.get_by_role("button", name="Place buy order").click()
    expect(ticket.get_by_role("status").filter(has_text="Order sent")).to_be_visible()
    page.get_by_role("button", name="Close order ticket").click()

    page.get_by_role("link", name="Portfolio").click()
    positions = page.get_by_role("table", name="Positions of p1")
    expect(positions).to_contain_text("NSE:INFY")
    pnl = page.get_by_label("NSE:INFY unrealised P&L")
    first = pnl.inner_text()
    expect(pnl).not_to_have_text(first)  # the next ticks move it
    expect(page.get_by_label("Total unrealised P&L")).not_to_have_text("0.00")
    screenshot(page, "portfolio")

    page.get_by_role("button", name="Exit NSE:INFY CNC").click()
    expect(page.get_by_role("status").filter(has_text="Exit: NSE:INFY")).to_be_visible()


def _grouped(price: str) -> str:
    """``price`` as the console shows it: Indian grouping, two places."""
    whole, _, fraction = f"{amount(price):.2f}".partition(".")
    head, tail = whole[:-3], whole[-3:]
    groups = [head[max(0, end - 2):end] for end in range(len(head), 0, -2)][::-1]
    return ",".join([*groups, tail]) + "." + fraction if head else f"{tail}.{fraction}"


def test_a_large_order_asks_for_confirmation_and_cancel_all_cancels_every_open_order(trader_page: Page) -> None:
    page = trader_page
    last = amount(add_symbol(page, "infy", "NSE:INFY").inner_text())
    ticket = open_ticket(page, "NSE:INFY")
    ticket.get_by_role("textbox", name="Confirm orders worth more than").fill("10000")
    ticket.get_by_role("radio", name="LIMIT").check()
    ticket.get_by_role("textbox", name="Price").fill(price_below(last, "0.9"))
    ticket.get_by_role("textbox", name="Quantity", exact=True).fill("20")  # worth more than 10,000
    ticket.get_by_role("button", name="Place buy order").click()
    confirm = ticket.get_by_role("alertdialog", name="Confirm a large order")
    expect(confirm).to_contain_text("BUY 20 NSE:INFY worth")
    screenshot(page, "order-confirmation")
    confirm.get_by_role("button", name="Confirm order").click()
    expect(ticket.get_by_role("status").filter(has_text="Order sent")).to_be_visible()
    ticket.get_by_role("textbox", name="Quantity", exact=True).fill("2")  # worth less: sent at once
    ticket.get_by_role("button", name="Place buy order").click()
    expect(ticket.get_by_role("alertdialog", name="Confirm a large order")).to_have_count(0)
    expect(ticket.get_by_role("status").filter(has_text="Order sent")).to_be_visible()
    page.get_by_role("button", name="Close order ticket").click()

    page.get_by_role("link", name="Orders").click()
    book = page.get_by_role("table", name="Order book")
    expect(book.get_by_role("row", name="BUY NSE:INFY OPEN")).to_have_count(2)
    page.get_by_role("button", name="Cancel all open orders").click()
    expect(book.get_by_role("row", name="BUY NSE:INFY CANCELLED")).to_have_count(2)
    expect(page.get_by_role("button", name="Cancel all open orders")).to_be_disabled()
    page.get_by_role("radio", name="Open").check()  # the book's filter
    expect(book.get_by_role("row", name="BUY NSE:INFY CANCELLED")).to_have_count(0)
    page.get_by_role("radio", name="Cancelled").check()
    expect(book.get_by_role("row", name="BUY NSE:INFY CANCELLED")).to_have_count(2)
    page.get_by_role("textbox", name="Filter by symbol").fill("reliance")
    expect(book.get_by_role("row", name="BUY NSE:INFY CANCELLED")).to_have_count(0)


def test_an_option_above_the_freeze_quantity_goes_as_slices(trader_page: Page) -> None:
    page = trader_page
    page.get_by_role("link", name="Market watch").click()
    page.get_by_role("textbox", name="Add symbol").fill("nifty 26500 ce")
    option = page.get_by_role("option", name=re.compile(r"^NFO:NIFTY\w+26500CE")).first
    symbol = option.inner_text().split(" ")[0]
    option.click()
    ticket = open_ticket(page, symbol)
    ticket.get_by_role("textbox", name="Lots").fill("28")  # F&O quantities in lots: 28 × 65 = 1,820
    expect(ticket.get_by_text(re.compile(r"exceeds the freeze quantity 1800 of .*; slice the order"))).to_be_visible()
    ticket.get_by_role("checkbox", name=re.compile("^Send as slices")).check()
    expect(ticket.get_by_text(re.compile("exceeds the freeze quantity"))).to_have_count(0)
    expect(ticket.get_by_role("status", name="Required margin")).not_to_contain_text("—")  # the slices' margin
    ticket.get_by_role("button", name="Place buy order").click()
    slices = ticket.get_by_role("status").filter(has_text="Slices sent")
    expect(slices).to_contain_text("1. done: order ")  # 27 lots (1,755), then 1 lot
    expect(slices).to_contain_text("2. done: order ")
    screenshot(page, "order-slices")


def test_the_kill_switch_halts_new_orders_until_resumed(trader_page: Page, page_errors: PageErrors) -> None:
    page = trader_page
    add_symbol(page, "infy", "NSE:INFY")
    page.get_by_role("link", name="Orders").click()
    page.get_by_role("button", name="Halt trading…").click()
    page.get_by_role("textbox", name="Why halt").fill("risk check")
    page.get_by_role("button", name="Halt p1").click()
    halted = page.get_by_role("alert", name="p1 is halted: new orders are refused")
    expect(halted).to_contain_text("risk check")

    page.get_by_role("link", name="Market watch").click()
    ticket = open_ticket(page, "NSE:INFY")
    page_errors.expect_refusal(422, "/api/v1/accounts/p1/orders")
    ticket.get_by_role("button", name="Place buy order").click()
    expect(ticket.get_by_role("alert")).to_contain_text("risk check")  # the server's refusal, in place
    page.get_by_role("button", name="Close order ticket").click()

    page.get_by_role("link", name="Orders").click()
    page.get_by_role("button", name="Resume trading").click()
    expect(halted).to_have_count(0)
    expect(page.get_by_role("button", name="Halt trading…")).to_be_visible()
