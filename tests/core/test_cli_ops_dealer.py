"""The trader operations' commands as a dealer, against the XTS simulator: per client (--client) and across
every client (--all-clients), each leg and each P&L naming its client."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cli_results import data

if TYPE_CHECKING:
    from tests.conftest import Cli

ACCOUNT = "d1"


@pytest.fixture
def dealer(cli: Cli, tmp_path: Path) -> Iterator[tuple[Cli, list[str]]]:
    """The CLI with the dealer account ``d1`` logged in at a fresh XTS simulator; and its client codes."""
    sim = pytest.importorskip("brokerplex_xts_client.sim")
    with sim.XtsSimulator(state_dir=tmp_path / "xts", seed=1) as simulator:
        codes = list(simulator.account("dealer")["client_codes"])
        settings = simulator.settings("dealer", client_code=codes[0])
        data(cli("activate", "xts_pro", ACCOUNT, *(f"-o{key}={value}" for key, value in settings.items()), "--json"))
        data(cli("login", ACCOUNT, "--json"))
        yield cli, codes


def positions_of(cli: Cli, code: str) -> dict[str, int]:
    return {p["symbol"]: p["quantity"] for p in data(cli("positions", ACCOUNT, "--client", code, "--json"))
            if p["quantity"]}


def test_a_dealer_exits_every_clients_positions_and_reads_their_pnl(dealer: tuple[Cli, list[str]]) -> None:
    cli, codes = dealer
    first, second = codes[:2]
    data(cli("place", ACCOUNT, "NSE:INFY", "buy", "3", "--product", "MIS", "--client", first, "--json"))
    data(cli("place", ACCOUNT, "NSE:SBIN", "buy", "2", "--product", "MIS", "--client", second, "--json"))

    found = data(cli("pnl", ACCOUNT, "--all-clients", "--json"))
    by_client = {s["client_code"]: s for s in found["summaries"]}
    assert {(line["symbol"], line["quantity"]) for line in by_client[first]["lines"]} == {("NSE:INFY", 3)}
    assert {(line["symbol"], line["quantity"]) for line in by_client[second]["lines"]} == {("NSE:SBIN", 2)}
    assert Decimal(found["total"]["net"]) == sum(Decimal(s["net"]) for s in found["summaries"])

    only_second = data(cli("target", ACCOUNT, "NSE:SBIN", "5", "--product", "MIS", "--client", second, "--json"))
    assert [(leg["side"], leg["quantity"], leg["client_code"]) for leg in only_second] == [("BUY", 3, second)]

    legs = data(cli("exit", ACCOUNT, "--all", "--all-clients", "--json"))
    assert sorted((leg["client_code"], leg["symbol"], leg["outcome"]) for leg in legs) == sorted(
        [(first, "NSE:INFY", "done"), (second, "NSE:SBIN", "done")])
    assert positions_of(cli, first) == {}
    assert positions_of(cli, second) == {}
