"""The HTTP core of one XTS login: both APIs, envelopes, errors, tokens, rate limits.

One :class:`XtsHttp` per account holds one ``httpx.AsyncClient`` (one connection pool)
for the Interactive and Market Data APIs of its host. Every reply is the XTS envelope
``{type, code, description, result}`` (spec section 2.2); :func:`error_for` maps a
refusal into our hierarchy keeping the broker's code and words. Order writes are never
retried: a timeout after the request left is OutcomeUnknownError, and so is any reply to an
order that does not prove a refusal (a refusal is an error envelope, or 401/403/429).
A call's ``timeout`` caps its whole duration, however slowly the reply trickles in.

An interactive call carries ``clientID`` only when it is given one: dealer logins
(``brokerplex-xts-pro``) name the client of every call; investors never do (spec section 5).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from typing import Any

import httpx

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
from brokerplex.payloads import excerpt, parse_json
from brokerplex.ratelimit import Limit, RateLimiter, shared_limiter
from brokerplex_xts_client.settings import XtsClientSettings

# XTS publishes no rate limits in the sources of the spec (section 2.2: "broker-configured, no
# documented code"); the defaults (settings orders_per_second, requests_per_second) stay under what
# brokers' XTS pages quote (10 orders/s), and the master is downloaded a few times a minute at most,
# so that a burst is paced here rather than refused there.
MASTER_LIMIT = Limit(4, 60.0)


def limits(settings: XtsClientSettings, bucket: str) -> tuple[Limit, ...]:
    if bucket == "master":
        return (MASTER_LIMIT,)
    if bucket == "orders":
        return (Limit(settings.orders_per_second, 1.0),)
    return (Limit(settings.requests_per_second, 1.0),)
NO_DATA = "data not available"
#: Statuses that refuse a request whatever the body says: not logged in, not allowed, rate limited.
REFUSING_STATUSES = frozenset({401, 403, 429})


def _words(value: Any, limit: int = 300) -> str:
    return " ".join(value.split())[:limit] if isinstance(value, str) else ""


def _description(envelope: Mapping[str, Any] | None) -> tuple[str, str, list[str]]:
    if not envelope:
        return "", "", []
    result = envelope.get("result")
    errors = result.get("errors") if isinstance(result, Mapping) else None
    description = _words(envelope.get("description"))
    details: list[str] = []
    for error in errors if isinstance(errors, list) else []:
        said = _words(error)  # servers repeat the description as the first error: say it once
        if said and said.lower() != description.lower() and said not in details:
            details.append(said)
    code = envelope.get("code")
    return (str(code) if isinstance(code, (str, int)) else ""), description, details


def envelope_kind(envelope: Mapping[str, Any] | None) -> str:
    """``success``, ``error``, or ``""`` for anything that is not an XTS envelope."""
    kind = envelope.get("type") if envelope is not None else None
    return kind.lower() if isinstance(kind, str) and kind.lower() in ("success", "error") else ""


def error_for(status: int, envelope: Mapping[str, Any] | None, *, account: str, broker: str,
              writing: bool = False, order_id: str | None = None) -> BrokerError:
    """The error of a refused call, by HTTP status and the broker's code and words."""
    code, description, details = _description(envelope)
    said = "; ".join([description, *details]) or f"HTTP {status}"
    words = said.lower()
    kwargs: dict[str, Any] = {"broker": broker, "code": code or status, "broker_message": said, "order_id": order_id}
    if "invalid token" in words or "token expired" in words or status == 401:
        return TokenExpiredError(f"the XTS session is no longer valid ({said}); run `brokerplex login {account}`",
                                 **kwargs)
    if status == 429 or "too many" in words or "rate limit" in words:
        return RateLimitedError(f"XTS rate limit reached ({said})", **kwargs)
    if status >= 500:
        if writing:
            return OutcomeUnknownError(f"XTS failed while handling the order (HTTP {status}: {said}); it may or may "
                                       "not have been acted on", **kwargs)
        return BrokerUnavailableError(f"XTS cannot serve now (HTTP {status}: {said})", **kwargs)
    # "not mapped": a dealer naming a client code that is not (or no longer) its own.
    if status == 403 or any(marker in words for marker in ("not authorized", "not allowed", "permission",
                                                           "not mapped")):
        return PermissionDeniedError(f"XTS refused: {said}", **kwargs)
    # Only a call about an existing order can be told "no such order"; a new order's "does not
    # exist" is about its instrument.
    if order_id is not None and any(marker in words for marker in (
            "order not found", "does not exist", "no such order", "invalid apporderid", "order id not found",
            "not a valid order")):
        return OrderNotFoundError(f"XTS has no such order: {said}", **kwargs)
    if "margin" in words or "insufficient fund" in words or "shortfall" in words:
        return InsufficientFundsError(f"XTS refused the order for margin: {said}", **kwargs)
    if "holding" in words and ("insufficient" in words or "not enough" in words or "exceed" in words):
        return InsufficientHoldingsError(f"XTS refused the sell for holdings: {said}", **kwargs)
    if writing:
        return InvalidOrderError(f"XTS refused the order: {said}", **kwargs)
    return RefusedError(f"XTS refused: {said}", **kwargs)


class MissingRouteError(ProtocolError):
    """The host does not serve this path (Express's HTML 404): a route that this broker's XTS lacks."""


class XtsHttp:
    """Both APIs of one XTS login. Tokens are set by login or restored from the session file."""

    def __init__(self, settings: XtsClientSettings, *, account: str, broker: str = "xts_client",
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.account = account
        self.broker = broker
        self.interactive_token: str | None = None
        self.marketdata_token: str | None = None
        self.user_id: str | None = None
        self.marketdata_prefix = "/" + settings.marketdata_prefix
        self._transport = transport
        self._client: httpx.AsyncClient | None = None  # opened on the first request, reopened after close()
        self._limiters: dict[str, RateLimiter] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.settings.host} account={self.account!r}>"  # never a token

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            settings = self.settings
            self._client = httpx.AsyncClient(base_url=settings.base_url, timeout=self._limit(""),
                                             transport=self._transport,
                                             headers={"Content-Type": "application/json"})
        return self._client

    async def close(self) -> None:
        """Close the connections; the next request opens new ones."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- logins --------------------------------------------------------------------------------
    async def login_interactive(self) -> dict[str, Any]:
        body = {"appKey": self.settings.interactive_key,
                "secretKey": self.settings.interactive_secret.get_secret_value(), "source": self.settings.source}
        return self._login_result(await self._send("POST", "/interactive/user/session", None, body, "interactive",
                                                   token=None, login=True))

    async def login_marketdata(self) -> dict[str, Any]:
        body = {"appKey": self.settings.marketdata_key,
                "secretKey": self.settings.marketdata_secret.get_secret_value(), "source": self.settings.source}
        path = f"{self.marketdata_prefix}/auth/login"
        return self._login_result(await self._send("POST", path, None, body, "marketdata", token=None, login=True))

    def _login_result(self, result: Any) -> dict[str, Any]:
        if not isinstance(result, dict) or not isinstance(result.get("token"), str) or not result["token"]:
            raise ProtocolError("XTS answered the login without a token", broker=self.broker)
        return result

    async def logout(self) -> None:
        """End both sessions at the server; failures are ignored (the tokens are dropped anyway)."""
        for path, token in (("/interactive/user/session", self.interactive_token),
                            (f"{self.marketdata_prefix}/auth/logout", self.marketdata_token)):
            if token:
                with contextlib.suppress(BrokerError):
                    await self._send("DELETE", path, None, None, "interactive", token=token)

    # -- calls ---------------------------------------------------------------------------------
    async def interactive(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                          body: dict[str, Any] | None = None, bucket: str = "interactive", writing: bool = False,
                          empty: Any = None, order_id: str | None = None, client: str | None = None) -> Any:
        """An Interactive API call; ``empty`` is the answer to 400 "Data Not Available" (None: an error).
        ``client`` is the ``clientID`` of a dealer's call (query for GET/DELETE, body otherwise)."""
        full = "/interactive" + path
        if client is not None:
            if method in ("GET", "DELETE"):
                params = {**(params or {}), "clientID": client}
            else:
                body = {**(body or {}), "clientID": client}
        return await self._send(method, full, params, body, bucket, token=self._token(self.interactive_token),
                                writing=writing, empty=empty, order_id=order_id)

    async def marketdata(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                         body: dict[str, Any] | None = None, bucket: str = "marketdata", empty: Any = None) -> Any:
        return await self._send(method, self.marketdata_prefix + path, params, body, bucket,
                                token=self._token(self.marketdata_token), empty=empty)

    def _token(self, token: str | None) -> str:
        if not token:
            raise AuthenticationError(f"account {self.account!r} is not logged in; run `brokerplex login "
                                      f"{self.account}`", broker=self.broker)
        return token

    def limiter(self, bucket: str) -> RateLimiter:
        limiter = self._limiters.get(bucket)
        if limiter is None:
            limiter = self._limiters[bucket] = shared_limiter(("xts", self.settings.host, bucket),
                                                              limits(self.settings, bucket))
        return limiter

    async def _send(self, method: str, path: str, params: dict[str, Any] | None, body: dict[str, Any] | None,
                    bucket: str, *, token: str | None, writing: bool = False, login: bool = False,
                    empty: Any = None, order_id: str | None = None) -> Any:
        await self.limiter(bucket).acquire()
        headers = {"Authorization": token} if token else None
        sent = False

        async def trace(event: str, info: Mapping[str, Any]) -> None:
            nonlocal sent
            sent = sent or event.endswith("send_request_headers.started")

        try:
            # httpx times each read, not the whole call; the master is megabytes and may take longer.
            async with asyncio.timeout(self._limit(bucket).read):
                response = await self.client.request(method, path, params=params, headers=headers,
                                                      content=None if body is None else json.dumps(body),
                                                      timeout=self._limit(bucket), extensions={"trace": trace})
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol) as exc:
            raise self._unreachable(type(exc).__name__, order_id) from None
        except (httpx.TransportError, TimeoutError) as exc:
            reason = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
            if not sent:
                raise self._unreachable(reason, order_id) from None
            # The request may have left: for an order that is an unknown outcome, never a retry.
            if writing:
                raise OutcomeUnknownError(f"no answer from XTS at {self.settings.host} after sending the order "
                                          f"({reason}); it may or may not have been acted on",
                                          broker=self.broker, order_id=order_id) from None
            raise BrokerUnavailableError(f"no answer from XTS at {self.settings.host} ({reason})",
                                         broker=self.broker) from None
        return self._result(response, writing=writing, login=login, empty=empty, order_id=order_id)

    def _limit(self, bucket: str) -> httpx.Timeout:
        """A call's time: ``timeout`` for the whole of it (connecting at most 5 s); the master's download may take
        ``download_timeout``."""
        settings = self.settings
        whole = settings.download_timeout if bucket == "master" else settings.timeout
        return httpx.Timeout(whole, connect=min(settings.timeout, 5.0))

    def _unreachable(self, reason: str, order_id: str | None) -> UnreachableError:
        return UnreachableError(f"cannot reach XTS at {self.settings.host} ({reason}); nothing was sent",
                                broker=self.broker, order_id=order_id)

    def _result(self, response: httpx.Response, *, writing: bool, login: bool, empty: Any,
                order_id: str | None) -> Any:
        envelope = self._envelope(response, writing, login)
        status, kind = response.status_code, envelope_kind(envelope)
        if status < 400 and kind == "success":
            assert envelope is not None
            return envelope.get("result")
        _, description, _ = _description(envelope)
        if empty is not None and status == 400 and NO_DATA in description.lower():
            return empty
        if status < 500 and kind != "error" and status not in REFUSING_STATUSES:
            # Neither a success nor a refusal: for an order the broker may hold it.
            shown = "" if login else f": {excerpt(response.content)}"
            cls = OutcomeUnknownError if writing else ProtocolError
            raise cls(f"XTS answered HTTP {status} with something other than an XTS envelope{shown}",
                      broker=self.broker, order_id=order_id)
        if login and status < 500 and not isinstance(error := error_for(status, envelope, account=self.account,
                                                                         broker=self.broker), RateLimitedError):
            raise AuthenticationError(f"XTS refused the login of account {self.account!r}: "
                                      f"{error.broker_message}", broker=self.broker, code=error.code,
                                      broker_message=error.broker_message)
        error = error_for(status, envelope, account=self.account, broker=self.broker, writing=writing,
                          order_id=order_id)
        if isinstance(error, RateLimitedError):
            retry = response.headers.get("Retry-After", "")
            error.retry_after = float(retry) if retry.replace(".", "", 1).isdigit() else None
        raise error

    def _envelope(self, response: httpx.Response, writing: bool, login: bool) -> dict[str, Any] | None:
        try:
            envelope = parse_json(response.content) if response.content else None
        except ValueError:
            envelope = None
        if isinstance(envelope, dict):
            return envelope
        status = response.status_code
        if status >= 500 or status in REFUSING_STATUSES:
            return None  # the status alone says enough
        if status == 404:
            raise MissingRouteError(f"XTS at {self.settings.host} has no route {response.request.url.path} "
                                    "(HTTP 404)", broker=self.broker, code=404)
        shown = "" if login else f": {excerpt(response.content)}"
        error = OutcomeUnknownError if writing else ProtocolError
        raise error(f"XTS answered HTTP {status} without a JSON envelope{shown}", broker=self.broker)
