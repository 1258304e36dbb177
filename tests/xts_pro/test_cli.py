"""The real ``brokerplex`` CLI in a child process, as a dealer: --client, repeated --client (fan-out),
--all-clients and ``clients``, against the XTS simulator (in this process)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from stored import journal_of, save_session, session_of

if TYPE_CHECKING:
    from tests.xts_pro.conftest import SimKeys

ACCOUNT = "d1"
FIRST, SECOND, PRO = "CL1001", "CL1002", "*****"
TICK = Decimal("0.05")


class Cli(Protocol):
    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None,
                 ) -> subprocess.CompletedProcess[str]: ...


class Session:
    """Runs CLI commands and keeps every output, to look for secrets in all of them at the end."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli
        self.outputs: list[subprocess.CompletedProcess[str]] = []

    def __call__(self, *args: str) -> Any:
        """A command that must succeed: its JSON (with --json) or its text."""
        done = self.raw(*args)
        assert done.returncode == 0, (args, done.stderr)
        return json.loads(done.stdout) if "--json" in args else done.stdout

    def raw(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = self.cli(*args)
        self.outputs.append(done)
        return done

    def refused(self, *args: str, code: int = 2) -> str:
        """A command that must fail with ``code`` and one line on stderr, no traceback; that line."""
        done = self.raw(*args)
        assert done.returncode == code, (args, done.returncode, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert lines[0].startswith("error: ")
        return lines[0]


@pytest.fixture
def run(cli: Cli, home: Path, keys: SimKeys) -> Iterator[Session]:
    """The CLI with the dealer account ``d1`` activated (default client CL1001) and logged in; after
    the test, no output of any command may hold a secret key or a session token."""
    session = Session(cli)
    activated = session("activate", "xts_pro", ACCOUNT, *keys.cli_options(client_code=FIRST), "--json")
    assert (activated["broker"], activated["settings"]["client_code"]) == ("xts_pro", FIRST)
    assert session("login", ACCOUNT, "--json")["user_id"] == keys.dealer_id
    yield session
    stored = session_of(home, ACCOUNT)
    secrets = [*keys.secrets, stored["interactive_token"], stored["marketdata_token"]]
    assert all(secrets)
    for done in session.outputs:
        for secret in secrets:
            assert secret not in done.stdout
            assert secret not in done.stderr


def journal_entries(home: Path) -> list[tuple[str | None, str]]:
    return [(entry.client, entry.state.value) for entry in journal_of(home)]


def test_a_dealer_trades_and_reads_per_client(run: Session, home: Path, keys: SimKeys) -> None:
    assert run("clients", ACCOUNT, "--json") == [FIRST, SECOND, PRO]
    assert run("clients", ACCOUNT).split() == [FIRST, SECOND, PRO]

    placed = run("place", ACCOUNT, "NSE:INFY", "buy", "2", "--client", "cl1002", "--json")
    fan = run("place", ACCOUNT, "NSE:INFY", "buy", "1", "--client", FIRST, "--client", SECOND, "--client", PRO,
              "--json")
    assert [row["client"] for row in fan] == [FIRST, SECOND, PRO]
    assert all("error" not in row for row in fan), fan
    assert len({row["ack"]["client_order_id"] for row in fan}) == 3
    acks = {row["client"]: row["ack"] for row in fan}
    default = run("place", ACCOUNT, "NSE:INFY", "buy", "1", "--json")  # the account's client_code, FIRST

    second = run("orders", ACCOUNT, "--client", SECOND, "--json")
    assert sorted(o["order_id"] for o in second) == sorted([placed["order_id"], acks[SECOND]["order_id"]])
    assert {o["client_code"] for o in second} == {SECOND}
    first = run("orders", ACCOUNT, "--json")
    assert sorted(o["order_id"] for o in first) == sorted([acks[FIRST]["order_id"], default["order_id"]])
    assert {o["client_code"] for o in first} == {FIRST}
    everyone = run("orders", ACCOUNT, "--all-clients", "--json")
    assert sorted((o["client_code"], o["order_id"]) for o in everyone) == sorted(
        [(FIRST, acks[FIRST]["order_id"]), (FIRST, default["order_id"]), (SECOND, placed["order_id"]),
         (SECOND, acks[SECOND]["order_id"]), (PRO, acks[PRO]["order_id"])])
    table = run("orders", ACCOUNT, "--all-clients")
    assert "client" in table
    assert all(code in table for code in (FIRST, SECOND, PRO))
    history = run("orders", ACCOUNT, placed["order_id"], "--client", SECOND, "--json")
    assert {o["order_id"] for o in history} == {placed["order_id"]}
    assert history[-1]["status"] == "COMPLETE"

    positions = run("positions", ACCOUNT, "--client", SECOND, "--json")
    assert [(p["symbol"], p["quantity"], p["client_code"]) for p in positions] == [("NSE:INFY", 3, SECOND)]
    every_position = run("positions", ACCOUNT, "--all-clients", "--json")
    assert sorted((p["client_code"], p["quantity"]) for p in every_position) == sorted(
        [(FIRST, 2), (SECOND, 3), (PRO, 1)])
    trades = run("trades", ACCOUNT, "--client", PRO, "--json")
    assert [(t["order_id"], t["client_code"]) for t in trades] == [(acks[PRO]["order_id"], PRO)]
    assert run("holdings", ACCOUNT, "--all-clients", "--json") == []
    spent_by_second = Decimal(run("funds", ACCOUNT, "--client", SECOND, "--json")["cash"])
    spent_by_pro = Decimal(run("funds", ACCOUNT, "--client", PRO, "--json")["cash"])
    assert spent_by_second < spent_by_pro  # three shares against one, each paid by its own client

    last = Decimal(run("quote", ACCOUNT, "NSE:INFY", "--json")["NSE:INFY"]["last_price"])
    price = (last * Decimal("0.95") / TICK).to_integral_value(ROUND_FLOOR) * TICK
    resting = run("place", ACCOUNT, "NSE:INFY", "buy", "1", "--limit", str(price), "--client", SECOND, "--json")
    modified = run("modify", ACCOUNT, resting["order_id"], "--qty", "2", "--client", SECOND, "--json")
    assert modified["order_id"] == resting["order_id"]
    run("cancel", ACCOUNT, resting["order_id"], "--client", SECOND, "--json")
    states = run("orders", ACCOUNT, resting["order_id"], "--client", SECOND, "--json")
    assert (states[-1]["quantity"], states[-1]["status"]) == (2, "CANCELLED")

    # Each order journalled once, with its client; the exchange holds each client's orders, no more.
    assert sorted(journal_entries(home)) == sorted(
        [(SECOND, "SENT"), (FIRST, "SENT"), (SECOND, "SENT"), (PRO, "SENT"), (FIRST, "SENT"), (SECOND, "SENT")])
    assert {code: len(keys.exchange_orders(code)) for code in (FIRST, SECOND, PRO)} == {FIRST: 2, SECOND: 3, PRO: 1}


def test_a_fan_out_in_text(run: Session) -> None:
    shown = run("place", ACCOUNT, "NSE:INFY", "buy", "1", "--client", SECOND, "--client", PRO).splitlines()
    assert [line.split(":", 1)[0] for line in shown] == [SECOND, PRO]
    assert all(": order " in line and "client order id" in line for line in shown)


def test_a_foreign_or_repeated_client_is_one_line_and_exit_code_2(run: Session, home: Path, keys: SimKeys) -> None:
    line = run.refused("place", ACCOUNT, "NSE:INFY", "buy", "1", "--client", "CL9999")
    assert f"client 'CL9999' is not held by dealer {keys.dealer_id}" in line
    assert f"it holds {FIRST}, {SECOND}, {PRO}" in line
    assert "CL9999" in run.refused("orders", ACCOUNT, "--client", "CL9999")
    assert "XTS0001" in run.refused("funds", ACCOUNT, "--client", "XTS0001")
    assert "CL9999" in run.refused("positions", ACCOUNT, "--client", "CL9999", "--json")
    assert "CL9999" in run.refused("cancel", ACCOUNT, "123", "--client", "CL9999")
    assert "CL9999" in run.refused("modify", ACCOUNT, "123", "--qty", "2", "--client", "CL9999")
    # A fan-out checks every code first: FIRST gets nothing either.
    assert "CL9999" in run.refused("place", ACCOUNT, "NSE:INFY", "buy", "1", "--client", FIRST, "--client", "CL9999",
                                   "--json")
    assert "listed twice" in run.refused("place", ACCOUNT, "NSE:INFY", "buy", "1", "--client", FIRST,
                                         "--client", "cl1001")
    assert "client order id" in run.refused("place", ACCOUNT, "NSE:INFY", "buy", "1", "--tag", "sharedtag1",
                                            "--client", FIRST, "--client", SECOND)
    assert "not both" in run.refused("positions", ACCOUNT, "--client", FIRST, "--all-clients")
    assert "--all-clients" in run.refused("orders", ACCOUNT, "--client", FIRST, "--all-clients")
    assert journal_entries(home) == []
    assert keys.all_exchange_orders() == 0
    assert run("orders", ACCOUNT, "--all-clients", "--json") == []


def test_one_clients_refusal_in_a_fan_out_exits_1_and_hides_no_result(run: Session, home: Path,
                                                                      keys: SimKeys) -> None:
    saved = session_of(home, ACCOUNT)
    saved["client_codes"] = [*saved["client_codes"], "CL2001"]  # held here, not mapped at the server
    save_session(home, ACCOUNT, saved)
    done = run.raw("place", ACCOUNT, "NSE:INFY", "buy", "1", "--client", FIRST, "--client", "CL2001",
                   "--client", PRO, "--json")
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == ["error: 1 of 3 orders failed (clients CL2001)"]
    rows = json.loads(done.stdout)
    assert [row["client"] for row in rows] == [FIRST, "CL2001", PRO]
    assert rows[1]["error_type"] == "PermissionDeniedError"
    assert "CL2001 is not mapped" in rows[1]["error"]
    assert "ack" not in rows[1]
    for row in (rows[0], rows[2]):
        book = run("orders", ACCOUNT, "--client", row["client"], "--json")
        assert [o["order_id"] for o in book] == [row["ack"]["order_id"]]  # placed, once
    assert sorted(journal_entries(home)) == sorted([(FIRST, "SENT"), ("CL2001", "REJECTED"), (PRO, "SENT")])
    # A book across every client reports the one that fails and shows the others.
    every = run.raw("orders", ACCOUNT, "--all-clients", "--json")
    assert every.returncode == 0, every.stderr
    warning = every.stderr.strip().splitlines()
    assert len(warning) == 1
    assert warning[0].startswith("warning: client CL2001: ")
    assert sorted((o["client_code"], o["order_id"]) for o in json.loads(every.stdout)) == sorted(
        (row["client"], row["ack"]["order_id"]) for row in (rows[0], rows[2]))
    assert keys.all_exchange_orders() == 2


def test_a_dealer_account_without_a_default_client(cli: Cli, keys: SimKeys) -> None:
    run = Session(cli)
    run("activate", "xts_pro", "d0", *keys.cli_options())
    run("login", "d0")
    assert "client_code" in run.refused("orders", "d0")
    assert "client_code" in run.refused("place", "d0", "NSE:INFY", "buy", "1")
    assert keys.all_exchange_orders() == 0
    placed = run("place", "d0", "NSE:INFY", "buy", "1", "--client", PRO, "--json")
    assert [(o["order_id"], o["client_code"]) for o in run("orders", "d0", "--client", PRO, "--json")] == [
        (placed["order_id"], PRO)]
    assert [o["client_code"] for o in run("orders", "d0", "--all-clients", "--json")] == [PRO]


def test_client_options_on_a_paper_account_exit_2(cli: Cli) -> None:
    run = Session(cli)
    run("activate", "paper", "p1")
    for args in (("orders", "p1", "--client", FIRST), ("place", "p1", "NSE:INFY", "buy", "1", "--client", FIRST),
                 ("place", "p1", "NSE:INFY", "buy", "1", "--client", FIRST, "--client", SECOND),
                 ("funds", "p1", "--client", FIRST), ("clients", "p1"), ("positions", "p1", "--all-clients")):
        assert "paper logins act for their own account only" in run.refused(*args)
    assert run("orders", "p1", "--json") == []  # nothing was placed
