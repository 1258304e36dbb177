"""The model's one JSON form: money as plain decimals at the instrument's places, times in IST."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from brokerplex.models import (
    Depth,
    DepthLevel,
    Funds,
    Instrument,
    Order,
    OrderEvent,
    OrderRequest,
    Position,
    Quote,
    Tick,
    money_text,
)

UTC_NOON = dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)


def order(symbol: str = "NSE:INFY", **fields: object) -> Order:
    values: dict[str, object] = {"order_id": "1", "symbol": symbol, "side": "BUY", "order_type": "LIMIT",
                                 "product": "CNC", "quantity": 3, "status": "OPEN", "placed_at": UTC_NOON,
                                 "updated_at": UTC_NOON, **fields}
    return Order.model_validate(values)


def test_an_exponent_becomes_plain_digits_at_two_places() -> None:
    dumped = order(price=Decimal("1.5e3"), average_price=Decimal("1412.3333")).model_dump(mode="json")
    assert dumped["price"] == "1500.00"
    assert dumped["average_price"] == "1412.3333"  # every digit it has
    assert order(price=Decimal("1390.0")).model_dump(mode="json")["price"] == "1390.00"
    assert order(price=Decimal("1390")).model_dump(mode="json")["price"] == "1390.00"


def test_currency_exchanges_write_four_places_nested_records_too() -> None:
    assert order("CDS:USDINR26DECFUT", product="NRML", price=Decimal("88.5")).model_dump(mode="json")[
        "price"] == "88.5000"
    quote = Quote(symbol="CDS:USDINR26DECFUT", last_price=Decimal("88.5025"),
                  depth=Depth(bids=[DepthLevel(price=Decimal("88.5"), quantity=1)]))
    dumped = quote.model_dump(mode="json")
    assert (dumped["last_price"], dumped["depth"]["bids"][0]["price"]) == ("88.5025", "88.5000")
    event = OrderEvent(kind="sent", account="a", broker="b", order=order("BCD:USDINR26DECFUT", product="NRML",
                                                                         price=Decimal(88)), at=UTC_NOON)
    assert event.model_dump(mode="json")["order"]["price"] == "88.0000"


def test_funds_and_positions_at_two_places_without_negative_zero() -> None:
    funds = Funds(cash=Decimal("984423.8"), available_margin=Decimal("1E+6"), used_margin=Decimal("-0.00"))
    assert funds.model_dump(mode="json") == {"cash": "984423.80", "available_margin": "1000000.00",
                                             "used_margin": "0.00", "realised_pnl": "0.00",
                                             "unrealised_pnl": "0.00"}
    position = Position(symbol="NSE:INFY", product="CNC", quantity=3, multiplier=Decimal("1E+3"))
    assert position.model_dump(mode="json")["multiplier"] == "1000"


def test_times_are_ist_with_the_offset_and_naive_times_are_taken_as_ist() -> None:
    dumped = order(updated_at=dt.datetime(2026, 12, 1, 12, 0)).model_dump(mode="json")
    assert dumped["placed_at"] == "2026-12-01T12:00:00+05:30"  # 06:30 UTC
    assert dumped["updated_at"] == "2026-12-01T12:00:00+05:30"
    quote = Quote(symbol="NSE:INFY", last_price=Decimal(1), timestamp=UTC_NOON, last_traded_at=UTC_NOON)
    assert json.loads(quote.model_dump_json())["timestamp"] == "2026-12-01T12:00:00+05:30"
    assert OrderEvent(kind="sent", account="a", broker="b", at=UTC_NOON).model_dump(mode="json")["at"].endswith(
        "+05:30")


def test_tick_times_are_ist() -> None:
    tick = Tick(symbol="NSE:INFY", mode="full", units=100, last=150_000, exchange_time=1_780_000_000,
                last_traded=1_780_000_000)
    assert tick.exchange_timestamp is not None
    assert tick.exchange_timestamp.utcoffset() == dt.timedelta(hours=5, minutes=30)
    assert tick.exchange_timestamp.isoformat().endswith("+05:30")
    assert tick.last_traded_at == tick.exchange_timestamp


def test_a_streamed_tick_has_the_same_json_form() -> None:
    tick = Tick(symbol="CDS:USDINR26DECFUT", mode="full", units=10_000_000, last=885_025_000,
                ohlc=(885_000_000, 886_000_000, 884_000_000, 880_000_000), exchange_time=1_780_000_000,
                bids=((885_000_000, 10, 2),), asks=((885_050_000, 5, 1),))
    record = tick.json_record()
    assert (record["last_price"], record["open"], record["close"]) == ("88.5025", "88.5000", "88.0000")
    assert str(record["exchange_timestamp"]).endswith("+05:30")
    assert record["depth"] == {"bids": [{"price": "88.5000", "quantity": 10, "orders": 2}],
                               "asks": [{"price": "88.5050", "quantity": 5, "orders": 1}]}
    assert "volume" not in record  # not carried: left out, not null


@given(raw=st.integers(-10**12, 10**12), units=st.sampled_from([1, 10, 100, 10_000, 10_000_000, 3, 40]),
       places=st.sampled_from([2, 4]))
def test_a_ticks_money_in_integers_is_money_text_of_its_price(raw: int, units: int, places: int) -> None:
    tick = Tick(symbol="NSE:INFY", mode="ltp", units=units, last=raw)
    assert tick.money(raw, places) == money_text(tick.price(raw), places)


def test_validation_and_python_dumps_are_unchanged() -> None:
    request = OrderRequest(symbol="NSE:INFY", side="BUY", quantity=1, order_type="LIMIT", price=Decimal("1500.5"))
    assert request.model_dump()["price"] == Decimal("1500.5")
    assert OrderRequest.model_validate_json(request.model_dump_json()) == request
    assert Order.model_validate_json(order(price=Decimal("1.5e3")).model_dump_json()).price == Decimal(1500)
    instrument = Instrument(symbol="CDS:USDINR26DECFUT", exchange="CDS", tradingsymbol="USDINR26DECFUT",
                            instrument_type="FUT", tick_size=Decimal("0.0025"), multiplier=Decimal(1000))
    assert (instrument.model_dump(mode="json")["tick_size"], instrument.model_dump(mode="json")["multiplier"]) == (
        "0.0025", "1000")


def test_the_json_schema_still_describes_each_field() -> None:
    schema = Order.model_json_schema(mode="serialization")
    assert schema["properties"]["price"]["anyOf"][0] == {"type": "string"}
    assert schema["properties"]["placed_at"]["type"] == "string"


@given(st.decimals(allow_nan=False, allow_infinity=False), st.sampled_from([2, 4]))
def test_money_text_is_plain_exact_and_at_least_the_places(value: Decimal, places: int) -> None:
    text = money_text(value, places)
    assert "E" not in text.upper()
    assert Decimal(text) == value
    assert len(text.partition(".")[2]) >= places
    assert value != 0 or not text.startswith("-")  # never a negative zero
