"""The real ``brokerplex`` command against the Kite simulator (running in this process)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from brokerplex_zerodha.sim import KiteSimulator
from stored import session_of

SECRET = "kite_sim_secret"
BIN = Path(sys.executable).parent


def activate_args(sim: KiteSimulator, account: str, *extra: str, secret: str = SECRET) -> list[str]:
    options = {"api_key": sim.api_key, "api_secret": secret, "root": sim.rest, "ws_root": sim.ws,
               "login_url": sim.login}
    return ["activate", "zerodha", account, *(f"-o{k}={v}" for k, v in options.items()), *extra]


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_activate_login_trade_and_read_books_with_json(cli: Any, home: Path, kite_sim: KiteSimulator) -> None:
    request_token = kite_sim.request_token()
    outputs = [ok(cli(*activate_args(kite_sim, "z1"))), ok(cli("login", "z1", "--request-token", request_token))]
    assert "valid until" in outputs[-1]
    assert "06:00 IST" in outputs[-1]
    ack = json.loads(ok(cli("place", "z1", "NSE:INFY", "buy", "2", "--tag", "cli1", "--json")))
    assert ack["client_order_id"] == "cli1"
    orders = json.loads(ok(cli("orders", "z1", "--json")))
    assert [(o["order_id"], o["client_order_id"], o["filled_quantity"]) for o in orders] == [
        (ack["order_id"], "cli1", 2)]
    positions = json.loads(ok(cli("positions", "z1", "--json")))
    assert [(p["symbol"], p["quantity"]) for p in positions] == [("NSE:INFY", 2)]
    quotes = json.loads(ok(cli("quote", "z1", "NSE:INFY", "NSE:NIFTY 50", "--json")))
    assert set(quotes) == {"NSE:INFY", "NSE:NIFTY 50"}
    assert len(quotes["NSE:INFY"]["depth"]["bids"]) == 5
    funds = json.loads(ok(cli("funds", "z1", "--json")))
    assert float(funds["available_margin"]) > 0
    outputs += [json.dumps(x) for x in (ack, orders, positions, quotes, funds)]
    outputs.append(ok(cli("accounts", "--json")))
    access_token = session_of(home, "z1")["access_token"]
    for text in outputs:
        for secret in (SECRET, request_token, access_token):
            assert secret not in text


def test_errors_are_one_line_with_the_way_out(cli: Any, kite_sim: KiteSimulator) -> None:
    ok(cli(*activate_args(kite_sim, "z1")))
    not_logged_in = cli("orders", "z1")
    assert not_logged_in.returncode == 1
    assert not_logged_in.stderr.strip() == "error: zerodha: z1 is not logged in to Kite; run `brokerplex login z1`"
    ok(cli("login", "z1", "--request-token", kite_sim.request_token()))
    unlisted = cli("place", "z1", "NSE:NOSUCHSCRIP", "buy", "1")
    assert unlisted.returncode == 2
    assert unlisted.stderr.strip() == "error: NSE:NOSUCHSCRIP is not listed at zerodha (account z1)"
    kite_sim.expire_sessions()
    expired = cli("funds", "z1")
    assert expired.returncode == 1
    assert "run `brokerplex login z1` again" in expired.stderr
    assert len(expired.stderr.strip().splitlines()) == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def browser_login(cli: Any, sim: KiteSimulator) -> tuple[int, str, subprocess.CompletedProcess[str]]:
    """``brokerplex login z1`` with a "browser" that opens the login page and follows Kite's redirect to the
    listener: the page's status and text, and the finished command."""
    login = subprocess.Popen([str(BIN / "brokerplex"), "login", "z1"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=cli.env)
    try:
        assert login.stdout is not None
        url = ""
        for line in login.stdout:  # the URL is shown once the listener is up
            if line.strip().startswith(sim.login):
                url = line.strip()
                break
        assert url == f"{sim.login}?api_key={sim.api_key}&v=3"
        try:
            with urllib.request.urlopen(url, timeout=30) as page:
                status, text = page.status, page.read().decode()
        except urllib.error.HTTPError as refused:
            with refused:
                status, text = refused.code, refused.read().decode()
        out, err = login.communicate(timeout=60)
    finally:
        login.kill()
    return status, text, subprocess.CompletedProcess(login.args, login.returncode, out, err)


def test_login_through_the_browser_redirect_listener(cli: Any, kite_sim_factory: Any) -> None:
    port = free_port()
    sim = kite_sim_factory(redirect_url=f"http://127.0.0.1:{port}/kite/callback")
    ok(cli(*activate_args(sim, "z1", f"-oredirect_url=http://127.0.0.1:{port}/kite/callback",
                          "-ologin_timeout=30")))
    status, page, login = browser_login(cli, sim)
    assert (status, "Logged in to Kite." in page) == (200, True)
    assert login.returncode == 0, login.stderr
    assert "logged in z1 as ZS1234" in login.stdout
    assert json.loads(ok(cli("funds", "z1", "--json")))["available_margin"]


def test_the_browser_is_told_when_the_token_exchange_fails(cli: Any, kite_sim_factory: Any) -> None:
    port = free_port()
    sim = kite_sim_factory(redirect_url=f"http://127.0.0.1:{port}/")
    ok(cli(*activate_args(sim, "z1", f"-oredirect_url=http://127.0.0.1:{port}/", "-ologin_timeout=30",
                          secret="not-the-secret")))
    status, page, login = browser_login(cli, sim)
    assert status == 502
    assert "Logged in" not in page
    assert "Kite login failed" in page
    assert "Invalid `checksum`" in page
    assert login.returncode == 1
    assert "Invalid `checksum`" in login.stderr
    assert "not-the-secret" not in page + login.stdout + login.stderr


def test_a_login_that_never_comes_back_times_out_clearly(cli: Any, kite_sim: KiteSimulator) -> None:
    port = free_port()
    ok(cli(*activate_args(kite_sim, "z1", f"-oredirect_url=http://127.0.0.1:{port}/", "-ologin_timeout=1")))
    result = cli("login", "z1")
    assert result.returncode == 1
    assert "no login redirect reached" in result.stderr
    assert "--request-token" in result.stderr


def test_watch_streams_full_ticks_as_json_lines(cli: Any, kite_sim: KiteSimulator) -> None:
    ok(cli(*activate_args(kite_sim, "z1")))
    ok(cli("login", "z1", "--request-token", kite_sim.request_token()))
    lines = ok(cli("watch", "z1", "NSE:INFY", "NSE:NIFTY 50", "--mode", "full", "--count", "4", "--json"))
    records = [json.loads(line) for line in lines.splitlines()]
    assert [r["state"] for r in records if r["type"] == "state"][:2] == ["connecting", "live"]
    ticks = [r for r in records if r["type"] == "tick"]
    assert {r["account"] for r in ticks} == {"z1"}
    assert len(ticks) == 4
    assert {r["symbol"] for r in ticks} == {"NSE:INFY", "NSE:NIFTY 50"}
    infy = next(r for r in ticks if r["symbol"] == "NSE:INFY")
    assert infy["mode"] == "full"
    assert len(infy["depth"]["bids"]) == 5
    unlisted = cli("watch", "z1", "NSE:NOSUCHSCRIP", "--count", "1")
    assert unlisted.returncode == 2
    assert "NSE:NOSUCHSCRIP" in unlisted.stderr
