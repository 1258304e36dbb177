"""``client=`` on the trader operations of a dealer login: an XTS dealer account against the XTS simulator,
each operation acting for the client code named and no other."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

import httpx

from brokerplex_xts_client.sim import XtsSimulator

INFY = "NSE:INFY"



def ok(response: httpx.Response) -> Any:
    assert response.is_success, response.text
    return response.json()


def test_cancel_all_and_pnl_act_for_the_client_named(dealer: httpx.Client, xts: XtsSimulator) -> None:
    first, second = ok(dealer.get("/accounts/d1/clients"))[:2]
    last = Decimal(ok(dealer.get("/accounts/d1/quotes", params={"symbols": INFY}))[INFY]["last_price"])
    price = (last * Decimal("0.97") / Decimal("0.05")).to_integral_value(ROUND_FLOOR) * Decimal("0.05")
    resting = ok(dealer.post("/accounts/d1/orders", params={"client": second},
                             json={"symbol": INFY, "side": "BUY", "quantity": 1, "order_type": "LIMIT",
                                   "price": str(price)}))

    assert ok(dealer.post("/accounts/d1/cancel-all", params={"client": first})) == []
    [cancelled] = ok(dealer.post("/accounts/d1/cancel-all", params={"client": second}))
    assert (cancelled["order_id"], cancelled["outcome"], cancelled["client_code"]) == (
        resting["order_id"], "done", second)
    assert [order.status.value for order in xts.exchange.orders(second)] == ["CANCELLED"]  # the exchange's truth

    assert ok(dealer.get("/accounts/d1/pnl", params={"client": second}))["client_code"] == second
    refused = dealer.post("/accounts/d1/cancel-all", params={"client": "NOTMINE"})
    assert refused.status_code == 422
    assert "NOTMINE" in refused.json()["error"]["message"]
