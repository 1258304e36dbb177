"""Broker connections in the console: an admin adds a Kite account through the form made from the plugin's
settings (the secret a password field, never shown again) and logs it in through Kite's redirect and back."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from apiserver import ApiServer
from brokerplex_xts_client.sim import XtsSimulator
from browser import screenshot

# The form's labels: each setting's name in words.
LABELS = {"api_key": "Api key", "root": "Root", "ws_root": "Ws root", "login_url": "Login url",
          "redirect_url": "Redirect url"}


def test_an_admin_adds_a_kite_account_and_logs_it_in_through_the_redirect(kite_settings: dict[str, str],
                                                                           admin_page: Page) -> None:
    page = admin_page
    secret = kite_settings["api_secret"]
    page.get_by_role("link", name="Broker connections").click()
    expect(page.get_by_role("table", name="Installed brokers")).to_contain_text("Zerodha Kite Connect")
    form = page.get_by_role("form", name="Add an account")
    form.get_by_role("textbox", name="Broker").click()
    page.get_by_role("option", name="Zerodha Kite Connect (zerodha)").click()
    form.get_by_role("textbox", name="Account name").fill("kite")
    for setting, label in LABELS.items():
        form.get_by_role("textbox", name=label, exact=True).fill(kite_settings[setting])
    secret_field = form.get_by_label("Api secret")
    expect(secret_field).to_have_attribute("type", "password")  # a secret is typed unseen
    secret_field.fill(secret)
    form.get_by_role("button", name="Add account").click()

    row = page.get_by_role("table", name="Accounts").get_by_role("row").filter(has_text="zerodha")
    expect(row).to_contain_text("kite")
    expect(page.get_by_label("Session of kite: none")).to_be_visible()
    expect(row).to_contain_text("Log in again to trade.")  # the prompt
    page.get_by_role("textbox", name="Account", exact=True).click()
    page.get_by_role("option", name="kite", exact=True).click()
    expect(page.get_by_role("alert", name="kite is not logged in")).to_be_visible()  # on every page
    assert secret not in page.content()  # never shown again
    screenshot(page, "broker-connections")

    page.get_by_role("button", name="Log in kite").click()  # to Kite's login page, and back through the server
    expect(page.get_by_role("status").filter(has_text="kite logged in")).to_be_visible()
    expect(page.get_by_label("Session of kite: live")).to_be_visible()
    expect(page.get_by_role("alert", name="kite is not logged in")).to_have_count(0)
    expect(row).to_contain_text("06:00:00 IST")  # Kite's sessions end at 06:00 IST
    assert secret not in page.content()
    screenshot(page, "broker-connections-logged-in")


def test_an_xts_account_logs_in_directly_and_its_secrets_stay_masked(console: ApiServer, xts_sim: XtsSimulator,
                                                                     admin_page: Page) -> None:
    settings = xts_sim.settings("investor")
    admin = console.client(console.key("xts-setup"))
    created = admin.post("/accounts", json={"name": "x1", "broker": "xts_client", "settings": settings})
    assert created.status_code == 201, created.text
    page = admin_page
    page.reload()  # the account list now has x1
    page.get_by_role("link", name="Broker connections").click()
    page.get_by_role("button", name="Log in x1").click()  # no redirect: the server logs in with the keys
    row = page.get_by_role("table", name="Accounts").get_by_role("row").filter(has_text="xts_client")
    user_id = xts_sim.account("investor")["user_id"]
    expect(row.get_by_role("status").filter(has_text="Logged in as")).to_contain_text(user_id)
    expect(page.get_by_label("Session of x1: live")).to_be_visible()
    content = page.content()
    for name in ("interactive_secret", "marketdata_secret"):
        assert settings[name] not in content  # masked wherever the account is shown
