"""``brokerplex serve --demo``: a fresh home with a paper account and logged-in accounts on the Kite and XTS
simulators (child processes), an admin whose new password the first line gives; its cookies work on plain
HTTP; a stop ends the simulators and removes the temporary home."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import httpx

from brokerplex_server.auth.identify import SESSION_COOKIE
from processes import Child

STARTUP_SECONDS = 120.0  # two simulators, four accounts and their logins, on a loaded machine


def demo_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose home and database the demo must not use."""
    env = {**os.environ, "BROKERPLEX_HOME": str(tmp_path / "not-the-demo-home")}
    env.pop("BROKERPLEX_DATABASE", None)
    return env


def test_the_demo_signs_in_its_admin_and_its_accounts_answer(tmp_path: Path) -> None:
    child = Child("serve", "--demo", "--port", "0", env=demo_env(tmp_path))
    try:
        _, line = child.stdout.wait_for(lambda text: text.startswith("{"), timeout=STARTUP_SECONDS)
        first = json.loads(line)
        assert set(first) >= {"url", "database", "bus", "workers", "pid", "admin_password", "user", "home"}
        assert first["user"] == "admin"
        home = Path(first["home"])
        assert home.is_dir()
        assert home != tmp_path / "not-the-demo-home"
        assert first["accounts"] == ["dealer", "kite", "paper", "xts"]
        assert first["admin_password"] in child.stderr.wait_for(lambda text: "sign in as admin" in text)[1]

        with httpx.Client(base_url=first["url"], timeout=30) as browser:
            refused = browser.post("/api/v1/session", json={"name": "admin", "password": "not-the-password"})
            assert refused.status_code == 401
            signed = browser.post("/api/v1/session", json={"name": "admin", "password": first["admin_password"]})
            assert signed.status_code == 200, signed.text
            assert "secure" not in signed.headers["set-cookie"].lower()  # plain-HTTP loopback keeps it
            assert SESSION_COOKIE in browser.cookies

            listed = browser.get("/api/v1/accounts")
            assert listed.status_code == 200, listed.text
            rows = {row["account"]: row for row in listed.json()}
            assert {name: row["broker"] for name, row in rows.items()} == {
                "paper": "paper", "kite": "zerodha", "xts": "xts_client", "dealer": "xts_pro"}
            assert {name: row["session"]["state"] for name, row in rows.items()} == dict.fromkeys(rows, "live")
            for account in rows:
                profile = browser.get(f"/api/v1/accounts/{account}/profile")
                assert profile.status_code == 200, (account, profile.text)
            clients = browser.get("/api/v1/accounts/dealer/clients")
            assert clients.status_code == 200, clients.text
            assert len(clients.json()) >= 2  # a dealer with its client codes
            quotes = browser.get("/api/v1/accounts/kite/quotes", params={"symbols": "NSE:INFY"})
            assert quotes.status_code == 200, quotes.text
            assert quotes.json()["NSE:INFY"]["last_price"]
    finally:
        code = child.stop(signal.SIGTERM)
    assert code == 0, child.stderr.rest()
    assert not home.exists()  # a temporary home goes with the demo


def test_the_demo_is_one_process_on_its_own_home(tmp_path: Path) -> None:
    refused = Child("serve", "--demo", "--workers", "2", "--port", "0", env=demo_env(tmp_path))
    assert refused.stop(signal.SIGCONT) != 0  # SIGCONT: nothing; it ends by itself
    assert "--demo runs one process" in "\n".join(refused.stderr.rest())
