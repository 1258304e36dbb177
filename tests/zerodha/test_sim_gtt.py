"""The Kite simulator's GTT routes (``/gtt/triggers``), driven by the official ``kiteconnect`` client:
single and two-leg triggers placed, listed, read, modified and deleted, and fired by the market."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from kiteconnect.exceptions import DataException, InputException

from brokerplex.testing.harness import eventually
from brokerplex_zerodha.sim import KiteSimulator

INFY = "NSE:INFY"
TRIGGER_FIELDS = {"id", "user_id", "parent_trigger", "type", "created_at", "updated_at", "expires_at", "status",
                  "condition", "orders", "meta"}
RESULT_FIELDS = {"account_id", "exchange", "tradingsymbol", "validity", "product", "order_type", "transaction_type",
                 "quantity", "price", "meta", "timestamp", "triggered_at", "order_result"}


def leg(side: str, price: float, quantity: int = 1, product: str = "MIS", order_type: str = "LIMIT") -> dict[str, Any]:
    return {"transaction_type": side, "quantity": quantity, "order_type": order_type, "product": product,
            "price": price}


def triggered(kite: Any, trigger_id: int) -> dict[str, Any]:
    """The trigger once the simulator has fired it (polled under Kite's 10 requests a second)."""
    trigger = eventually(lambda: t if (t := kite.get_gtt(trigger_id))["status"] == "triggered" else None, 10.0)
    assert trigger is not None, "the trigger did not fire"
    return trigger


@pytest.fixture
def market(kite_sim: KiteSimulator) -> KiteSimulator:
    """INFY at 1500: far from every trigger value these tests use until a test moves it."""
    kite_sim.exchange.set_price(INFY, Decimal("1500"))
    return kite_sim


def test_a_single_trigger_is_placed_read_modified_and_deleted(market: KiteSimulator, kite: Any) -> None:
    placed = kite.place_gtt(kite.GTT_TYPE_SINGLE, "INFY", "NSE", [1400.05], 1500.0, [leg("BUY", 1401.5, 3, "CNC")])
    trigger_id = placed["trigger_id"]

    trigger = kite.get_gtt(trigger_id)
    assert set(trigger) == TRIGGER_FIELDS
    assert (trigger["id"], trigger["user_id"], trigger["type"], trigger["status"]) == (
        trigger_id, market.user_id, "single", "active")
    assert trigger["condition"] == {"exchange": "NSE", "tradingsymbol": "INFY", "trigger_values": [1400.05],
                                    "last_price": 1500.0,
                                    "instrument_token": market_token(kite)}
    assert trigger["orders"] == [{"exchange": "NSE", "tradingsymbol": "INFY", "product": "CNC", "order_type": "LIMIT",
                                  "transaction_type": "BUY", "quantity": 3, "price": 1401.5, "result": None}]
    assert int(trigger["expires_at"][:4]) == int(trigger["created_at"][:4]) + 1

    assert kite.modify_gtt(trigger_id, kite.GTT_TYPE_OCO, "INFY", "NSE", [1400.0, 1600.0], 1500.0,
                           [leg("SELL", 1399.0), leg("SELL", 1601.0, 2)]) == {"trigger_id": trigger_id}
    modified = kite.get_gtt(trigger_id)
    assert (modified["type"], modified["status"], modified["created_at"]) == ("two-leg", "active",
                                                                            trigger["created_at"])
    assert modified["condition"]["trigger_values"] == [1400.0, 1600.0]
    assert [(o["transaction_type"], o["quantity"], o["price"]) for o in modified["orders"]] == [
        ("SELL", 1, 1399.0), ("SELL", 2, 1601.0)]

    assert kite.delete_gtt(trigger_id) == {"trigger_id": trigger_id}
    assert kite.get_gtt(trigger_id)["status"] == "deleted"
    market.exchange.set_price(INFY, Decimal("1300"))  # a deleted trigger never fires
    assert kite.get_gtt(trigger_id)["status"] == "deleted"
    assert kite.orders() == []


def market_token(kite: Any) -> int:
    return int(kite.ltp(INFY)[INFY]["instrument_token"])


def test_get_gtts_lists_the_accounts_triggers_newest_first(market: KiteSimulator, kite: Any) -> None:
    first = kite.place_gtt(kite.GTT_TYPE_SINGLE, "INFY", "NSE", [1600.0], 1500.0, [leg("SELL", 1599.0)])
    second = kite.place_gtt(kite.GTT_TYPE_OCO, "INFY", "NSE", [1400.0, 1600.0], 1500.0,
                            [leg("SELL", 1399.0), leg("SELL", 1601.0)])
    listed = kite.get_gtts()
    assert [t["id"] for t in listed] == [second["trigger_id"], first["trigger_id"]]
    assert [t["type"] for t in listed] == ["two-leg", "single"]


@pytest.mark.parametrize(("price", "fired", "side"), [("1390", 0, "BUY"), ("1650", 1, "SELL")])
def test_a_two_leg_trigger_fires_the_leg_the_market_reaches(
        market: KiteSimulator, kite: Any, price: str, fired: int, side: str) -> None:
    legs = [leg("BUY", 1399.0), leg("SELL", 1601.0, 2)]
    trigger_id = kite.place_gtt(kite.GTT_TYPE_OCO, "INFY", "NSE", [1400.0, 1600.0], 1500.0, legs)["trigger_id"]
    assert kite.orders() == []

    market.exchange.set_price(INFY, Decimal(price))
    # The simulator's own loop fires it: the order shows up without a GTT call.
    orders = eventually(lambda: rows if (rows := kite.orders()) else None, 10.0)
    assert orders is not None, "the trigger did not fire"
    [order] = orders
    assert (order["transaction_type"], order["order_type"], order["price"]) == (side, "LIMIT", legs[fired]["price"])

    trigger = kite.get_gtt(trigger_id)
    assert trigger["status"] == "triggered"
    assert trigger["orders"][1 - fired]["result"] is None
    result = trigger["orders"][fired]["result"]
    assert set(result) == RESULT_FIELDS
    assert result["order_result"] == {"status": "success", "order_id": order["order_id"], "rejection_reason": ""}
    assert result["triggered_at"] <= 1400.0 if fired == 0 else result["triggered_at"] >= 1600.0
    assert result["meta"] == f'{{"app_id":1,"gtt":{trigger_id}}}'

    market.exchange.set_price(INFY, Decimal("1500"))  # back inside: nothing more fires
    assert kite.get_gtt(trigger_id)["status"] == "triggered"
    assert len(kite.orders()) == 1


def test_a_fired_order_is_announced_on_the_ticker(
        market: KiteSimulator, kite: Any, ticker_probe: Callable[..., Any]) -> None:
    probe = ticker_probe(market.ws, kite.access_token, "ltp", [market_token(kite)])
    probe.wait_for(lambda event: event["event"] == "ticks")
    kite.place_gtt(kite.GTT_TYPE_SINGLE, "INFY", "NSE", [1600.0], 1500.0, [leg("SELL", 1599.0, 4)])
    market.exchange.set_price(INFY, Decimal("1610"))
    update = probe.wait_for(lambda event: event["event"] == "order")["data"]
    [order] = kite.orders()
    assert update["order_id"] == order["order_id"]
    assert (update["transaction_type"], update["quantity"], update["price"]) == ("SELL", 4, 1599.0)


def test_a_fired_leg_the_exchange_refuses_is_a_failed_result(market: KiteSimulator, kite: Any) -> None:
    # A buy far below the day's circuit limits: the trigger fires, the order is refused.
    trigger_id = kite.place_gtt(kite.GTT_TYPE_SINGLE, "INFY", "NSE", [1400.0], 1500.0,
                                [leg("BUY", 10.0)])["trigger_id"]
    market.exchange.set_price(INFY, Decimal("1390"))
    trigger = triggered(kite, trigger_id)
    outcome = trigger["orders"][0]["result"]["order_result"]
    assert outcome["status"] == "failed"
    assert outcome["order_id"] == ""
    assert outcome["rejection_reason"]
    assert kite.orders() == []  # refused orders never reach Kite's order book


@pytest.mark.parametrize(
    ("kind", "values", "orders", "message"),
    [
        ("two-leg", [1600.0, 1700.0], [leg("SELL", 1600.0), leg("SELL", 1700.0)],
         "below and above the last price 1500"),
        ("single", [1500.0], [leg("BUY", 1500.0)], "must differ from the last price 1500"),
        ("single", [1400.0], [leg("BUY", 1400.0), leg("BUY", 1401.0)], "has 1 order, not 2"),
        ("single", [1400.0], [leg("BUY", 1400.0, order_type="MARKET")], "LIMIT orders"),
        ("single", [1400.0], [leg("BUY", 1400.0, quantity=0)], "Invalid `quantity`"),
        ("single", [1400.0], [leg("BUY", 1400.0, product="XYZ")], "Invalid `product`"),
    ],
)
def test_bad_triggers_are_refused_with_an_input_exception(
        market: KiteSimulator, kite: Any, kind: str, values: list[float], orders: list[dict[str, Any]],
        message: str) -> None:
    with pytest.raises(InputException, match=message):
        kite.place_gtt(kind, "INFY", "NSE", values, 1500.0, orders)
    assert kite.get_gtts() == []


def test_unknown_instruments_and_triggers_are_refused(market: KiteSimulator, kite: Any) -> None:
    with pytest.raises(InputException, match="has either expired or does not exist"):
        kite.place_gtt(kite.GTT_TYPE_SINGLE, "NOSUCH", "NSE", [10.0], 11.0, [leg("BUY", 10.0)])
    for call in (lambda: kite.get_gtt(999), lambda: kite.delete_gtt(999),
                 lambda: kite.modify_gtt(999, "single", "INFY", "NSE", [1400.0], 1500.0, [leg("BUY", 1400.0)])):
        with pytest.raises(InputException, match="Trigger not found"):
            call()


def test_a_triggered_trigger_cannot_be_modified(market: KiteSimulator, kite: Any) -> None:
    trigger_id = kite.place_gtt(kite.GTT_TYPE_SINGLE, "INFY", "NSE", [1600.0], 1500.0,
                                [leg("SELL", 1599.0)])["trigger_id"]
    market.exchange.set_price(INFY, Decimal("1610"))
    triggered(kite, trigger_id)
    with pytest.raises(InputException, match="only an active trigger can be modified"):
        kite.modify_gtt(trigger_id, "single", "INFY", "NSE", [1700.0], 1610.0, [leg("SELL", 1699.0)])


def test_gtt_routes_answer_their_faults(market: KiteSimulator, kite: Any) -> None:
    market.faults.refuse("changes", status=503)
    with pytest.raises(DataException, match="Couldn't parse the JSON response"):
        kite.place_gtt(kite.GTT_TYPE_SINGLE, "INFY", "NSE", [1400.0], 1500.0, [leg("BUY", 1400.0)])
    market.faults.refuse("books", status=503)
    with pytest.raises(DataException, match="Couldn't parse the JSON response"):
        kite.get_gtts()
    assert kite.get_gtts() == []  # the refused placement never reached the app; each fault ran once
