"""The trading operations' commands as users type them, against the paper broker in child processes:
exits flatten, cancel --all cancels, baskets are all or nothing, slices and targets, dry runs and the
kill switch. Every multi-order command reports each leg and exits 1 if any leg did not go through."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from cli_results import data, ok, one_line_error

if TYPE_CHECKING:
    from tests.conftest import Cli


def open_positions(demo: Cli) -> dict[tuple[str, str], int]:
    return {(p["symbol"], p["product"]): p["quantity"] for p in data(demo("positions", "demo", "--json"))
            if p["quantity"]}


def order_book(demo: Cli) -> list[dict[str, Any]]:
    return data(demo("orders", "demo", "--json"))  # type: ignore[no-any-return]


def test_exit_all_cancels_each_symbols_orders_and_flattens_every_position(demo: Cli) -> None:
    ok(demo("place", "demo", "NSE:INFY", "buy", "10", "--product", "MIS"))
    ok(demo("place", "demo", "NSE:SBIN", "buy", "5"))
    resting = data(demo("place", "demo", "NSE:INFY", "buy", "1", "--limit", "1300", "--product", "MIS", "--json"))
    assert open_positions(demo) == {("NSE:INFY", "MIS"): 10, ("NSE:SBIN", "CNC"): 5}

    legs = data(demo("exit", "demo", "--all", "--json"))

    assert sorted((leg["symbol"], leg["side"], leg["quantity"], leg["outcome"]) for leg in legs) == [
        ("NSE:INFY", "SELL", 10, "done"), ("NSE:SBIN", "SELL", 5, "done")]
    infy = next(leg for leg in legs if leg["symbol"] == "NSE:INFY")
    assert infy["cancelled"] == [resting["order_id"]]
    assert open_positions(demo) == {}
    assert data(demo("orders", "demo", "--status", "open", "--json")) == []


def test_exit_of_named_symbols_leaves_the_others(demo: Cli) -> None:
    ok(demo("place", "demo", "NSE:INFY", "buy", "3", "--product", "MIS"))
    ok(demo("place", "demo", "NSE:SBIN", "buy", "4", "--product", "MIS"))
    table = ok(demo("exit", "demo", "nse:sbin", "NSE:TCS")).stdout
    assert "NSE:SBIN" in table
    assert "no open position" in table
    assert open_positions(demo) == {("NSE:INFY", "MIS"): 3}


def test_exit_dry_run_and_limit_offset(demo: Cli) -> None:
    ok(demo("place", "demo", "NSE:INFY", "buy", "2", "--product", "MIS"))
    (planned,) = data(demo("exit", "demo", "NSE:INFY", "--dry-run", "--limit-offset", "5", "--json"))
    assert planned["outcome"] == "dry_run"
    assert (planned["request"]["order_type"], planned["request"]["side"]) == ("LIMIT", "SELL")
    assert len(order_book(demo)) == 1  # the entry only: nothing sent
    assert open_positions(demo) == {("NSE:INFY", "MIS"): 2}


def test_cancel_all_leaves_no_open_orders_and_symbol_narrows_it(demo: Cli) -> None:
    for symbol, price in (("NSE:INFY", "1300"), ("NSE:INFY", "1310"), ("NSE:SBIN", "800")):
        ok(demo("place", "demo", symbol, "buy", "1", "--limit", price))
    legs = data(demo("cancel", "demo", "--all", "--symbol", "NSE:SBIN", "--json"))
    assert [(leg["symbol"], leg["outcome"]) for leg in legs] == [("NSE:SBIN", "done")]
    assert {o["symbol"] for o in data(demo("orders", "demo", "--status", "open", "--json"))} == {"NSE:INFY"}

    legs = data(demo("cancel", "demo", "--all", "--json"))
    assert [(leg["symbol"], leg["outcome"]) for leg in legs] == [("NSE:INFY", "done")] * 2
    assert data(demo("orders", "demo", "--status", "open", "--json")) == []
    assert len(data(demo("orders", "demo", "--status", "cancelled", "--json"))) == 3


def test_orders_filters_by_status_and_symbol(demo: Cli) -> None:
    ok(demo("place", "demo", "NSE:INFY", "buy", "1"))
    ok(demo("place", "demo", "NSE:SBIN", "buy", "1", "--limit", "800"))
    assert [o["symbol"] for o in data(demo("orders", "demo", "--status", "complete", "--json"))] == ["NSE:INFY"]
    assert [o["symbol"] for o in data(demo("orders", "demo", "--status", "OPEN", "--json"))] == ["NSE:SBIN"]
    assert data(demo("orders", "demo", "--symbol", "nse:infy", "--status", "open", "--json")) == []
    assert data(demo("orders", "demo", "--status", "unknown", "--json")) == []  # nothing of unknown outcome


BASKET = [{"symbol": "NSE:INFY", "side": "buy", "quantity": 2},
          {"symbol": "NSE:SBIN", "side": "BUY", "quantity": 3, "order_type": "LIMIT", "price": "800"},
          {"symbol": "NSE:TCS", "side": "buy", "quantity": 1, "order_type": "limit", "price": "3000"}]


@pytest.mark.parametrize(("bad_leg", "fragment"), [
    ({"symbol": "NSE:TCS", "side": "buy", "quantity": 0}, "leg 3: quantity"),
    ({"symbol": "NSE:TCS", "side": "buy", "quantity": 1, "order_type": "LIMIT", "price": "3000.03"},
     "leg 3: price 3000.03 is not a multiple of the tick size"),
    ({"symbol": "NSE:NOSUCH", "side": "buy", "quantity": 1}, "leg 3: "),
    ({"side": "buy", "quantity": 1}, "leg 3: symbol"),
    ("NSE:TCS", "leg 3: an order is a JSON object"),
])
def test_a_basket_with_a_bad_third_leg_sends_nothing(demo: Cli, bad_leg: Any, fragment: str) -> None:
    basket = json.dumps([*BASKET[:2], bad_leg])
    assert fragment in one_line_error(demo("basket", "demo", "-", input=basket), 2)
    assert order_book(demo) == []


def test_a_basket_takes_prices_as_json_numbers_exactly(demo: Cli) -> None:
    leg = {"symbol": "NSE:SBIN", "side": "buy", "quantity": 1, "order_type": "LIMIT", "price": 800.05}
    [planned] = data(demo("basket", "demo", "-", "--dry-run", "--json", input=json.dumps([leg])))
    assert planned["request"]["price"] == "800.05"
    assert "tick size" in one_line_error(demo("basket", "demo", "-", input=json.dumps([{**leg, "price": 800.03}])), 2)


def test_a_basket_places_every_leg_from_a_file(demo: Cli, tmp_path: Any) -> None:
    source = tmp_path / "basket.json"
    source.write_text(json.dumps(BASKET))
    planned = ok(demo("basket", "demo", str(source), "--dry-run"))
    assert "basket margin" in planned.stdout
    assert order_book(demo) == []

    legs = data(demo("basket", "demo", str(source), "--json"))
    assert [(leg["symbol"], leg["outcome"]) for leg in legs] == [("NSE:INFY", "done"), ("NSE:SBIN", "done"),
                                                                 ("NSE:TCS", "done")]
    assert len({leg["client_order_id"] for leg in legs}) == 3
    assert sorted(o["order_id"] for o in order_book(demo)) == sorted(leg["order_id"] for leg in legs)


def cheap_nifty_call(demo: Cli) -> str:
    """A NIFTY call of a later expiry, the cheapest near the money: 1950 of it fits the paper funds."""
    later = data(demo("expiries", "demo", "NIFTY", "--json"))[1]
    chain = data(demo("chain", "demo", "NIFTY", "--expiry", later, "--json"))
    calls = [row["call"] for row in chain["rows"] if row["call"] and row["call"]["ask"]]
    return str(min(calls, key=lambda quote: float(quote["ask"]))["symbol"])


def test_place_slice_above_the_freeze_quantity_sends_children_with_their_own_ids(demo: Cli) -> None:
    symbol = cheap_nifty_call(demo)  # lot 65, freeze 1800: 1950 is 1755 + 195
    assert "freeze quantity" in one_line_error(demo("place", "demo", symbol, "buy", "1950"), 2)
    planned = data(demo("place", "demo", symbol, "buy", "1950", "--slice", "--dry-run", "--json"))
    assert [leg["outcome"] for leg in planned] == ["dry_run", "dry_run"]
    assert order_book(demo) == []

    legs = data(demo("place", "demo", symbol, "buy", "1950", "--slice", "--json"))

    assert [(leg["quantity"], leg["outcome"]) for leg in legs] == [(1755, "done"), (195, "done")]
    book = order_book(demo)
    assert sorted(o["quantity"] for o in book) == [195, 1755]
    assert len({o["client_order_id"] for o in book}) == 2
    assert {o["client_order_id"] for o in book} == {leg["client_order_id"] for leg in legs}


def test_target_twice_does_not_overshoot_and_goes_short(demo: Cli) -> None:
    first = data(demo("target", "demo", "NSE:INFY", "7", "--product", "MIS", "--json"))
    assert [(leg["side"], leg["quantity"]) for leg in first] == [("BUY", 7)]
    again = data(demo("target", "demo", "NSE:INFY", "7", "--product", "MIS", "--json"))
    assert [leg["quantity"] for leg in again] == [0]
    assert "already at 7" in again[0]["message"]
    assert open_positions(demo) == {("NSE:INFY", "MIS"): 7}

    short = data(demo("target", "demo", "NSE:INFY", "-3", "--product", "MIS", "--json"))
    assert [(leg["side"], leg["quantity"]) for leg in short] == [("SELL", 10)]
    ok(demo("target", "demo", "NSE:INFY", "--product", "MIS", "--", "-3"))
    assert open_positions(demo) == {("NSE:INFY", "MIS"): -3}
    assert len(order_book(demo)) == 2


def test_dry_runs_send_nothing_and_price_the_margin(demo: Cli) -> None:
    planned = data(demo("place", "demo", "NSE:INFY", "buy", "10", "--limit", "1500", "--dry-run", "--json"))
    assert planned["outcome"] == "dry_run"
    assert planned["client_order_id"]
    assert planned["request"]["order_type"] == "LIMIT"
    assert float(planned["margin"]["total"]) == pytest.approx(15_000, rel=0.01)
    text = ok(demo("place", "demo", "NSE:INFY", "buy", "10", "--dry-run")).stdout
    assert "would send BUY 10 NSE:INFY MARKET CNC" in text
    assert "margin needed" in text
    target = ok(demo("target", "demo", "NSE:SBIN", "5", "--dry-run"))
    assert "dry_run" in target.stdout
    assert "margin needed" in target.stdout
    assert order_book(demo) == []
    assert open_positions(demo) == {}


def test_halt_refuses_new_orders_but_exits_still_pass_and_resume_lifts_it(demo: Cli) -> None:
    ok(demo("place", "demo", "NSE:INFY", "buy", "4", "--product", "MIS"))
    assert "halted by the desk" in ok(demo("halt", "demo", "--reason", "halted by the desk")).stdout

    refused = one_line_error(demo("place", "demo", "NSE:INFY", "buy", "1"), 1)  # a check refused it: exit 1
    assert "account demo is halted (halted by the desk)" in refused
    assert "halted" in one_line_error(demo("basket", "demo", "-", input=json.dumps(BASKET[:1])), 1)
    assert len(order_book(demo)) == 1

    ok(demo("exit", "demo", "NSE:INFY"))
    assert open_positions(demo) == {}
    assert ok(demo("resume", "demo")).stdout.strip() == "resumed demo"
    assert ok(demo("resume", "demo")).stdout.strip() == "demo was not halted"
    ok(demo("place", "demo", "NSE:INFY", "buy", "1"))


def test_halt_exit_all_cancels_and_flattens(demo: Cli) -> None:
    ok(demo("place", "demo", "NSE:SBIN", "buy", "5", "--product", "MIS"))
    ok(demo("place", "demo", "NSE:INFY", "buy", "1", "--limit", "1300"))
    record = data(demo("halt", "demo", "--exit-all", "--json"))
    assert record["reason"] == "halted by hand"
    assert sorted((leg["symbol"], leg["outcome"]) for leg in record["legs"]) == [("NSE:INFY", "done"),
                                                                                ("NSE:SBIN", "done")]
    assert open_positions(demo) == {}
    assert data(demo("orders", "demo", "--status", "open", "--json")) == []
    one_line_error(demo("place", "demo", "NSE:INFY", "buy", "1"), 1)


def test_convert_moves_a_position_between_products(demo: Cli) -> None:
    ok(demo("place", "demo", "NSE:INFY", "buy", "10", "--product", "MIS"))
    after = data(demo("convert", "demo", "NSE:INFY", "4", "--from", "MIS", "--to", "cnc", "--json"))
    assert {(p["product"], p["quantity"]) for p in after if p["quantity"]} == {("MIS", 6), ("CNC", 4)}
    assert open_positions(demo) == {("NSE:INFY", "MIS"): 6, ("NSE:INFY", "CNC"): 4}
    assert "is 6" in one_line_error(demo("convert", "demo", "NSE:INFY", "7", "--from", "MIS", "--to", "CNC"), 2)


def test_margin_of_an_order_and_of_a_basket(demo: Cli) -> None:
    (one,) = data(demo("margin", "demo", "NSE:INFY", "buy", "10", "--limit", "1500", "--json"))
    assert (one["symbol"], one["side"], one["quantity"]) == ("NSE:INFY", "BUY", 10)
    assert float(one["total"]) == pytest.approx(15_000, rel=0.01)
    basket = data(demo("margin", "demo", "--basket", "-", "--json", input=json.dumps(BASKET)))
    assert len(basket["legs"]) == 3
    assert float(basket["final"]) <= float(basket["initial"])
    assert order_book(demo) == []


def test_gtt_place_list_modify_delete(demo: Cli) -> None:
    single = data(demo("gtt", "place", "demo", "NSE:INFY", "--trigger", "1400", "--side", "buy", "--qty", "1",
                       "--limit", "1401", "--json"))["gtt_id"]
    oco = data(demo("gtt", "place", "demo", "NSE:INFY", "--trigger", "1400", "--trigger", "1700", "--side", "sell",
                    "--qty", "2", "--limit", "1399", "--limit", "1699", "--product", "MIS", "--json"))["gtt_id"]
    found = {g["gtt_id"]: g for g in data(demo("gtt", "list", "demo", "--json"))}
    assert (found[single]["type"], found[oco]["type"]) == ("single", "two-leg")
    assert [o["price"] for o in found[oco]["orders"]] == ["1399.00", "1699.00"]

    ok(demo("gtt", "modify", "demo", single, "--limit", "1402", "--qty", "3"))
    changed = next(g for g in data(demo("gtt", "list", "demo", "--json")) if g["gtt_id"] == single)
    assert (changed["orders"][0]["price"], changed["orders"][0]["quantity"]) == ("1402.00", 3)

    ok(demo("gtt", "delete", "demo", oco))
    statuses = {g["gtt_id"]: g["status"] for g in data(demo("gtt", "list", "demo", "--json"))}
    assert statuses.get(oco, "deleted") != "active"
    assert statuses[single] == "active"
    assert order_book(demo) == []


@pytest.mark.parametrize(("args", "fragment"), [
    (["exit", "demo"], "or give --all"),
    (["exit", "demo", "NSE:INFY", "--all"], "not both"),
    (["exit", "demo", "--all", "--limit-offset", "0"], "not a positive price"),
    (["exit", "demo", "--all", "--client", "C1", "--all-clients"], "not both"),
    (["cancel", "demo"], "give an ORDER_ID, or --all"),
    (["cancel", "demo", "123", "--all"], "not both"),
    (["cancel", "demo", "123", "--symbol", "NSE:INFY"], "--symbol narrows --all"),
    (["basket", "demo", "-"], "is not JSON"),
    (["basket", "demo", "/nonexistent/basket.json"], "cannot read"),
    (["target", "demo", "NSE:INFY", "--prodct", "MIS", "5"], "No such option"),
    (["target", "demo", "NSE:INFY", "ten"], "not a valid integer"),
    (["convert", "demo", "NSE:INFY", "5", "--from", "MIS", "--to", "MIS"], "MIS already"),
    (["convert", "demo", "NSE:INFY", "5", "--from", "MIS", "--to", "CNC"], "no open MIS position"),
    (["margin", "demo", "NSE:INFY", "buy"], "give SYMBOL, buy or sell, and QTY"),
    (["margin", "demo", "NSE:INFY", "buy", "-5"], "quantity -5 is negative"),
    (["margin", "demo", "NSE:INFY", "buy", "1", "--basket", "-"], "--basket takes its orders from the file"),
    (["place", "demo", "NSE:INFY", "buy", "1", "--variety", "bo", "--limit", "1500"], "needs a target"),
    (["place", "demo", "NSE:INFY", "buy", "1", "--target", "5", "--stop-loss", "5"], "bracket orders"),
    (["place", "demo", "NSE:INFY", "buy", "1", "--dry-run", "--client", "A", "--client", "B"], "one client"),
    (["gtt", "place", "demo", "NSE:INFY", "--trigger", "1400", "--side", "buy", "--qty", "1", "--limit", "1",
      "--limit", "2"], "one --limit per --trigger"),
    (["gtt", "place", "demo", "NSE:INFY", "--trigger", "1400", "--trigger", "1450", "--side", "sell", "--qty", "1",
      "--limit", "1399", "--limit", "1449", "--last", "1500"], "upper trigger above the last price"),
    (["gtt", "modify", "demo", "999"], "nothing to change"),
    (["gtt", "modify", "demo", "999", "--qty", "2"], "no GTT '999'"),
    (["halt", "nosuch"], "no account named 'nosuch'"),
    (["resume", "nosuch"], "no account named 'nosuch'"),
])
def test_bad_input_exits_2_with_one_line_and_sends_nothing(demo: Cli, args: list[str], fragment: str) -> None:
    assert fragment in one_line_error(demo(*args, input=""), 2)
    assert order_book(demo) == []
