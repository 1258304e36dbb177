"""The CLI as users run it: separate processes sharing one home folder."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cli_results import ok, one_line_error
from stored import journal_of

if TYPE_CHECKING:
    from tests.conftest import Cli

BIN = Path(sys.executable).parent


def test_market_order_is_complete_and_positioned_in_later_runs(demo: Cli) -> None:
    placed = json.loads(ok(demo("place", "demo", "NSE:INFY", "buy", "10", "--json")).stdout)
    assert placed["status"] == "COMPLETE"
    orders = json.loads(ok(demo("orders", "demo", "--json")).stdout)
    assert [(o["order_id"], o["status"], o["filled_quantity"]) for o in orders] == [
        (placed["order_id"], "COMPLETE", 10)]
    positions = json.loads(ok(demo("positions", "demo", "--json")).stdout)
    assert [(p["symbol"], p["product"], p["quantity"]) for p in positions] == [("NSE:INFY", "CNC", 10)]
    trades = json.loads(ok(demo("trades", "demo", "--json")).stdout)
    assert sum(t["quantity"] for t in trades) == 10
    funds = json.loads(ok(demo("funds", "demo", "--json")).stdout)
    cost = sum(float(t["price"]) * t["quantity"] for t in trades)
    assert float(funds["cash"]) == pytest.approx(1_000_000 - cost)


def test_zero_quantity_exits_2_with_one_line_and_sends_nothing(demo: Cli, home: Path) -> None:
    line = one_line_error(demo("place", "demo", "NSE:INFY", "buy", "0"), 2)
    assert "quantity" in line
    assert json.loads(ok(demo("orders", "demo", "--json")).stdout) == []
    assert journal_of(home) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["place", "demo", "INFY", "buy", "1"], "has no exchange"),
        (["place", "demo", "NSE:INFY", "hold", "1"], "'hold' is not one of"),
        (["place", "demo", "NSE:INFY", "buy", "1", "--limit", "1500.03"], "tick size 0.05"),
        (["place", "demo", "NSE:INFY", "buy", "1", "--limit", "-3"], "not a positive price"),
        (["place", "demo", "NSE:NOSUCH", "buy", "1"], "not listed"),
        (["place", "nobody", "NSE:INFY", "buy", "1"], "no account named 'nobody'"),
        (["place", "demo", "NSE:INFY", "buy"], "Missing argument 'QTY'"),
        (["activate", "paper", "x", "-o", "colour=blue"], "unknown setting 'colour'"),
        (["activate", "paper", "x", "-o", "seed"], "not KEY=VALUE"),
        (["activate", "nope", "x"], "unknown broker 'nope'"),
        (["quote", "demo", "NSE"], "no exchange"),
        (["place", "demo", "NSE:INFY", "buy", "1", "--variety", "iceberg"], "does not support variety iceberg"),
        (["place", "demo", "BFO:SENSEX26DECFUT", "buy", "20"], "does not support exchange BFO"),
    ],
)
def test_bad_input_exits_2(demo: Cli, args: list[str], fragment: str) -> None:
    assert fragment in one_line_error(demo(*args), 2)


def test_broker_refusal_exits_1_and_debug_shows_the_traceback(demo: Cli) -> None:
    line = one_line_error(demo("place", "demo", "NSE:TCS", "sell", "5"), 1)
    assert "insufficient holdings" in line
    debug = demo("--debug", "place", "demo", "NSE:TCS", "sell", "5")
    assert debug.returncode == 1
    assert "Traceback" in debug.stderr
    assert "was rejected by paper: insufficient holdings" in debug.stderr  # the verdict, as place reports it


def test_limit_order_modified_and_cancelled_across_runs(demo: Cli) -> None:
    placed = json.loads(ok(demo("place", "demo", "NSE:SBIN", "buy", "5", "--limit", "900", "--json")).stdout)
    assert placed["status"] == "OPEN"
    order_id = placed["order_id"]
    ok(demo("modify", "demo", order_id, "--limit", "890.5"))
    (order,) = json.loads(ok(demo("orders", "demo", "--json")).stdout)
    assert order["price"] == "890.50"  # money at the tick precision, as every broker gives it
    assert json.loads(ok(demo("cancel", "demo", order_id, "--json")).stdout)["status"] == "CANCELLED"
    history = json.loads(ok(demo("orders", "demo", order_id, "--json")).stdout)
    assert [h["status"] for h in history][-1] == "CANCELLED"
    assert "OPEN" in [h["status"] for h in history]
    line = one_line_error(demo("cancel", "demo", order_id), 1)
    assert "cannot be cancelled" in line


def test_quote_json_has_depth(demo: Cli) -> None:
    quotes = json.loads(ok(demo("quote", "demo", "NSE:INFY", "NSE:NIFTY 50", "--json")).stdout)
    assert set(quotes) == {"NSE:INFY", "NSE:NIFTY 50"}
    assert len(quotes["NSE:INFY"]["depth"]["bids"]) == 5
    assert quotes["NSE:NIFTY 50"]["depth"]["bids"] == []


def test_tables_for_people(demo: Cli) -> None:
    ok(demo("place", "demo", "NSE:INFY", "buy", "3"))
    table = ok(demo("orders", "demo")).stdout
    assert "NSE:INFY" in table
    assert "COMPLETE" in table
    assert "NSE:INFY" in ok(demo("positions", "demo")).stdout


def test_accounts_and_deactivate(demo: Cli, home: Path) -> None:
    accounts = json.loads(ok(demo("accounts", "--json")).stdout)
    assert [(a["account"], a["broker"]) for a in accounts] == [("demo", "paper")]
    assert stat.S_IMODE((home / "brokerplex.db").stat().st_mode) == 0o600
    ok(demo("deactivate", "demo"))
    assert json.loads(ok(demo("accounts", "--json")).stdout) == []
    one_line_error(demo("orders", "demo"), 2)


def test_login_of_a_paper_account(demo: Cli) -> None:
    profile = json.loads(ok(demo("login", "demo", "--json")).stdout)
    assert profile["user_id"] == "demo"
    assert profile["broker"] == "paper"


def test_brokers_imports_no_broker_sdk_and_no_data_model(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from brokerplex.cli import main\n"
        "try:\n    main(['brokers'])\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in"
        " {'kiteconnect', 'twisted', 'socketio', 'engineio', 'autobahn', 'pydantic', 'httpx', 'rich', 'redis',"
        " 'asyncio'})\n"
        "print(heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env={**os.environ, "BROKERPLEX_HOME": str(tmp_path)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "[]"
    assert "paper" in result.stdout


def test_demo_shows_the_paper_round_trip(tmp_path: Path) -> None:
    result = subprocess.run([str(BIN / "brokerplex"), "demo"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "BROKERPLEX_HOME": str(tmp_path / "untouched"), "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    for expected in ("paper", "COMPLETE", "CANCELLED", "refused: quantity", "Positions", "Funds"):
        assert expected in result.stdout
    assert not (tmp_path / "untouched").exists(), "the demo must not touch the user's home"


def test_a_bare_brokerplex_prints_its_whole_help(cli: Cli) -> None:
    result = cli()
    assert result.returncode == 2  # as click does for a group run without a command
    assert "error:" not in result.stderr
    assert result.stderr.startswith("Usage: brokerplex [OPTIONS] COMMAND [ARGS]...")
    for command in ("activate", "place", "orders", "quote", "demo"):
        assert f"\n  {command} " in result.stderr


def test_a_setting_given_twice_is_refused_by_name(cli: Cli, home: Path) -> None:
    line = one_line_error(cli("activate", "paper", "p2", "-o", "seed=1", "-o", "seed=2"), 2)
    assert "'seed' is given twice" in line
    assert json.loads(ok(cli("accounts", "--json")).stdout) == []


def test_activate_never_replaces_an_account_silently(demo: Cli, home: Path) -> None:
    before = json.loads(ok(demo("accounts", "--json")).stdout)
    line = one_line_error(demo("activate", "paper", "demo", "-o", "seed=3"), 2)
    assert "account 'demo' (paper) exists: give --replace" in line
    assert json.loads(ok(demo("accounts", "--json")).stdout) == before
    ok(demo("activate", "paper", "demo", "-o", "seed=3", "--replace"))
    (account,) = json.loads(ok(demo("accounts", "--json")).stdout)
    assert account["settings"]["seed"] == 3


def on_terminal(cli: Cli, *args: str, answer: str) -> tuple[int, str]:
    """Run the CLI on a pseudo-terminal, typing ``answer``; its exit code and what it showed."""
    import pty

    controller, terminal = pty.openpty()
    process = subprocess.Popen([str(BIN / "brokerplex"), *args], stdin=terminal, stdout=terminal, stderr=terminal,
                               env=cli.env)
    os.close(terminal)
    os.write(controller, answer.encode())
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    return process.wait(timeout=60), shown.decode()


def test_activate_on_a_terminal_asks_before_replacing(demo: Cli) -> None:
    code, shown = on_terminal(demo, "activate", "paper", "demo", "-o", "seed=4", answer="n\n")
    assert code == 2
    assert "account 'demo' (paper) exists; replace it? [y/N]" in shown
    assert json.loads(ok(demo("accounts", "--json")).stdout)[0]["settings"]["seed"] == 7
    code, shown = on_terminal(demo, "activate", "paper", "demo", "-o", "seed=4", answer="y\n")
    assert code == 0, shown
    assert json.loads(ok(demo("accounts", "--json")).stdout)[0]["settings"]["seed"] == 4


def test_a_quote_of_only_unknown_symbols_is_bad_input(demo: Cli) -> None:
    line = one_line_error(demo("quote", "demo", "NSE:NOSUCH", "NSE:NOTHING"), 2)
    assert "no quote for NSE:NOSUCH, NSE:NOTHING: not listed at paper" in line
    partly = demo("quote", "demo", "NSE:NOSUCH", "NSE:INFY", "--json")
    assert partly.returncode == 0
    assert "warning: no quote for NSE:NOSUCH" in partly.stderr
    assert set(json.loads(partly.stdout)) == {"NSE:INFY"}


def test_demo_help_says_every_installed_plugin_scene_runs(cli: Cli) -> None:
    text = " ".join(ok(cli("demo", "--help")).stdout.split())
    assert "paper broker" in text
    assert "one scene for each installed plugin" in text
    assert "Kite simulator" in text
    assert "XTS simulator" in text


def test_instruments_lists_what_is_listed_today(demo: Cli) -> None:
    futures = json.loads(ok(demo("instruments", "demo", "NIFTY", "--type", "FUT", "--json")).stdout)
    assert futures
    assert {f["instrument_type"] for f in futures} == {"FUT"}
    assert all("NIFTY" in f["symbol"] for f in futures)
    quotes = json.loads(ok(demo("quote", "demo", futures[0]["symbol"], "--json")).stdout)
    assert set(quotes) == {futures[0]["symbol"]}
