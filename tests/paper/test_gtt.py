"""The paper GTT book: single and two-leg (OCO) triggers firing on the exchange's last price, exactly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from brokerplex.errors import InvalidOrderError, SymbolError
from brokerplex.models import OrderRequest, OrderStatus, OrderType, Product, Side
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.gtt import GttBook, GttNotFoundError, GttStatus, GttType
from clocks import HeldClock

INFY = "NSE:INFY"




@pytest.fixture
def exchange(tmp_path: Path, clock: HeldClock) -> PaperExchange:
    exchange = PaperExchange(tmp_path / "paper.sqlite", clock=clock)
    exchange.ensure_account("a", Decimal(100_000_000))
    exchange.ensure_account("b", Decimal(100_000_000))
    exchange.set_price(INFY, Decimal("1500"))
    return exchange


@pytest.fixture
def book(exchange: PaperExchange, clock: HeldClock) -> GttBook:
    return GttBook(exchange, clock=clock)


def limit(side: Side, price: str, quantity: int = 1, symbol: str = INFY) -> OrderRequest:
    return OrderRequest(symbol=symbol, side=side, quantity=quantity, order_type=OrderType.LIMIT,
                        price=Decimal(price), product=Product.MIS)


def test_a_single_trigger_below_the_price_fires_when_the_price_falls_to_it_exactly(
        book: GttBook, exchange: PaperExchange) -> None:
    trigger = book.place("a", GttType.SINGLE, INFY, [Decimal("1400")], [limit(Side.BUY, "1401")])
    assert (trigger.status, trigger.last_price, trigger.trigger_values) == (GttStatus.ACTIVE, Decimal("1500"),
                                                                            (Decimal("1400"),))
    assert trigger.expires_at - trigger.created_at == dt.timedelta(days=365)

    exchange.set_price(INFY, Decimal("1400.05"))
    assert book.check() == []
    assert exchange.orders("a") == []

    exchange.set_price(INFY, Decimal("1400"))
    [fired] = book.check()
    result = fired.legs[0].result
    assert fired.status is GttStatus.TRIGGERED
    assert result is not None
    assert (result.triggered_at, result.rejection) == (Decimal("1400"), None)
    [order] = exchange.orders("a")
    assert (order.order_id, order.side, order.price, order.quantity) == (result.order_id, Side.BUY, Decimal("1401"), 1)
    assert order.status is OrderStatus.COMPLETE  # a buy limit above the market fills
    exchange.set_price(INFY, Decimal("1300"))
    assert book.check() == []
    assert len(exchange.orders("a")) == 1


def test_a_single_trigger_above_the_price_waits_for_the_price_to_rise(book: GttBook, exchange: PaperExchange) -> None:
    trigger = book.place("a", GttType.SINGLE, INFY, [Decimal("1600")], [limit(Side.SELL, "1599", 2)])
    exchange.set_price(INFY, Decimal("1200"))
    assert book.get("a", trigger.id).status is GttStatus.ACTIVE  # a fall does not reach a value above
    exchange.set_price(INFY, Decimal("1600.05"))
    fired = book.get("a", trigger.id)  # read lazily: the look fires it
    assert fired.status is GttStatus.TRIGGERED
    [order] = exchange.orders("a")
    assert (order.side, order.quantity, order.price) == (Side.SELL, 2, Decimal("1599"))


@pytest.mark.parametrize(("price", "leg"), [("1450", 0), ("1449.95", 0), ("1550", 1), ("1700", 1)])
def test_a_two_leg_trigger_fires_the_leg_hit_and_ends_the_other(
        book: GttBook, exchange: PaperExchange, price: str, leg: int) -> None:
    legs = [limit(Side.SELL, "1440"), limit(Side.SELL, "1560")]
    trigger = book.place("a", GttType.OCO, INFY, [Decimal("1450"), Decimal("1550")], legs)
    exchange.set_price(INFY, Decimal("1450.05"))
    exchange.set_price(INFY, Decimal("1549.95"))
    assert book.check() == []

    exchange.set_price(INFY, Decimal(price))
    [fired] = book.triggers("a")
    assert fired.id == trigger.id
    assert fired.status is GttStatus.TRIGGERED
    results = [each.result for each in fired.legs]
    assert results[1 - leg] is None
    hit = results[leg]
    assert hit is not None
    assert hit.triggered_at == Decimal(price)
    [order] = exchange.orders("a")
    assert order.order_id == hit.order_id
    assert order.price == legs[leg].price

    exchange.set_price(INFY, Decimal("1000") if leg else Decimal("2000"))  # the other value, now: nothing
    assert book.check() == []
    assert len(exchange.orders("a")) == 1


def test_a_move_that_crosses_and_comes_back_between_two_looks_still_fires(
        book: GttBook, exchange: PaperExchange) -> None:
    exchange.set_price(INFY, Decimal("1350"))  # the day's low before the trigger: not news to it
    exchange.set_price(INFY, Decimal("1500"))
    trigger = book.place("a", GttType.OCO, INFY, [Decimal("1400"), Decimal("1600")],
                         [limit(Side.BUY, "1400"), limit(Side.SELL, "1600")])
    assert book.check() == []

    exchange.set_price(INFY, Decimal("1380"))  # above the day's low, and gone by the next look
    exchange.set_price(INFY, Decimal("1500"))
    assert book.check() == []

    exchange.set_price(INFY, Decimal("1650"))  # a new high, gone by the next look
    exchange.set_price(INFY, Decimal("1500"))
    [fired] = book.check()
    assert fired.id == trigger.id
    result = fired.legs[1].result
    assert result is not None
    assert result.triggered_at == Decimal("1650")
    assert fired.legs[0].result is None


def test_a_leg_the_exchange_refuses_is_recorded_with_its_reason(book: GttBook, exchange: PaperExchange) -> None:
    # Far outside the day's circuit limits: the exchange rejects the order when the trigger fires.
    book.place("a", GttType.SINGLE, INFY, [Decimal("1400")], [limit(Side.BUY, "10")])
    exchange.set_price(INFY, Decimal("1399"))
    [fired] = book.check()
    result = fired.legs[0].result
    assert fired.status is GttStatus.TRIGGERED
    assert result is not None
    assert result.order_id is None
    assert result.rejection
    [order] = exchange.orders("a")
    assert order.status is OrderStatus.REJECTED
    assert order.status_message == result.rejection


@pytest.mark.parametrize(
    ("kind", "values", "legs", "message"),
    [
        (GttType.SINGLE, ["1400", "1600"], [limit(Side.BUY, "1400")], "has 1 trigger value, not 2"),
        (GttType.OCO, ["1400", "1600"], [limit(Side.BUY, "1400")], "has 2 orders, not 1"),
        (GttType.OCO, ["1510", "1600"], [limit(Side.SELL, "1500")] * 2, "below and above the last price 1500"),
        (GttType.SINGLE, ["1500"], [limit(Side.BUY, "1500")], "must differ from the last price 1500"),
        (GttType.SINGLE, ["0"], [limit(Side.BUY, "1500")], "must be positive"),
        (GttType.SINGLE, ["1400"], [limit(Side.BUY, "1400", symbol="NSE:TCS")], "its own instrument NSE:INFY"),
        (GttType.SINGLE, ["1400"], [OrderRequest(symbol=INFY, side=Side.BUY, quantity=1)], "LIMIT orders"),
    ],
)
def test_triggers_the_rules_refuse_are_not_kept(book: GttBook, kind: GttType, values: list[str],
                                                 legs: list[OrderRequest], message: str) -> None:
    with pytest.raises(InvalidOrderError, match=message):
        book.place("a", kind, INFY, [Decimal(v) for v in values], legs)
    assert book.triggers("a") == []


def test_an_unlisted_symbol_is_refused(book: GttBook) -> None:
    with pytest.raises(SymbolError):
        book.place("a", GttType.SINGLE, "NSE:NOSUCH", [Decimal(1)], [limit(Side.BUY, "1", symbol="NSE:NOSUCH")])


def test_the_callers_last_price_decides_the_direction(book: GttBook, exchange: PaperExchange) -> None:
    # The caller saw 1300 (the value is above it): the trigger fires on a rise to 1400, and the market is above.
    book.place("a", GttType.SINGLE, INFY, [Decimal("1400")], [limit(Side.SELL, "1400")], last_price=Decimal("1300"))
    [fired] = book.check()
    assert fired.status is GttStatus.TRIGGERED


def test_modify_restates_an_active_trigger_and_refuses_a_triggered_one(book: GttBook, exchange: PaperExchange) -> None:
    trigger = book.place("a", GttType.SINGLE, INFY, [Decimal("1400")], [limit(Side.BUY, "1400")])
    legs = [limit(Side.SELL, "1440"), limit(Side.SELL, "1560", 3)]
    changed = book.modify("a", trigger.id, GttType.OCO, INFY, [Decimal("1450"), Decimal("1550")], legs)
    assert (changed.id, changed.type, changed.created_at, changed.expires_at) == (
        trigger.id, GttType.OCO, trigger.created_at, trigger.expires_at)
    assert [leg.request for leg in changed.legs] == legs
    exchange.set_price(INFY, Decimal("1440"))
    assert book.get("a", trigger.id).legs[0].result is not None  # the new lower value, 1450, was hit
    with pytest.raises(InvalidOrderError, match="is triggered; only an active trigger"):
        book.modify("a", trigger.id, GttType.SINGLE, INFY, [Decimal("1400")], [limit(Side.BUY, "1400")])


def test_a_deleted_trigger_never_fires(book: GttBook, exchange: PaperExchange) -> None:
    trigger = book.place("a", GttType.SINGLE, INFY, [Decimal("1400")], [limit(Side.BUY, "1400")])
    assert book.delete("a", trigger.id).status is GttStatus.DELETED
    exchange.set_price(INFY, Decimal("1300"))
    assert book.check() == []
    assert exchange.orders("a") == []
    assert book.get("a", trigger.id).status is GttStatus.DELETED
    with pytest.raises(GttNotFoundError):
        book.delete("a", trigger.id)


def test_accounts_see_only_their_own_triggers(book: GttBook) -> None:
    trigger = book.place("a", GttType.SINGLE, INFY, [Decimal("1400")], [limit(Side.BUY, "1400")])
    assert book.triggers("b") == []
    for call in (lambda: book.get("b", trigger.id), lambda: book.delete("b", trigger.id),
                 lambda: book.get("a", trigger.id + 1)):
        with pytest.raises(GttNotFoundError):
            call()
    assert [t.id for t in book.triggers("a")] == [trigger.id]


def test_a_trigger_expires_at_the_end_of_its_lifetime(exchange: PaperExchange, clock: HeldClock) -> None:
    book = GttBook(exchange, clock=clock, lifetime=dt.timedelta(hours=1))
    trigger = book.place("a", GttType.SINGLE, INFY, [Decimal("1400")], [limit(Side.BUY, "1400")])
    clock.now += dt.timedelta(minutes=59)
    assert book.get("a", trigger.id).status is GttStatus.ACTIVE
    clock.now += dt.timedelta(minutes=1)
    exchange.set_price(INFY, Decimal("1300"))
    assert book.get("a", trigger.id).status is GttStatus.EXPIRED
    assert exchange.orders("a") == []
