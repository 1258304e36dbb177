"""The Kite simulator's routes around orders, driven by the official ``kiteconnect`` client:
position conversion, order and basket margins, charges, and autoslice above the freeze quantity."""

from __future__ import annotations

import re
from typing import Any

import pytest
from kiteconnect.exceptions import DataException, GeneralException, InputException

from brokerplex_zerodha.sim import KiteSimulator

CHARGE_FIELDS = {"transaction_tax", "transaction_tax_type", "exchange_turnover_charge", "sebi_turnover_charge",
                 "brokerage", "stamp_duty", "gst", "total"}
MARGIN_FIELDS = {"type", "tradingsymbol", "exchange", "span", "exposure", "option_premium", "additional", "bo",
                 "cash", "var", "pnl", "leverage", "charges", "total"}


def margin_item(tradingsymbol: str, side: str, quantity: int, *, exchange: str = "NSE", product: str = "MIS",
                price: float | None = None) -> dict[str, Any]:
    return {"exchange": exchange, "tradingsymbol": tradingsymbol, "transaction_type": side, "variety": "regular",
            "product": product, "order_type": "MARKET" if price is None else "LIMIT", "quantity": quantity,
            "price": price or 0, "trigger_price": 0}


def nifty(kite: Any, kind: str) -> list[dict[str, Any]]:
    """NIFTY contracts of ``kind`` (FUT, CE) on the nearest expiry, by strike."""
    rows = [row for row in kite.instruments("NFO") if row["name"] == "NIFTY" and row["instrument_type"] == kind]
    nearest = min(row["expiry"] for row in rows)
    return sorted((row for row in rows if row["expiry"] == nearest), key=lambda row: row["strike"])


def positions(kite: Any) -> dict[str, dict[str, Any]]:
    return {row["product"]: row for row in kite.positions()["net"] if row["tradingsymbol"] == "INFY"}


# -- PUT /portfolio/positions --------------------------------------------------------------------
def test_convert_position_moves_a_day_position_and_pays_for_delivery(kite: Any) -> None:
    kite.place_order("regular", "NSE", "INFY", "BUY", 10, "MIS", "MARKET")
    assert positions(kite)["MIS"]["quantity"] == 10
    cash = kite.margins("equity")["available"]["cash"]

    assert kite.convert_position("NSE", "INFY", "BUY", "day", 10, "MIS", "CNC") is True

    rows = positions(kite)
    assert set(rows) == {"CNC"}
    assert rows["CNC"]["quantity"] == 10
    paid = 10 * rows["CNC"]["average_price"]
    assert kite.margins("equity")["available"]["cash"] == pytest.approx(cash - paid)
    assert kite.convert_position("NSE", "INFY", "BUY", "day", 4, "CNC", "MIS") is True
    assert {product: row["quantity"] for product, row in positions(kite).items()} == {"CNC": 6, "MIS": 4}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("NSE", "INFY", "BUY", "day", 11, "MIS", "CNC"), "holds 10 bought to convert, not 11"),
        (("NSE", "INFY", "BUY", "day", 5, "MIS", "NRML"), "its products are CNC and MIS"),
        (("NSE", "INFY", "BUY", "overnight", 5, "MIS", "CNC"), "Only day positions can be converted"),
        (("NSE", "INFY", "BUY", "week", 5, "MIS", "CNC"), "Invalid `position_type`."),
        (("NSE", "INFY", "BUY", "day", 5, "MIS", "BO"), "Invalid `new_product`."),
        (("NSE", "INFY", "BUY", "day", 0, "MIS", "CNC"), "Invalid `quantity`."),
        (("NSE", "NOSUCH", "BUY", "day", 5, "MIS", "CNC"), "has either expired or does not exist"),
    ],
)
def test_a_conversion_kite_would_refuse_is_an_input_error(kite: Any, arguments: tuple[Any, ...], message: str) -> None:
    kite.place_order("regular", "NSE", "INFY", "BUY", 10, "MIS", "MARKET")
    with pytest.raises(InputException, match=re.escape(message)):
        kite.convert_position(*arguments)
    assert positions(kite)["MIS"]["quantity"] == 10


def test_a_short_converted_to_delivery_without_shares_is_a_holding_error(kite: Any) -> None:
    kite.place_order("regular", "NSE", "INFY", "SELL", 5, "MIS", "MARKET")
    with pytest.raises(GeneralException, match="Insufficient holdings"):
        kite.convert_position("NSE", "INFY", "SELL", "day", 5, "MIS", "CNC")


def test_convert_and_margins_answer_their_routes_faults(kite_sim: KiteSimulator, kite: Any) -> None:
    kite.place_order("regular", "NSE", "INFY", "BUY", 10, "MIS", "MARKET")
    kite_sim.faults.refuse("changes", status=503)
    with pytest.raises(DataException, match="Couldn't parse the JSON response"):
        kite.convert_position("NSE", "INFY", "BUY", "day", 10, "MIS", "CNC")
    assert positions(kite)["MIS"]["quantity"] == 10  # refused before the app saw it
    kite_sim.faults.refuse("books", status=503)
    with pytest.raises(DataException, match="Couldn't parse the JSON response"):
        kite.basket_order_margins([margin_item("INFY", "SELL", 10)])
    assert kite.convert_position("NSE", "INFY", "BUY", "day", 10, "MIS", "CNC") is True  # each fault ran once


# -- POST /margins/orders, /margins/basket, /charges/orders ------------------------------------------
def test_order_margins_are_the_paper_exchanges_own_check(kite_sim: KiteSimulator, kite: Any) -> None:
    (intraday,) = kite.order_margins([margin_item("INFY", "BUY", 10, price=1400.0)])
    assert set(intraday) == MARGIN_FIELDS
    assert set(intraday["charges"]) == CHARGE_FIELDS
    assert (intraday["type"], intraday["exchange"], intraday["tradingsymbol"]) == ("equity", "NSE", "INFY")
    assert intraday["total"] == intraday["var"] == 2800.0  # a fifth of 10 × 1400
    assert intraday["charges"]["total"] == 0.0
    last = kite.ltp("NSE:INFY")["NSE:INFY"]["last_price"]
    price = round(last * 0.95, 1)  # below the market: the order rests and blocks its margin
    (same,) = kite.order_margins([margin_item("INFY", "BUY", 10, price=price)])
    debits = kite.margins("equity")["utilised"]["debits"]
    resting = kite.place_order("regular", "NSE", "INFY", "BUY", 10, "MIS", "LIMIT", price=price)
    assert kite.order_history(resting)[-1]["status"] == "OPEN"
    assert kite.margins("equity")["utilised"]["debits"] == pytest.approx(debits + same["total"])


def test_a_bought_options_margin_is_its_premium_and_a_sold_ones_span(kite: Any) -> None:
    call = nifty(kite, "CE")[-1]
    bought, sold = kite.order_margins([margin_item(call["tradingsymbol"], side, call["lot_size"], exchange="NFO",
                                                   product="NRML") for side in ("BUY", "SELL")])
    # As Kite reports them: the premium a buyer pays under option_premium, a writer's margin under span.
    assert bought["option_premium"] == bought["total"] > 0
    assert bought["span"] == 0
    assert sold["span"] == sold["total"] > 0
    assert sold["option_premium"] == 0


def test_basket_margins_net_opposite_legs_of_one_contract(kite: Any) -> None:
    future = nifty(kite, "FUT")[0]
    buy, sell = (margin_item(future["tradingsymbol"], side, future["lot_size"], exchange="NFO", product="NRML")
                 for side in ("BUY", "SELL"))
    basket = kite.basket_order_margins([buy, sell])
    assert set(basket) == {"initial", "final", "orders", "charges"}
    legs = basket["orders"]
    assert [leg["tradingsymbol"] for leg in legs] == [future["tradingsymbol"]] * 2
    assert legs[0]["total"] == legs[0]["span"] > 0
    assert basket["initial"]["total"] == pytest.approx(legs[0]["total"] + legs[1]["total"])
    assert basket["final"]["total"] == 0.0  # the hedge cancels out
    assert set(basket["initial"]) == set(basket["final"]) == MARGIN_FIELDS
    assert set(basket["charges"]) == CHARGE_FIELDS
    assert kite.orders() == []  # nothing placed


def test_basket_margins_consider_positions_or_not(kite: Any) -> None:
    kite.place_order("regular", "NSE", "INFY", "BUY", 10, "MIS", "MARKET")
    closing = [margin_item("INFY", "SELL", 10)]
    assert kite.basket_order_margins(closing)["final"]["total"] == 0.0  # selling what is held
    alone = kite.basket_order_margins(closing, consider_positions=False)
    assert alone["final"]["total"] == alone["initial"]["total"] > 0


def test_margin_requests_are_checked_like_orders(kite: Any) -> None:
    with pytest.raises(InputException, match=re.escape("Missing `transaction_type`.")):
        kite.basket_order_margins([{"exchange": "NSE", "tradingsymbol": "INFY"}])
    with pytest.raises(InputException, match="expired or does not exist"):
        kite.order_margins([margin_item("NOSUCH", "BUY", 1)])


def test_charges_echo_each_order_with_zero_paper_charges(kite: Any) -> None:
    note = kite.get_virtual_contract_note([
        {"order_id": "1", "exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY",
         "variety": "regular", "product": "CNC", "order_type": "MARKET", "quantity": 1, "average_price": 1500.5},
    ])
    assert note == [{"transaction_type": "BUY", "tradingsymbol": "INFY", "exchange": "NSE", "variety": "regular",
                     "product": "CNC", "order_type": "MARKET", "quantity": 1, "price": 1500.5,
                     "charges": {**dict.fromkeys(CHARGE_FIELDS - {"gst", "transaction_tax_type"}, 0.0),
                                 "transaction_tax_type": "stt",
                                 "gst": {"igst": 0.0, "cgst": 0.0, "sgst": 0.0, "total": 0.0}}}]
    with pytest.raises(InputException, match=re.escape("Missing `average_price`.")):
        kite.get_virtual_contract_note([{"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY",
                                         "quantity": 1}])


# -- POST /orders/{variety} with autoslice=true -----------------------------------------------------
def deep_call(kite: Any) -> dict[str, Any]:
    """The NIFTY call with the highest premium (far in the money): well above a 200 limit for the whole test."""
    calls = {f"NFO:{row['tradingsymbol']}": row for row in kite.instruments("NFO")
             if row["name"] == "NIFTY" and row["instrument_type"] == "CE"}
    prices = {key: quote["last_price"] for key, quote in kite.ltp(*calls).items()}
    key = max(prices, key=prices.__getitem__)
    assert prices[key] > 250
    return calls[key]


def test_autoslice_splits_above_the_freeze_quantity(kite_sim: KiteSimulator, kite: Any) -> None:
    call = deep_call(kite)
    listing = kite_sim.exchange.listing(f"NFO:{call['tradingsymbol']}")
    assert listing is not None
    assert listing.instrument.freeze_quantity == 1800
    lot = call["lot_size"]
    size = 1800 // lot * lot
    reply = kite.place_autoslice_order("regular", "NFO", call["tradingsymbol"], "BUY", size + lot, "NRML", "LIMIT",
                                       price=1.0, tag="slicer")
    parent, children = reply["order_id"], reply["children"]
    assert [set(child) for child in children] == [{"order_id"}, {"order_id"}]
    book = {order["order_id"]: order for order in kite.orders()}
    assert parent not in book  # the parent is a reference, not an order
    sliced = [book[child["order_id"]] for child in children]
    assert [order["quantity"] for order in sliced] == [size, lot]
    assert all(order["tags"] == ["slicer", "autoslice", f"autoslice:{parent}"] for order in sliced)
    assert all(order["tag"] == "slicer" and order["status"] == "OPEN" for order in sliced)


def test_a_refused_child_is_an_error_and_the_rest_are_placed(kite: Any) -> None:
    call = deep_call(kite)
    lot = call["lot_size"]
    size = 1800 // lot * lot
    # At 200 a child blocks 200 × size; the account's 1,000,000 pays for two of them and the small last one.
    assert 2 * 200 * size < 1_000_000 < 3 * 200 * size
    reply = kite.place_autoslice_order("regular", "NFO", call["tradingsymbol"], "BUY", 3 * size + lot, "NRML",
                                       "LIMIT", price=200.0)
    children = reply["children"]
    assert ["order_id" in child for child in children] == [True, True, False, True]
    error = children[2]["error"]
    assert (error["code"], error["error_type"], error["data"]) == (400, "MarginException", None)
    assert error["message"].startswith(f"Insufficient funds. Required margin is {200 * size:.2f} but available")
    placed = {order["order_id"] for order in kite.orders()}
    assert {child["order_id"] for child in children if "order_id" in child} <= placed
    assert len(placed) == 3  # the refused child is not in the book


def test_autoslice_of_a_small_order_is_one_child_and_bad_lots_are_refused(kite: Any) -> None:
    call = deep_call(kite)
    reply = kite.place_autoslice_order("regular", "NFO", call["tradingsymbol"], "BUY", call["lot_size"], "NRML",
                                       "LIMIT", price=1.0)
    assert len(reply["children"]) == 1
    with pytest.raises(InputException, match="not a multiple of the lot size"):
        kite.place_autoslice_order("regular", "NFO", call["tradingsymbol"], "BUY", call["lot_size"] + 1, "NRML",
                                   "LIMIT", price=1.0)
    assert len(kite.orders()) == 1
