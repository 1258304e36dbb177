"""The README as a new user follows it: its commands work as written and its symbols are listed."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from brokerplex.manager import BrokerManager

BIN = Path(sys.executable).parent
README = Path(__file__).parents[1] / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# A concrete symbol; a form with placeholders (`NFO:<underlying><yy><MON>FUT`) is grammar, not a symbol.
SYMBOL = re.compile(r"(?<![A-Za-z])(?:NSE|BSE|NFO|BFO|CDS|BCD|MCX):[A-Z0-9][A-Z0-9&._-]*(?: [A-Z0-9]+)*(?![\w&.<-])")
SEPARATORS = {";", "&", "&&", "||", "|"}


def shell_commands() -> list[list[str]]:
    """Every command of the README's ``sh`` blocks, a chain split at ``;`` ``&`` ``&&`` ``|``."""
    commands: list[list[str]] = []
    for language, body in FENCE.findall(README.read_text(encoding="utf-8")):
        if language != "sh":
            continue
        for line in body.replace("\\\n", " ").splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            command: list[str] = []
            for token in [*lexer, ";"]:
                if token in SEPARATORS:
                    if command:
                        commands.append(command)
                    command = []
                else:
                    command.append(token)
    return commands


def brokerplex_commands() -> list[list[str]]:
    return [command for command in shell_commands() if Path(command[0]).name == "brokerplex"]


def is_paper(command: list[str]) -> bool:
    """A command of the paper walk-through: ``brokers`` or one acting on the ``demo`` account."""
    return command[1] == "brokers" or "demo" in command[2:4]


def test_every_brokerplex_in_a_chain_runs_from_the_virtualenv() -> None:
    commands = brokerplex_commands()
    assert len(commands) > 20
    wrong = [shlex.join(command) for command in commands if command[0] != ".venv/bin/brokerplex"]
    assert not wrong, f"not runnable as written after `make demo`: {wrong}"
    assert {Path(command[0]).name for command in shell_commands()} <= {"brokerplex", "make"}


def test_every_symbol_the_readme_shows_is_listed_at_the_paper_exchange(tmp_path: Path) -> None:
    symbols = sorted(set(SYMBOL.findall(README.read_text(encoding="utf-8"))))
    assert {"NSE:INFY", "NSE:NIFTY 50", "NSE:RELIANCE"} <= set(symbols)
    with BrokerManager(tmp_path) as manager:
        manager.activate("paper", "p")
        # "NSE:INFY 20" in a command line is a symbol and a quantity, "NSE:NIFTY 50" an index's name.
        unlisted = [symbol for symbol in symbols if not listed(manager, symbol)
                    and not (symbol.rpartition(" ")[2].isdigit() and listed(manager, symbol.rpartition(" ")[0]))]
    assert not unlisted, f"the README shows symbols the paper exchange does not list: {unlisted}"


def listed(manager: BrokerManager, symbol: str) -> bool:
    from brokerplex.errors import SymbolError

    try:
        manager.instrument("p", symbol)
    except SymbolError:
        return False
    return True


def run(home: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "brokerplex"), *command[1:]], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "BROKERPLEX_HOME": str(home), "COLUMNS": "100"})


def test_the_paper_walk_through_runs_as_written(tmp_path: Path) -> None:
    home = tmp_path / "home"
    walk = [command for command in brokerplex_commands() if is_paper(command)]
    assert [command[1] for command in walk][:2] == ["brokers", "activate"]
    assert {"place", "modify", "cancel", "orders", "positions", "funds", "reconcile"} <= {c[1] for c in walk}
    for command in walk:
        if "ORDER_ID" in command:
            command = [resting_order(home) if word == "ORDER_ID" else word for word in command]
        done = run(home, command)
        assert done.returncode == 0, (shlex.join(command), done.stderr)
        assert "error" not in done.stderr, (shlex.join(command), done.stderr)


def resting_order(home: Path) -> str:
    """The id of the order the README's ORDER_ID stands for: the open limit order it placed."""
    orders = json.loads(run(home, [".venv/bin/brokerplex", "orders", "demo", "--json"]).stdout)
    (resting,) = [order["order_id"] for order in orders if order["status"] == "OPEN"]
    return str(resting)


@pytest.mark.parametrize("command", [c for c in brokerplex_commands() if not is_paper(c)], ids=shlex.join)
def test_every_other_command_names_a_real_command_and_options(command: list[str]) -> None:
    """Commands against a simulator or a real broker cannot all run here: each must at least parse."""
    words = [word for word in command[1:] if word != "&"]
    name = words[0]
    if name in ("sim", "plugin"):  # groups: the command is their subcommand
        name = f"{name} {words[1]}"
    done = subprocess.run([str(BIN / "brokerplex"), *name.split(), "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    for option in {word.split("=")[0] for word in words if word.startswith("--")}:
        assert option in done.stdout, (shlex.join(command), option)
