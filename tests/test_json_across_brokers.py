"""``--json`` is one format whatever the broker: the same records from paper, Kite and XTS, through the real CLI.

Money is a plain decimal string with at least the instrument's places (two; four on CDS and BCD),
times are ISO 8601 in IST with the offset.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from brokerplex_paper.universe import nearest_future
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_zerodha.sim import KiteSimulator

BIN = Path(sys.executable).parent
MONEY = re.compile(r"-?\d+\.\d{2,}")
CURRENCY_MONEY = re.compile(r"-?\d+\.\d{4,}")
IST_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+05:30")
MONEY_FIELDS = {
    "order": ("price", "trigger_price", "average_price"),
    "trade": ("price",),
    "position": ("buy_value", "sell_value", "average_price", "last_price", "realised_pnl", "unrealised_pnl"),
    "funds": ("cash", "available_margin", "used_margin", "realised_pnl", "unrealised_pnl"),
    "quote": ("last_price", "average_price", "open", "high", "low", "close", "lower_circuit", "upper_circuit"),
}
TIME_FIELDS = {"order": ("placed_at", "updated_at"), "trade": ("filled_at",), "quote": ("last_traded_at", "timestamp")}


def run(home: Path, *args: str) -> Any:
    done = subprocess.run([str(BIN / "brokerplex"), *args, "--json"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "BROKERPLEX_HOME": str(home)})
    assert done.returncode == 0, (args, done.stderr)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """The same reads, after the same market order, from an account at each broker."""
    home = tmp_path_factory.mktemp("json") / "home"
    state = tmp_path_factory.mktemp("sims")
    with XtsSimulator(state_dir=state / "xts", seed=1) as xts:
        kite = KiteSimulator(state_dir=state / "kite").start()
        try:
            run(home, "activate", "paper", "paper")
            run(home, "activate", "zerodha", "kite", f"-oapi_key={kite.api_key}", "-oapi_secret=kite_sim_secret",
                f"-oroot={kite.rest}", f"-ows_root={kite.ws}", f"-ologin_url={kite.login}")
            run(home, "login", "kite", "--request-token", kite.request_token())
            run(home, "activate", "xts_client", "xts", *(f"-o{k}={v}" for k, v in xts.settings("investor").items()))
            run(home, "login", "xts")
            found = {account: read(home, account) for account in ("paper", "kite", "xts")}
            for account in ("paper", "kite", "xts"):
                found[account]["tick"] = watch(home, account)
            yield found
        finally:
            kite.stop()


def read(home: Path, account: str) -> dict[str, Any]:
    currency = nearest_future("USDINR").symbol
    run(home, "place", account, "NSE:INFY", "buy", "3")
    return {"order": run(home, "orders", account), "trade": run(home, "trades", account),
            "position": run(home, "positions", account), "funds": [run(home, "funds", account)],
            "quote": list(run(home, "quote", account, "NSE:INFY", "NSE:NIFTY 50", currency).values())}


def watch(home: Path, account: str) -> list[dict[str, Any]]:
    done = subprocess.run([str(BIN / "brokerplex"), "watch", account, "NSE:INFY", "--mode", "full", "--count", "3",
                           "--json"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "BROKERPLEX_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    ticks = [json.loads(line) for line in done.stdout.splitlines()]
    return [tick for tick in ticks if tick.get("symbol") == "NSE:INFY"]


def test_streamed_ticks_read_the_same_on_every_streaming_broker(records: dict[str, dict[str, Any]]) -> None:
    for account in ("kite", "xts"):
        ticks = records[account]["tick"]
        assert len(ticks) >= 3, (account, ticks)
        for tick in ticks:
            for field in ("last_price", "open", "high", "low", "close"):
                assert MONEY.fullmatch(tick[field]), (account, field, tick[field])
            assert IST_TIME.fullmatch(tick["exchange_timestamp"]), (account, tick["exchange_timestamp"])
            assert all(MONEY.fullmatch(level["price"]) for level in tick["depth"]["bids"]), (account, tick)


@pytest.mark.parametrize("kind", list(MONEY_FIELDS))
def test_every_broker_gives_the_same_fields_with_money_as_plain_decimals(
    records: dict[str, dict[str, Any]], kind: str
) -> None:
    keys = {account: {tuple(sorted(item)) for item in found[kind]} for account, found in records.items()}
    assert len({frozenset(k) for k in keys.values()}) == 1, keys
    for account, found in records.items():
        assert found[kind], (account, kind)
        for item in found[kind]:
            pattern = CURRENCY_MONEY if str(item.get("symbol", "")).startswith("CDS:") else MONEY
            for field in MONEY_FIELDS[kind]:
                value = item[field]
                assert value is None or pattern.fullmatch(value), (account, kind, field, value)
            for level in (*item.get("depth", {}).get("bids", []), *item.get("depth", {}).get("asks", [])):
                assert pattern.fullmatch(level["price"]), (account, level)


@pytest.mark.parametrize("kind", list(TIME_FIELDS))
def test_every_broker_gives_times_in_ist_with_the_offset(records: dict[str, dict[str, Any]], kind: str) -> None:
    for account, found in records.items():
        for item in found[kind]:
            for field in TIME_FIELDS[kind]:
                value = item[field]
                assert value is None or IST_TIME.fullmatch(value), (account, kind, field, value)
    assert all(found["quote"][0]["timestamp"] or found["quote"][0]["last_traded_at"] for found in records.values())


def test_a_fill_reads_the_same_everywhere(records: dict[str, dict[str, Any]]) -> None:
    for account, found in records.items():
        (order,) = [o for o in found["order"] if o["symbol"] == "NSE:INFY"]
        (position,) = found["position"]
        assert order["status"] == "COMPLETE", account
        assert Decimal(position["average_price"]) == Decimal(order["average_price"]), account
        assert Decimal(position["buy_value"]) == Decimal(order["average_price"]) * 3, account
