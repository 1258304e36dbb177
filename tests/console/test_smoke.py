"""The console loads from ``brokerplex serve``, signs in through its form (with a TOTP code for a user who has
one) and signs out, in Chromium."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pyotp
from playwright.sync_api import Page, expect

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role
from browser import screenshot
from processes import BIN

if TYPE_CHECKING:
    from tests.console.conftest import Person


def test_the_console_signs_in_through_its_form_and_out(page: Page, people: dict[str, Person]) -> None:
    trader = people["trader"]
    page.goto("/")
    form = page.get_by_role("form", name="Sign in")
    expect(form).to_be_visible()
    screenshot(page, "sign-in")

    form.get_by_role("textbox", name="User name").fill(trader.name)
    form.get_by_label("Password").fill("not the password")
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("wrong user name or password")).to_be_visible()  # the server's own words

    form.get_by_label("Password").fill(trader.password)
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text(trader.name).first).to_be_visible()
    screenshot(page, "signed-in")
    # The Content-Security-Policy lets the page open the API's WebSocket (same origin, the session's cookie).
    opened = page.evaluate("""() => new Promise((resolve, reject) => {
        const socket = new WebSocket(`ws://${location.host}/api/v1/stream`);
        socket.onopen = () => { socket.close(); resolve(true); };
        socket.onerror = () => reject(new Error("the stream's socket did not open"));
    })""")
    assert opened is True

    page.reload()  # the session outlives a reload (cookie + GET /session)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()  # signed out at the server too


def test_a_user_with_totp_signs_in_with_the_code(page: Page, console: ApiServer) -> None:
    console.users().add("tina", "tina-password", Role.TRADER, frozenset({"p1"}))
    given = subprocess.run([str(BIN / "brokerplex"), "users", "totp", "tina"], env=console.env, capture_output=True,
                           text=True, timeout=120)
    assert given.returncode == 0, given.stderr
    secret = parse_qs(urlsplit(given.stdout.strip()).query)["secret"][0]
    page.goto("/")
    form = page.get_by_role("form", name="Sign in")
    form.get_by_role("textbox", name="User name").fill("tina")
    form.get_by_label("Password").fill("tina-password")
    form.get_by_role("button", name="Sign in").click()
    code = form.get_by_role("textbox", name="TOTP code")  # asked for once the password is right
    expect(code).to_be_visible()
    code.fill(pyotp.TOTP(secret).now())
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
