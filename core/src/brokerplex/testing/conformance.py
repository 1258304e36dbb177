"""The conformance suite every broker plugin runs against its simulator (or a real account).

Subclass :class:`BrokerConformance` in your plugin's tests and give it a
``conformance_target`` fixture::

    from brokerplex.testing import BrokerConformance, ConformanceTarget

    class TestAcmeConformance(BrokerConformance):
        @pytest.fixture
        def conformance_target(self, acme_simulator):
            return ConformanceTarget(broker="acme", options={"root": acme_simulator.url})

Every check goes through :class:`~brokerplex.manager.BrokerManager`, the way users
reach a broker, so it proves the mapping as well as the transport.

A broker declaring ``dealer`` capability subclasses :class:`DealerConformance` instead:
the same suite on the account's default client, plus the per-client checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar, cast

import pytest

from brokerplex.errors import (
    AuthenticationError,
    ClientCodeError,
    InputError,
    InsufficientFundsError,
    OrderNotFoundError,
    SymbolError,
)
from brokerplex.manager import BrokerManager
from brokerplex.models import (
    Funds,
    Holding,
    Order,
    OrderModify,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Quote,
    Side,
    Tick,
    TickMode,
    Trade,
)
from brokerplex.rules import tick_floor

ACCOUNT = "conformance"
T = TypeVar("T")


@dataclass(frozen=True)
class ConformanceTarget:
    """What the suite needs to know about the broker under test."""

    broker: str
    options: Mapping[str, str] = field(default_factory=dict)  # settings for `activate`
    # If set, `login` runs first with these params; a callable gives fresh ones (a single-use token)
    # each time, so that the bad-credentials check logs in too.
    login: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None
    symbol: str = "NSE:INFY"  # a liquid cash instrument
    derivative: str | None = None  # an F&O contract with a lot size above one
    trading: bool = True  # may place (and cancel) orders
    market_orders: bool = True  # may place market orders that fill
    rejects_for_funds: bool = True  # an absurdly large order is refused for margin (at once, or then REJECTED)
    bad_options: Mapping[str, str] | None = None  # settings whose session must fail authentication
    settle_seconds: float = 10.0  # how long an order may take to reach its final state


def login_params(target: ConformanceTarget) -> Mapping[str, str]:
    login = target.login
    assert login is not None
    return login() if callable(login) else login


def eventually(probe: Callable[[], T | None], seconds: float) -> T | None:
    """Poll ``probe`` until it returns something, for brokers that update asynchronously."""
    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found is not None or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


class BrokerConformance:
    """The suite. Subclasses provide the ``conformance_target`` fixture."""

    @pytest.fixture
    def conformance_home(self, tmp_path: Path) -> Path:
        return tmp_path / "conformance-home"

    @pytest.fixture
    def manager(self, conformance_target: ConformanceTarget, conformance_home: Path) -> Iterator[BrokerManager]:
        with BrokerManager(conformance_home) as manager:
            manager.activate(conformance_target.broker, ACCOUNT, conformance_target.options)
            if conformance_target.login is not None:
                from brokerplex.cli import ClickLoginIO

                manager.login(ACCOUNT, login_params(conformance_target), ClickLoginIO())
            yield manager

    @pytest.fixture
    def trading(self, conformance_target: ConformanceTarget) -> ConformanceTarget:
        if not conformance_target.trading:
            pytest.skip("order placement is not enabled for this target")
        return conformance_target

    # -- session and reference data ------------------------------------------------
    def test_profile_after_login(self, manager: BrokerManager, conformance_target: ConformanceTarget) -> None:
        profile = manager.profile(ACCOUNT)
        assert profile.user_id
        assert profile.broker == conformance_target.broker

    def test_instrument_is_listed_with_trading_rules(
        self, manager: BrokerManager, conformance_target: ConformanceTarget
    ) -> None:
        instrument = manager.instrument(ACCOUNT, conformance_target.symbol)
        assert instrument.symbol == conformance_target.symbol
        assert instrument.exchange == conformance_target.symbol.split(":")[0]
        assert instrument.tick_size > 0
        assert instrument.lot_size >= 1
        listed = {i.symbol for i in manager.instruments(ACCOUNT)}
        assert conformance_target.symbol in listed

    def test_unlisted_symbol_is_a_symbol_error(self, manager: BrokerManager) -> None:
        with pytest.raises(SymbolError):
            manager.instrument(ACCOUNT, "NSE:NOSUCHSCRIP")

    def test_quote_with_ordered_depth(self, manager: BrokerManager, conformance_target: ConformanceTarget) -> None:
        quote = manager.quotes(ACCOUNT, [conformance_target.symbol])[conformance_target.symbol]
        assert isinstance(quote, Quote)
        assert quote.last_price > 0
        bids, asks = [level.price for level in quote.depth.bids], [level.price for level in quote.depth.asks]
        assert bids == sorted(bids, reverse=True)
        assert asks == sorted(asks)
        if bids and asks:
            assert bids[0] <= asks[0]

    def test_malformed_symbol_fails_before_any_request(self, manager: BrokerManager) -> None:
        with pytest.raises(SymbolError, match="no exchange"):
            manager.quotes(ACCOUNT, ["INFY"])

    def test_books_are_typed(self, manager: BrokerManager) -> None:
        assert all(isinstance(o, Order) for o in manager.orders(ACCOUNT))
        assert all(isinstance(t, Trade) for t in manager.trades(ACCOUNT))
        assert all(isinstance(p, Position) for p in manager.positions(ACCOUNT))
        assert all(isinstance(h, Holding) for h in manager.holdings(ACCOUNT))
        assert isinstance(manager.funds(ACCOUNT), Funds)

    def test_client_codes_follow_the_dealer_capability(
        self, manager: BrokerManager, conformance_target: ConformanceTarget
    ) -> None:
        """A dealer lists the client codes it holds and reads each one's book; any other login
        refuses ``client=`` as bad input."""
        if manager.brokers()[conformance_target.broker].spec.capabilities.dealer:
            codes = manager.clients(ACCOUNT)
            assert codes, "a dealer login must hold at least one client code"
            for code in codes:
                assert all(isinstance(order, Order) for order in manager.orders(ACCOUNT, client=code))
            return
        with pytest.raises(ClientCodeError):
            manager.clients(ACCOUNT)
        with pytest.raises(ClientCodeError):
            manager.orders(ACCOUNT, client="ANYCLIENT")

    def test_bad_credentials_are_an_authentication_error(
        self, conformance_target: ConformanceTarget, conformance_home: Path
    ) -> None:
        if conformance_target.bad_options is None:
            pytest.skip(f"{conformance_target.broker} declares no credentials that could be refused")
        from brokerplex.cli import ClickLoginIO

        with BrokerManager(conformance_home) as manager:
            manager.activate(conformance_target.broker, "bad-credentials", conformance_target.bad_options)

            def use() -> object:
                if conformance_target.login is None:
                    return manager.profile("bad-credentials")
                # With a login, the broker itself must refuse the credentials, not just find no session.
                return manager.login("bad-credentials", login_params(conformance_target), ClickLoginIO())

            with pytest.raises(AuthenticationError):
                use()

    # -- streaming -------------------------------------------------------------------
    def test_streams_what_it_declares(self, manager: BrokerManager, conformance_target: ConformanceTarget) -> None:
        """A broker declaring tick modes delivers a tick in each; one declaring none refuses clearly."""
        offered = manager.brokers()[conformance_target.broker].spec.capabilities.streaming
        if not offered:
            with pytest.raises(InputError, match="streams no market data"):
                next(iter(manager.watch(ACCOUNT, [conformance_target.symbol])))
            return
        for mode in offered:
            events = manager.watch(ACCOUNT, [conformance_target.symbol], cast(TickMode, mode), idle_timeout=30)
            try:
                tick = next(e for e in events if isinstance(e, Tick))
            finally:
                events.close()
            assert (tick.symbol, tick.mode) == (conformance_target.symbol, mode)
            assert tick.last_price > 0
            if mode == "full":
                assert tick.depth is not None
                assert tick.depth.bids or tick.depth.asks

    # -- orders ------------------------------------------------------------------------
    def _find(self, manager: BrokerManager, client_order_id: str | None, final: bool, seconds: float) -> Order:
        def probe() -> Order | None:
            order = next((o for o in manager.orders(ACCOUNT) if o.client_order_id == client_order_id), None)
            return order if order is not None and (order.status.is_final or not final) else None

        found = eventually(probe, seconds)
        assert found is not None, f"order {client_order_id} not in the order book"
        return found

    def test_market_order_completes_with_trade_and_position(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        if not trading.market_orders:
            pytest.skip("market orders are not enabled for this target")
        lot = manager.instrument(ACCOUNT, trading.symbol).lot_size
        ack = manager.place_order(ACCOUNT, OrderRequest(symbol=trading.symbol, side=Side.BUY, quantity=lot))
        order = self._find(manager, ack.client_order_id, True, trading.settle_seconds)
        assert order.order_id == ack.order_id
        assert order.status is OrderStatus.COMPLETE
        assert order.filled_quantity == lot
        assert order.average_price is not None
        assert order.average_price > 0
        fills = [t for t in manager.trades(ACCOUNT) if t.order_id == ack.order_id]
        assert sum(t.quantity for t in fills) == lot
        position = [p for p in manager.positions(ACCOUNT) if p.symbol == trading.symbol]
        assert sum(p.quantity for p in position) >= lot

    def test_limit_order_rests_is_modified_and_cancelled(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        instrument = manager.instrument(ACCOUNT, trading.symbol)
        last = manager.quotes(ACCOUNT, [trading.symbol])[trading.symbol].last_price
        resting = tick_floor(last * Decimal("0.95"), instrument)
        request = OrderRequest(symbol=trading.symbol, side=Side.BUY, quantity=instrument.lot_size,
                               order_type=OrderType.LIMIT, price=resting)
        ack = manager.place_order(ACCOUNT, request)
        order = self._find(manager, ack.client_order_id, False, trading.settle_seconds)
        assert order.status in (OrderStatus.OPEN, OrderStatus.PENDING)
        lower = tick_floor(last * Decimal("0.94"), instrument)
        manager.modify_order(ACCOUNT, ack.order_id, OrderModify(price=lower))
        assert eventually(lambda: next((o for o in manager.orders(ACCOUNT)
                                        if o.order_id == ack.order_id and o.price == lower), None),
                          trading.settle_seconds) is not None
        manager.cancel_order(ACCOUNT, ack.order_id)
        cancelled = self._find(manager, ack.client_order_id, True, trading.settle_seconds)
        assert cancelled.status is OrderStatus.CANCELLED
        history = manager.order_history(ACCOUNT, ack.order_id)
        assert history[-1].status is OrderStatus.CANCELLED
        assert len(history) >= 2

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
        with pytest.raises(OrderNotFoundError):
            manager.cancel_order(ACCOUNT, "999999999999999")

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
        order = self._find(manager, ack.client_order_id, True, trading.settle_seconds)
        assert order.status is OrderStatus.REJECTED, f"an order beyond the margin ended {order.status}"
        assert order.status_message
        assert order.filled_quantity == 0


class DealerConformance(BrokerConformance):
    """The suite for dealer logins: the account's target options must give it two or more
    client codes, and a default client (the checks above run on that one)."""

    @pytest.fixture
    def two_clients(self, manager: BrokerManager, trading: ConformanceTarget) -> tuple[str, str]:
        codes = manager.clients(ACCOUNT)
        assert len(codes) >= 2, "the dealer checks need a login that holds two client codes"
        return codes[0], codes[1]

    def test_declares_dealer(self, manager: BrokerManager, conformance_target: ConformanceTarget) -> None:
        assert manager.brokers()[conformance_target.broker].spec.capabilities.dealer

    def test_each_client_book_holds_only_its_orders(
        self, manager: BrokerManager, trading: ConformanceTarget, two_clients: tuple[str, str]
    ) -> None:
        first, second = two_clients
        acks = {code: manager.place_order(ACCOUNT, OrderRequest(symbol=trading.symbol, side=Side.BUY, quantity=1),
                                          client=code) for code in two_clients}
        books = {code: manager.orders(ACCOUNT, client=code) for code in two_clients}
        for code, other in ((first, second), (second, first)):
            mine = [o for o in books[code] if o.client_order_id == acks[code].client_order_id]
            assert [o.order_id for o in mine] == [acks[code].order_id]
            assert all(o.client_code == code for o in books[code])
            assert acks[other].order_id not in {o.order_id for o in books[code]}

    def test_a_foreign_client_code_is_refused_before_sending(
        self, manager: BrokerManager, trading: ConformanceTarget
    ) -> None:
        journal_before = len(manager.journal.entries(ACCOUNT))
        with pytest.raises(ClientCodeError):
            manager.place_order(ACCOUNT, OrderRequest(symbol=trading.symbol, side=Side.BUY, quantity=1),
                                client="NOT-A-CLIENT-OF-THIS-DEALER")
        assert len(manager.journal.entries(ACCOUNT)) == journal_before

    def test_fan_out_gives_one_result_per_client(
        self, manager: BrokerManager, trading: ConformanceTarget, two_clients: tuple[str, str]
    ) -> None:
        codes = manager.clients(ACCOUNT)[:3]
        results = manager.place_order_for_clients(
            ACCOUNT, codes, OrderRequest(symbol=trading.symbol, side=Side.BUY, quantity=1))
        assert [result.client for result in results] == codes
        assert all(result.ok and result.value is not None for result in results), [r.error for r in results]
        for result in results:
            assert result.value is not None
            assert result.client is not None
            book = manager.orders(ACCOUNT, client=result.client)
            assert [o.order_id for o in book if o.client_order_id == result.value.client_order_id] == [
                result.value.order_id]
