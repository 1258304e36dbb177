"""The conformance suite every broker plugin runs against its simulator (or a real account).

Subclass :class:`BrokerConformance` in your plugin's tests and give it a
``conformance_target`` fixture::

    from brokerplex.testing import BrokerConformance, ConformanceTarget

    class TestAcmeConformance(BrokerConformance):
        @pytest.fixture
        def conformance_target(self, acme_simulator):
            return ConformanceTarget(broker="acme", options=acme_simulator.settings(timeout="3"),
                                     venue=acme_simulator, timeout=3.0)

Every check goes through :class:`~brokerplex.manager.BrokerManager`, the way users reach a
broker, so it proves the mapping as well as the transport; with a ``venue`` (the simulator) it
also checks what reached the exchange, and fails the plugin under the venue's faults
(:mod:`brokerplex.testing.trading`, :mod:`brokerplex.testing.faults`).

A broker declaring ``dealer`` capability subclasses :class:`DealerConformance` instead:
the same suite on the account's default client, plus the per-client checks.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest

from brokerplex.errors import AuthenticationError, ClientCodeError, InputError, SymbolError
from brokerplex.manager import BrokerManager
from brokerplex.models import Funds, Holding, Order, OrderRequest, Position, Quote, Side, Tick, TickMode, Trade
from brokerplex.testing.faults import VenueChecks
from brokerplex.testing.harness import ACCOUNT, ConformanceTarget, UnattendedLoginIO, login_params
from brokerplex.testing.operations import OperationChecks
from brokerplex.testing.trading import TradingChecks


class BrokerConformance(TradingChecks, VenueChecks, OperationChecks):
    """The suite. Subclasses provide the ``conformance_target`` fixture."""

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
        with BrokerManager(conformance_home) as manager:
            manager.activate(conformance_target.broker, "bad-credentials", conformance_target.bad_options)

            def use() -> object:
                if conformance_target.login is None:
                    return manager.profile("bad-credentials")
                # With a login, the broker itself must refuse the credentials, not just find no session.
                return manager.login("bad-credentials", login_params(conformance_target), UnattendedLoginIO())

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
                tick = next(e.data for e in events if isinstance(e.data, Tick))
            finally:
                events.close()
            assert (tick.symbol, tick.mode) == (conformance_target.symbol, mode)
            assert tick.last_price > 0
            if mode == "full":
                assert tick.depth is not None
                assert tick.depth.bids or tick.depth.asks


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
