"""A dealer login's stream through the hub: order updates and trades of every client it trades for, each
naming its client code, as the client's books have them."""

from __future__ import annotations

import time
from contextlib import closing

from brokerplex.manager import BrokerManager
from brokerplex.models import Order, OrderRequest, OrderStatus, Side, Tick, Trade

ACCOUNT = "d1"  # the `dealer` fixture's account; its default client is FIRST
FIRST, SECOND, PRO = "CL1001", "CL1002", "*****"


def buy(quantity: int) -> OrderRequest:
    return OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=quantity)


def test_order_updates_and_trades_stream_with_their_client_codes(dealer: BrokerManager) -> None:
    updates: list[Order] = []
    trades: list[Trade] = []
    ticks = 0
    with closing(dealer.watch(ACCOUNT, ["NSE:INFY"], "quote", idle_timeout=10)) as events:
        ticks += isinstance(next(events).data, Tick)  # the stream is open: what is placed now is streamed
        clients = {code: dealer.place_order(ACCOUNT, buy(2), client=code) for code in (SECOND, PRO)}
        clients[FIRST] = dealer.place_order(ACCOUNT, buy(2))
        wanted = {ack.order_id: ack for ack in clients.values()}
        owner = {ack.order_id: code for code, ack in clients.items()}

        def traded(order_id: str) -> int:
            return sum(trade.quantity for trade in trades if trade.order_id == order_id)

        deadline = time.monotonic() + 20
        for event in events:
            assert event.account == ACCOUNT
            if isinstance(data := event.data, Tick):
                ticks += 1
            elif isinstance(data, Order) and data.order_id in wanted:
                updates.append(data)
            elif isinstance(data, Trade) and data.order_id in wanted:
                trades.append(data)
            complete = {o.order_id for o in updates if o.status is OrderStatus.COMPLETE}
            if complete >= set(wanted) and all(traded(order_id) == 2 for order_id in wanted):
                break
            assert time.monotonic() < deadline, f"updates {updates}, trades {trades}"
    assert ticks >= 1
    for update in updates:
        assert update.client_code == owner[update.order_id], update
        assert update.client_order_id == wanted[update.order_id].client_order_id
    assert {o.client_code for o in updates} == {FIRST, SECOND, PRO}
    for code in (FIRST, SECOND, PRO):
        booked = [trade for trade in dealer.trades(ACCOUNT, client=code) if trade.order_id in wanted]
        assert [trade for trade in trades if trade.client_code == code] == booked
        assert [trade.order_id for trade in booked] == [clients[code].order_id]
