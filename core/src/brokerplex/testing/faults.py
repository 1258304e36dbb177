"""Checks under the venue's faults: a reply lost or late after the order left is an unknown outcome that
reconciles to exactly one order, a dead session is the token error, and a dropped stream comes back
subscribed. They need a target with a venue (a simulator)."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest

from brokerplex.errors import BrokerplexError, OutcomeUnknownError, TokenExpiredError
from brokerplex.ids import new_client_order_id
from brokerplex.journal import JournalState
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderRequest, OrderType, Product, Side, Tick, TickMode
from brokerplex.streaming import FeedState
from brokerplex.testing.harness import ACCOUNT, ConformanceTarget, Harness
from brokerplex.testing.venue import Venue


class VenueChecks(Harness):
    def _place_through_fault(self, manager: BrokerManager, target: ConformanceTarget, venue: Venue,
                             fault: Callable[[], None]) -> str:
        """Place a resting order with ``fault`` armed; it must end as one order, found by its client id."""
        cid = new_client_order_id()
        request = OrderRequest(symbol=target.symbol, side=Side.BUY, quantity=1, order_type=OrderType.LIMIT,
                               product=Product.MIS, price=self.away(manager, target.symbol, "0.96"),
                               client_order_id=cid)
        fault()
        try:
            manager.place_order(ACCOUNT, request)  # the manager may find the order by its id at once
        except OutcomeUnknownError:
            pass
        except BrokerplexError as error:
            pytest.fail(f"an order whose reply never came was reported as {type(error).__name__}: {error} "
                        "(the order was sent: its outcome is unknown, not refused or unreachable)")
        manager.reconcile(ACCOUNT)
        entry = manager.journal.get(cid)
        assert entry is not None
        assert entry.state is JournalState.SENT, f"reconciling left the order {entry.state.value}"
        found = self.received(venue, cid)  # exactly one: it was never sent twice
        assert found is not None
        assert [o.order_id for o in manager.orders(ACCOUNT) if o.client_order_id == cid] == [entry.order_id]
        manager.cancel_order(ACCOUNT, found.order_id)
        return cid

    def test_a_lost_reply_is_an_unknown_outcome_that_reconciles_to_one_order(
        self, manager: BrokerManager, trading: ConformanceTarget, venue: Venue
    ) -> None:
        self._place_through_fault(manager, trading, venue, venue.lose_next_order_reply)

    def test_a_reply_later_than_the_timeout_is_an_unknown_outcome(
        self, manager: BrokerManager, trading: ConformanceTarget, venue: Venue
    ) -> None:
        self._place_through_fault(manager, trading, venue,
                                  lambda: venue.delay_next_order_reply(trading.timeout + 2))

    def test_an_expired_session_is_the_token_error(
        self, manager: BrokerManager, trading: ConformanceTarget, venue: Venue
    ) -> None:
        venue.expire_sessions()
        with pytest.raises(TokenExpiredError):
            manager.orders(ACCOUNT)
        journalled = len(manager.journal.entries(ACCOUNT))
        with pytest.raises(TokenExpiredError):
            manager.place_order(ACCOUNT, OrderRequest(symbol=trading.symbol, side=Side.BUY, quantity=1))
        rejected = manager.journal.entries(ACCOUNT)[journalled:]
        assert [e.state for e in rejected] in ([], [JournalState.REJECTED]), "a refused order is not unknown"

    def test_a_dropped_stream_comes_back_subscribed(
        self, manager: BrokerManager, conformance_target: ConformanceTarget
    ) -> None:
        venue, symbol = conformance_target.venue, conformance_target.symbol
        offered = manager.brokers()[conformance_target.broker].spec.capabilities.streaming
        if venue is None or not offered:
            pytest.skip("needs a venue and a broker that streams")
        watched = manager.watch(ACCOUNT, [symbol], cast(TickMode, offered[0]), idle_timeout=20)
        events = (event.data for event in watched)
        try:
            assert any(isinstance(e, Tick) and e.symbol == symbol for e in events)
            venue.drop_streams()
            # The drop is seen (a state other than live), then ticks of the same symbol flow again.
            assert any(isinstance(e, FeedState) and e.state != "live" for e in events), "the drop went unseen"
            assert any(isinstance(e, Tick) and e.symbol == symbol for e in events), "no tick after the drop"
        finally:
            watched.close()
