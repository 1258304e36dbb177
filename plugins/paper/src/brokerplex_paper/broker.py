"""The paper broker: the :class:`~brokerplex.broker.Broker` interface over a PaperExchange."""

from __future__ import annotations

import shlex
import sqlite3
import threading
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from pydantic import Field

from brokerplex.broker import AccountContext, Broker, BrokerSettings
from brokerplex.errors import InsufficientFundsError, InsufficientHoldingsError, InvalidOrderError
from brokerplex.models import (
    Exchange,
    Funds,
    Holding,
    Instrument,
    Order,
    OrderAck,
    OrderModify,
    OrderRequest,
    Position,
    Product,
    Profile,
    Quote,
    Trade,
)
from brokerplex.storage import DamagedFileError
from brokerplex_paper.checks import RejectReason
from brokerplex_paper.exchange import DEFAULT_CASH, PaperExchange

_REFUSALS: dict[RejectReason, type[InvalidOrderError]] = {
    RejectReason.FUNDS: InsufficientFundsError,
    RejectReason.HOLDINGS: InsufficientHoldingsError,
}


class PaperSettings(BrokerSettings):
    opening_cash: Decimal = Field(default=DEFAULT_CASH, gt=0, description="cash a new paper account starts with")
    seed: int = Field(default=7, description="seed of the market's random walk")
    market_hours: bool = Field(default=False, description="reject orders outside real exchange hours")
    exchange_file: str | None = Field(default=None, description="SQLite file of the exchange (default: under home)")


_exchanges: dict[tuple[str, int, bool], PaperExchange] = {}
_exchanges_lock = threading.Lock()


def shared_exchange(path: Path, seed: int, market_hours: bool) -> PaperExchange:
    """One exchange object per file in a process: accounts on it share one market."""
    key = (str(path.resolve()), seed, market_hours)
    with _exchanges_lock:
        if key not in _exchanges:
            try:
                _exchanges[key] = PaperExchange(path, seed=seed, market_hours=market_hours)
            except sqlite3.DatabaseError as exc:  # never rebuilt silently: it holds the paper accounts
                move = f"mv {shlex.quote(str(path))} {shlex.quote(f'{path}.damaged')}"
                raise DamagedFileError(f"the paper exchange {path} cannot be read ({exc}); move it aside ({move}) to "
                                       "start the paper accounts afresh", path=path) from None
        return _exchanges[key]


class PaperBroker(Broker):
    settings_model = PaperSettings
    settings: PaperSettings

    def __init__(self, context: AccountContext, settings: BrokerSettings) -> None:
        super().__init__(context, settings)
        assert isinstance(settings, PaperSettings)
        path = Path(settings.exchange_file) if settings.exchange_file else context.home / "paper" / "exchange.sqlite"
        self.exchange = shared_exchange(path, settings.seed, settings.market_hours)

    async def connect(self) -> None:
        self.exchange.ensure_account(self.context.account, self.settings.opening_cash)

    async def profile(self) -> Profile:
        return Profile(
            user_id=self.context.account, name="Paper trader", broker=self.context.broker,
            exchanges=[Exchange(e) for e in ("NSE", "BSE", "NFO", "CDS", "MCX")], products=list(Product),
        )

    async def instruments(self) -> Sequence[Instrument]:
        return self.exchange.instruments()

    async def instrument(self, symbol: str) -> Instrument | None:
        listing = self.exchange.listing(symbol)
        return listing.instrument if listing else None

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        return self.exchange.quotes(symbols)

    async def orders(self) -> list[Order]:
        return self.exchange.orders(self.context.account)

    async def order_history(self, order_id: str) -> list[Order]:
        return self.exchange.order_history(self.context.account, order_id)

    async def trades(self) -> list[Trade]:
        return self.exchange.trades(self.context.account)

    async def positions(self) -> list[Position]:
        return self.exchange.positions(self.context.account)

    async def holdings(self) -> list[Holding]:
        return self.exchange.holdings(self.context.account)

    async def funds(self) -> Funds:
        return self.exchange.funds(self.context.account)

    async def place_order(self, request: OrderRequest) -> OrderAck:
        placement = self.exchange.place(self.context.account, request)
        order = placement.order
        if placement.reject is not None:
            error = _REFUSALS.get(placement.reject, InvalidOrderError)
            raise error(order.status_message or "rejected", broker="paper", code=placement.reject.value,
                        order_id=order.order_id, client_order_id=request.client_order_id)
        assert request.client_order_id is not None
        return OrderAck(order_id=order.order_id, client_order_id=request.client_order_id, status=order.status,
                        status_message=order.status_message)

    async def modify_order(self, order: Order, changes: OrderModify) -> OrderAck:
        return self._ack(self.exchange.modify(self.context.account, order.order_id, changes))

    async def cancel_order(self, order: Order) -> OrderAck:
        return self._ack(self.exchange.cancel(self.context.account, order.order_id))

    @staticmethod
    def _ack(order: Order) -> OrderAck:
        return OrderAck(order_id=order.order_id, client_order_id=order.client_order_id, status=order.status,
                        status_message=order.status_message)
