"""Accounts through the REST API: admins activate (validated by the plugin's model, secrets write-only),
replace only when told, deactivate; readers see only what they were granted; every change audited."""

from __future__ import annotations

from typing import Any

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role, Scope

ZERODHA = {"api_key": "myapp", "api_secret": "very-secret-value", "root": "http://127.0.0.1:9/"}


def audit_rows(api: ApiServer) -> list[dict[str, Any]]:
    return [entry for entry in api.audit() if entry["action"].startswith("account.")]


def test_an_admin_activates_reads_and_deactivates_an_account_with_its_secret_write_only(api: ApiServer) -> None:
    admin = api.client(api.key("root"))
    created = admin.post("/accounts", json={"name": "z1", "broker": "zerodha", "settings": ZERODHA})
    assert created.status_code == 201, created.text
    assert created.json()["settings"]["api_key"] == "myapp"
    shown = admin.get("/accounts/z1")
    assert shown.status_code == 200
    assert shown.json()["settings"]["root"] == "http://127.0.0.1:9/"
    for response in (created, shown, admin.get("/accounts")):
        assert "very-secret-value" not in response.text
    assert [row["account"] for row in admin.get("/accounts").json()] == ["p1", "p2", "z1"]

    assert admin.delete("/accounts/z1").status_code == 204
    assert admin.get("/accounts/z1").status_code == 404
    assert admin.delete("/accounts/z1").status_code == 404
    assert [(row["action"], row["account"], row["outcome"]) for row in audit_rows(api)] == [
        ("account.activate", "z1", "ok"), ("account.deactivate", "z1", "ok")]
    assert "very-secret-value" not in str(audit_rows(api))


def test_an_existing_name_is_a_409_unless_replace_is_sent(api: ApiServer) -> None:
    admin = api.client(api.key("root"))
    taken = admin.post("/accounts", json={"name": "p1", "broker": "paper", "settings": {"opening_cash": 5000}})
    assert taken.status_code == 409
    assert "replace" in taken.json()["error"]["message"]
    assert admin.get("/accounts/p1").json()["settings"]["opening_cash"] != "5000"
    replaced = admin.post("/accounts", json={"name": "p1", "broker": "paper", "replace": True,
                                             "settings": {"opening_cash": 5000, "market_hours": False}})
    assert replaced.status_code == 201, replaced.text
    assert replaced.json()["settings"]["opening_cash"] == "5000"


def test_bad_settings_are_a_422_with_the_plugins_message_and_nothing_is_stored(api: ApiServer) -> None:
    admin = api.client(api.key("root"))
    cases = [
        ({"name": "z2", "broker": "zerodha", "settings": {**ZERODHA, "root": "ftp://nowhere"}}, "http(s) URL"),
        ({"name": "z2", "broker": "zerodha", "settings": {"api_key": "myapp"}}, "api_secret"),
        ({"name": "z2", "broker": "zerodha", "settings": {**ZERODHA, "colour": "blue"}}, "colour"),
        ({"name": "z2", "broker": "nosuchbroker", "settings": {}}, "nosuchbroker"),
        ({"name": "bad name!", "broker": "paper", "settings": {}}, "bad name!"),
        ({"name": "z2", "broker": "paper", "settings": {"opening_cash": -1}}, "opening_cash"),
    ]
    for body, named in cases:
        refused = admin.post("/accounts", json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert named in refused.json()["error"]["message"], (body, refused.json())
    assert [row["account"] for row in admin.get("/accounts").json()] == ["p1", "p2"]


def test_only_admins_change_accounts_and_others_see_what_they_were_granted(api: ApiServer) -> None:
    trader = api.client(api.key("alice", Role.TRADER, ("p1",)))
    viewer = api.client(api.key("vera", Role.VIEWER, ("p2",)))
    read_admin = api.client(api.key("root", Role.ADMIN, scope=Scope.READ))
    body = {"name": "p3", "broker": "paper", "settings": {}}
    for client in (trader, viewer, read_admin):
        assert client.post("/accounts", json=body).status_code == 403
        assert client.delete("/accounts/p1").status_code == 403
    assert [row["account"] for row in trader.get("/accounts").json()] == ["p1"]
    assert [row["account"] for row in viewer.get("/accounts").json()] == ["p2"]
    assert trader.get("/accounts/p2").status_code == 403
    assert viewer.get("/accounts/p2").json()["broker"] == "paper"
    assert [row["account"] for row in read_admin.get("/accounts").json()] == ["p1", "p2"]
    assert api.client().get("/accounts").status_code == 401
    assert audit_rows(api) == []


def test_a_paper_login_answers_the_profile_and_books_are_read_through_the_api(api: ApiServer) -> None:
    trader = api.client(api.key("alice", Role.TRADER, ("p1",)))
    viewer = api.client(api.key("vera", Role.VIEWER, ("p1",)))
    logged = trader.post("/accounts/p1/login")
    assert logged.status_code == 200, logged.text
    assert logged.json()["broker"] == "paper"
    assert viewer.post("/accounts/p1/login").status_code == 403
    assert trader.get("/accounts/p1/profile").json()["user_id"] == logged.json()["user_id"]
    assert float(trader.get("/accounts/p1/funds").json()["cash"]) > 0
    assert trader.get("/accounts/p1/holdings").status_code == 200
    quotes = trader.get("/accounts/p1/quotes", params=[("symbols", "NSE:INFY,NSE:RELIANCE"), ("symbols", "NSE:TCS")])
    assert sorted(quotes.json()) == ["NSE:INFY", "NSE:RELIANCE", "NSE:TCS"]
    assert quotes.json()["NSE:INFY"]["last_price"]
    assert trader.get("/accounts/p1/quotes", params={"symbols": "NSE:NOSUCH"}).status_code == 422
    found = trader.get("/accounts/p1/instruments", params={"q": "infosys", "limit": 3})
    assert found.status_code == 200
    assert found.json()[0]["symbol"] == "NSE:INFY"
    assert len(found.json()) <= 3
    futures = trader.get("/accounts/p1/instruments", params={"q": "nifty", "type": "FUT"}).json()
    assert futures
    assert all(i["instrument_type"] == "FUT" for i in futures)
    for bad in ({"q": ""}, {"q": "infy", "limit": 0}, {"q": "infy", "exchange": "MARS"}, {}):
        assert trader.get("/accounts/p1/instruments", params=bad).status_code == 422, bad
    assert trader.get("/accounts/p1/clients").status_code == 422  # paper logins act for themselves only
