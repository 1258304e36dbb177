"""State that cannot be used is named with the way out, and the other accounts stay usable (the store's own
failures: tests/core/test_store.py)."""

from __future__ import annotations

import json
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
