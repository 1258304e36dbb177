"""Every failure of the official client, mapped into brokerplex's error hierarchy.

The client raises one exception class per ``error_type`` it knows and collapses the rest
(``MarginException``, ``HoldingException``) into ``GeneralException``; the HTTP status
is kept as ``.code``. A reply it cannot read arrives as KeyError/TypeError/OverflowError/…
(transport failures never reach it: :mod:`brokerplex_zerodha.transport` raises ours). :func:`map_error`
sorts them by the policy of :class:`brokerplex.wire.Call`: only Kite's own error envelope (or a
4xx it answers with one) proves a refusal; a 5xx or an unreadable reply to an order is an unknown
outcome. Nothing else leaves: whatever the client raises becomes one of our errors.

Messages carry Kite's code and text but never a request (URLs hold tokens on some routes).
"""

from __future__ import annotations

from brokerplex import wire
from brokerplex.errors import (
    BrokerError,
    InsufficientFundsError,
    InsufficientHoldingsError,
    PermissionDeniedError,
    RefusedError,
    TokenExpiredError,
)

BROKER = "zerodha"

#: Error types by which Kite says it refused a request, whatever the HTTP status, and the ones that say how.
_REFUSALS = frozenset({"InputException", "OrderException", "TokenException", "PermissionException"})
_KINDS: dict[str, type[RefusedError]] = {"TokenException": TokenExpiredError,
                                         "PermissionException": PermissionDeniedError}


def relogin_hint(account: str) -> str:
    return f"run `brokerplex login {account}` again"


def kite_call(kind: wire.Kind, account: str, *, order_id: str | None = None,
              client_order_id: str | None = None) -> wire.Call:
    """One request to Kite, for :func:`map_error` and the transport."""
    return wire.Call(BROKER, kind, account=account, server="Kite", order_id=order_id, client_order_id=client_order_id)


def map_failure(kind: str, status: int | None, text: str, call: wire.Call) -> BrokerError:
    """A Kite error reply (the client's exception class name, HTTP status and text) as one of our errors."""
    if kind == "DataException":
        # The client appends the raw reply to this text; a session reply holds the access token.
        return call.unreadable_reply(text.split(":", 1)[0].split(" with response", 1)[0][:200])
    refusal = call.refused(status, text, code=f"{kind}/{status}" if status else kind, kind=_KINDS.get(kind))
    # Margin and holdings words refuse an order whatever the status says.
    if kind in _REFUSALS or (status is not None and status < 500) or isinstance(
            refusal, (InsufficientFundsError, InsufficientHoldingsError)):
        return refusal
    # A gateway's 502/503/504, an OMS Kite cannot reach or read: the order may have been taken first.
    return call.failed(status, text)


def map_error(exc: BaseException, call: wire.Call, *, reply: bytes | None = None) -> BaseException:
    """Any exception out of the official client as ours; ``reply`` is the body that came, quoted when it could
    not be read (never for a login: it holds tokens)."""
    if isinstance(exc, BrokerError) or not isinstance(exc, Exception):
        return exc  # ours already, or a cancellation or interrupt that must pass
    from kiteconnect.exceptions import KiteException

    if isinstance(exc, KiteException):
        code = getattr(exc, "code", None)
        return map_failure(type(exc).__name__, code if isinstance(code, int) else None, str(exc), call)
    # The client fails like this on a reply without content type, envelope or data, or with values its
    # date parsing cannot hold (OverflowError); anything else it raises is no more readable.
    reason = type(exc).__name__ if isinstance(exc, wire.READ_FAILURES) else f"unexpected {type(exc).__name__}"
    return call.unreadable_reply(f"{reason}: {' '.join(str(exc).split())[:160]}", reply)
