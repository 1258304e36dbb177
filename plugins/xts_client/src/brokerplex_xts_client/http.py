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

import contextlib
import json
from collections.abc import Mapping
from typing import Any

import httpx

from brokerplex import wire
from brokerplex.errors import AuthenticationError, BrokerError, ProtocolError, RateLimitedError
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


def error_for(call: wire.Call, status: int, envelope: Mapping[str, Any] | None,
              content: bytes | str | None = None) -> BrokerError:
    """The error of a reply that is not a success, by :meth:`brokerplex.wire.Call.reply_error`: an XTS error
    envelope is the broker's own word, with its code and description."""
    code, description, details = _description(envelope)
    words = "; ".join([description, *details])
    if envelope_kind(envelope) == "error":
        said: str | None = words or f"HTTP {status}"
    else:  # not the broker's refusal; its words, if any, still say why a 5xx or a 401/403/429 came
        said = words or None if status >= 500 or status in wire.REFUSING_STATUSES else None
    return call.reply_error(status, content, said=said, code=code or None)


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
        self.marketdata_user_id: str | None = None  # the market-data login's user, when it differs
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
                                                   token=None, call=self.call("login")))

    async def login_marketdata(self) -> dict[str, Any]:
        body = {"appKey": self.settings.marketdata_key,
                "secretKey": self.settings.marketdata_secret.get_secret_value(), "source": self.settings.source}
        path = f"{self.marketdata_prefix}/auth/login"
        return self._login_result(await self._send("POST", path, None, body, "marketdata", token=None,
                                                   call=self.call("login")))

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
                    await self._send("DELETE", path, None, None, "interactive", token=token, call=self.call())

    # -- calls ---------------------------------------------------------------------------------
    async def interactive(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                          body: dict[str, Any] | None = None, bucket: str = "interactive", writing: bool = False,
                          empty: Any = None, order_id: str | None = None, client_order_id: str | None = None,
                          client: str | None = None) -> Any:
        """An Interactive API call; ``writing``: it may change an order; ``empty`` is the answer to 400 "Data Not
        Available" (None: an error). ``client`` is the ``clientID`` of a dealer's call (query for GET/DELETE,
        body otherwise)."""
        full = "/interactive" + path
        if client is not None:
            if method in ("GET", "DELETE"):
                params = {**(params or {}), "clientID": client}
            else:
                body = {**(body or {}), "clientID": client}
        call = self.call("write" if writing else "read", order_id=order_id, client_order_id=client_order_id)
        return await self._send(method, full, params, body, bucket, token=self._token(self.interactive_token),
                                call=call, empty=empty)

    async def marketdata(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                         body: dict[str, Any] | None = None, bucket: str = "marketdata", empty: Any = None) -> Any:
        return await self._send(method, self.marketdata_prefix + path, params, body, bucket,
                                token=self._token(self.marketdata_token), call=self.call(), empty=empty)

    def call(self, kind: wire.Kind = "read", *, order_id: str | None = None,
             client_order_id: str | None = None) -> wire.Call:
        """One request of this login, for the failure policy of :class:`brokerplex.wire.Call`."""
        return wire.Call(self.broker, kind, account=self.account, server=f"XTS at {self.settings.host}",
                         order_id=order_id, client_order_id=client_order_id)

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
                    bucket: str, *, token: str | None, call: wire.Call, empty: Any = None) -> Any:
        await self.limiter(bucket).acquire()
        headers = {"Authorization": token} if token else None
        limit = self._limit(bucket)
        # httpx times each read, not the whole call: wire.send caps the whole of it (the master, megabytes, has
        # its own cap).
        request = self.client.request(method, path, params=params, headers=headers,
                                      content=None if body is None else json.dumps(body), timeout=limit,
                                      extensions={"trace": call.trace})
        response = await wire.send(call, limit.read or self.settings.timeout, request,
                                   unreachable=(httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout,
                                                httpx.UnsupportedProtocol),
                                   lost=(httpx.TransportError,))
        return self._result(response, call, empty)

    def _limit(self, bucket: str) -> httpx.Timeout:
        """A call's time: ``timeout`` for the whole of it (connecting at most 5 s); the master's download may take
        ``download_timeout``."""
        settings = self.settings
        whole = settings.download_timeout if bucket == "master" else settings.timeout
        return httpx.Timeout(whole, connect=min(settings.timeout, 5.0))

    def _result(self, response: httpx.Response, call: wire.Call, empty: Any) -> Any:
        status = response.status_code
        try:
            parsed = wire.parse_json(response.content) if response.content else None
        except ValueError:
            parsed = None
        envelope = parsed if isinstance(parsed, dict) else None
        kind = envelope_kind(envelope)
        if status < 400 and kind == "success":
            assert envelope is not None
            return envelope.get("result")
        if envelope is None and status == 404:
            raise MissingRouteError(f"XTS at {self.settings.host} has no route {response.request.url.path} "
                                    "(HTTP 404)", broker=self.broker, code=404)
        _, description, _ = _description(envelope)
        if empty is not None and status == 400 and NO_DATA in description.lower():
            return empty
        error = error_for(call, status, envelope, response.content)
        if isinstance(error, RateLimitedError):
            retry = response.headers.get("Retry-After", "")
            error.retry_after = float(retry) if retry.replace(".", "", 1).isdigit() else None
        raise error
