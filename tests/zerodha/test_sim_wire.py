"""Details of the Kite simulator's replies that clients read: order history steps, cancelled orders,
the instrument dump's exact Content-Type."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import httpx

from brokerplex_zerodha.sim import KiteSimulator

# Kite's own record of a limit order placed, then modified (order_info.json of kiteconnect-mocks).
PLACED = ["PUT ORDER REQ RECEIVED", "VALIDATION PENDING", "OPEN PENDING", "OPEN"]
MODIFYING = ["MODIFY VALIDATION PENDING", "MODIFY PENDING", "MODIFIED"]


def far_limit_order(kite: Any) -> tuple[str, float]:
    """A limit BUY far below the market (inside the band), left open; its id and price."""
    price = round(kite.quote("NSE:INFY")["NSE:INFY"]["lower_circuit_limit"] + 1, 2)
    return kite.place_order("regular", "NSE", "INFY", "BUY", 2, "CNC", "LIMIT", price=price), price


def test_order_history_after_a_modify_has_one_row_per_step_in_kites_words(kite: Any) -> None:
    order_id, price = far_limit_order(kite)
    kite.modify_order("regular", order_id, price=round(price + 0.05, 2), quantity=4)
    history = kite.order_history(order_id)
    assert [row["status"] for row in history] == [*PLACED, *MODIFYING, "OPEN"]
    assert all(before != after for before, after in itertools.pairwise(history))
    # Not yet at the exchange before OPEN; the change steps carry the old terms, the last row the new.
    assert [row["exchange_order_id"] is None for row in history[:4]] == [True, True, True, False]
    assert [(row["price"], row["quantity"]) for row in history[3:]] == [(price, 2)] * 4 + [(round(price + 0.05, 2), 4)]
    assert [row["modified"] for row in history] == [False] * 6 + [True, True]
    stamps = [row["order_timestamp"] for row in history]
    assert stamps == sorted(stamps)
    assert all(isinstance(stamp, dt.datetime) for stamp in stamps)


def test_a_cancelled_order_passes_cancel_pending_and_has_no_status_message(kite: Any) -> None:
    order_id, _ = far_limit_order(kite)
    kite.cancel_order("regular", order_id)
    history = kite.order_history(order_id)
    assert [row["status"] for row in history[-3:]] == ["OPEN", "CANCEL PENDING", "CANCELLED"]
    (order,) = [row for row in kite.orders() if row["order_id"] == order_id]
    # Real Kite leaves both null on an order the user cancelled (orders.json of kiteconnect-mocks).
    assert (order["status"], order["status_message"], order["status_message_raw"]) == ("CANCELLED", None, None)
    assert order["cancelled_quantity"] == 2


def test_a_market_order_reaches_complete_through_kites_steps(kite: Any) -> None:
    order_id = kite.place_order("regular", "NSE", "SBIN", "BUY", 1, "CNC", "MARKET")
    assert [row["status"] for row in kite.order_history(order_id)] == [*PLACED, "COMPLETE"]


def test_instrument_dumps_say_text_csv_and_nothing_more(kite_sim: KiteSimulator, kite: Any) -> None:
    headers = {"Authorization": f"token {kite_sim.api_key}:{kite.access_token}", "X-Kite-Version": "3"}
    for path in ("/instruments", "/instruments/NSE"):
        reply = httpx.get(kite_sim.rest + path, headers=headers, timeout=10)
        assert reply.status_code == 200
        content_types = [value for name, value in reply.headers.raw if name.lower() == b"content-type"]
        assert content_types == [b"text/csv"]
        assert reply.headers["content-encoding"] == "gzip"
        assert reply.text.startswith("instrument_token,exchange_token,tradingsymbol,")
