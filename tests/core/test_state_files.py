"""Damaged or misplaced state files: named, with the way out; never overwritten silently; other accounts usable."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.conftest import Cli


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def kept_copies(home: Path, name: str) -> list[Path]:
    return sorted(home.glob(f"{name}.damaged-*"))


@pytest.fixture
def two_accounts(cli: Cli, home: Path) -> Cli:
    ok(cli("activate", "paper", "p1"))
    ok(cli("activate", "paper", "p2", "-o", "seed=3"))
    return cli


@pytest.mark.parametrize("damage", [b'{"p1": {"broker"', b"[1, 2]", b"\xff\xfe not text", b"[" * 100_000])
def test_a_damaged_accounts_file_is_named_with_the_way_out(two_accounts: Cli, home: Path, damage: bytes) -> None:
    accounts = home / "accounts.json"
    accounts.write_bytes(damage)
    for args in (["accounts"], ["orders", "p1"], ["deactivate", "p2"]):
        line = one_line_error(two_accounts(*args), 1)
        assert f"{accounts} is damaged" in line
        assert "brokerplex activate" in line
        assert "unexpected" not in line
    assert accounts.read_bytes() == damage  # reading never rewrites it


def test_activate_keeps_a_damaged_accounts_file_aside_and_says_so(two_accounts: Cli, home: Path) -> None:
    accounts = home / "accounts.json"
    accounts.write_text('{"p1": {"broker"')
    activated = two_accounts("activate", "paper", "p3")
    assert activated.returncode == 0, activated.stderr
    (kept,) = kept_copies(home, "accounts.json")
    assert kept.read_text() == '{"p1": {"broker"'
    assert f"{accounts} could not be read: it is kept as {kept.name}" in activated.stderr
    assert [a["account"] for a in json.loads(ok(two_accounts("accounts", "--json")))] == ["p3"]
    ok(two_accounts("place", "p3", "NSE:INFY", "buy", "1"))


def test_a_malformed_entry_spoils_only_its_own_account(two_accounts: Cli, home: Path) -> None:
    accounts = home / "accounts.json"
    data = json.loads(accounts.read_text())
    data["p2"] = {"settings": {}}  # no broker
    accounts.write_text(json.dumps(data))
    listed = two_accounts("accounts", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["account"]: row for row in json.loads(listed.stdout)}
    assert rows["p1"]["broker"] == "paper"
    assert "malformed" in rows["p2"]["problem"]
    assert "warning: account p2:" in listed.stderr
    ok(two_accounts("place", "p1", "NSE:INFY", "buy", "1"))
    line = one_line_error(two_accounts("orders", "p2"), 1)
    assert f"account 'p2' in {accounts} is malformed" in line
    assert "--replace" in line
    ok(two_accounts("activate", "paper", "p2", "--replace"))
    ok(two_accounts("orders", "p2"))


def test_an_account_of_an_uninstalled_broker_is_listed_not_fatal(cli: Cli, acme_site: Path) -> None:
    with_acme = {"PYTHONPATH": str(acme_site)}
    ok(cli("activate", "acme", "a1", "-o", "api_key=k", "-o", "api_secret=s", env=with_acme))
    ok(cli("activate", "paper", "p1"))
    listed = cli("accounts", "--json")  # acme is not on the path any more: uninstalled
    assert listed.returncode == 0, listed.stderr
    rows = {row["account"]: row for row in json.loads(listed.stdout)}
    assert rows["a1"]["broker"] == "acme"
    assert rows["a1"]["problem"] == "broker 'acme' is not installed: install its plugin, or deactivate a1"
    assert rows["p1"]["settings"]["seed"] == 7
    table = cli("accounts")
    assert table.returncode == 0
    assert "acme (unusable)" in table.stdout
    ok(cli("place", "p1", "NSE:INFY", "buy", "1"))
    assert "account 'a1' is at broker 'acme', whose plugin is not installed here" in one_line_error(
        cli("orders", "a1"), 2)
    ok(cli("deactivate", "a1"))
    assert [row["account"] for row in json.loads(ok(cli("accounts", "--json")))] == ["p1"]


def test_a_damaged_journal_is_named_and_never_rebuilt(two_accounts: Cli, home: Path) -> None:
    ok(two_accounts("place", "p1", "NSE:INFY", "buy", "1"))
    journal = home / "journal.sqlite"
    for leftover in home.glob("journal.sqlite-*"):
        leftover.unlink()
    journal.write_bytes(b"this is not an sqlite database" * 200)
    line = one_line_error(two_accounts("place", "p1", "NSE:INFY", "buy", "1"), 1)
    assert f"the order journal {journal} cannot be read" in line
    assert "move it aside (mv " in line
    assert "DatabaseError" not in line
    assert journal.read_bytes().startswith(b"this is not an sqlite database")
    ok(two_accounts("orders", "p1"))  # reading the books needs no journal
    journal.rename(home / "journal.sqlite.damaged")  # what the message says to do
    ok(two_accounts("place", "p1", "NSE:INFY", "buy", "1"))
    with sqlite3.connect(journal) as fresh:
        assert fresh.execute("SELECT count(*) FROM journal").fetchone() == (1,)


def test_a_damaged_paper_exchange_is_named_and_never_rebuilt(two_accounts: Cli, home: Path) -> None:
    ok(two_accounts("place", "p1", "NSE:INFY", "buy", "1"))
    exchange = home / "paper" / "exchange.sqlite"
    for leftover in exchange.parent.glob("exchange.sqlite-*"):
        leftover.unlink()
    exchange.write_bytes(b"this is not an sqlite database" * 200)
    line = one_line_error(two_accounts("orders", "p1"), 1)
    assert f"the paper exchange {exchange} cannot be read" in line
    assert "move it aside (mv " in line
    assert exchange.read_bytes().startswith(b"this is not an sqlite database")


@pytest.mark.parametrize("where", ["flag", "environment"])
def test_a_home_that_is_a_file_is_bad_input(cli: Cli, tmp_path: Path, where: str) -> None:
    not_a_folder = tmp_path / "passwd"
    not_a_folder.write_text("root:x:0:0::/root:/bin/sh\n")
    if where == "flag":
        result = cli("--home", str(not_a_folder), "activate", "paper", "p1")
    else:
        result = cli("accounts", env={"BROKERPLEX_HOME": str(not_a_folder)})
    line = one_line_error(result, 2)
    origin = "--home" if where == "flag" else "$BROKERPLEX_HOME"
    assert f"the state folder {not_a_folder} (from {origin}) is a file, not a folder" in line
    assert not_a_folder.read_text() == "root:x:0:0::/root:/bin/sh\n"
