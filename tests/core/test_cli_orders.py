"""The order commands as users type them: mistakes are named, nothing is sent."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from cli_results import one_line_error

if TYPE_CHECKING:
    from tests.conftest import Cli


@pytest.fixture
def demo(cli: Cli) -> Cli:
    assert cli("activate", "paper", "demo").returncode == 0
    return cli


@pytest.mark.parametrize(("args", "fragment"), [
    (["place", "demo", "NSE:INFY", "buy", "-5"], "quantity -5 is negative"),
    (["place", "demo", "NSE:INFY", "sell", "-5", "--limit", "1500"], "quantity -5 is negative"),
    (["cancel", "demo", ""], "give an order id"),
    (["cancel", "demo", "  "], "give an order id"),
    (["modify", "demo", "", "--qty", "2"], "give an order id"),
    (["modify", "demo", "1", "--type", "market", "--limit", "1500"], "MARKET order takes no price"),
    (["modify", "demo", "1", "--type", "SL-M", "--limit", "1500"], "SL-M order takes no price"),
    (["modify", "demo", "1", "--type", "limit", "--trigger", "1500"], "LIMIT order takes no trigger"),
    (["modify", "demo", "1", "--qty", "-5"], "greater than 0"),
])
def test_contradictions_and_empty_ids_are_bad_input(demo: Cli, args: list[str], fragment: str) -> None:
    assert fragment in one_line_error(demo(*args), 2)
    assert json.loads(demo("orders", "demo", "--json").stdout) == []


def test_a_modify_keeps_nothing_silently(demo: Cli) -> None:
    placed = json.loads(demo("place", "demo", "NSE:INFY", "buy", "1", "--limit", "1300", "--json").stdout)
    assert placed["status"] == "OPEN"
    changed = demo("modify", "demo", placed["order_id"], "--type", "limit", "--limit", "1305")
    assert changed.returncode == 0, changed.stderr
    (order,) = json.loads(demo("orders", "demo", "--json").stdout)
    assert (order["price"], order["order_type"]) == ("1305.00", "LIMIT")


def test_place_reports_the_same_fields_whatever_the_outcome(demo: Cli) -> None:
    complete = demo("place", "demo", "NSE:INFY", "buy", "2", "--json")
    rejected = demo("place", "demo", "NSE:TCS", "sell", "2", "--json")
    resting = demo("place", "demo", "NSE:INFY", "buy", "1", "--limit", "1300", "--json")
    fields = {"order_id", "client_order_id", "status", "status_message", "filled_quantity", "average_price"}
    for result, status, code in ((complete, "COMPLETE", 0), (resting, "OPEN", 0), (rejected, "REJECTED", 1)):
        assert result.returncode == code, result.stderr
        record = json.loads(result.stdout)
        assert (set(record), record["status"]) == (fields, status)
    assert "insufficient holdings" in json.loads(rejected.stdout)["status_message"]
    assert one_line_error(rejected, 1).startswith("error: order ")
    assert "was rejected by paper: insufficient holdings" in rejected.stderr
