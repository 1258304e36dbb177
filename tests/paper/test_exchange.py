"""The paper exchange's market rules, matching and accounting, on a clock the test controls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from brokerplex.errors import InsufficientFundsError, InvalidOrderError, OrderNotFoundError
from brokerplex.formats import IST
from brokerplex.models import OrderModify, OrderRequest, OrderStatus, OrderType, Product, Side, Validity, Variety
from brokerplex.rules import tick_floor
from brokerplex_paper import ledger
from brokerplex_paper.checks import RejectReason
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.market import to_paise
from clocks import HeldClock


def new_exchange(path: Path, clock: HeldClock, **options: object) -> PaperExchange:
    exchange = PaperExchange(path, clock=clock, **options)  # type: ignore[arg-type]
    exchange.ensure_account("a", Decimal(100_000_000))
    return exchange


@pytest.fixture
def exchange(tmp_path: Path, clock: HeldClock) -> PaperExchange:
    return new_exchange(tmp_path / "exchange.sqlite", clock)


def order(symbol: str = "NSE:INFY", side: Side = Side.BUY, quantity: int = 10, **fields: object) -> OrderRequest:
    return OrderRequest.model_validate({"symbol": symbol, "side": side, "quantity": quantity, **fields})


def test_market_order_sweeps_the_book_level_by_level(exchange: PaperExchange) -> None:
    asks = exchange.quotes(["NSE:INFY"])["NSE:INFY"].depth.asks
    quantity = asks[0].quantity + asks[1].quantity + 1
    placed = exchange.place("a", order(quantity=quantity))
    assert placed.reject is None
    assert placed.order.status is OrderStatus.COMPLETE
    fills = [(t.price, t.quantity) for t in exchange.trades("a")]
    assert fills == [(asks[0].price, asks[0].quantity), (asks[1].price, asks[1].quantity), (asks[2].price, 1)]
    total = sum(p * q for p, q in fills)
    assert placed.order.average_price == (total / quantity).quantize(Decimal("0.01"))


def test_limit_order_rests_until_the_market_crosses_it(exchange: PaperExchange) -> None:
    resting = exchange.place("a", order(order_type=OrderType.LIMIT, price=Decimal(1500))).order
    assert resting.status is OrderStatus.OPEN
    assert exchange.trades("a") == []
    exchange.set_price("NSE:INFY", Decimal("1499.00"))
    (filled,) = exchange.orders("a")
    assert filled.status is OrderStatus.COMPLETE
    assert all(t.price <= Decimal(1500) for t in exchange.trades("a"))


def test_a_limit_order_bigger_than_the_book_fills_partially(exchange: PaperExchange, clock: HeldClock) -> None:
    best = exchange.quotes(["NSE:INFY"])["NSE:INFY"].depth.asks[0]
    big = exchange.place("a", order(quantity=best.quantity * 50, order_type=OrderType.LIMIT, price=best.price))
    assert big.order.status is OrderStatus.OPEN
    assert 0 < big.order.filled_quantity < big.order.quantity
    assert big.order.pending_quantity == big.order.quantity - big.order.filled_quantity


def test_ioc_never_rests(exchange: PaperExchange) -> None:
    placed = exchange.place("a", order(order_type=OrderType.LIMIT, price=Decimal(1500), validity=Validity.IOC))
    assert placed.order.status is OrderStatus.CANCELLED
    assert placed.order.cancelled_quantity == 10


def test_stop_loss_orders_wait_for_their_trigger(exchange: PaperExchange) -> None:
    exchange.place("a", order(quantity=20))
    stop = exchange.place("a", order(side=Side.SELL, order_type=OrderType.SL_M, trigger_price=Decimal(1520))).order
    breakout = exchange.place("a", order(order_type=OrderType.SL, price=Decimal(1605),
                                         trigger_price=Decimal(1600))).order
    assert (stop.status, breakout.status) == (OrderStatus.TRIGGER_PENDING, OrderStatus.TRIGGER_PENDING)
    exchange.set_price("NSE:INFY", Decimal(1519))
    statuses = {o.order_id: o.status for o in exchange.orders("a")}
    assert statuses[stop.order_id] is OrderStatus.COMPLETE
    assert statuses[breakout.order_id] is OrderStatus.TRIGGER_PENDING
    exchange.set_price("NSE:INFY", Decimal(1601))
    history = [h.status for h in exchange.order_history("a", breakout.order_id)]
    assert history[:3] == [OrderStatus.PENDING, OrderStatus.PENDING, OrderStatus.TRIGGER_PENDING]
    assert OrderStatus.OPEN in history[3:]


def test_trigger_on_the_wrong_side_of_the_market_is_rejected(exchange: PaperExchange) -> None:
    placed = exchange.place("a", order(order_type=OrderType.SL_M, trigger_price=Decimal(1500)))
    assert placed.reject is RejectReason.RULES
    assert "must be above the last price" in (placed.order.status_message or "")


def test_price_outside_the_band_is_rejected(exchange: PaperExchange) -> None:
    placed = exchange.place("a", order(order_type=OrderType.LIMIT, price=Decimal(2000)))
    assert placed.reject is RejectReason.BAND
    assert placed.order.status is OrderStatus.REJECTED
    assert "circuit limits 1240.00 - 1860.00" in (placed.order.status_message or "")


def test_margin_check_rejects_with_the_amounts(tmp_path: Path, clock: HeldClock) -> None:
    exchange = new_exchange(tmp_path / "x.sqlite", clock)
    exchange.ensure_account("poor", Decimal(10_000))
    placed = exchange.place("poor", order(quantity=10))
    assert placed.reject is RejectReason.FUNDS
    assert "available margin is 10000.00" in (placed.order.status_message or "")
    assert exchange.funds("poor").available_margin == Decimal(10_000)
    intraday = exchange.place("poor", order(quantity=10, product=Product.MIS))  # 20% margin: fits
    assert intraday.order.status is OrderStatus.COMPLETE
    assert exchange.funds("poor").used_margin == (intraday.order.average_price or 0) * 10 * Decimal("0.2")
    resting = exchange.place("poor", order(quantity=2, order_type=OrderType.LIMIT, price=Decimal(1500))).order
    with pytest.raises(InsufficientFundsError, match="required margin"):
        exchange.modify("poor", resting.order_id, OrderModify(quantity=200))
    assert exchange.orders("poor")[-1].quantity == 2


def test_a_placement_parses_only_the_orders_that_changed(exchange: PaperExchange, clock: HeldClock,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A placement checks its margin against every working order and matches the book at a new step: it reads
    the resting orders, but parses only the states it has not seen (parsing them all again once made an account
    with 2,000 resting orders take 40 ms a placement)."""
    parsed: list[str] = []
    stored = ledger.Order

    class Counting:
        @staticmethod
        def model_validate_json(data: str) -> object:
            parsed.append(data)
            return stored.model_validate_json(data)

    monkeypatch.setattr(ledger, "Order", Counting)
    ledger._order.cache_clear()  # what earlier tests parsed (the same texts on the same clock) is not counted
    listing = exchange.listing("NSE:INFY")
    assert listing is not None
    price = tick_floor(exchange.quotes(["NSE:INFY"])["NSE:INFY"].last_price * Decimal("0.95"), listing.instrument)
    resting = order(quantity=1, order_type=OrderType.LIMIT, price=price)

    def parses_of_a_placement() -> int:
        clock.advance(seconds=2)  # a new step: every working order on the symbol is matched again
        before = len(parsed)
        assert exchange.place("a", resting).order.status is OrderStatus.OPEN
        return len(parsed) - before

    first = parses_of_a_placement()
    for _ in range(30):
        parses_of_a_placement()
    assert len(exchange.orders("a")) == 31
    assert parses_of_a_placement() == first  # not one more for each of the 31 resting orders
    funds = exchange.funds("a")  # still counting every resting order's blocked cash
    assert (funds.used_margin, funds.available_margin) == (32 * price, Decimal(100_000_000) - 32 * price)


def test_delivery_sell_needs_holdings_but_intraday_may_short(exchange: PaperExchange) -> None:
    refused = exchange.place("a", order(side=Side.SELL))
    assert refused.reject is RejectReason.HOLDINGS
    short = exchange.place("a", order(side=Side.SELL, product=Product.MIS))
    assert short.order.status is OrderStatus.COMPLETE
    exchange.place("a", order(quantity=5))
    assert exchange.place("a", order(side=Side.SELL, quantity=5)).order.status is OrderStatus.COMPLETE
    assert exchange.place("a", order(side=Side.SELL, quantity=1)).reject is RejectReason.HOLDINGS


def test_lot_size_and_freeze_quantity(exchange: PaperExchange) -> None:
    nifty = next(i for i in exchange.instruments() if i.underlying == "NIFTY" and i.instrument_type == "FUT")
    assert exchange.place("a", order(nifty.symbol, quantity=nifty.lot_size + 1)).reject is RejectReason.RULES
    assert nifty.freeze_quantity is not None
    too_big = (nifty.freeze_quantity // nifty.lot_size + 1) * nifty.lot_size
    placed = exchange.place("a", order(nifty.symbol, quantity=too_big))
    assert "slice the order" in (placed.order.status_message or "")


def test_positions_pnl_realised_and_unrealised(exchange: PaperExchange) -> None:
    exchange.set_price("NSE:SBIN", Decimal(960))
    bought = exchange.place("a", order("NSE:SBIN", quantity=10, product=Product.MIS)).order
    exchange.set_price("NSE:SBIN", Decimal(980))
    sold = exchange.place("a", order("NSE:SBIN", side=Side.SELL, quantity=4, product=Product.MIS)).order
    (position,) = exchange.positions("a")
    buy, sell = bought.average_price or 0, sold.average_price or 0
    assert position.quantity == 6
    assert position.realised_pnl == (4 * (sell - buy)).quantize(Decimal("0.01"))
    assert position.unrealised_pnl == (6 * (position.last_price - buy)).quantize(Decimal("0.01"))


def test_order_lifecycle_in_history(exchange: PaperExchange) -> None:
    placed = exchange.place("a", order()).order
    history = exchange.order_history("a", placed.order_id)
    assert [(h.status, h.status_message) for h in history] == [
        (OrderStatus.PENDING, "order received"),
        (OrderStatus.PENDING, "validation pending"),
        (OrderStatus.OPEN, None),
        (OrderStatus.COMPLETE, None),
    ]
    assert history[2].exchange_order_id is not None


def test_modify_and_cancel(exchange: PaperExchange) -> None:
    resting = exchange.place("a", order(order_type=OrderType.LIMIT, price=Decimal(1500))).order
    modified = exchange.modify("a", resting.order_id, OrderModify(quantity=20, price=Decimal("1490.5")))
    assert (modified.quantity, modified.price, modified.pending_quantity) == (20, Decimal("1490.5"), 20)
    with pytest.raises(InvalidOrderError, match="tick size"):
        exchange.modify("a", resting.order_id, OrderModify(price=Decimal("1490.51")))
    cancelled = exchange.cancel("a", resting.order_id)
    assert (cancelled.status, cancelled.cancelled_quantity) == (OrderStatus.CANCELLED, 20)
    with pytest.raises(InvalidOrderError, match="cannot be modified"):
        exchange.modify("a", resting.order_id, OrderModify(price=Decimal(1480)))
    with pytest.raises(OrderNotFoundError):
        exchange.cancel("b", resting.order_id)  # another account's order is not yours to see


def test_the_day_rolls_over_like_the_overnight_batch(exchange: PaperExchange, clock: HeldClock) -> None:
    exchange.place("a", order(quantity=10))  # CNC: becomes a holding
    exchange.place("a", order("NSE:SBIN", quantity=10, product=Product.MIS))  # squared off
    nifty = next(i for i in exchange.instruments()
                 if i.underlying == "NIFTY" and i.instrument_type == "FUT" and i.expiry != clock.now.date())
    exchange.place("a", order(nifty.symbol, quantity=nifty.lot_size))  # NRML: carried
    exchange.place("a", order(order_type=OrderType.LIMIT, price=Decimal(1400)))
    cash_before = exchange.funds("a").cash
    (intraday,) = [p for p in exchange.positions("a") if p.product is Product.MIS]
    clock.advance(days=1)
    assert exchange.funds("a").cash == cash_before + intraday.unrealised_pnl, "MIS closed at the last price"
    assert exchange.orders("a") == []
    assert exchange.trades("a") == []
    (holding,) = exchange.holdings("a")
    assert (holding.symbol, holding.quantity, holding.t1_quantity) == ("NSE:INFY", 0, 10)
    (carried,) = exchange.positions("a")
    assert (carried.symbol, carried.overnight_quantity, carried.quantity) == (nifty.symbol, nifty.lot_size,
                                                                              nifty.lot_size)
    clock.advance(days=1)
    (holding,) = exchange.holdings("a")
    assert (holding.quantity, holding.t1_quantity) == (10, 0)
    assert exchange.place("a", order(side=Side.SELL, quantity=10)).order.status is OrderStatus.COMPLETE


def test_expired_contracts_are_gone_the_next_day(exchange: PaperExchange, clock: HeldClock) -> None:
    expiring = [i.symbol for i in exchange.instruments() if i.expiry == clock.now.date()]
    assert expiring
    clock.advance(days=1)
    listed = {i.symbol for i in exchange.instruments()}
    assert not listed & set(expiring)


def test_real_market_hours_amo_and_intraday_square_off(tmp_path: Path) -> None:
    clock = HeldClock(dt.datetime(2026, 11, 24, 8, 0, tzinfo=IST))
    exchange = new_exchange(tmp_path / "hours.sqlite", clock, market_hours=True)
    closed = exchange.place("a", order())
    assert closed.reject is RejectReason.MARKET_CLOSED
    amo = exchange.place("a", order(variety=Variety.AMO)).order
    assert amo.status is OrderStatus.PENDING
    clock.now = clock.now.replace(hour=9, minute=16)
    assert exchange.orders("a")[-1].status is OrderStatus.COMPLETE
    exchange.place("a", order("NSE:SBIN", quantity=7, product=Product.MIS))
    clock.now = clock.now.replace(hour=15, minute=21)
    (sbin,) = [p for p in exchange.positions("a") if p.symbol == "NSE:SBIN"]
    assert sbin.quantity == 0
    assert exchange.orders("a")[-1].status_message == "intraday square-off"
    assert exchange.place("a", order("NSE:SBIN", product=Product.MIS)).reject is RejectReason.MARKET_CLOSED


def test_two_exchanges_on_one_file_share_the_books(tmp_path: Path, clock: HeldClock) -> None:
    first = new_exchange(tmp_path / "shared.sqlite", clock)
    second = PaperExchange(tmp_path / "shared.sqlite", clock=clock)
    placed = first.place("a", order()).order
    assert [o.order_id for o in second.orders("a")] == [placed.order_id]
    assert second.quotes(["NSE:INFY"]) == first.quotes(["NSE:INFY"])


def test_a_reader_of_changes_gets_each_changed_order_once_across_processes_and_days(
        tmp_path: Path, clock: HeldClock) -> None:
    """``orders_since``: what the streams and the simulators' order feeds read at each look, instead of the
    whole book. Another process's changes count; the numbers keep growing when the day's orders are cleared."""
    first = new_exchange(tmp_path / "shared.sqlite", clock)
    second = PaperExchange(tmp_path / "shared.sqlite", clock=clock)  # another process on the same file
    first.ensure_account("b")
    resting = first.place("a", order(order_type=OrderType.LIMIT, price=Decimal(1400))).order
    first.place("b", order())
    everything, looked = second.orders_since("a", None)
    assert [o.order_id for o in everything] == [resting.order_id]
    assert second.orders_since("a", looked) == ([], looked)  # nothing new: nothing read

    filled = first.place("a", order(quantity=1)).order
    first.cancel("a", resting.order_id)
    changed, newer = second.orders_since("a", looked)
    assert [(o.order_id, o.status) for o in changed] == [(resting.order_id, OrderStatus.CANCELLED),
                                                          (filled.order_id, OrderStatus.COMPLETE)]
    assert newer > looked

    clock.advance(days=1)  # the day's orders are cleared
    assert second.orders_since("a", newer) == ([], newer)
    tomorrow = first.place("a", order(quantity=1)).order
    assert [o.order_id for o in second.orders_since("a", newer)[0]] == [tomorrow.order_id]


def test_the_market_is_seeded_and_derivatives_follow_their_underlying(tmp_path: Path, clock: HeldClock) -> None:
    one, two = new_exchange(tmp_path / "1.sqlite", clock), new_exchange(tmp_path / "2.sqlite", clock)
    call = next(i.symbol for i in one.instruments() if i.underlying == "NIFTY" and i.instrument_type == "CE")
    watched = ["NSE:INFY", "NSE:NIFTY 50", call]
    start = {s: q.last_price for s, q in one.quotes(watched).items()}
    clock.advance(minutes=30)
    moved = {s: q.last_price for s, q in one.quotes(watched).items()}
    assert moved == {s: q.last_price for s, q in two.quotes(watched).items()}, "same seed, same market"
    assert moved["NSE:INFY"] != start["NSE:INFY"]
    index_up = moved["NSE:NIFTY 50"] > start["NSE:NIFTY 50"]
    assert (moved[call] > start[call]) == index_up, "a call moves with its index"
    third = new_exchange(tmp_path / "3.sqlite", clock, seed=8)
    third.quotes(watched)
    clock.advance(minutes=30)
    assert third.quotes(["NSE:INFY"])["NSE:INFY"].last_price != one.quotes(["NSE:INFY"])["NSE:INFY"].last_price


@pytest.mark.parametrize(("value", "shown"),
                         [("-0.001", "0.00"), ("-0", "0.00"), ("-1.005", "-1.01"), ("2.345", "2.35")])
def test_money_rounds_half_up_and_has_no_negative_zero(value: str, shown: str) -> None:
    # A short position marked at its own price has a P&L of -0 × price: it must read 0.00.
    assert str(to_paise(Decimal(value))) == shown
