"""The manager's own parts of the trader operations, on the paper exchange: limits and the kill switch,
slices that stop at a failed child, baskets refused for margin, target positions under concurrency,
limit-offset exits and the day P&L of carried positions."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from brokerplex.aiomanager import AsyncBrokerManager
from brokerplex.errors import InputError, InsufficientFundsError, SettingsError, VetoedError
from brokerplex.manager import BrokerManager
from brokerplex.models import Holding, OrderRequest, OrderStatus, OrderType, Position, Product, Quote, Side
from brokerplex.ops.legs import slice_quantities
from brokerplex.ops.models import LegOutcome
from brokerplex.ops.positions import _holding_view, _pnl_line
from brokerplex.rules import tick_floor
from brokerplex_paper.universe import nearest_future

ACCOUNT = "p"


@pytest.fixture
def manager(tmp_path: Path) -> BrokerManager:
    with BrokerManager(tmp_path) as manager:
        manager.activate("paper", ACCOUNT)
        yield manager


def limits(manager: BrokerManager, **fields: object) -> None:
    path = manager.home / "limits" / f"{ACCOUNT}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(fields, default=str))


def net(manager: BrokerManager, symbol: str, product: Product) -> int:
    return sum(p.quantity for p in manager.positions(ACCOUNT) if p.symbol == symbol and p.product is product)


def test_limits_refuse_what_they_forbid_before_sending(manager: BrokerManager) -> None:
    limits(manager, max_order_value="20000", max_quantity={"NSE:INFY": 10, "*": 100},
           allowed_products=["MIS", "CNC"])
    last = manager.quotes(ACCOUNT, ["NSE:INFY"])["NSE:INFY"].last_price
    refused = {
        "quantity 11 is above the 10 allowed": OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=11),
        "order value": OrderRequest(symbol="NSE:RELIANCE", side=Side.BUY, quantity=50),  # market: valued at ltp
        "product NRML is not allowed": OrderRequest(symbol=nearest_future("NIFTY").symbol, side=Side.BUY,
                                                    quantity=65),
    }
    for reason, request in refused.items():
        with pytest.raises(VetoedError, match=reason):
            manager.place_order(ACCOUNT, request)
    assert manager.journal.entries(ACCOUNT) == []
    price = tick_floor(last * Decimal("0.9"), manager.instrument(ACCOUNT, "NSE:INFY"))
    manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=10,
                                              order_type=OrderType.LIMIT, price=price))
    assert len(manager.journal.entries(ACCOUNT)) == 1


def test_a_bad_limits_file_is_a_settings_error_naming_it(manager: BrokerManager) -> None:
    limits(manager, max_order_value="-5")
    with pytest.raises(SettingsError, match=r"limits file .*p\.json"):
        manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1))
    (manager.home / "limits" / f"{ACCOUNT}.json").write_text("{not json")
    with pytest.raises(SettingsError, match="not JSON"):
        manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1))


def test_the_daily_loss_stop_halts_the_account_but_lets_it_exit(manager: BrokerManager) -> None:
    manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=100, product=Product.MIS))
    paper = manager._loop.run(manager.aio.session(ACCOUNT))
    last = manager.quotes(ACCOUNT, ["NSE:INFY"])["NSE:INFY"].last_price
    paper.exchange.set_price("NSE:INFY", tick_floor(last * Decimal("0.95"), manager.instrument(ACCOUNT, "NSE:INFY")))
    day = manager.pnl(ACCOUNT).day
    assert day < -5000, "the market fell 5 % under a long position of 100"
    limits(manager, daily_loss_stop=str(-day / 2))
    with pytest.raises(VetoedError, match="daily loss stop"):
        manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1, product=Product.MIS))
    halt = manager.halted(ACCOUNT)
    assert halt is not None
    assert "daily loss stop" in halt.reason
    with pytest.raises(VetoedError, match="halted"):
        manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:TCS", side=Side.BUY, quantity=1))
    [exited] = manager.exit_positions(ACCOUNT, ["NSE:INFY"])
    assert exited.outcome is LegOutcome.DONE, exited.message
    assert net(manager, "NSE:INFY", Product.MIS) == 0
    assert manager.resume(ACCOUNT)
    assert not manager.resume(ACCOUNT), "resuming twice says it was not halted"


def test_a_slice_stops_at_the_first_child_that_fails(tmp_path: Path) -> None:
    future = nearest_future("NIFTY")
    assert future.freeze_quantity is not None
    biggest = future.freeze_quantity // future.lot_size * future.lot_size
    with BrokerManager(tmp_path) as manager:
        manager.activate("paper", "rich")
        request = OrderRequest(symbol=future.symbol, side=Side.BUY, quantity=3 * biggest, order_type=OrderType.LIMIT,
                               price=tick_floor(manager.quotes("rich", [future.symbol])[future.symbol].last_price
                                                * Decimal("0.95"), future))
        [one] = manager.margins("rich", [request.model_copy(update={"quantity": biggest})])
        manager.activate("paper", ACCOUNT, {"opening_cash": str(one.total * Decimal("1.5"))})
        results = manager.place_sliced(ACCOUNT, request)
    assert [r.outcome for r in results] == [LegOutcome.DONE, LegOutcome.REFUSED, LegOutcome.SKIPPED]
    assert [r.quantity for r in results] == [biggest] * 3
    assert "margin" in (results[1].message or "").lower() or "funds" in (results[1].message or "").lower()
    assert results[2].message == "not sent: an earlier leg was refused"
    assert len({r.client_order_id for r in results}) == 3


def test_an_exit_above_the_freeze_quantity_is_sliced_dry_run_and_all(tmp_path: Path) -> None:
    future = nearest_future("NIFTY")
    assert future.freeze_quantity is not None
    biggest = future.freeze_quantity // future.lot_size * future.lot_size
    with BrokerManager(tmp_path) as manager:
        manager.activate("paper", ACCOUNT, {"opening_cash": "10000000000"})
        bought = manager.place_sliced(ACCOUNT, OrderRequest(symbol=future.symbol, side=Side.BUY,
                                                            quantity=2 * biggest + future.lot_size))
        assert all(leg.ok for leg in bought), [leg.message for leg in bought]
        planned = manager.exit_positions(ACCOUNT, [future.symbol], dry_run=True)
        assert [(leg.outcome, leg.side, leg.quantity) for leg in planned] == [
            (LegOutcome.DRY_RUN, Side.SELL, biggest), (LegOutcome.DRY_RUN, Side.SELL, biggest),
            (LegOutcome.DRY_RUN, Side.SELL, future.lot_size)]
        exits = manager.exit_positions(ACCOUNT, [future.symbol])
        assert [leg.outcome for leg in exits] == [LegOutcome.DONE] * 3, [leg.message for leg in exits]
        assert net(manager, future.symbol, Product.NRML) == 0


def test_slice_quantities_are_whole_lots_within_the_freeze() -> None:
    assert slice_quantities(100, None, 25) == [100]
    assert slice_quantities(3900, 1800, 65) == [1755, 1755, 390]
    assert slice_quantities(1800, 1800, 75) == [1800]
    with pytest.raises(InputError, match="below one lot"):
        slice_quantities(200, 50, 75)


def test_a_basket_beyond_the_funds_sends_nothing(tmp_path: Path) -> None:
    with BrokerManager(tmp_path) as manager:
        manager.activate("paper", ACCOUNT, {"opening_cash": "10000"})
        legs = [OrderRequest(symbol=symbol, side=Side.BUY, quantity=20) for symbol in ("NSE:INFY", "NSE:TCS")]
        with pytest.raises(InsufficientFundsError, match="nothing was sent"):
            manager.place_basket(ACCOUNT, legs)
        assert manager.journal.entries(ACCOUNT) == []
        priced = manager.place_basket(ACCOUNT, legs, dry_run=True)
        assert priced.margin is not None
        assert priced.margin.final > 10000
        assert [leg.outcome for leg in priced.legs] == [LegOutcome.DRY_RUN] * 2


def test_two_targets_at_once_never_overshoot(tmp_path: Path) -> None:
    async def race() -> int:
        manager = AsyncBrokerManager(tmp_path)
        manager.activate("paper", ACCOUNT)
        try:
            await asyncio.gather(*(manager.target_position(ACCOUNT, "NSE:INFY", 7, product=Product.MIS)
                                   for _ in range(4)))
            return sum(p.quantity for p in await manager.positions(ACCOUNT) if p.product is Product.MIS)
        finally:
            await manager.close()

    assert asyncio.run(race()) == 7


def test_an_exit_with_a_limit_offset_is_a_marketable_limit_on_the_tick_grid(manager: BrokerManager) -> None:
    manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=3, product=Product.MIS))
    [planned] = manager.exit_positions(ACCOUNT, ["NSE:INFY"], limit_offset=Decimal("1.03"), dry_run=True)
    assert planned.request is not None
    last = manager.quotes(ACCOUNT, ["NSE:INFY"])["NSE:INFY"].last_price
    assert planned.request.order_type is OrderType.LIMIT
    assert planned.request.price is not None
    assert planned.request.price % Decimal("0.05") == 0
    assert last - Decimal("5") < planned.request.price < last, "a sell exit a little under the market"
    assert net(manager, "NSE:INFY", Product.MIS) == 3, "a dry run sends nothing"
    [done] = manager.exit_positions(ACCOUNT, ["NSE:INFY"], limit_offset=Decimal("1.03"))
    assert done.outcome is LegOutcome.DONE
    order = manager.verdict(ACCOUNT, done.order_id or "")
    assert order is not None
    assert order.status is OrderStatus.COMPLETE


def test_day_pnl_values_carried_quantity_from_the_previous_close() -> None:
    carried = Position(symbol="NSE:INFY", product=Product.CNC, quantity=10, overnight_quantity=10,
                       average_price=Decimal("1400"), last_price=Decimal("1520"), unrealised_pnl=Decimal("1200"))
    quote = Quote(symbol="NSE:INFY", last_price=Decimal("1520"), close=Decimal("1500"))
    line = _pnl_line(carried, quote)
    assert (line.unrealised, line.day) == (Decimal("1200"), Decimal("200")), "only today's move: 10 x (1520 - 1500)"
    assert _pnl_line(carried, None).day == Decimal("1200"), "without a close the day is the net"


def test_a_holding_view_keeps_the_settlement_split_and_prices_the_day_from_the_close() -> None:
    holding = Holding(symbol="NSE:INFY", quantity=8, t1_quantity=2, average_price=Decimal("1400"),
                      last_price=Decimal("1510"), isin="INE009A01021")
    view = _holding_view(holding, Quote(symbol="NSE:INFY", last_price=Decimal("1520"), close=Decimal("1500")))
    assert (view.quantity, view.t1_quantity, view.isin) == (8, 2, "INE009A01021")
    assert view.pnl == Decimal("1200"), "10 shares, settled or not, 120 above their average"
    assert (view.day_change, view.day_change_percent) == (Decimal("200"), Decimal("20") * 100 / Decimal("1500"))
    unquoted = _holding_view(holding, None)
    assert (unquoted.last_price, unquoted.day_change) == (Decimal("1510"), None), "no close: no day change"


def test_candles_refuse_a_range_that_needs_too_many_pages(manager: BrokerManager) -> None:
    end = dt.datetime(2026, 11, 30, 15, 0)
    with pytest.raises(InputError, match="requests"):
        manager.candles(ACCOUNT, "NSE:INFY", "1m", end - dt.timedelta(days=3650), end)
    with pytest.raises(InputError, match="after its start"):
        manager.candles(ACCOUNT, "NSE:INFY", "1d", end, end)
