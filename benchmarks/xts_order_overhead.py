"""Per-order overhead of brokerplex on XTS: ``BrokerManager.place_order`` (validation, the order
journal, rate limiter, mapping, the sync facade's hop to its event loop, httpx's async client)
against a bare ``httpx.Client`` POST of the same order with the same token, on one XTS simulator
in a child process, as a remote server would be (its rate limits off).

Goal: ratio >= 0.87, i.e. at most 15% slower than the bare HTTP call.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import httpx

from _harness import ChildSimulator, QuietIO, arguments, interleaved, judge_ratio, per_order, report
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderType, Side
from brokerplex.rules import tick_floor
from brokerplex_xts_client.sim.accounts import activation_settings

ORDERS = 20
ACCOUNT = "x1"

# The child: a simulator without rate limits, its exchange in memory; its first line is its root
# and accounts, and it serves until its stdin closes.
CHILD = """
import json, sys
from brokerplex_xts_client.sim import XtsSimulator
with XtsSimulator(rate_limits=False) as sim:
    print(json.dumps({"root": sim.root, "accounts": sim.accounts}), flush=True)
    for _ in sys.stdin:
        pass
"""




def main() -> None:
    args = arguments(__doc__ or "", runs=15)
    with tempfile.TemporaryDirectory() as folder, ChildSimulator(CHILD, cwd=Path(folder)) as sim, \
            BrokerManager(Path(folder) / "home") as manager:
        root = sim.info["root"]
        investor = next(account for account in sim.info["accounts"] if account["role"] == "investor")
        manager.activate("xts_client", ACCOUNT, activation_settings(
            root, investor, orders_per_second="100000", requests_per_second="100000"))
        manager.login(ACCOUNT, {}, QuietIO())
        token = manager.store.session(ACCOUNT).load()["interactive_token"]
        infy = manager.instrument(ACCOUNT, "NSE:INFY")
        price = tick_floor(manager.quotes(ACCOUNT, ["NSE:INFY"])["NSE:INFY"].last_price * Decimal("0.9"), infy)
        request = OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1, order_type=OrderType.LIMIT, price=price)
        bare = httpx.Client(base_url=root, headers={"Authorization": token, "Content-Type": "application/json"})
        counter = itertools.count()

        def ours() -> str:
            return manager.place_order(ACCOUNT, request).order_id

        def baseline() -> str:
            body = {"exchangeSegment": "NSECM", "exchangeInstrumentID": infy.exchange_token, "productType": "CNC",
                    "orderType": "LIMIT", "orderSide": "BUY", "timeInForce": "DAY", "disclosedQuantity": 0,
                    "orderQuantity": 1, "limitPrice": float(price), "stopPrice": 0,
                    "orderUniqueIdentifier": f"bare{next(counter)}", "apiOrderSource": ""}
            reply = bare.post("/interactive/orders", content=json.dumps(body))
            reply.raise_for_status()
            return str(reply.json()["result"]["AppOrderID"])

        def cancel(order_id: str) -> None:
            reply = bare.delete("/interactive/orders", params={"appOrderID": order_id})
            reply.raise_for_status()

        with bare:
            ours_time, baseline_time = interleaved(per_order(ours, cancel, ORDERS), per_order(baseline, cancel, ORDERS),
                                                   args.runs)
    report("xts_order_overhead", ours_time * 1e3, baseline_time * 1e3, "ms/order", args.json,
           "goal: ratio >= 0.87, at most 15% overhead")
    judge_ratio("xts_order_overhead", ours_time, baseline_time, 0.87, args.json)


if __name__ == "__main__":
    main()
