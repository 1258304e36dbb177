"""The toolkit of a wire (HTTP/JSON) broker plugin: strict readers and one failure policy.

Reading a reply: :func:`decimal`, :func:`whole`, :func:`text` and :func:`moment` read one value exactly
(a JSON number becomes an exact Decimal; NaN, Infinity and booleans are refused); without a default a
value is required, and missing, null or empty it is a :class:`ProtocolError` naming the field, never 0,
"None" or "now". :class:`Words` maps a broker's words (statuses, sides, products…) strictly: an unknown
word is a ProtocolError, never a guess. ``with reading(broker, what, payload):`` turns whatever reading a
payload raises into one ProtocolError quoting the payload.

Failing: one :class:`Call` per request knows whether it is a read, a write or a login, and whether the
request has left; it gives the error each way of failing proves (docs/failures.md): only the broker's
own refusal is a refusal; a write whose reply is lost, late, a 5xx or unreadable has an unknown outcome.
:func:`send` caps a whole request with one deadline and tells "never sent" from "sent, no reply".

Pure Python and asyncio: no HTTP client here, so any transport can use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
from collections.abc import Awaitable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Final, Generic, Literal, TypeVar, overload

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
from brokerplex.formats import IST
from brokerplex.payloads import READ_FAILURES, excerpt, parse_json, unreadable

__all__ = [
    "MISSING", "READ_FAILURES", "REFUSING_STATUSES", "Call", "Kind", "Words", "decimal", "excerpt", "field",
    "moment", "parse_json", "reading", "required", "send", "text", "unreadable", "whole",
]

T = TypeVar("T")
D = TypeVar("D")
E = TypeVar("E")
BE = TypeVar("BE", bound=BrokerError)

class _Missing(Enum):
    MISSING = "MISSING"


#: The default of a reader's ``default``: the value is required.
MISSING: Final = _Missing.MISSING


# -- fields -------------------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def field(record: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` that ``record`` carries with a value (not None, not blank); None if none.

    Several names are the spellings one field has (``"AppOrderID", "appOrderID"``)."""
    for name in names:
        value = record.get(name)
        if not _blank(value):
            return value
    return None


def required(record: Mapping[str, Any], *names: str) -> Any:
    """Like :func:`field`, but a record without the field is a ProtocolError naming it."""
    value = field(record, *names)
    if value is None:
        raise ProtocolError(f"a record without {names[0]}")
    return value


def _absent(name: str, default: object) -> Any:
    if default is MISSING:
        raise ProtocolError(f"a record without {name}")
    return default


def _number(value: object, name: str) -> Decimal:
    # A float through repr: 1412.95 stays 1412.95. Decimal() reads int, str and Decimal exactly.
    try:
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise InvalidOperation
        number = Decimal(repr(value) if isinstance(value, float) else value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ProtocolError(f"{name} is {str(value)[:40]!r}, not a finite number")
    return number


@overload
def decimal(value: object, name: str) -> Decimal: ...
@overload
def decimal(value: object, name: str, default: D) -> Decimal | D: ...
def decimal(value: object, name: str, default: object = MISSING) -> object:
    """A JSON number (int, float or numeric text) as an exact Decimal; None or blank is ``default``
    (required without one); NaN, Infinity, booleans and anything else are a ProtocolError naming ``name``."""
    return _absent(name, default) if _blank(value) else _number(value, name)


@overload
def whole(value: object, name: str) -> int: ...
@overload
def whole(value: object, name: str, default: D) -> int | D: ...
def whole(value: object, name: str, default: object = MISSING) -> object:
    """A whole number (``12``, ``12.0``, ``"12"``); a fraction is a ProtocolError, as :func:`decimal` otherwise."""
    if _blank(value):
        return _absent(name, default)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = _number(value, name)
    if number != number.to_integral_value():
        raise ProtocolError(f"{name} is {value!r}, not a whole number")
    return int(number)


@overload
def text(value: object, name: str) -> str: ...
@overload
def text(value: object, name: str, default: D) -> str | D: ...
def text(value: object, name: str, default: object = MISSING) -> object:
    """Text (stripped), or an integer as text (ids); None or blank is ``default`` (required without one)."""
    if _blank(value):
        return _absent(name, default)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ProtocolError(f"{name} is a {type(value).__name__}, not text")


@overload
def moment(value: object, name: str, *, zone: dt.tzinfo = IST) -> dt.datetime: ...
@overload
def moment(value: object, name: str, default: D, *, zone: dt.tzinfo = IST) -> dt.datetime | D: ...
def moment(value: object, name: str, default: object = MISSING, *, zone: dt.tzinfo = IST) -> object:
    """A time: a datetime, or ISO 8601 text (``2026-01-05 09:15:00``, ``…T…``, an offset or ``Z``); a naive
    one is on ``zone``'s clock. None or blank is ``default`` (required without one): never "now"."""
    if _blank(value):
        return _absent(name, default)
    if isinstance(value, dt.datetime):
        found = value
    elif isinstance(value, str):
        try:
            found = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ProtocolError(f"{name} is {value[:40]!r}, not a time") from None
    else:
        raise ProtocolError(f"{name} is a {type(value).__name__}, not a time")
    return found if found.tzinfo is not None else found.replace(tzinfo=zone)


_FOLD = str.maketrans("", "", " _-")


class Words(Generic[E]):
    """A broker's words for one of our enums: case, spaces, ``_`` and ``-`` do not matter; an unknown word is a
    ProtocolError naming ``what`` and the word — never a default such as PENDING."""

    def __init__(self, what: str, table: Mapping[str, E]) -> None:
        self.what = what
        self._table = {word.lower().translate(_FOLD): value for word, value in table.items()}

    @overload
    def __call__(self, value: object) -> E: ...
    @overload
    def __call__(self, value: object, default: D) -> E | D: ...
    def __call__(self, value: object, default: object = MISSING) -> object:
        """The word's value; None or blank is ``default`` (required without one)."""
        if _blank(value):
            return _absent(self.what, default)
        found = self._table.get(value.lower().translate(_FOLD)) if isinstance(value, str) else None
        if found is None:
            shown = repr(value[:40]) if isinstance(value, str) else type(value).__name__
            raise ProtocolError(f"unknown {self.what} {shown}")
        return found


_UNREADABLE: tuple[type[Exception], ...] = (ProtocolError, *READ_FAILURES)


@contextlib.contextmanager
def reading(broker: str, what: str, payload: object) -> Iterator[None]:
    """``with reading(broker, what, payload):`` whatever reading ``payload`` raises inside (a ProtocolError, a
    KeyError, a ValueError from a model…) leaves as one ProtocolError: ``unreadable {what} (why): excerpt``."""
    try:
        yield
    except _UNREADABLE as error:
        raise unreadable(broker, what, payload, error) from None


# -- failing ------------------------------------------------------------------------------------------

Kind = Literal["read", "write", "login"]  # write: place, modify or cancel — whatever may change an order
#: Statuses that refuse a request whatever the body says: not logged in, not allowed, rate limited.
REFUSING_STATUSES: Final = frozenset({401, 403, 429})

_RATE = re.compile(r"rate limit|too many requests", re.IGNORECASE)
_TOKEN = re.compile(r"invalid token|token (is )?(expired|invalid)|session (has )?expired", re.IGNORECASE)
# "not mapped": a dealer naming a client code that is not (or no longer) its own.
_DENIED = re.compile(r"not authori[sz]ed|not allowed|permission|not mapped", re.IGNORECASE)
# Only a call about an existing order can be told "no such order": a new order's "does not exist" is
# about its instrument.
_NO_ORDER = re.compile(r"order.{0,20}(not found|doesn'?t exist|does not exist|couldn'?t find)|does not exist|"
                       r"order_?id.{0,20}invalid|invalid (app)?order_?id|"
                       r"(couldn'?t find|no such|unknown|not a valid).{0,20}order", re.IGNORECASE)
_FUNDS = re.compile(r"insufficient (funds?|margin)|margin (shortfall|exceeds)|required margin|shortfall", re.I)
_HOLDINGS = re.compile(r"insufficient (holding|quantity|stock)|holdings? (is|are)? ?(not|in)sufficient|"
                       r"no holdings|don'?t have (enough )?(holdings|shares)|holdings?.{0,30}(not enough|exceed)",
                       re.IGNORECASE)


class Call:
    """One request to a broker: who, what kind, about which order, and whether it has left yet.

    Its methods give the error each way of failing proves; ``server`` is how messages name the other side
    (``"Kite"``, ``"XTS at host:port"``), ``account`` what to log in again."""

    __slots__ = ("account", "broker", "client_order_id", "kind", "order_id", "sent", "server")

    def __init__(self, broker: str, kind: Kind = "read", *, account: str | None = None, server: str | None = None,
                 order_id: str | None = None, client_order_id: str | None = None) -> None:
        self.broker, self.kind, self.account, self.server = broker, kind, account, server or broker
        self.order_id, self.client_order_id = order_id, client_order_id
        self.sent = False

    def mark_sent(self) -> None:
        """The transport's hook: the request's headers went out (from here on the broker may act on it)."""
        self.sent = True

    async def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpx's trace extension (``extensions={"trace": call.trace}``): marks the call sent."""
        if event.endswith("send_request_headers.started"):
            self.sent = True

    def _make(self, cls: type[BE], message: str, code: str | int | None = None, said: str | None = None) -> BE:
        return cls(message, broker=self.broker, code=code, broker_message=said, order_id=self.order_id,
                   client_order_id=self.client_order_id)

    def unreachable(self, reason: str) -> UnreachableError:
        """The request never left (connect failed, no connection before the deadline): nothing was sent."""
        return self._make(UnreachableError, f"cannot reach {self.server} ({reason}); nothing was sent", reason)

    def no_reply(self, reason: str) -> BrokerError:
        """No reply came: never sent, unreachable; sent, an unknown outcome for a write, unavailable otherwise."""
        if not self.sent:
            return self.unreachable(reason)
        if self.kind == "write":
            return self._make(OutcomeUnknownError, f"no reply from {self.server} after sending ({reason}); it may "
                                                   "or may not have been acted on", reason)
        return self._make(BrokerUnavailableError, f"no reply from {self.server} ({reason})", reason)

    def failed(self, status: int | None, said: str = "") -> BrokerError:
        """The broker failed while serving (a 5xx, a gateway's 502/503/504 page): for a write the outcome is
        unknown — the order system may have taken the order first."""
        shown = f"HTTP {status}" if status else "failed"
        shown += f": {said}" if said else ""
        if self.kind == "write":
            return self._make(OutcomeUnknownError, f"{self.server} failed while handling the order ({shown}); it "
                                                   "may or may not have been acted on", status, said or None)
        return self._make(BrokerUnavailableError, f"{self.server} cannot serve now ({shown})", status, said or None)

    def unreadable_reply(self, reason: str, content: bytes | str | None = None) -> BrokerError:
        """A reply that is none of the broker's own (``{}``, HTML, garbage, NaN…): an unknown outcome for a write,
        a ProtocolError otherwise. ``content`` is quoted, except for a login (its reply holds tokens)."""
        shown = f": {excerpt(content)}" if content is not None and self.kind != "login" else ""
        if self.kind == "write":
            return self._make(OutcomeUnknownError, f"unreadable reply from {self.server} ({reason}){shown}; the "
                                                   "order may or may not have been acted on")
        return self._make(ProtocolError, f"unreadable reply from {self.server} ({reason}){shown}")

    def refused(self, status: int | None, said: str, *, code: str | int | None = None,
                kind: type[RefusedError] | None = None) -> RefusedError:
        """The broker's own refusal, as ``kind`` when the plugin knows it from the broker's error code, else by
        status and words. Nothing happened at the broker."""
        cls = kind or self._refusal(status, said)
        if self.kind == "login" and cls is not RateLimitedError:
            cls = AuthenticationError
        what = {"login": "the login", "write": "the order"}.get(self.kind, "the request")
        hint = f"; run `brokerplex login {self.account}` again" if self.account else ""
        return self._make(cls, f"{self.server} refused {what}: {said}" + (
            hint if issubclass(cls, AuthenticationError) else ""), code, said)

    def _refusal(self, status: int | None, said: str) -> type[RefusedError]:
        if status == 429 or _RATE.search(said):
            return RateLimitedError
        if status == 401 or _TOKEN.search(said):
            return TokenExpiredError
        if status == 403 or _DENIED.search(said):
            return PermissionDeniedError
        if self.order_id is not None and (status == 404 or _NO_ORDER.search(said)):
            return OrderNotFoundError
        if self.kind != "write":
            return RefusedError
        if _FUNDS.search(said):
            return InsufficientFundsError
        return InsufficientHoldingsError if _HOLDINGS.search(said) else InvalidOrderError

    def reply_error(self, status: int, content: bytes | str | None, *, said: str | None = None,
                    code: str | int | None = None, kind: type[RefusedError] | None = None) -> BrokerError:
        """The error for a reply that is not a success, by docs/failures.md. ``said``: the broker's words when
        the reply is its own error envelope (None: it is not one). 5xx → :meth:`failed`; the broker's envelope
        or 401/403/429 → :meth:`refused`; anything else → :meth:`unreadable_reply`."""
        if status >= 500:
            return self.failed(status, said or "")
        if said is not None or status in REFUSING_STATUSES:
            return self.refused(status, said or f"HTTP {status}", code=code or status, kind=kind)
        return self.unreadable_reply(f"HTTP {status}, not a reply of {self.server}'s", content)


async def send(call: Call, seconds: float, request: Awaitable[T], *,
               unreachable: tuple[type[BaseException], ...] = (), lost: tuple[type[BaseException], ...] = ()) -> T:
    """Await ``request`` within ``seconds`` in all: a reply trickled byte by byte ends at the deadline too.

    The deadline passing, or an exception in ``lost``, is :meth:`Call.no_reply` (never sent: unreachable;
    sent: an unknown outcome for a write); one in ``unreachable`` (connect failed) is :meth:`Call.unreachable`.
    Messages name the exception's class, never its text: URLs hold tokens on some routes."""
    try:
        async with asyncio.timeout(seconds):
            return await request
    except unreachable as exc:
        raise call.unreachable(type(exc).__name__) from None
    except TimeoutError:
        raise call.no_reply(f"timed out after {seconds:g} s") from None
    except lost as exc:
        raise call.no_reply(type(exc).__name__) from None
