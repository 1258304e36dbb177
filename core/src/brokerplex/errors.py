"""One error hierarchy that every plugin maps its broker's failures into.

The split that matters to a trading system is whether the outcome is known:

* :class:`InputError` — refused locally, before anything was sent.
* :class:`RefusedError` — the broker answered "no"; nothing happened there.
* :class:`UnreachableError` — the request never left (connect failed); nothing happened.
* :class:`OutcomeUnknownError` — the request may have been acted on (timeout after it
  left, a reply we cannot read). Never retry such an order: reconcile it by its client
  order id instead.

Messages never contain secrets: constructors take the broker's code and message, not
request bodies or headers.
"""

from __future__ import annotations


class BrokerplexError(Exception):
    """Base of every error this library raises on purpose."""

    #: True when we know nothing was done at the broker because of this request.
    nothing_happened: bool = True

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(BrokerplexError, ValueError):
    """Bad input, found before any request was sent (CLI exit code 2)."""


class SymbolError(InputError):
    """A symbol that does not follow the canonical grammar or is not listed."""


class SettingsError(InputError):
    """Account settings that do not satisfy the plugin's settings model."""


class UnknownAccountError(InputError):
    """An account name that is not activated."""


class UnknownBrokerError(InputError):
    """A broker name that no installed plugin registers."""


class ClientCodeError(InputError):
    """A client code a dealer login does not hold, or ``client=`` on a login that has none."""


class NotSupportedError(InputError):
    """The broker offers no such operation (and the manager cannot emulate it); nothing was sent."""


class PluginError(BrokerplexError):
    """A plugin that cannot be loaded or that breaks the hook contract."""


class VetoedError(BrokerplexError):
    """A pre-trade check vetoed the order; nothing was sent."""

    def __init__(self, message: str, *, check: str) -> None:
        super().__init__(message)
        self.check = check


class BrokerError(BrokerplexError):
    """A failure reported by, or while talking to, a broker.

    ``code`` and ``broker_message`` carry the broker's own words so that nothing
    is lost in the mapping.
    """

    def __init__(
        self,
        message: str,
        *,
        broker: str = "",
        code: str | int | None = None,
        broker_message: str | None = None,
        order_id: str | None = None,
        client_order_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.broker = broker
        self.code = code
        self.broker_message = broker_message if broker_message is not None else message
        self.order_id = order_id
        self.client_order_id = client_order_id

    def __str__(self) -> str:
        prefix = f"{self.broker}: " if self.broker else ""
        return f"{prefix}{self.message}"


class RefusedError(BrokerError):
    """The broker answered and refused; the request had no effect."""


class AuthenticationError(RefusedError):
    """Credentials or session are not accepted; log in again."""


class TokenExpiredError(AuthenticationError):
    """The session token has expired (brokers expire them daily)."""


class PermissionDeniedError(RefusedError):
    """Logged in, but not allowed to do this (route, client code, segment)."""


class InvalidOrderError(RefusedError):
    """The broker refused the order's parameters (tick, lot, band, product…)."""


class InsufficientFundsError(InvalidOrderError):
    """Not enough margin for the order."""


class InsufficientHoldingsError(InvalidOrderError):
    """A delivery sell of shares the account does not hold."""


class OrderNotFoundError(RefusedError):
    """No such order in the account's book."""


class RateLimitedError(RefusedError):
    """Too many requests; ``retry_after`` (seconds) is set when the broker hints one."""

    retry_after: float | None = None


class UnreachableError(BrokerError):
    """The request never reached the broker (DNS, connect refused, TLS)."""


class BrokerUnavailableError(BrokerError):
    """The broker answered that it cannot serve now (5xx, maintenance)."""


class ProtocolError(BrokerError):
    """The broker's reply could not be understood (malformed, missing fields)."""

    nothing_happened = False


class OutcomeUnknownError(BrokerError):
    """The request may or may not have been acted on; reconcile, never resend."""

    nothing_happened = False

