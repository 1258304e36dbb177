"""The interface a broker plugin implements: async-first, one instance per account.

A plugin subclasses :class:`Broker`, declares a :class:`BrokerSettings` model for
``brokerplex activate``, and registers a :class:`~brokerplex.registry.BrokerSpec`. The guide is
``docs/plugins.md``; ``brokerplex plugin new NAME`` writes a working plugin to start from, and
``brokerplex.testing.BrokerConformance`` proves one.

The rules every method keeps (the conformance kit checks them):

* **Only brokerplex errors leave a method**, chosen by what the broker's reply proves
  (``brokerplex.wire`` has the helpers):

  ======================================================  ==========================================
  the broker's reply                                      raise
  ======================================================  ==========================================
  its own refusal envelope (bad input, margin, token…)    a ``RefusedError`` subclass: InvalidOrderError,
                                                          InsufficientFundsError, TokenExpiredError,
                                                          OrderNotFoundError, RateLimitedError…
  no connection; a timeout before the request left        UnreachableError (nothing happened)
  a write sent, then no reply, a late, cut, 5xx or        OutcomeUnknownError: the order may exist; the
  unreadable one                                          manager reconciles it by client id, never resends
  a read answered with something unreadable or a record   ProtocolError (a read's 5xx: BrokerUnavailableError)
  missing a required field
  ======================================================  ==========================================

* **A mapping never invents** a status, a timestamp, a price, a quantity, a side or an id: a
  required field missing, null or unknown (an unheard-of status) is a ProtocolError, never a default.
* **Orders are sent as asked**: side, quantity, prices (exact ``Decimal``, never through float),
  order type, product, validity and variety; the request's ``client_order_id`` travels with the
  order (Kite's ``tag``, XTS's ``orderUniqueIdentifier``) so that it can be found again.
* **Never retry a write.** A write is sent once; the manager journals it before and reconciles after.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from brokerplex.errors import ClientCodeError, InputError
from brokerplex.models import (
    Funds,
    Holding,
    Instrument,
    Order,
    OrderAck,
    OrderModify,
    OrderRequest,
    Position,
    Profile,
    Quote,
    SessionState,
    Trade,
)
from brokerplex.ops.contract import BrokerOperations
from brokerplex.storage import SessionStorage
from brokerplex.streaming import Stream


class BrokerSettings(BaseModel):
    """Base of a plugin's settings model. Declare secrets as ``pydantic.SecretStr``."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class LoginIO(Protocol):
    """How an interactive login talks to the person at the keyboard."""

    def show(self, text: str) -> None: ...

    def prompt(self, text: str, *, hidden: bool = False) -> str: ...


@dataclass(frozen=True, slots=True)
class AccountContext:
    """What the manager gives a broker instance: its names and its private storage."""

    account: str
    broker: str
    home: Path
    #: This account's session (tokens): kept by the manager's store, encrypted at rest.
    session: SessionStorage

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache" / self.broker


class Broker(BrokerOperations, abc.ABC):
    """One account at one broker; the trader operations its wire offers override
    :class:`~brokerplex.ops.contract.BrokerOperations`.

    A dealer login (``capabilities.dealer``) trades for many client codes: :meth:`for_client`
    gives the same login acting for one of them, and :attr:`client_code` says whom an
    instance acts for.
    """

    settings_model: ClassVar[type[BrokerSettings]] = BrokerSettings
    #: Dealer logins: the client this instance acts for (None: no default, or not a dealer).
    client_code: str | None = None

    def __init__(self, context: AccountContext, settings: BrokerSettings) -> None:
        self.context = context
        self.settings = settings

    def __repr__(self) -> str:
        return f"<{type(self).__name__} account={self.context.account!r}>"

    # -- session ---------------------------------------------------------------
    @abc.abstractmethod
    async def connect(self) -> None:
        """Restore or open a session without a person (from ``context.session``, or by logging in with
        the settings' keys); raise AuthenticationError if a person is needed."""

    def login_page(self) -> str | None:
        """Where a person logs in with a browser, for a broker whose login is a redirect (Kite); None for
        the others. The broker redirects back with what :meth:`login`'s ``params`` then take."""
        return None

    def session_state(self) -> SessionState:
        """The stored session's state, read from ``context.session`` without a request (a console shows it and
        asks for a login before one is needed). This default is for brokers that need no login (paper)."""
        return SessionState(state="live")

    async def login(self, params: Mapping[str, str], io: LoginIO) -> Profile:
        """Log in, interactively if the broker needs it, and store the session in ``context.session``.

        Runs on a fresh instance, without ``connect()`` first. ``params`` come from
        ``brokerplex login ACCOUNT -o key=value`` (Kite: ``request_token``); ``io`` talks to the person."""
        await self.connect()
        return await self.profile()

    async def close(self) -> None:
        """Release connections; the stored session stays valid."""

    # -- reads -----------------------------------------------------------------
    @abc.abstractmethod
    async def profile(self) -> Profile:
        """Who is logged in; ``broker`` is the name the plugin registered."""

    @abc.abstractmethod
    async def instruments(self) -> Sequence[Instrument]:
        """Everything listed today, with canonical symbols (``brokerplex.symbols``) and trading rules."""

    async def instrument(self, symbol: str) -> Instrument | None:
        """The listed instrument for a canonical symbol; brokers override with an index."""
        return next((i for i in await self.instruments() if i.symbol == symbol), None)

    @abc.abstractmethod
    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        """Quotes by canonical symbol; depth bids best (highest) first, asks best (lowest) first. One
        unreadable quote is left out with a warning; the rest are returned."""

    @abc.abstractmethod
    async def orders(self) -> list[Order]:
        """Today's order book, each order with its ``client_order_id`` when the broker echoes it."""

    @abc.abstractmethod
    async def order_history(self, order_id: str) -> list[Order]:
        """Every state the order went through, oldest first; an unknown id raises OrderNotFoundError."""

    @abc.abstractmethod
    async def trades(self) -> list[Trade]:
        """Today's fills."""

    @abc.abstractmethod
    async def positions(self) -> list[Position]:
        """Net positions per symbol and product: ``quantity`` is negative when short."""

    @abc.abstractmethod
    async def holdings(self) -> list[Holding]:
        """Settled holdings (one unreadable holding is left out with a warning)."""

    @abc.abstractmethod
    async def funds(self) -> Funds:
        """Cash and margins of the equity segment."""

    # -- writes: never retried by the library ----------------------------------
    @abc.abstractmethod
    async def place_order(self, request: OrderRequest) -> OrderAck:
        """Send one order, once; it is validated and carries a ``client_order_id``.

        A refusal raises a RefusedError subclass; a timeout or lost reply after the request left
        raises OutcomeUnknownError (never UnreachableError, never a refusal)."""

    @abc.abstractmethod
    async def modify_order(self, order: Order, changes: OrderModify) -> OrderAck:
        """Change exactly the fields ``changes`` sets on ``order`` (as the manager just read it: do not
        read it again); every other field keeps the order's value."""

    @abc.abstractmethod
    async def cancel_order(self, order: Order) -> OrderAck:
        """Cancel ``order`` (as the manager just read it)."""

    # -- streaming (capabilities.streaming lists the tick modes) -----------------
    async def stream(self) -> Stream:
        """Open a live stream of ticks and order updates for this account (``brokerplex.streaming``:
        bounded, feed states in band, resubscribing after a reconnect, never reusing a dead token)."""
        raise InputError(f"{self.context.broker} does not stream market data")

    # -- dealer logins (capabilities.dealer) -------------------------------------
    async def client_codes(self) -> list[str]:
        """The client codes this login may act for."""
        raise ClientCodeError(f"{self.context.broker} logins act for their own account only; "
                              "client codes apply to dealer logins")

    async def for_client(self, code: str) -> Broker:
        """This login acting for client ``code``; a code it does not hold is refused here,
        before any request (ClientCodeError)."""
        raise ClientCodeError(f"{self.context.broker} logins act for their own account only; "
                              f"client {code!r} applies to dealer logins")

    async def find_order(self, client_order_id: str) -> Order | None:
        """Look an order up by our client order id, to reconcile an unknown outcome."""
        return next((o for o in await self.orders() if o.client_order_id == client_order_id), None)


def settings_fields(model: type[BrokerSettings]) -> dict[str, dict[str, Any]]:
    """Describe a settings model for help texts: name → required, secret, default, help."""
    from pydantic import SecretStr

    described: dict[str, dict[str, Any]] = {}
    for name, field in model.model_fields.items():
        described[name] = {
            "required": field.is_required(),
            "secret": field.annotation is SecretStr or field.annotation == (SecretStr | None),
            "default": None if field.is_required() else field.default,
            "help": field.description or "",
        }
    return described
