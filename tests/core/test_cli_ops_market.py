"""The market and account views as users type them: search, expiries, chain, depth (live from the Kite
simulator's stream), candles, profile, holdings and P&L across accounts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cli_results import data, ok, one_line_error

if TYPE_CHECKING:
    from tests.conftest import Cli


def test_search_ranks_and_filters(demo: Cli) -> None:
    found = data(demo("search", "demo", "infy", "--limit", "5", "--json"))
    assert found
    assert found[0]["symbol"] == "NSE:INFY"
    assert len(found) <= 5
    futures = data(demo("search", "demo", "nifty", "--type", "fut", "--exchange", "nfo", "--json"))
    assert futures
    assert {(i["exchange"], i["instrument_type"]) for i in futures} == {("NFO", "FUT")}
    assert "NSE:INFY" in ok(demo("search", "demo", "infosys")).stdout


def test_expiries_are_ascending_dates(demo: Cli) -> None:
    found = [dt.date.fromisoformat(day) for day in data(demo("expiries", "demo", "nifty", "--json"))]
    assert len(found) >= 2
    assert found == sorted(found)
    assert ok(demo("expiries", "demo", "NIFTY")).stdout.split() == [day.isoformat() for day in found]


def test_chain_shows_calls_strike_puts_with_greeks(demo: Cli) -> None:
    later = data(demo("expiries", "demo", "NIFTY", "--json"))[1]  # not today's: it has time left for greeks
    chain = data(demo("chain", "demo", "NIFTY", "--expiry", later, "--strikes", "3", "--json"))
    assert chain["underlying"] == "NIFTY"
    assert chain["expiry"] == later
    assert chain["spot"]
    strikes = [Decimal(row["strike"]) for row in chain["rows"]]
    assert len(strikes) == 7
    assert strikes == sorted(strikes)
    middle = chain["rows"][3]
    assert Decimal("0") < Decimal(middle["call"]["delta"]) < Decimal("1")
    assert Decimal("-1") < Decimal(middle["put"]["delta"]) < Decimal("0")
    assert Decimal(middle["call"]["iv"]) > 0
    assert middle["call"]["open_interest"] is not None
    table = ok(demo("chain", "demo", "NIFTY", "--expiry", later, "--strikes", "3", env={"COLUMNS": "200"})).stdout
    assert all(header in table for header in ("C delta", "C iv %", "strike", "P ltp", "P delta"))
    assert f"{strikes[3]:,.2f}" in table


def test_depth_shows_both_sides(demo: Cli) -> None:
    book = data(demo("depth", "demo", "nse:infy", "--json"))
    assert book["symbol"] == "NSE:INFY"
    assert len(book["bids"]) == len(book["asks"]) == 5
    assert Decimal(book["bids"][0]["price"]) < Decimal(book["asks"][0]["price"])
    assert "bid qty" in ok(demo("depth", "demo", "NSE:INFY")).stdout


def test_candles_json_parses_and_a_date_includes_its_whole_day(demo: Cli) -> None:
    day = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    found = data(demo("candles", "demo", "NSE:INFY", "--interval", "1h", "--from", day, "--to", day, "--json"))
    starts = [dt.datetime.fromisoformat(candle["at"]) for candle in found]
    assert starts
    assert starts == sorted(starts)
    assert {s.date().isoformat() for s in starts} == {day}
    assert all(Decimal(c["low"]) <= min(Decimal(c["open"]), Decimal(c["close"])) <= Decimal(c["high"])
               for c in found)
    assert starts[-1].hour == 23  # --to as a date alone runs to the end of that day
    window = data(demo("candles", "demo", "NSE:INFY", "--interval", "15m", "--from", f"{day}T10:00",
                       "--to", f"{day}T11:00", "--json"))
    assert [dt.datetime.fromisoformat(c["at"]).strftime("%H:%M") for c in window][:4] == [
        "10:00", "10:15", "10:30", "10:45"]


def test_the_candle_intervals_of_the_command_line_are_the_models() -> None:
    from brokerplex.cli.ops.market import INTERVALS as typed
    from brokerplex.ops.models import INTERVALS

    assert typed == INTERVALS


def test_profile(demo: Cli) -> None:
    found = data(demo("profile", "demo", "--json"))
    assert (found["user_id"], found["broker"]) == ("demo", "paper")
    assert "Paper trader" in ok(demo("profile", "demo")).stdout


def test_holdings_show_pnl_and_the_days_change(demo: Cli) -> None:
    assert data(demo("holdings", "demo", "--json")) == []  # bought today: a position, not a holding yet
    assert "Holdings" in ok(demo("holdings", "demo")).stdout


def test_pnl_totals_are_the_sums_of_lines_and_accounts(demo: Cli) -> None:
    ok(demo("activate", "paper", "other"))
    ok(demo("place", "demo", "NSE:INFY", "buy", "10", "--product", "MIS"))
    ok(demo("place", "demo", "NSE:INFY", "sell", "4", "--product", "MIS"))
    ok(demo("place", "demo", "NSE:SBIN", "buy", "5"))
    ok(demo("place", "other", "NSE:INFY", "buy", "2"))

    found = data(demo("pnl", "demo", "other", "--json"))

    summaries = found["summaries"]
    assert [s["account"] for s in summaries] == ["demo", "other"]
    assert found["errors"] == []
    for summary in summaries:
        for name in ("realised", "unrealised", "day", "net"):
            assert Decimal(summary[name]) == sum(Decimal(line[name]) for line in summary["lines"])
        assert Decimal(summary["net"]) == Decimal(summary["realised"]) + Decimal(summary["unrealised"])
    for name in ("realised", "unrealised", "day", "net"):
        assert Decimal(found["total"][name]) == sum(Decimal(s[name]) for s in summaries)
    demo_lines = {(line["symbol"], line["product"]): line["quantity"] for line in summaries[0]["lines"]}
    assert demo_lines == {("NSE:INFY", "MIS"): 6, ("NSE:SBIN", "CNC"): 5}
    table = ok(demo("pnl", "demo", "other", env={"COLUMNS": "200"})).stdout
    assert "P&L of demo" in table
    assert "P&L of other" in table
    assert "all 2: net" in table


def test_pnl_reports_a_failing_account_and_still_shows_the_others(demo: Cli) -> None:
    ok(demo("place", "demo", "NSE:INFY", "buy", "1"))
    result = demo("pnl", "demo", "nosuch")
    assert result.returncode == 1, result.stderr
    assert "P&L of demo" in result.stdout
    assert "warning: nosuch: no account named 'nosuch'" in result.stderr
    assert "1 P&L could not be read (nosuch)" in result.stderr.splitlines()[-1]
    found = json.loads(demo("pnl", "demo", "nosuch", "--json").stdout)
    assert [s["account"] for s in found["summaries"]] == ["demo"]
    assert [e["account"] for e in found["errors"]] == ["nosuch"]
    assert "no account named" in one_line_error(demo("pnl", "nosuch"), 2)  # nothing readable: bad input


@pytest.mark.parametrize(("args", "fragment"), [
    (["search", "demo", " "], "give some text"),
    (["search", "demo", "x", "--type", "bond"], "Invalid value for '--type'"),
    (["expiries", "demo", "NOSUCH"], "no futures or options of 'NOSUCH'"),
    (["chain", "demo", "NIFTY", "--expiry", "2001-01-01"], "no NIFTY options expire on 2001-01-01"),
    (["chain", "demo", "NIFTY", "--strikes", "0"], "Invalid value for '--strikes'"),
    (["chain", "demo", "NIFTY", "--expiry", "soon"], "is not a date"),
    (["candles", "demo", "NSE:INFY", "--interval", "2m", "--from", "2026-01-01", "--to", "2026-01-02"],
     "'2m' is not one of"),
    (["candles", "demo", "NSE:INFY", "--interval", "1d", "--from", "2026-01-05", "--to", "2026-01-01"],
     "must come after its start"),
    (["candles", "demo", "NSE:INFY", "--interval", "1d", "--from", "yesterday", "--to", "2026-01-01"],
     "Invalid value for '--from'"),
    (["depth", "demo", "NSE:INFY", "--count", "2"], "--count belongs with --watch"),
    (["pnl", "demo", "--client", "C1", "--all-clients"], "not both"),
])
def test_bad_input_exits_2_with_one_line(demo: Cli, args: list[str], fragment: str) -> None:
    assert fragment in one_line_error(demo(*args), 2)


@pytest.fixture
def kite_account(cli: Cli, tmp_path: Path) -> Iterator[Cli]:
    """An account ``kite`` at the Kite simulator, logged in through the command line."""
    sim = pytest.importorskip("brokerplex_zerodha.sim")
    simulator = sim.KiteSimulator(state_dir=tmp_path / "kite").start()
    try:
        ok(cli("activate", "zerodha", "kite", f"-oapi_key={simulator.api_key}", "-oapi_secret=kite_sim_secret",
               f"-oroot={simulator.rest}", f"-ows_root={simulator.ws}", f"-ologin_url={simulator.login}"))
        ok(cli("login", "kite", "--request-token", simulator.request_token()))
        yield cli
    finally:
        simulator.stop()


def test_depth_watch_is_live_from_the_stream(kite_account: Cli) -> None:
    lines = ok(kite_account("depth", "kite", "NSE:INFY", "--watch", "--count", "3", "--json")).stdout.splitlines()
    updates = [json.loads(line) for line in lines]
    assert len(updates) == 3
    for update in updates:
        assert update["symbol"] == "NSE:INFY"
        assert len(update["bids"]) == len(update["asks"]) == 5
        assert Decimal(update["bids"][0]["price"]) <= Decimal(update["asks"][0]["price"])
