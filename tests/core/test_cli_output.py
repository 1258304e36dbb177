"""What people see: tables at real terminal widths, colour on a terminal only, digit grouping."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m")  # NO_COLOR leaves bold and italic


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


class Run:
    """The installed ``brokerplex`` in a child process on one home folder (module-scoped, unlike ``cli``)."""

    def __init__(self, home: Path) -> None:
        self.env = {**os.environ, "BROKERPLEX_HOME": str(home), "COLUMNS": "200"}

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "brokerplex"), *args], capture_output=True, text=True, timeout=120,
                              env={**self.env, **(env or {})})


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One paper account with a filled, a resting, a rejected and a stop order, a position and funds."""
    cli = Run(tmp_path_factory.mktemp("book") / "home")
    ok(cli("activate", "paper", "demo"))
    ok(cli("place", "demo", "NSE:INFY", "buy", "10"))
    ok(cli("place", "demo", "NSE:RELIANCE", "buy", "10", "--limit", "1300"))
    assert cli("place", "demo", "NSE:TCS", "sell", "5").returncode == 1  # refused: no holdings
    last = json.loads(ok(cli("quote", "demo", "NSE:TATASTEEL", "--json")))["NSE:TATASTEEL"]["last_price"]
    trigger = f"{float(last) * 1.1:.0f}"  # well above the market: a buy stop that waits
    ok(cli("place", "demo", "NSE:TATASTEEL", "buy", "1000", "--limit", str(int(trigger) + 5), "--trigger", trigger))
    return {"cli": cli, "orders": json.loads(ok(cli("orders", "demo", "--json"))),
            "positions": json.loads(ok(cli("positions", "demo", "--json"))),
            "funds": json.loads(ok(cli("funds", "demo", "--json")))}


def shown(value: str) -> str:
    """A JSON decimal as a table shows it: grouped by thousands, two places at least."""
    whole, _, fraction = value.partition(".")
    return f"{int(whole):,}.{fraction}"


def hidden(screen: str) -> set[str]:
    """The columns a table names as left out for width."""
    found = re.search(r"hidden for width: (.*?) \(--json has all\)", " ".join(screen.split()))
    return set(found.group(1).split(", ")) if found else set()


@pytest.mark.parametrize("width", [60, 80, 200])
def test_orders_never_lose_a_digit_of_an_id_quantity_price_or_status(book: dict[str, Any], width: int) -> None:
    screen = ok(book["cli"]("orders", "demo", env={"COLUMNS": str(width)}))
    assert max(len(line) for line in screen.splitlines()) <= width
    words = set(re.split(r"[\s│┃]+", screen))
    left_out = hidden(screen)
    assert not left_out & {"order id", "symbol", "side", "qty", "price", "status"}
    for order in book["orders"]:
        assert order["order_id"] in words
        assert order["symbol"] in words
        assert f"{order['quantity']:,}" in words
        assert order["status"] in screen  # "TRIGGER PENDING" has a space
        for field, header in (("price", "price"), ("trigger_price", "trigger"), ("average_price", "avg")):
            if order[field] is not None and header not in left_out:
                assert shown(order[field]) in words, (field, order[field], screen)
    if width == 200:
        assert not left_out
        assert "message" in screen
    rejected = next(order for order in book["orders"] if order["status"] == "REJECTED")
    assert " ".join(rejected["status_message"].split()[:3]) in " ".join(screen.split())  # its reason is there


@pytest.mark.parametrize("width", [60, 80, 200])
def test_positions_and_funds_fit_every_width_whole(book: dict[str, Any], width: int) -> None:
    positions = ok(book["cli"]("positions", "demo", env={"COLUMNS": str(width)}))
    funds = ok(book["cli"]("funds", "demo", env={"COLUMNS": str(width)}))
    for screen in (positions, funds):
        assert max(len(line) for line in screen.splitlines()) <= width
    words = set(re.split(r"[\s│┃]+", positions + funds))
    for position in book["positions"]:
        assert position["symbol"] in words
        assert shown(position["average_price"]) in words
    for field in ("cash", "available_margin", "used_margin"):
        assert shown(book["funds"][field]) in words


def test_narrow_terminals_name_the_columns_left_out_or_print_records(book: dict[str, Any]) -> None:
    eighty = ok(book["cli"]("orders", "demo", env={"COLUMNS": "80"}))
    assert "message" in hidden(eighty)
    sixty = ok(book["cli"]("orders", "demo", env={"COLUMNS": "60"}))
    assert "┃" not in sixty  # one record per order, every field named
    assert len(re.findall(r"^order id\s+\d+", sixty, re.MULTILINE)) == len(book["orders"])
    assert "hidden for width" not in sixty


def on_terminal(cli: Run, *args: str, env: dict[str, str] | None = None) -> str:
    """The CLI's output with stdout and stderr on a pseudo-terminal, as a person sees it."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([str(BIN / "brokerplex"), *args], stdin=subprocess.DEVNULL, stdout=terminal,
                               stderr=terminal, env={**cli.env, "TERM": "xterm-256color", **(env or {})})
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks).decode()


def test_colour_marks_side_status_and_pnl_on_a_terminal_only(book: dict[str, Any]) -> None:
    cli = book["cli"]
    coloured = on_terminal(cli, "orders", "demo")
    green, red = "\x1b[32m", "\x1b[31m"
    assert f"{green}BUY" in coloured
    assert f"{green}COMPLETE" in coloured
    assert f"{red}REJECTED" in coloured
    assert f"{red}SELL" in coloured
    pnl = on_terminal(cli, "positions", "demo")
    rows = [line.split("│") for line in ANSI.sub("", pnl).splitlines() if line.startswith("│ NSE:")]
    for row in rows:  # the market moves: judge the P&L this screen shows
        value = float(row[-2].replace(",", ""))
        assert value == 0 or (green if value > 0 else red) in pnl, row
    assert rows
    assert COLOUR.search(coloured)
    assert not COLOUR.search(on_terminal(cli, "orders", "demo", env={"NO_COLOR": "1"}))
    assert not ANSI.search(ok(cli("orders", "demo")))  # piped


def test_indian_grouping_by_flag_or_environment(book: dict[str, Any]) -> None:
    cash = book["funds"]["cash"]  # about 9,84,000: lakhs show the difference
    whole, _, fraction = cash.partition(".")
    lakhs = f"{whole[:-5]},{whole[-5:-3]},{whole[-3:]}.{fraction}"
    cli = book["cli"]
    assert lakhs in ok(cli("--indian", "funds", "demo"))
    assert lakhs in ok(cli("funds", "demo", env={"BROKERPLEX_INDIAN": "1"}))
    assert shown(cash) in ok(cli("funds", "demo"))

