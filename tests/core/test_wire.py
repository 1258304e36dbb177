"""brokerplex.wire: strict readers, and the error each way a request fails proves (docs/failures.md)."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokerplex import wire
from brokerplex.errors import (
    AuthenticationError,
    BrokerUnavailableError,
    InsufficientFundsError,
    InvalidOrderError,
    OrderNotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    RefusedError,
    TokenExpiredError,
    UnreachableError,
)
from brokerplex.formats import IST
from brokerplex.models import OrderStatus


class TestReaders:
    @pytest.mark.parametrize(("sent", "expected"), [
        (1412.95, Decimal("1412.95")), (75, Decimal(75)), ("-0.05", Decimal("-0.05")), (" 7 ", Decimal(7)),
        (1e-7, Decimal("1e-7")),
    ])
    def test_numbers_are_exact(self, sent: object, expected: Decimal) -> None:
        assert wire.decimal(sent, "price") == expected

    @given(st.floats(allow_nan=False, allow_infinity=False))
    def test_a_float_keeps_its_shortest_spelling(self, sent: float) -> None:
        assert wire.decimal(sent, "price") == Decimal(repr(sent))

    @pytest.mark.parametrize("sent", [True, False, float("nan"), float("inf"), "NaN", "Infinity", "-inf", "12a",
                                      [1], {"x": 1}])
    def test_not_a_number_is_refused_naming_the_field_whatever_the_default(self, sent: object) -> None:
        with pytest.raises(ProtocolError, match="price"):
            wire.decimal(sent, "price", None)

    @pytest.mark.parametrize("sent", [None, "", "  "])
    def test_no_value_is_the_default_or_a_missing_field(self, sent: object) -> None:
        assert wire.decimal(sent, "price", None) is None
        assert wire.whole(sent, "quantity", 0) == 0
        assert wire.text(sent, "tag", None) is None
        for read in (wire.decimal, wire.whole, wire.text, wire.moment):
            with pytest.raises(ProtocolError, match="without average_price"):
                read(sent, "average_price")

    def test_whole_numbers(self) -> None:
        assert [wire.whole(v, "quantity") for v in (12, 12.0, "12", "-3")] == [12, 12, 12, -3]
        for fraction in (12.5, "1.5", True):
            with pytest.raises(ProtocolError, match="quantity"):
                wire.whole(fraction, "quantity")

    def test_text_and_ids(self) -> None:
        assert (wire.text(" abc ", "id"), wire.text(4100200, "id")) == ("abc", "4100200")
        for odd in (True, 1.5, ["x"]):
            with pytest.raises(ProtocolError, match="id"):
                wire.text(odd, "id")

    def test_times_are_aware_and_never_now(self) -> None:
        assert wire.moment("2026-01-05 09:15:00", "at") == dt.datetime(2026, 1, 5, 9, 15, tzinfo=IST)
        assert wire.moment("2026-01-05T03:45:00Z", "at") == dt.datetime(2026, 1, 5, 9, 15, tzinfo=IST)
        assert wire.moment(dt.datetime(2026, 1, 5, 9, 15), "at", zone=dt.UTC).tzinfo is dt.UTC
        with pytest.raises(ProtocolError, match="at"):
            wire.moment("yesterday", "at")

    def test_fields_and_their_spellings(self) -> None:
        record = {"AppOrderID": None, "appOrderID": 7, "blank": " "}
        assert wire.field(record, "AppOrderID", "appOrderID") == 7
        assert wire.field(record, "blank") is None
        with pytest.raises(ProtocolError, match="without blank"):
            wire.required(record, "blank")

    def test_words_are_strict(self) -> None:
        statuses = wire.Words("order status", {"Trigger Pending": OrderStatus.TRIGGER_PENDING,
                                               "open": OrderStatus.OPEN})
        assert statuses("TRIGGER_PENDING") is statuses("triggerpending") is OrderStatus.TRIGGER_PENDING
        assert statuses(None, OrderStatus.OPEN) is OrderStatus.OPEN
        for unknown in ("Expired", 3, None):
            with pytest.raises(ProtocolError, match="order status"):
                statuses(unknown)

    def test_reading_quotes_the_payload_once_as_one_error(self) -> None:
        payload = {"qty": "ten", "id": "reply 7f3a"}
        said = r"unreadable order \(qty is 'ten', not a finite number\).*reply 7f3a"
        with pytest.raises(ProtocolError, match=said), wire.reading("acme", "order", payload):
            wire.whole(payload["qty"], "qty")
        with pytest.raises(ProtocolError, match=r"unreadable order .*KeyError"), wire.reading("acme", "order", {}):
            _ = {}["missing"]


class TestFailures:
    def call(self, kind: wire.Kind = "read", order_id: str | None = None) -> wire.Call:
        return wire.Call("acme", kind, account="a1", server="Acme", order_id=order_id, client_order_id="c1")

    @pytest.mark.parametrize(("kind", "status", "said", "expected"), [
        ("write", 500, None, OutcomeUnknownError), ("write", 502, "Bad gateway", OutcomeUnknownError),
        ("read", 503, None, BrokerUnavailableError), ("write", 200, None, OutcomeUnknownError),
        ("read", 200, None, ProtocolError), ("write", 404, None, OutcomeUnknownError),
        ("write", 400, "Invalid price", InvalidOrderError), ("read", 400, "segment closed", RefusedError),
        ("write", 401, None, TokenExpiredError), ("read", 403, None, PermissionDeniedError),
        ("write", 429, None, RateLimitedError), ("write", 400, "Insufficient funds", InsufficientFundsError),
        ("login", 400, "bad secret", AuthenticationError), ("login", 429, None, RateLimitedError),
        ("write", 500, "Insufficient funds", OutcomeUnknownError),  # a 5xx proves nothing, whatever it says
    ])
    def test_only_the_brokers_own_refusal_is_a_refusal(self, kind: wire.Kind, status: int, said: str | None,
                                                       expected: type[Exception]) -> None:
        error = self.call(kind).reply_error(status, b"<html>gateway</html>", said=said)
        assert type(error) is expected
        assert error.client_order_id == "c1"
        assert error.nothing_happened is (expected not in (OutcomeUnknownError, ProtocolError))

    def test_no_such_order_only_for_a_call_about_one(self) -> None:
        assert isinstance(self.call("write", "9").refused(400, "Order does not exist"), OrderNotFoundError)
        assert type(self.call("write").refused(400, "Instrument does not exist")) is InvalidOrderError

    def test_token_errors_say_how_to_recover_and_logins_quote_nothing(self) -> None:
        assert "brokerplex login a1" in str(self.call().refused(401, "expired"))
        reply = b'{"token": "tok-secret"'
        assert "tok-secret" not in str(self.call("login").unreadable_reply("HTTP 200", reply))
        assert "tok-secret" in str(self.call().unreadable_reply("HTTP 200", reply))

    @pytest.mark.parametrize(("kind", "sent", "expected"), [
        ("write", False, UnreachableError), ("write", True, OutcomeUnknownError),
        ("read", False, UnreachableError), ("read", True, BrokerUnavailableError),
    ])
    def test_the_deadline_tells_never_sent_from_sent(self, kind: wire.Kind, sent: bool,
                                                     expected: type[Exception]) -> None:
        call = self.call(kind)

        async def request() -> None:
            if sent:
                await call.trace("http11.send_request_headers.started", {})
            await asyncio.Event().wait()  # the reply never comes

        with pytest.raises(expected, match=r"timed out after 0\.05 s"):
            asyncio.run(wire.send(call, 0.05, request()))

    def test_transport_failures_by_class_never_by_text(self) -> None:
        class Refused(OSError):
            pass

        class Reset(OSError):
            pass

        async def fail(error: Exception, call: wire.Call) -> None:
            call.mark_sent()
            raise error

        call = self.call("write")
        with pytest.raises(UnreachableError, match="Refused") as unreachable:
            asyncio.run(wire.send(call, 1, fail(Refused("http://h/?token=secret"), call),
                                  unreachable=(Refused,), lost=(OSError,)))
        assert "secret" not in str(unreachable.value)
        call = self.call("write")
        with pytest.raises(OutcomeUnknownError, match="Reset"):
            asyncio.run(wire.send(call, 1, fail(Reset("x"), call), unreachable=(Refused,), lost=(OSError,)))
