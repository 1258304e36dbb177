"""Operations on positions: exits, target positions ("smart orders"), and the P&L views."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

import pluggy

from brokerplex.broker import Broker
from brokerplex.errors import InputError
from brokerplex.models import Holding, Instrument, OrderRequest, OrderType, Position, Product, Quote, Side
from brokerplex.ops.legs import planned, sent
from brokerplex.ops.models import HoldingView, LegOutcome, LegResult, PnlLine, PnlSummary
from brokerplex.ops.orders import OPEN, OrderOperations
from brokerplex.outcomes import only_ours
from brokerplex.rules import tick_floor
from brokerplex.symbols import canonical


class PositionOperations(OrderOperations):
    def __init__(self, home: Path | None = None, *, plugin_manager: pluggy.PluginManager | None = None,
                 database: str | None = None) -> None:
        super().__init__(home, plugin_manager=plugin_manager, database=database)
        self._target_locks: dict[tuple[str, str | None, str], asyncio.Lock] = {}

    # -- exits -----------------------------------------------------------------------
    @only_ours
    async def exit_positions(self, account: str, symbols: Sequence[str] | None = None, *,
                             product: Product | None = None, client: str | None = None,
                             limit_offset: Decimal | None = None, keep_orders: bool = False,
                             dry_run: bool = False) -> list[LegResult]:
        """Flatten the net positions in ``symbols`` (None: every open one), each after cancelling that symbol's
        open orders (unless ``keep_orders``): at market, or as a LIMIT ``limit_offset`` past the last price.
        Through the broker's square-off route where it has one (market exits), else by orders journalled
        like any other. One result per position (per child when an exit is sliced); a halted account still
        exits."""
        wanted = {canonical(s) for s in symbols} if symbols is not None else None
        if limit_offset is not None and limit_offset <= 0:
            raise InputError("the limit offset must be above zero")
        broker = await self._target(account, client)
        open_positions = [p for p in await broker.positions() if p.quantity and (wanted is None or p.symbol in wanted)
                          and (product is None or p.product is product)]
        results = [LegResult(symbol=symbol, outcome=LegOutcome.DONE, message="no open position: nothing to do",
                             client_code=broker.client_code)
                   for symbol in sorted((wanted or set()) - {p.symbol for p in open_positions})]
        for position in open_positions:
            results += await self._exit_one(account, broker, position, limit_offset, keep_orders, dry_run)
        return results

    async def _exit_one(self, account: str, broker: Broker, position: Position, limit_offset: Decimal | None,
                        keep_orders: bool, dry_run: bool) -> list[LegResult]:
        request = await self._exit_request(account, position, limit_offset)
        if dry_run:
            return await self.place_sliced(account, request, client=broker.client_code, dry_run=True, reducing=True)
        cancelled: list[str] = []
        if not keep_orders:
            pending = [o for o in await broker.orders() if o.symbol == position.symbol and o.status in OPEN]
            results = await asyncio.gather(*(self._cancel_one(account, broker, o) for o in pending))
            cancelled = [result.order_id or "" for result in results if result.ok]
            if failed := next((result for result in results if not result.ok), None):
                why = (f"exit not sent: cancelling open order {failed.order_id} was {failed.outcome.value} "
                       f"({failed.message})")
                return [planned(request, outcome=LegOutcome.SKIPPED, message=why, client=broker.client_code)
                        .model_copy(update={"cancelled": cancelled})]
        if limit_offset is None and self.operation_mode(account, "exit") == "native":
            legs = [await sent(request, broker.square_off(position), client=broker.client_code)]
        else:
            legs = await self.place_sliced(account, request, client=broker.client_code, reducing=True)
        return [leg.model_copy(update={"cancelled": cancelled}) for leg in legs]

    async def _exit_request(self, account: str, position: Position, limit_offset: Decimal | None) -> OrderRequest:
        side = Side.SELL if position.quantity > 0 else Side.BUY
        fields: dict[str, object] = {"symbol": position.symbol, "side": side, "quantity": abs(position.quantity),
                                     "product": position.product}
        if limit_offset is not None:
            last = (await self.quotes(account, [position.symbol]))[position.symbol].last_price
            fields |= {"order_type": OrderType.LIMIT,
                       "price": _limit_price(side, last, limit_offset, await self.instrument(account, position.symbol))}
        return OrderRequest.model_validate(fields)

    # -- target position -------------------------------------------------------------
    @only_ours
    async def target_position(self, account: str, symbol: str, quantity: int, *, product: Product | None = None,
                              client: str | None = None, dry_run: bool = False) -> list[LegResult]:
        """Buy or sell what takes the net position in ``symbol`` to ``quantity`` (negative: short), counting
        open orders as if filled. Calls for one account, client and symbol run one at a time, each waiting
        for its order's verdict, so that two at once never overshoot."""
        symbol = canonical(symbol)
        broker = await self._target(account, client)
        key = (account, broker.client_code, symbol)
        lock = self._target_locks.setdefault(key, asyncio.Lock())
        async with lock:
            resolved = product or OrderRequest(symbol=symbol, side=Side.BUY, quantity=1).resolved_product
            held = sum(p.quantity for p in await broker.positions() if p.symbol == symbol and p.product is resolved)
            coming = sum(o.pending_quantity * (1 if o.side is Side.BUY else -1) for o in await broker.orders()
                         if o.symbol == symbol and o.product is resolved and o.status in OPEN)
            delta = quantity - held - coming
            if not delta:
                return [LegResult(symbol=symbol, outcome=LegOutcome.DONE, quantity=0, client_code=broker.client_code,
                                  message=f"already at {quantity} (held {held}, open orders {coming})")]
            request = OrderRequest(symbol=symbol, side=Side.BUY if delta > 0 else Side.SELL, quantity=abs(delta),
                                   product=resolved)
            legs = await self.place_sliced(account, request, client=broker.client_code, dry_run=dry_run)
            for leg in legs:  # judged before the next call reads the book
                if leg.order_id is not None and leg.outcome is LegOutcome.DONE:
                    await self.verdict(account, leg.order_id, client=broker.client_code)
            return legs

    # -- P&L ---------------------------------------------------------------------------
    @only_ours
    async def pnl(self, account: str, *, client: str | None = None) -> PnlSummary:
        """Realised, unrealised and day P&L per position and in total. Day P&L values carried (overnight)
        quantity from the previous close: pnl − overnight × (close − average) × multiplier."""
        broker = await self._target(account, client)
        positions = await broker.positions()
        carried = [p.symbol for p in positions if p.overnight_quantity]
        closes = await self._quotes_or_empty(account, carried)
        lines = [_pnl_line(p, closes.get(p.symbol)) for p in positions]
        return PnlSummary(account=account, client_code=broker.client_code, lines=lines,
                          realised=sum((line.realised for line in lines), Decimal(0)),
                          unrealised=sum((line.unrealised for line in lines), Decimal(0)),
                          day=sum((line.day for line in lines), Decimal(0)))

    @only_ours
    async def holdings_view(self, account: str, *, client: str | None = None) -> list[HoldingView]:
        """Holdings with their P&L and the day's change (from one quote call for the previous closes)."""
        holdings = await (await self._target(account, client)).holdings()
        closes = await self._quotes_or_empty(account, [h.symbol for h in holdings])
        return [_holding_view(h, closes.get(h.symbol)) for h in holdings]

    async def _quotes_or_empty(self, account: str, symbols: list[str]) -> dict[str, Quote]:
        return await self.quotes(account, sorted(set(symbols))) if symbols else {}


def _limit_price(side: Side, last: Decimal, offset: Decimal, instrument: Instrument) -> Decimal:
    """A marketable limit ``offset`` through the last price, on the tick grid (rounded away from the market's
    side so that it still crosses), never below one tick."""
    if side is Side.BUY:
        ticks = ((last + offset) / instrument.tick_size).to_integral_value(ROUND_CEILING)
        return ticks * instrument.tick_size
    return max(tick_floor(last - offset, instrument), instrument.tick_size)


def _pnl_line(position: Position, quote: Quote | None) -> PnlLine:
    day = position.pnl
    if position.overnight_quantity and quote is not None and quote.close:
        day -= position.overnight_quantity * (quote.close - position.average_price) * position.multiplier
    return PnlLine(symbol=position.symbol, product=position.product, quantity=position.quantity,
                   average_price=position.average_price, last_price=position.last_price,
                   realised=position.realised_pnl, unrealised=position.unrealised_pnl, day=day,
                   client_code=position.client_code)


def _holding_view(holding: Holding, quote: Quote | None) -> HoldingView:
    close = quote.close if quote is not None and quote.close else None
    last = quote.last_price if quote is not None else holding.last_price
    quantity = holding.quantity + holding.t1_quantity
    change = (last - close) * quantity if close is not None else None
    return HoldingView(symbol=holding.symbol, quantity=holding.quantity, t1_quantity=holding.t1_quantity,
                       average_price=holding.average_price, last_price=last, close_price=close,
                       pnl=(last - holding.average_price) * quantity, day_change=change,
                       day_change_percent=(last - close) * 100 / close if close else None, isin=holding.isin,
                       client_code=holding.client_code)
