"""The real ``brokerplex`` CLI in a child process against the XTS simulator (in this process)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from brokerplex_xts_client.sim import XtsSimulator
from stored import session_of


def test_activate_login_trade_and_read_without_leaking_secrets(cli: Any, home: Path, xts_sim: XtsSimulator) -> None:
    user = next(account for account in xts_sim.accounts if account["role"] == "investor")
    keys = user["interactive"], user["marketdata"]
    outputs: list[subprocess.CompletedProcess[str]] = []

    def run(*args: str) -> Any:
        done = cli(*args)
        outputs.append(done)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if "--json" in args else done.stdout

    activated = run("activate", "xts_client", "x1", "-o", f"root={xts_sim.root}",
                    "-o", f"interactive_key={keys[0]['appKey']}", "-o", f"interactive_secret={keys[0]['secretKey']}",
                    "-o", f"marketdata_key={keys[1]['appKey']}", "-o", f"marketdata_secret={keys[1]['secretKey']}",
                    "--json")
    assert activated["broker"] == "xts_client"
    assert run("login", "x1", "--json")["user_id"] == user["user_id"]
    placed = run("place", "x1", "NSE:INFY", "buy", "2", "--tag", "clitag1", "--json")
    assert placed["client_order_id"] == "clitag1"
    orders = run("orders", "x1", "--json")
    assert [o["order_id"] for o in orders if o["client_order_id"] == "clitag1"] == [placed["order_id"]]
    history = run("orders", "x1", placed["order_id"], "--json")
    assert history[0]["order_id"] == placed["order_id"]
    positions = run("positions", "x1", "--json")
    assert [p["symbol"] for p in positions] == ["NSE:INFY"]
    quotes = run("quote", "x1", "NSE:INFY", "NSE:NIFTY 50", "--json")
    assert set(quotes) == {"NSE:INFY", "NSE:NIFTY 50"}
    assert float(quotes["NSE:INFY"]["last_price"]) > 0
    assert quotes["NSE:INFY"]["depth"]["bids"]
    funds = run("funds", "x1", "--json")
    assert float(funds["available_margin"]) > 0
    run("orders", "x1")  # the table form too
    watched = cli("watch", "x1", "NSE:INFY", "--mode", "full", "--count", "3", "--json")
    outputs.append(watched)
    assert watched.returncode == 0, watched.stderr
    records = [json.loads(line) for line in watched.stdout.splitlines()]
    assert [r["state"] for r in records if r["type"] == "state"][:2] == ["connecting", "live"]
    ticks = [r for r in records if r["type"] == "tick"]
    assert {(t["account"], t["symbol"]) for t in ticks} == {("x1", "NSE:INFY")}
    assert len(ticks) >= 3
    assert all(t["mode"] == "full" and t["depth"]["bids"] for t in ticks)

    session = session_of(home, "x1")
    secrets = [keys[0]["secretKey"], keys[1]["secretKey"], session["interactive_token"], session["marketdata_token"]]
    for done in outputs:
        for secret in secrets:
            assert secret not in done.stdout
            assert secret not in done.stderr


def test_an_unknown_preset_is_one_clear_line(cli: Any) -> None:
    done = cli("activate", "xts_client", "x2", "-o", "broker=nirmalbang", "-o", "interactive_key=k",
               "-o", "interactive_secret=s", "-o", "marketdata_key=k", "-o", "marketdata_secret=s")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "nirmalbang" in lines[0]
    assert "iifl" in lines[0]
