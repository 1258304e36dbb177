"""Checks that the orders a plugin sends are the orders it was asked to send, and that it reads them back
truly: side, prices, quantities, product and validity arrive exactly (at the venue, when the target has
one, as well as in the plugin's own book), modify changes exactly what was asked, shorts are negative."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokerplex.errors import InputError, InsufficientFundsError, OrderNotFoundError, SymbolError
from brokerplex.manager import BrokerManager
from brokerplex.models import Order, OrderModify, OrderRequest, OrderStatus, OrderType, Product, Side, Validity
from brokerplex.rules import tick_floor
from brokerplex.testing.harness import ACCOUNT, ConformanceTarget, Harness

#: What must arrive exactly as requested, at the venue and in the book.
_SENT_FIELDS = ("symbol", "side", "quantity", "order_type", "price", "trigger_price", "validity")


class TradingChecks(Harness):
    def assert_arrived(self, manager: BrokerManager, target: ConformanceTarget, request: OrderRequest,
                       client_order_id: str | None) -> Order:
        """The order as requested, in the book and at the venue; the book's copy."""
        order = self.find(manager, client_order_id, target.settle_seconds)
        for copy, where in ((order, "the order book"), (self.received(target.venue, client_order_id), "the venue")):
            if copy is None:
                continue
            for name in _SENT_FIELDS:
                assert getattr(copy, name) == getattr(request, name), (
                    f"{name} in {where} is {getattr(copy, name)!r}, the request said {getattr(request, name)!r}")
            assert copy.product == request.resolved_product, f"product in {where} is {copy.product}"
        return order

    def test_market_order_completes_with_trade_and_position(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        if not trading.market_orders:
            pytest.skip("market orders are not enabled for this target")
        lot = manager.instrument(ACCOUNT, trading.symbol).lot_size
        held = self._net(manager, trading.symbol, Product.CNC)
        ack = manager.place_order(ACCOUNT, OrderRequest(symbol=trading.symbol, side=Side.BUY, quantity=lot))
        order = self.find(manager, ack.client_order_id, trading.settle_seconds, final=True)
        assert order.order_id == ack.order_id
        assert order.status is OrderStatus.COMPLETE
        assert order.filled_quantity == lot
        assert order.average_price is not None
        assert order.average_price > 0
        fills = [t for t in manager.trades(ACCOUNT) if t.order_id == ack.order_id]
        assert sum(t.quantity for t in fills) == lot
        assert {t.side for t in fills} == {Side.BUY}
        assert self._net(manager, trading.symbol, Product.CNC) == held + lot

    def test_a_short_position_is_negative(self, manager: BrokerManager, trading: ConformanceTarget) -> None:
        if not trading.market_orders:
            pytest.skip("market orders are not enabled for this target")
        lot = manager.instrument(ACCOUNT, trading.symbol).lot_size
        held = self._net(manager, trading.symbol, Product.MIS)
        request = OrderRequest(symbol=trading.symbol, side=Side.SELL, quantity=lot, product=Product.MIS)
        ack = manager.place_order(ACCOUNT, request)
        order = self.find(manager, ack.client_order_id, trading.settle_seconds, final=True)
        assert (order.side, order.status) == (Side.SELL, OrderStatus.COMPLETE)
        assert {t.side for t in manager.trades(ACCOUNT) if t.order_id == ack.order_id} == {Side.SELL}
        assert self._net(manager, trading.symbol, Product.MIS) == held - lot, "a sale must lower the net quantity"

    def _net(self, manager: BrokerManager, symbol: str, product: Product) -> int:
        return sum(p.quantity for p in manager.positions(ACCOUNT) if p.symbol == symbol and p.product is product)

    def test_a_sell_arrives_as_a_sell_at_its_exact_price(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        request, ack = self.resting(manager, trading, Side.SELL)
        order = self.assert_arrived(manager, trading, request, ack.client_order_id)
        assert order.status in (OrderStatus.OPEN, OrderStatus.PENDING)
        manager.cancel_order(ACCOUNT, ack.order_id)

    def test_stop_orders_arrive_with_exact_trigger_and_price(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        """A stop-loss BUY above the market waits for its trigger; both prices arrive to the paisa, and
        changing one of them changes nothing else."""
        types = manager.brokers()[trading.broker].spec.capabilities.order_types
        tick = manager.instrument(ACCOUNT, trading.symbol).tick_size
        trigger = self.away(manager, trading.symbol, "1.03")
        if "SL" in types:
            request = OrderRequest(symbol=trading.symbol, side=Side.BUY, quantity=1, order_type=OrderType.SL,
                                   product=Product.MIS, trigger_price=trigger, price=trigger + 4 * tick)
            ack = manager.place_order(ACCOUNT, request)
            self.assert_arrived(manager, trading, request, ack.client_order_id)
            moved = trigger + 2 * tick
            manager.modify_order(ACCOUNT, ack.order_id, OrderModify(trigger_price=moved))
            self._wait_for(manager, ack.client_order_id, trading, trigger_price=moved)
            request = request.model_copy(update={"trigger_price": moved})
            self.assert_arrived(manager, trading, request, ack.client_order_id)
            assert request.price is not None
            higher = request.price + tick
            manager.modify_order(ACCOUNT, ack.order_id, OrderModify(price=higher))
            self._wait_for(manager, ack.client_order_id, trading, price=higher)
            self.assert_arrived(manager, trading, request.model_copy(update={"price": higher}), ack.client_order_id)
            manager.cancel_order(ACCOUNT, ack.order_id)
        if "SL-M" in types:
            below = self.away(manager, trading.symbol, "0.97")
            request = OrderRequest(symbol=trading.symbol, side=Side.SELL, quantity=1, order_type=OrderType.SL_M,
                                   product=Product.MIS, trigger_price=below)
            ack = manager.place_order(ACCOUNT, request)
            self.assert_arrived(manager, trading, request, ack.client_order_id)
            manager.cancel_order(ACCOUNT, ack.order_id)

    def _wait_for(self, manager: BrokerManager, client_order_id: str | None, target: ConformanceTarget,
                 **expected: object) -> None:
        """Wait until the book shows ``expected`` (a modify may take effect a moment later)."""
        self.find(manager, client_order_id, target.settle_seconds,
                  where=lambda order: all(getattr(order, k) == v for k, v in expected.items()))

    def test_modify_changes_exactly_what_was_asked(self, manager: BrokerManager, trading: ConformanceTarget) -> None:
        request, ack = self.resting(manager, trading, Side.BUY, lots=2)
        lot = request.quantity // 2
        bigger = request.model_copy(update={"quantity": 3 * lot})
        manager.modify_order(ACCOUNT, ack.order_id, OrderModify(quantity=3 * lot))
        self._wait_for(manager, ack.client_order_id, trading, quantity=3 * lot)
        self.assert_arrived(manager, trading, bigger, ack.client_order_id)
        assert request.price is not None
        lower = request.price - 2 * manager.instrument(ACCOUNT, trading.symbol).tick_size
        manager.modify_order(ACCOUNT, ack.order_id, OrderModify(price=lower))
        self._wait_for(manager, ack.client_order_id, trading, price=lower)
        self.assert_arrived(manager, trading, bigger.model_copy(update={"price": lower}), ack.client_order_id)
        manager.cancel_order(ACCOUNT, ack.order_id)
        cancelled = self.find(manager, ack.client_order_id, trading.settle_seconds, final=True)
        assert cancelled.status is OrderStatus.CANCELLED
        history = manager.order_history(ACCOUNT, ack.order_id)
        assert history[-1].status is OrderStatus.CANCELLED, "order history runs oldest first"
        assert not history[0].status.is_final, "order history runs oldest first"
        assert [h.updated_at for h in history] == sorted(h.updated_at for h in history)

    def test_validity_and_product_survive_the_round_trip(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        capabilities = manager.brokers()[trading.broker].spec.capabilities
        cases: list[tuple[str, Product]] = [(trading.symbol, Product(p)) for p in ("CNC", "MIS")
                                            if p in capabilities.products]
        if trading.derivative is not None and "NRML" in capabilities.products:
            cases.append((trading.derivative, Product.NRML))
        for symbol, product in cases:
            request, ack = self.resting(manager, trading, Side.BUY, symbol=symbol, product=product)
            self.assert_arrived(manager, trading, request, ack.client_order_id)
            manager.cancel_order(ACCOUNT, ack.order_id)
        if "IOC" in capabilities.validities:
            request, ack = self.resting(manager, trading, Side.BUY, validity=Validity.IOC)
            order = self.find(manager, ack.client_order_id, trading.settle_seconds, final=True)
            assert order.status is OrderStatus.CANCELLED, f"an IOC order away from the market ended {order.status}"
            self.assert_arrived(manager, trading, request, ack.client_order_id)

    def test_invalid_orders_are_refused_before_sending(
        self, manager: BrokerManager, conformance_target: ConformanceTarget
    ) -> None:
        before = len(manager.orders(ACCOUNT))
        journal_before = len(manager.journal.entries(ACCOUNT))
        instrument = manager.instrument(ACCOUNT, conformance_target.symbol)
        off_tick = manager.quotes(ACCOUNT, [instrument.symbol])[instrument.symbol].last_price + instrument.tick_size / 3
        with pytest.raises(InputError, match="tick size"):
            manager.place_order(ACCOUNT, OrderRequest(symbol=instrument.symbol, side=Side.BUY, quantity=1,
                                                      order_type=OrderType.LIMIT, price=off_tick.quantize(
                                                          Decimal("0.0001"))))
        with pytest.raises(SymbolError):
            manager.place_order(ACCOUNT, OrderRequest(symbol="NSE:NOSUCHSCRIP", side=Side.BUY, quantity=1))
        if conformance_target.derivative is not None:
            contract = manager.instrument(ACCOUNT, conformance_target.derivative)
            assert contract.lot_size > 1, "the derivative must have a lot size above one"
            with pytest.raises(InputError, match="lot size"):
                manager.place_order(ACCOUNT, OrderRequest(symbol=contract.symbol, side=Side.BUY,
                                                          quantity=contract.lot_size + 1))
        assert len(manager.orders(ACCOUNT)) == before
        assert len(manager.journal.entries(ACCOUNT)) == journal_before

    def test_unknown_order_is_order_not_found(self, manager: BrokerManager, trading: ConformanceTarget) -> None:
        for call in (lambda: manager.cancel_order(ACCOUNT, "999999999999999"),
                     lambda: manager.modify_order(ACCOUNT, "999999999999999", OrderModify(quantity=1)),
                     lambda: manager.order_history(ACCOUNT, "999999999999999")):
            with pytest.raises(OrderNotFoundError):
                call()

    def test_order_beyond_margin_is_insufficient_funds(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        if not trading.rejects_for_funds:
            pytest.skip("this target does not test margin refusals")
        instrument = manager.instrument(ACCOUNT, trading.symbol)
        last = manager.quotes(ACCOUNT, [trading.symbol])[trading.symbol].last_price
        funds = manager.funds(ACCOUNT).available_margin
        quantity = int(funds / last + 1) * 10 // instrument.lot_size * instrument.lot_size + instrument.lot_size
        request = OrderRequest(symbol=trading.symbol, side=Side.BUY, quantity=min(quantity, 10_000_000),
                               order_type=OrderType.LIMIT, price=tick_floor(last, instrument))
        try:
            ack = manager.place_order(ACCOUNT, request)
        except InsufficientFundsError:
            return
        # Some brokers (XTS) accept the order and reject it after their risk check: then it must
        # end REJECTED, with the reason, and nothing of it filled.
        order = self.find(manager, ack.client_order_id, trading.settle_seconds, final=True)
        assert order.status is OrderStatus.REJECTED, f"an order beyond the margin ended {order.status}"
        assert order.status_message
        assert order.filled_quantity == 0

