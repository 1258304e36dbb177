"""Every failure of the official client, mapped into brokerplex's error hierarchy.

The client raises one exception class per ``error_type`` it knows and collapses the rest
(``MarginException``, ``HoldingException``) into ``GeneralException``; the HTTP status
is kept as ``.code``. Transport failures arrive as raw aiohttp exceptions, and a
reply it cannot read as KeyError/TypeError/OverflowError/… :func:`map_error` sorts all of
them by what a caller must do next: log in again, fix the order, wait, or reconcile.
Nothing else leaves: whatever the client raises becomes one of our errors.

Only Kite's own error envelope (or a 4xx it answers with one) proves that an order was
refused. A gateway's 502/503/504, a 5xx, or a reply that cannot be read may come after the
order system took the order: for an order those are an unknown outcome.

Messages carry Kite's code and text but never a request (URLs hold tokens on some routes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeVar

from brokerplex.errors import (
    AuthenticationError,
    BrokerError,
    BrokerUnavailableError,
    InsufficientFundsError,
    InsufficientHoldingsError,
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
from brokerplex.payloads import READ_FAILURES, excerpt

BROKER = "zerodha"
E = TypeVar("E", bound=BrokerError)
Call = Literal["read", "login", "place", "change"]  # change: modify or cancel an existing order

_FUNDS = re.compile(r"insufficient (funds|margin)|margin (shortfall|exceeds)|required margin", re.IGNORECASE)
_HOLDINGS = re.compile(r"insufficient (holding|quantity|stock)|holdings? (is|are)? ?(not|in)sufficient|"
                       r"no holdings|don'?t have (enough )?(holdings|shares)", re.IGNORECASE)
_NO_ORDER = re.compile(r"(order|order_id).{0,20}(not found|doesn'?t exist|does not exist|invalid|couldn'?t find)|"
                       r"(couldn'?t find|no such|unknown|invalid).{0,20}order", re.IGNORECASE)


#: Error types by which Kite says it refused a request, whatever the HTTP status.
_REFUSALS = frozenset({"InputException", "OrderException", "TokenException", "PermissionException"})


@dataclass(frozen=True, slots=True)
class KiteFailure:
    """What is left of a Kite error reply after the client raised it."""

    kind: str  # the exception's class name: TokenException, InputException, GeneralException…
    status: int | None
    message: str


def relogin_hint(account: str) -> str:
    return f"run `brokerplex login {account}` again"


def map_failure(failure: KiteFailure, *, call: Call, account: str, order_id: str | None = None,
                client_order_id: str | None = None) -> BrokerError:
    """A Kite error reply as one of our errors (for an error reply, nothing happened at Kite)."""
    kind, status, text = failure.kind, failure.status, failure.message
    if kind == "DataException":
        # The client appends the raw reply to this text; a session reply holds the access token.
        text = text.split(":", 1)[0].split(" with response", 1)[0][:200]

    def make(cls: type[E], message: str) -> E:
        return cls(message, broker=BROKER, code=f"{kind}/{status}" if status else kind, broker_message=text,
                   order_id=order_id, client_order_id=client_order_id)

    if status == 429:
        return make(RateLimitedError, f"Kite rate limit reached: {text}")
    if kind == "TokenException":
        if call == "login":
            return make(AuthenticationError, f"Kite refused the login: {text} ({relogin_hint(account)})")
        return make(TokenExpiredError, f"the Kite session of {account} has expired or was invalidated ({text}); "
                                       f"{relogin_hint(account)}")
    if kind == "PermissionException":
        return make(PermissionDeniedError, f"Kite does not permit this: {text}")
    if call in ("place", "change") and _FUNDS.search(text):
        return make(InsufficientFundsError, text)
    if call in ("place", "change") and _HOLDINGS.search(text):
        return make(InsufficientHoldingsError, text)
    if call in ("place", "change") and kind not in _REFUSALS and (status is None or status >= 500):
        # A gateway's 502/503/504, an OMS Kite cannot reach or read: the order may have been taken first.
        return make(OutcomeUnknownError, f"Kite failed while handling the order ({status or kind}: {text}); it "
                                         "may or may not have been acted on")
    if call in ("change", "read") and (status == 404 or _NO_ORDER.search(text)):
        return make(OrderNotFoundError, f"no order {order_id} in this account: {text}")
    if kind in ("OrderException", "InputException") or (status is not None and 400 <= status < 500):
        if call == "read":
            return make(RefusedError, f"Kite refused: {text}")
        return make(InvalidOrderError, text)
    if kind == "DataException":
        return make(ProtocolError, f"unreadable reply from Kite: {text}")
    return make(BrokerUnavailableError, f"Kite is unavailable: {text}")


def map_error(exc: BaseException, *, call: Call, account: str, order_id: str | None = None,
              client_order_id: str | None = None, reply: bytes | None = None) -> BaseException:
    """Any exception out of the official client (or its HTTP session) as ours; ``reply`` is the body that
    came, for an excerpt when it could not be read (never given for a login: it holds tokens)."""
    if isinstance(exc, BrokerError) or not isinstance(exc, Exception):
        return exc  # ours already, or a cancellation or interrupt that must pass
    ids = {"order_id": order_id, "client_order_id": client_order_id}
    kite_failure = _kite_failure(exc)
    if kite_failure is not None:
        return map_failure(kite_failure, call=call, account=account, **ids)
    transport = _transport_error(exc, call=call, **ids)
    if transport is not None:
        return transport
    # The client fails like this on a reply without content type, envelope or data, or with values its
    # date parsing cannot hold (OverflowError); anything else it raises is no more readable.
    shown = f": {excerpt(reply)}" if reply is not None and call != "login" else ""
    reason = type(exc).__name__ if isinstance(exc, READ_FAILURES) else f"unexpected {type(exc).__name__}"
    message = " ".join(str(exc).split())[:160]
    cls = OutcomeUnknownError if call in ("place", "change") else ProtocolError
    return cls(f"unreadable reply from Kite ({reason}: {message}){shown}", broker=BROKER, **ids)


def _kite_failure(exc: BaseException) -> KiteFailure | None:
    from kiteconnect.exceptions import KiteException

    if not isinstance(exc, KiteException):
        return None
    code = getattr(exc, "code", None)
    return KiteFailure(type(exc).__name__, code if isinstance(code, int) else None, str(exc))


def _transport_error(exc: BaseException, *, call: Call, order_id: str | None,
                     client_order_id: str | None) -> BrokerError | None:
    import aiohttp

    if not isinstance(exc, (aiohttp.ClientError, TimeoutError)):
        return None

    def make(cls: type[E], message: str) -> E:
        return cls(message, broker=BROKER, code=type(exc).__name__, order_id=order_id,
                   client_order_id=client_order_id)

    # The class name, never str(exc): the text may hold the URL, query string included.
    reason = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
    if isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, aiohttp.InvalidURL)):
        return make(UnreachableError, f"could not reach Kite ({reason}); nothing was sent")
    if call in ("place", "change"):
        # Sent, then the reply never came (timeout, reset): Kite may have acted on it.
        return make(OutcomeUnknownError, f"no reply from Kite after sending ({reason})")
    return make(BrokerUnavailableError, f"no usable reply from Kite ({reason})")
