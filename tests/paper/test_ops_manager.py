"""Paper's native operations through the sync BrokerManager, as the CLI uses them (real clock, real market)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from brokerplex import BrokerManager
from brokerplex.formats import IST
from brokerplex.models import OrderRequest, OrderStatus, Product, Side
from brokerplex.ops.models import GttOrder, GttRequest, GttStatus
from clocks import HeldClock

if TYPE_CHECKING:
    from tests.paper.conftest import PaperHome

SBIN = "NSE:SBIN"


def test_paper_does_its_declared_operations_natively(paper: BrokerManager) -> None:
    modes = paper.operation_modes("p1")
    assert {name: modes[name] for name in ("convert", "margins", "basket_margins", "gtt", "candles")} == dict.fromkeys(
        ("convert", "margins", "basket_margins", "gtt", "candles"), "native")


def test_convert_margins_and_pnl_through_the_manager(paper: BrokerManager) -> None:
    request = OrderRequest(symbol=SBIN, side=Side.BUY, quantity=10, product=Product.MIS)
    [margin] = paper.margins("p1", [request])
    used = paper.funds("p1").used_margin
    ack = paper.place_order("p1", request)
    assert ack.status is OrderStatus.COMPLETE
    assert paper.funds("p1").used_margin - used > 0
    assert margin.total > 0

    after = paper.convert_position("p1", SBIN, 4, from_product=Product.MIS, to_product=Product.CNC)

    assert sorted((p.product, p.quantity) for p in after) == [(Product.CNC, 4), (Product.MIS, 6)]
    summary = paper.pnl("p1")
    assert {(line.product, line.quantity) for line in summary.lines} == {(Product.CNC, 4), (Product.MIS, 6)}
    assert summary.unrealised == sum(line.unrealised for line in summary.lines)


def test_gtt_through_the_manager(paper: BrokerManager) -> None:
    last = paper.quotes("p1", [SBIN])[SBIN].last_price
    floor = (last / 2).quantize(Decimal(1))
    gtt_id = paper.place_gtt("p1", GttRequest(symbol=SBIN, trigger_prices=[floor], last_price=last,
                                              orders=[GttOrder(side=Side.BUY, quantity=1, price=floor)]))
    assert [(g.gtt_id, g.status) for g in paper.gtts("p1")] == [(gtt_id, GttStatus.ACTIVE)]
    paper.delete_gtt("p1", gtt_id)
    assert [(g.gtt_id, g.status) for g in paper.gtts("p1")] == [(gtt_id, GttStatus.DELETED)]


def test_candles_longer_than_one_request_are_paged(paper: BrokerManager) -> None:
    end = dt.datetime.now(IST).replace(second=0, microsecond=0)
    start = end - dt.timedelta(days=2, hours=6)  # paper serves two days of minute candles a request
    candles = paper.candles("p1", SBIN, "30m", start, end)
    minutes = paper.candles("p1", SBIN, "1m", end - dt.timedelta(hours=1), end)
    assert [c.at for c in candles] == sorted({c.at for c in candles})
    assert candles[0].at >= start
    assert len(minutes) in (60, 61)
    long_minutes = paper.candles("p1", SBIN, "1m", start, start + dt.timedelta(days=2, minutes=30))
    assert len(long_minutes) == 2 * 1440 + 31  # two pages, joined once at their edge


def test_the_day_is_priced_from_the_previous_close_for_holdings_and_carried_positions(
    paper_home: PaperHome, clock: HeldClock
) -> None:
    """After the overnight batch: a holding's day change and a carried future's day P&L are their move since
    the previous close (nothing traded today), and the holding keeps its settlement split. (Paper marks a
    carried position to the close overnight; the day P&L of one that is not is test_ops_manager's in core.)"""
    paper_home.broker("a")  # the exchange on the held clock, shared by the manager's broker below
    with BrokerManager(paper_home.home) as manager:
        manager.activate("paper", "a")
        future = next(i for i in manager.instruments("a") if i.underlying == "NIFTY" and i.instrument_type == "FUT"
                      and i.expiry != clock.now.date())
        manager.place_order("a", OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=10))
        manager.place_order("a", OrderRequest(symbol=future.symbol, side=Side.BUY, quantity=future.lot_size))
        clock.advance(days=1, hours=1)
        quotes = manager.quotes("a", ["NSE:INFY", future.symbol])
        [holding] = manager.holdings_view("a")
        infy = quotes["NSE:INFY"]
        assert infy.close is not None
        assert (holding.quantity, holding.t1_quantity, holding.close_price) == (0, 10, infy.close)
        assert holding.day_change == (infy.last_price - infy.close) * 10
        [line] = [line for line in manager.pnl("a").lines if line.symbol == future.symbol]
        moved = quotes[future.symbol]
        assert moved.close is not None
        assert line.day == (moved.last_price - moved.close) * future.lot_size * future.multiplier
