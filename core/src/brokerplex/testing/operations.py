"""Checks of the trader operations (``brokerplex.ops``): each one the broker declares natively works, each
one it lacks is refused before anything is sent, and the manager's emulations work on its primitives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from brokerplex.errors import InputError, NotSupportedError, VetoedError
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderStatus, OrderType, Product, Side
from brokerplex.ops import NATIVE, modes
from brokerplex.ops.contract import BrokerOperations
from brokerplex.ops.models import GttOrder, GttRequest, GttStatus, LegOutcome
from brokerplex.plugins import get_broker
from brokerplex.testing.harness import ACCOUNT, ConformanceTarget, Harness, eventually

#: The methods each native operation stands for.
METHODS = {"exit": ("square_off",), "slice": ("place_autosliced",), "cancel_all": ("cancel_all",),
           "convert": ("convert_position",),
           "margins": ("order_margins",), "basket_margins": ("basket_margins",), "candles": ("candles",),
           "gtt": ("gtts", "place_gtt", "modify_gtt", "delete_gtt")}


class OperationChecks(Harness):
    def _declared(self, manager: BrokerManager, target: ConformanceTarget) -> tuple[str, ...]:
        return manager.brokers()[target.broker].spec.capabilities.operations

    def _net(self, manager: BrokerManager, symbol: str, product: Product) -> int:
        return sum(p.quantity for p in manager.positions(ACCOUNT) if p.symbol == symbol and p.product is product)

    def _settled(self, manager: BrokerManager, target: ConformanceTarget, symbol: str, product: Product,
                 wanted: int) -> None:
        reached = eventually(lambda: True if self._net(manager, symbol, product) == wanted else None,
                             target.settle_seconds)
        assert reached, f"the {product} position in {symbol} is {self._net(manager, symbol, product)}, not {wanted}"

    # -- what is declared ----------------------------------------------------------------
    def test_declared_operations_are_implemented(self, conformance_target: ConformanceTarget) -> None:
        spec = get_broker(conformance_target.broker).spec
        broker_class = spec.load()
        for operation in spec.capabilities.operations:
            assert operation in NATIVE, f"{operation!r} is not a native operation (those are {', '.join(NATIVE)})"
            for method in METHODS[operation]:
                assert getattr(broker_class, method) is not getattr(BrokerOperations, method), (
                    f"{conformance_target.broker} declares {operation} but does not implement {method}()")

    def test_operations_it_lacks_are_refused_before_sending(
        self, manager: BrokerManager, conformance_target: ConformanceTarget
    ) -> None:
        declared, symbol = self._declared(manager, conformance_target), conformance_target.symbol
        request = OrderRequest(symbol=symbol, side=Side.BUY, quantity=1)
        calls: dict[str, Callable[[], object]] = {
            "convert": lambda: manager.convert_position(ACCOUNT, symbol, 1, from_product=Product.MIS,
                                                        to_product=Product.CNC),
                 "margins": lambda: manager.margins(ACCOUNT, [request]),
                 "basket_margins": lambda: manager.basket_margin(ACCOUNT, [request]),
                 "gtt": lambda: manager.gtts(ACCOUNT),
                 "candles": lambda: manager.candles(ACCOUNT, symbol, "1d", dt.datetime(2026, 1, 1),
                                                    dt.datetime(2026, 1, 5))}
        journal_before = len(manager.journal.entries(ACCOUNT))
        for operation, call in calls.items():
            if operation not in declared:
                with pytest.raises(NotSupportedError, match="does not offer"):
                    call()
        assert len(manager.journal.entries(ACCOUNT)) == journal_before

    # -- cancel-all and exits --------------------------------------------------------------
    def test_cancel_all_cancels_only_what_was_named(self, manager: BrokerManager, trading: ConformanceTarget) -> None:
        first = self.resting(manager, trading, Side.BUY)[1]
        second = self.resting(manager, trading, Side.BUY, lots=2)[1]
        other = self.resting(manager, trading, Side.BUY, symbol=trading.derivative,
                             product=Product.NRML)[1] if trading.derivative else None
        results = manager.cancel_all(ACCOUNT, symbol=trading.symbol)
        assert {r.order_id for r in results} >= {first.order_id, second.order_id}
        assert all(r.ok for r in results), [r.message for r in results]
        for ack in (first, second):
            assert self.find(manager, ack.client_order_id, trading.settle_seconds, final=True).status is (
                OrderStatus.CANCELLED)
        if other is not None:
            assert self.find(manager, other.client_order_id, 0).status in (OrderStatus.OPEN, OrderStatus.PENDING)
            assert all(r.ok for r in manager.cancel_all(ACCOUNT))
            assert self.find(manager, other.client_order_id, trading.settle_seconds, final=True).status is (
                OrderStatus.CANCELLED)
        assert not manager.orders(ACCOUNT, status="open")

    def test_exit_cancels_the_symbols_orders_and_flattens(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        if not trading.market_orders:
            pytest.skip("market orders are not enabled for this target")
        held = self._net(manager, trading.symbol, Product.MIS)
        lot = manager.instrument(ACCOUNT, trading.symbol).lot_size
        manager.place_order(ACCOUNT, OrderRequest(symbol=trading.symbol, side=Side.BUY, quantity=2 * lot,
                                                  product=Product.MIS))
        self._settled(manager, trading, trading.symbol, Product.MIS, held + 2 * lot)
        waiting = self.resting(manager, trading, Side.SELL)[1]
        results = manager.exit_positions(ACCOUNT, [trading.symbol], product=Product.MIS)
        assert [r.outcome for r in results] == [LegOutcome.DONE], [r.message for r in results]
        assert (results[0].side, results[0].quantity) == (Side.SELL, held + 2 * lot)
        assert waiting.order_id in results[0].cancelled
        self._settled(manager, trading, trading.symbol, Product.MIS, 0)
        again = manager.exit_positions(ACCOUNT, [trading.symbol], product=Product.MIS)
        assert [(r.outcome, r.order_id) for r in again] == [(LegOutcome.DONE, None)], "nothing is left to exit"

    # -- baskets, slices, targets --------------------------------------------------------------
    def test_a_basket_with_one_bad_leg_sends_nothing(
        self, manager: BrokerManager, conformance_target: ConformanceTarget
    ) -> None:
        instrument = manager.instrument(ACCOUNT, conformance_target.symbol)
        price = self.away(manager, conformance_target.symbol, "0.96")
        good = OrderRequest(symbol=instrument.symbol, side=Side.BUY, quantity=instrument.lot_size,
                            order_type=OrderType.LIMIT, price=price, product=Product.MIS)
        bad = good.model_copy(update={"price": price + instrument.tick_size / 2})
        journal_before, book_before = len(manager.journal.entries(ACCOUNT)), len(manager.orders(ACCOUNT))
        with pytest.raises(InputError, match=r"^leg 3: .*tick size"):
            manager.place_basket(ACCOUNT, [good, good, bad])
        assert len(manager.journal.entries(ACCOUNT)) == journal_before
        assert len(manager.orders(ACCOUNT)) == book_before

    def test_a_basket_places_every_leg(self, manager: BrokerManager, trading: ConformanceTarget) -> None:
        legs = [OrderRequest(symbol=trading.symbol, side=side, quantity=1, order_type=OrderType.LIMIT,
                             price=self.away(manager, trading.symbol, factor), product=Product.MIS)
                for side, factor in ((Side.BUY, "0.95"), (Side.SELL, "1.05"))]
        result = manager.place_basket(ACCOUNT, legs)
        assert [leg.outcome for leg in result.legs] == [LegOutcome.DONE] * 2, [leg.message for leg in result.legs]
        assert len({leg.client_order_id for leg in result.legs}) == 2
        for leg, request in zip(result.legs, legs, strict=True):
            order = self.find(manager, leg.client_order_id, trading.settle_seconds)
            assert (order.side, order.price) == (request.side, request.price)
            manager.cancel_order(ACCOUNT, order.order_id)
        if "basket_margins" in self._declared(manager, trading):
            assert result.margin is not None, "a broker with basket margins prices the basket first"
            assert result.margin.final >= 0

    def test_slicing_splits_at_the_freeze_quantity(
        self, manager: BrokerManager, conformance_target: ConformanceTarget
    ) -> None:
        if conformance_target.derivative is None:
            pytest.skip("slicing needs a derivative with a freeze quantity")
        contract = manager.instrument(ACCOUNT, conformance_target.derivative)
        if "slice" in self._declared(manager, conformance_target):
            request = OrderRequest(symbol=contract.symbol, side=Side.BUY, quantity=contract.lot_size * 100,
                                   order_type=OrderType.LIMIT, price=self.away(manager, contract.symbol, "0.9"))
            [whole] = manager.place_sliced(ACCOUNT, request, dry_run=True)
            assert (whole.outcome, whole.quantity) == (LegOutcome.DRY_RUN, request.quantity), "the broker slices it"
            return
        assert contract.freeze_quantity is not None, (
            f"{contract.symbol} has no freeze quantity: the broker must slice natively (declare 'slice')")
        biggest = contract.freeze_quantity // contract.lot_size * contract.lot_size
        request = OrderRequest(symbol=contract.symbol, side=Side.BUY, quantity=2 * biggest + contract.lot_size,
                               order_type=OrderType.LIMIT, price=self.away(manager, contract.symbol, "0.9"))
        journal_before = len(manager.journal.entries(ACCOUNT))
        children = manager.place_sliced(ACCOUNT, request, dry_run=True)
        assert [c.quantity for c in children] == [biggest, biggest, contract.lot_size]
        assert all(c.outcome is LegOutcome.DRY_RUN for c in children)
        assert len({c.client_order_id for c in children}) == 3
        assert len(manager.journal.entries(ACCOUNT)) == journal_before, "a dry run sends nothing"

    def test_target_position_buys_sells_or_does_nothing(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        if not trading.market_orders:
            pytest.skip("market orders are not enabled for this target")
        symbol, lot = trading.symbol, manager.instrument(ACCOUNT, trading.symbol).lot_size
        held = self._net(manager, symbol, Product.MIS)
        up = manager.target_position(ACCOUNT, symbol, held + 2 * lot, product=Product.MIS)
        assert [(r.side, r.quantity) for r in up] == [(Side.BUY, 2 * lot)], [r.message for r in up]
        self._settled(manager, trading, symbol, Product.MIS, held + 2 * lot)
        same = manager.target_position(ACCOUNT, symbol, held + 2 * lot, product=Product.MIS)
        assert [r.order_id for r in same] == [None], "at the target: nothing is sent"
        down = manager.target_position(ACCOUNT, symbol, held + lot, product=Product.MIS)
        assert [(r.side, r.quantity) for r in down] == [(Side.SELL, lot)]
        self._settled(manager, trading, symbol, Product.MIS, held + lot)

    # -- native operations, when declared ------------------------------------------------------
    def test_convert_moves_quantity_between_products(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        if "convert" not in self._declared(manager, trading) or not trading.market_orders:
            pytest.skip("the broker does not convert positions (or market orders are off)")
        symbol = trading.symbol
        mis, cnc = self._net(manager, symbol, Product.MIS), self._net(manager, symbol, Product.CNC)
        manager.place_order(ACCOUNT, OrderRequest(symbol=symbol, side=Side.BUY, quantity=2, product=Product.MIS))
        self._settled(manager, trading, symbol, Product.MIS, mis + 2)
        manager.convert_position(ACCOUNT, symbol, 1, from_product=Product.MIS, to_product=Product.CNC)
        self._settled(manager, trading, symbol, Product.MIS, mis + 1)
        self._settled(manager, trading, symbol, Product.CNC, cnc + 1)
        with pytest.raises(InputError):
            manager.convert_position(ACCOUNT, symbol, mis + 50, from_product=Product.MIS, to_product=Product.CNC)

    def test_margins_price_orders_and_baskets(self, manager: BrokerManager, conformance_target: ConformanceTarget
                                              ) -> None:
        declared = self._declared(manager, conformance_target)
        request = OrderRequest(symbol=conformance_target.symbol, side=Side.BUY, quantity=2, product=Product.MIS)
        if "margins" in declared:
            [margin] = manager.margins(ACCOUNT, [request])
            assert (margin.symbol, margin.side, margin.quantity) == (request.symbol, Side.BUY, 2)
            assert margin.total > 0
        if "basket_margins" in declared:
            basket = manager.basket_margin(ACCOUNT, [request, request.model_copy(update={"side": Side.SELL})])
            assert 0 <= basket.final <= basket.initial, "a buy and a sell of one thing cannot need more than both"

    def test_gtt_round_trip(self, manager: BrokerManager, trading: ConformanceTarget) -> None:
        if "gtt" not in self._declared(manager, trading):
            pytest.skip("the broker offers no GTT")
        last = manager.quotes(ACCOUNT, [trading.symbol])[trading.symbol].last_price
        below = self.away(manager, trading.symbol, "0.8")
        request = GttRequest(symbol=trading.symbol, trigger_prices=[below], last_price=last,
                             orders=[GttOrder(side=Side.BUY, quantity=1, price=below)])
        gtt_id = manager.place_gtt(ACCOUNT, request)
        [listed] = [g for g in manager.gtts(ACCOUNT) if g.gtt_id == gtt_id]
        assert (listed.status, listed.trigger_prices, listed.orders) == (GttStatus.ACTIVE, [below], request.orders)
        lower = below - 10 * manager.instrument(ACCOUNT, trading.symbol).tick_size
        manager.modify_gtt(ACCOUNT, gtt_id, request.model_copy(update={"trigger_prices": [lower]}))
        assert next(g for g in manager.gtts(ACCOUNT) if g.gtt_id == gtt_id).trigger_prices == [lower]
        manager.delete_gtt(ACCOUNT, gtt_id)
        assert all(g.status is not GttStatus.ACTIVE for g in manager.gtts(ACCOUNT) if g.gtt_id == gtt_id)

    def test_daily_candles_run_oldest_first(self, manager: BrokerManager, conformance_target: ConformanceTarget
                                            ) -> None:
        if "candles" not in self._declared(manager, conformance_target):
            pytest.skip("the broker offers no candles")
        end = dt.datetime.now(dt.UTC)
        candles = manager.candles(ACCOUNT, conformance_target.symbol, "1d", end - dt.timedelta(days=20), end)
        assert candles, "twenty days hold at least one trading day"
        assert [c.at for c in candles] == sorted({c.at for c in candles})
        assert all(c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high for c in candles)

    # -- views and limits ----------------------------------------------------------------------
    def test_views_agree_with_the_books(self, manager: BrokerManager, conformance_target: ConformanceTarget) -> None:
        symbol = conformance_target.symbol
        depth = manager.depth(ACCOUNT, symbol)
        assert [level.price for level in depth.bids] == sorted((level.price for level in depth.bids), reverse=True)
        assert [level.price for level in depth.asks] == sorted(level.price for level in depth.asks)
        found = manager.search(ACCOUNT, symbol.partition(":")[2], exchange=symbol.partition(":")[0])
        assert [i.symbol for i in found[:1]] == [symbol], "an exact trading symbol ranks first"
        if conformance_target.trading and conformance_target.market_orders:  # a position to read the P&L of
            held = self._net(manager, symbol, Product.MIS)
            manager.place_order(ACCOUNT, OrderRequest(symbol=symbol, side=Side.BUY, quantity=1, product=Product.MIS))
            self._settled(manager, conformance_target, symbol, Product.MIS, held + 1)
        summary, positions = manager.pnl(ACCOUNT), manager.positions(ACCOUNT)
        assert sorted((line.symbol, line.product, line.quantity, line.realised) for line in summary.lines) == sorted(
            (p.symbol, p.product, p.quantity, p.realised_pnl) for p in positions), "a P&L line per position, its own"
        assert modes(manager.brokers()[conformance_target.broker].spec.capabilities) == manager.operation_modes(
            ACCOUNT)

    def test_a_halted_account_refuses_orders_but_exits(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        symbol = trading.symbol
        if trading.market_orders:
            held = self._net(manager, symbol, Product.MIS)
            manager.place_order(ACCOUNT, OrderRequest(symbol=symbol, side=Side.BUY, quantity=1, product=Product.MIS))
            self._settled(manager, trading, symbol, Product.MIS, held + 1)
        journal_before = len(manager.journal.entries(ACCOUNT))
        manager.halt(ACCOUNT, "conformance check")
        with pytest.raises(VetoedError, match="halted"):
            manager.place_order(ACCOUNT, OrderRequest(symbol=symbol, side=Side.BUY, quantity=1))
        assert len(manager.journal.entries(ACCOUNT)) == journal_before, "a halted account sends nothing new"
        if trading.market_orders:
            results = manager.exit_positions(ACCOUNT, [symbol], product=Product.MIS)
            assert all(r.ok for r in results), [r.message for r in results]
            self._settled(manager, trading, symbol, Product.MIS, 0)
        assert manager.resume(ACCOUNT)
        assert manager.halted(ACCOUNT) is None
