"""Every XTS refusal maps into our error hierarchy, keeping the broker's code and words."""

from __future__ import annotations

import pytest

from brokerplex.errors import (
    BrokerError,
    BrokerUnavailableError,
    InsufficientFundsError,
    InvalidOrderError,
    OrderNotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    RefusedError,
    TokenExpiredError,
)
from brokerplex.wire import Call
from brokerplex_xts_client.http import error_for


def failure(status: int, body: dict[str, object] | None, *, writing: bool = False, order_id: str | None = None,
            account: str = "x1") -> BrokerError:
    call = Call("xts_client", "write" if writing else "read", account=account, server="XTS", order_id=order_id)
    return error_for(call, status, body)


def envelope(description: str, *errors: str, code: str = "e-x-0001") -> dict[str, object]:
    return {"type": "error", "code": code, "description": description, "result": {"errors": list(errors)}}


@pytest.mark.parametrize(("status", "body", "writing", "order_id", "kind"), [
    (400, envelope("Invalid Token"), False, None, TokenExpiredError),
    (401, None, False, None, TokenExpiredError),
    (429, envelope("Rate limit exceeded"), True, None, RateLimitedError),
    (500, None, False, None, BrokerUnavailableError),
    (502, None, True, None, OutcomeUnknownError),
    (403, envelope("Forbidden"), False, None, PermissionDeniedError),
    (400, envelope("Bad Request", "clientID X9 is not mapped to user A1"), False, None, PermissionDeniedError),
    (400, envelope("Bad Request", "segment NSECD is closed for the day"), False, None, RefusedError),
    (400, envelope("Order Not Found", "AppOrderID 12 not found", code="e-orders-0005"), True, "12", OrderNotFoundError),
    (400, envelope("Bad Request", "RMS : Margin Exceeds : Margin Shortfall[556.83]"), True, None,
     InsufficientFundsError),
    (400, envelope("Bad Request", "limitPrice is not a multiple of the tick size"), True, None, InvalidOrderError),
    # A new order refused for its instrument is not an unknown order.
    (400, envelope("Bad Request", "Instrument does not exist"), True, None, InvalidOrderError),
])
def test_mapping_by_status_and_words(status: int, body: dict[str, object] | None, writing: bool,
                                     order_id: str | None, kind: type[BrokerError]) -> None:
    error = failure(status, body, writing=writing, order_id=order_id)
    assert type(error) is kind
    assert error.broker == "xts_client"
    if body is not None:
        assert error.code == body["code"]
        assert str(body["description"]) in str(error.broker_message)


def test_the_token_error_says_how_to_recover() -> None:
    error = failure(400, envelope("Invalid Token"), account="acct7")
    assert "brokerplex login acct7" in str(error)
    assert error.nothing_happened


def test_an_ambiguous_order_failure_is_not_nothing() -> None:
    assert not failure(504, None, writing=True).nothing_happened


def test_the_brokers_words_are_said_once() -> None:
    said = "order 4100200 cannot be cancelled as it is already Filled"
    error = failure(400, envelope(said, said, said.upper(), "  " + said + " "), writing=True, order_id="4100200")
    assert error.broker_message == said
    assert str(error).count("cannot be cancelled") == 1


def test_an_envelope_with_odd_types_is_still_read_safely() -> None:
    odd = {"type": "error", "code": [["e"]], "description": {"nested": True}, "result": {"errors": [None, 7]}}
    error = failure(400, odd, writing=True)
    assert type(error) is InvalidOrderError
    assert error.broker_message == "HTTP 400"
