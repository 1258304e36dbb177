"""The trader operations on the sync facade: each runs the async one on the facade's loop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from brokerplex.journal import JournalEntry
from brokerplex.models import Depth, Instrument, InstrumentType, Order, OrderRequest, Position, Product
from brokerplex.ops.limits import AccountLimits, Halt
from brokerplex.ops.models import (
    BasketMargin,
    BasketResult,
    Candle,
    Gtt,
    GttRequest,
    HoldingView,
    Interval,
    LegResult,
    Margin,
    OptionChain,
    PnlSummary,
)
from brokerplex.ops.orders import StatusFilter

if TYPE_CHECKING:
    from brokerplex.aio import LoopThread
    from brokerplex.aiomanager import AsyncBrokerManager


class SyncOperations:
    aio: AsyncBrokerManager
    _loop: LoopThread

    # -- orders ----------------------------------------------------------------------------
    def orders(self, account: str, *, client: str | None = None, status: StatusFilter | None = None,
               symbol: str | None = None) -> list[Order]:
        return self._loop.run(self.aio.orders(account, client=client, status=status, symbol=symbol))

    def unresolved_orders(self, account: str) -> list[JournalEntry]:
        return self.aio.unresolved_orders(account)

    def cancel_all(self, account: str, *, symbol: str | None = None, client: str | None = None) -> list[LegResult]:
        return self._loop.run(self.aio.cancel_all(account, symbol=symbol, client=client))

    def place_basket(self, account: str, requests: Sequence[OrderRequest], *, client: str | None = None,
                     dry_run: bool = False) -> BasketResult:
        return self._loop.run(self.aio.place_basket(account, requests, client=client, dry_run=dry_run))

    def place_sliced(self, account: str, request: OrderRequest, *, client: str | None = None,
                     dry_run: bool = False) -> list[LegResult]:
        return self._loop.run(self.aio.place_sliced(account, request, client=client, dry_run=dry_run))

    def place_dry_run(self, account: str, request: OrderRequest, *, client: str | None = None) -> LegResult:
        return self._loop.run(self.aio.place_dry_run(account, request, client=client))

    def margins(self, account: str, requests: Sequence[OrderRequest], *, client: str | None = None) -> list[Margin]:
        return self._loop.run(self.aio.margins(account, requests, client=client))

    def basket_margin(self, account: str, requests: Sequence[OrderRequest], *,
                      client: str | None = None) -> BasketMargin:
        return self._loop.run(self.aio.basket_margin(account, requests, client=client))

    def convert_position(self, account: str, symbol: str, quantity: int, *, from_product: Product,
                         to_product: Product, client: str | None = None) -> list[Position]:
        return self._loop.run(self.aio.convert_position(account, symbol, quantity, from_product=from_product,
                                                        to_product=to_product, client=client))

    def gtts(self, account: str) -> list[Gtt]:
        return self._loop.run(self.aio.gtts(account))

    def place_gtt(self, account: str, request: GttRequest) -> str:
        return self._loop.run(self.aio.place_gtt(account, request))

    def modify_gtt(self, account: str, gtt_id: str, request: GttRequest) -> None:
        self._loop.run(self.aio.modify_gtt(account, gtt_id, request))

    def delete_gtt(self, account: str, gtt_id: str) -> None:
        self._loop.run(self.aio.delete_gtt(account, gtt_id))

    # -- positions -----------------------------------------------------------------------
    def exit_positions(self, account: str, symbols: Sequence[str] | None = None, *, product: Product | None = None,
                       client: str | None = None, limit_offset: Decimal | None = None, keep_orders: bool = False,
                       dry_run: bool = False) -> list[LegResult]:
        return self._loop.run(self.aio.exit_positions(account, symbols, product=product, client=client,
                                                      limit_offset=limit_offset, keep_orders=keep_orders,
                                                      dry_run=dry_run))

    def target_position(self, account: str, symbol: str, quantity: int, *, product: Product | None = None,
                        client: str | None = None, dry_run: bool = False) -> list[LegResult]:
        return self._loop.run(self.aio.target_position(account, symbol, quantity, product=product, client=client,
                                                       dry_run=dry_run))

    def pnl(self, account: str, *, client: str | None = None) -> PnlSummary:
        return self._loop.run(self.aio.pnl(account, client=client))

    def holdings_view(self, account: str, *, client: str | None = None) -> list[HoldingView]:
        return self._loop.run(self.aio.holdings_view(account, client=client))

    # -- market views ------------------------------------------------------------------------
    def candles(self, account: str, symbol: str, interval: Interval, start: dt.datetime,
                end: dt.datetime) -> list[Candle]:
        return self._loop.run(self.aio.candles(account, symbol, interval, start, end))

    def depth(self, account: str, symbol: str) -> Depth:
        return self._loop.run(self.aio.depth(account, symbol))

    def search(self, account: str, query: str, *, exchange: str | None = None,
               instrument_type: InstrumentType | None = None, limit: int = 20) -> list[Instrument]:
        return self._loop.run(self.aio.search(account, query, exchange=exchange, instrument_type=instrument_type,
                                              limit=limit))

    def expiries(self, account: str, underlying: str) -> list[dt.date]:
        return self._loop.run(self.aio.expiries(account, underlying))

    def chain(self, account: str, underlying: str, *, expiry: dt.date | None = None, strikes: int | None = 10,
              rate: float = 0.065) -> OptionChain:
        return self._loop.run(self.aio.chain(account, underlying, expiry=expiry, strikes=strikes, rate=rate))

    # -- limits --------------------------------------------------------------------------------
    def limits(self, account: str) -> AccountLimits | None:
        return self.aio.limits(account)

    def halted(self, account: str) -> Halt | None:
        return self.aio.halted(account)

    def halt(self, account: str, reason: str = "halted by hand") -> Halt:
        return self.aio.halt(account, reason)

    def resume(self, account: str) -> bool:
        return self.aio.resume(account)

    def operation_modes(self, account: str) -> dict[str, str]:
        """Every trader operation → native, emulated or unsupported at this account's broker."""
        from brokerplex.ops import modes

        return dict(modes(self.aio.brokers()[self.aio.account(account).broker].spec.capabilities))
