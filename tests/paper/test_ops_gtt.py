"""Paper's GTT triggers through PaperBroker: kept in the exchange's file, so that one CLI command places a
trigger and the next one lists it; fired by whichever call first sees the price cross it, and only once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from brokerplex.errors import InvalidOrderError, RefusedError, SymbolError
from brokerplex.models import OrderRequest, OrderStatus, OrderType, Product, Side
from brokerplex.ops.models import GttOrder, GttRequest, GttStatus, GttType
from brokerplex_paper.broker import PaperBroker

Call = Callable[[Awaitable[Any]], Any]
INFY = "NSE:INFY"


def single(trigger: str, side: Side, price: str, quantity: int = 3, last: str = "1500",
           product: Product = Product.CNC, symbol: str = INFY) -> GttRequest:
    return GttRequest(symbol=symbol, trigger_prices=[Decimal(trigger)], last_price=Decimal(last),
                      orders=[GttOrder(side=side, quantity=quantity, price=Decimal(price), product=product)])


def oco(lower: str, upper: str, quantity: int = 3) -> GttRequest:
    return GttRequest(symbol=INFY, type=GttType.OCO, trigger_prices=[Decimal(lower), Decimal(upper)],
                      last_price=Decimal(1500),
                      orders=[GttOrder(side=Side.SELL, quantity=quantity, price=Decimal(lower)),
                              GttOrder(side=Side.SELL, quantity=quantity, price=Decimal(upper))])


@pytest.fixture
def broker(paper_home: Any) -> PaperBroker:
    broker: PaperBroker = paper_home.broker()
    broker.exchange.set_price(INFY, Decimal(1500))
    return broker


def test_a_trigger_placed_by_one_command_is_listed_by_the_next(paper_home: Any, broker: PaperBroker,
                                                                call: Call) -> None:
    gtt_id = call(broker.place_gtt(single("1400", Side.BUY, "1401")))

    paper_home.process()  # the next CLI command: a new exchange object and connection on the same file
    listed = call(paper_home.broker().gtts())

    assert [(g.gtt_id, g.status, g.symbol, g.type, g.trigger_prices, g.last_price) for g in listed] == [
        (gtt_id, GttStatus.ACTIVE, INFY, GttType.SINGLE, [Decimal(1400)], Decimal(1500))]
    assert listed[0].orders == [GttOrder(side=Side.BUY, quantity=3, price=Decimal(1401), product=Product.CNC)]
    assert listed[0].triggered_order_ids == []


def test_a_trigger_fires_on_the_first_call_after_the_price_crosses_it_and_only_once(
        paper_home: Any, broker: PaperBroker, call: Call) -> None:
    gtt_id = call(broker.place_gtt(single("1400", Side.BUY, "1401")))
    broker.exchange.set_price(INFY, Decimal("1400.05"))
    assert call(broker.orders()) == []  # not yet

    paper_home.process()
    other = paper_home.broker()
    other.exchange.set_price(INFY, Decimal("1399.50"))  # the market crosses, seen by another process
    orders = call(other.orders())
    call(broker.orders())  # the first process looks too: the trigger has fired already

    assert [(o.symbol, o.side, o.quantity, o.order_type, o.price, o.product) for o in orders] == [
        (INFY, Side.BUY, 3, OrderType.LIMIT, Decimal(1401), Product.CNC)]
    assert orders[0].status is OrderStatus.COMPLETE
    [fired] = call(broker.gtts())
    assert (fired.gtt_id, fired.status, fired.triggered_order_ids) == (gtt_id, GttStatus.TRIGGERED,
                                                                      [orders[0].order_id])
    assert len(call(broker.orders())) == 1


def test_a_two_leg_trigger_fires_the_leg_the_price_reaches(broker: PaperBroker, call: Call, fill: Any) -> None:
    fill(broker, OrderRequest(symbol=INFY, side=Side.BUY, quantity=3, product=Product.CNC))
    call(broker.place_gtt(oco("1400", "1600")))
    broker.exchange.set_price(INFY, Decimal(1612))

    [fired] = call(broker.gtts())
    sold = [o for o in call(broker.orders()) if o.side is Side.SELL]
    assert fired.status is GttStatus.TRIGGERED
    assert [(o.price, o.order_id) for o in sold] == [(Decimal(1600), fired.triggered_order_ids[0])]


def test_modify_and_delete(broker: PaperBroker, call: Call) -> None:
    gtt_id = call(broker.place_gtt(single("1400", Side.BUY, "1401")))
    call(broker.modify_gtt(gtt_id, oco("1450", "1550")))
    [changed] = call(broker.gtts())
    assert (changed.gtt_id, changed.type, changed.trigger_prices) == (gtt_id, GttType.OCO,
                                                                       [Decimal(1450), Decimal(1550)])

    call(broker.delete_gtt(gtt_id))
    broker.exchange.set_price(INFY, Decimal(1300))  # a deleted trigger never fires
    assert [g.status for g in call(broker.gtts())] == [GttStatus.DELETED]
    assert call(broker.orders()) == []
    with pytest.raises(InvalidOrderError, match="only an active trigger can be modified"):
        call(broker.modify_gtt(gtt_id, single("1400", Side.BUY, "1401")))


def test_triggers_of_other_accounts_and_unknown_ids_are_not_found(paper_home: Any, broker: PaperBroker,
                                                                   call: Call) -> None:
    gtt_id = call(broker.place_gtt(single("1400", Side.BUY, "1401")))
    stranger = paper_home.broker("b")
    assert call(stranger.gtts()) == []
    for unknown in (gtt_id, "999999", "abc"):
        with pytest.raises(RefusedError, match="no trigger"):
            call(stranger.delete_gtt(unknown))
    assert [g.status for g in call(broker.gtts())] == [GttStatus.ACTIVE]


def test_a_trigger_on_an_unlisted_symbol_is_refused(broker: PaperBroker, call: Call) -> None:
    with pytest.raises(SymbolError, match="NSE:NOSUCH is not listed"):
        call(broker.place_gtt(single("1400", Side.BUY, "1401", symbol="NSE:NOSUCH")))
    assert call(broker.gtts()) == []


def test_a_cnc_leg_on_a_derivative_is_refused(broker: PaperBroker, call: Call) -> None:
    future = next(i for i in call(broker.instruments()) if i.instrument_type == "FUT")
    with pytest.raises(InvalidOrderError, match="trigger's order is refused"):
        call(broker.place_gtt(single("1", Side.BUY, "1", symbol=future.symbol, last="2")))
    assert call(broker.gtts()) == []


def test_a_trigger_placed_in_another_process_is_seen_here(tmp_path: Path) -> None:
    """Two real processes, each opening the paper broker on one home as `brokerplex gtt place|list` would."""
    home = tmp_path / "home"
    script = """
import asyncio, sys
from decimal import Decimal
from pathlib import Path
from brokerplex.broker import AccountContext
from brokerplex.testing.harness import MemorySession
from brokerplex.models import Side
from brokerplex.ops.models import GttOrder, GttRequest
from brokerplex_paper.broker import PaperBroker, PaperSettings

async def main() -> None:
    broker = PaperBroker(AccountContext("a", "paper", Path(sys.argv[1]), MemorySession()), PaperSettings())
    await broker.connect()
    if sys.argv[2] == "place":
        last = (await broker.quotes(["NSE:INFY"]))["NSE:INFY"].last_price
        floor = (last / 2).quantize(Decimal(1))
        print(await broker.place_gtt(GttRequest(symbol="NSE:INFY", trigger_prices=[floor], last_price=last,
                                                orders=[GttOrder(side=Side.BUY, quantity=1, price=floor)])))
    else:
        print(" ".join(f"{g.gtt_id}:{g.status}" for g in await broker.gtts()))
    broker.exchange.close()

asyncio.run(main())
"""
    def command(*args: str) -> str:
        done = subprocess.run([sys.executable, "-c", script, str(home), *args], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "PYTHONWARNINGS": "error"}, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    gtt_id = command("place")
    assert command("list") == f"{gtt_id}:active"
