"""Operations on orders: filtered books, cancel-all, baskets, sliced orders, margins, conversions, GTT."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Literal

from brokerplex.broker import Broker
from brokerplex.errors import InputError, InsufficientFundsError, NotSupportedError
from brokerplex.journal import JournalEntry
from brokerplex.models import Order, OrderAck, OrderRequest, OrderStatus, Position, Product
from brokerplex.ops import modes
from brokerplex.ops.fanout import FanOutOperations
from brokerplex.ops.legs import planned, sent, skipped_after, slice_quantities
from brokerplex.ops.models import (
    BasketMargin,
    BasketResult,
    Gtt,
    GttRequest,
    LegOutcome,
    LegResult,
    Margin,
    outcome_of_error,
)
from brokerplex.outcomes import only_ours
from brokerplex.rules import prices_problem, quantity_problem
from brokerplex.symbols import canonical, parse_symbol

StatusFilter = Literal["open", "complete", "rejected", "cancelled"]
OPEN = (OrderStatus.PENDING, OrderStatus.OPEN, OrderStatus.TRIGGER_PENDING)
_STATUSES: dict[str, tuple[OrderStatus, ...]] = {
    "open": OPEN, "complete": (OrderStatus.COMPLETE,), "rejected": (OrderStatus.REJECTED,),
    "cancelled": (OrderStatus.CANCELLED,),
}


class OrderOperations(FanOutOperations):
    # -- the book, filtered --------------------------------------------------------
    @only_ours
    async def orders(self, account: str, *, client: str | None = None, status: StatusFilter | None = None,
                     symbol: str | None = None) -> list[Order]:
        """The order book, oldest first; ``status`` and ``symbol`` narrow it."""
        wanted = _STATUSES.get(status, ()) if status is not None else None
        if status is not None and not wanted:
            raise InputError(f"unknown status {status!r}: use one of {', '.join(_STATUSES)}")
        name = canonical(symbol) if symbol is not None else None
        return [order for order in await super().orders(account, client=client)
                if (wanted is None or order.status in wanted) and (name is None or order.symbol == name)]

    def unresolved_orders(self, account: str) -> list[JournalEntry]:
        """Orders whose fate is unknown (sent, no clear answer): ``reconcile`` resolves them."""
        return self.journal.unresolved(account)

    # -- cancel all ----------------------------------------------------------------
    @only_ours
    async def cancel_all(self, account: str, *, symbol: str | None = None,
                         client: str | None = None) -> list[LegResult]:
        """Cancel every open order (of ``symbol``); one result per order. Natively per instrument where the
        broker has a cancel-all route, else one cancel per order."""
        broker = await self._target(account, client)
        open_orders = await self.orders(account, client=client, status="open", symbol=symbol)
        if self.operation_mode(account, "cancel_all") == "native":
            return await self._cancel_natively(account, broker, open_orders)
        return list(await asyncio.gather(*(self._cancel_one(account, broker, order) for order in open_orders)))

    async def _cancel_one(self, account: str, broker: Broker, order: Order) -> LegResult:
        ack = self._pipeline.cancel(account, broker, order)
        result = await sent(_as_request(order), ack, client=broker.client_code)
        return result.model_copy(update={"order_id": order.order_id, "request": None})

    async def _cancel_natively(self, account: str, broker: Broker, orders: list[Order]) -> list[LegResult]:
        failures: dict[str, Exception] = {}
        for symbol in dict.fromkeys(order.symbol for order in orders):
            try:
                await broker.cancel_all(symbol)
            except Exception as exc:  # that instrument's orders say so below; the others go on
                failures[symbol] = exc
        after = {order.order_id: order for order in await broker.orders()} if orders else {}
        return [_cancelled(order, after.get(order.order_id), failures.get(order.symbol), broker.client_code)
                for order in orders]

    # -- baskets and slices --------------------------------------------------------
    @only_ours
    async def place_basket(self, account: str, requests: Sequence[OrderRequest], *, client: str | None = None,
                           dry_run: bool = False) -> BasketResult:
        """Place a list of orders: every one validated, and the basket's margin checked against the funds
        (where the broker offers basket margins), before the first is sent; then one result per leg."""
        if not requests:
            raise InputError("the basket is empty")
        broker = await self._target(account, client)
        prepared = [await self._leg(number, self._pipeline.prepare(account, broker, request))
                    for number, request in enumerate(requests, start=1)]
        if len({request.client_order_id for request in prepared}) != len(prepared):
            raise InputError("two legs of the basket share a client order id: each leg needs its own")
        margin = await self._basket_margin_or_none(account, broker, prepared)
        if margin is not None and not dry_run:
            available = (await broker.funds()).available_margin
            if margin.final > available:
                raise InsufficientFundsError(f"the basket needs margin {margin.final}, and {available} is available; "
                                             "nothing was sent", broker=broker.context.broker)
        if dry_run:
            return BasketResult(margin=margin, legs=[planned(r, client=broker.client_code) for r in prepared])
        legs = [await sent(r, self._pipeline.send(account, broker, r), client=broker.client_code) for r in prepared]
        return BasketResult(margin=margin, legs=legs)

    @staticmethod
    async def _leg(number: int, preparing: Awaitable[OrderRequest]) -> OrderRequest:
        """A basket's leg prepared; bad input names the leg (from 1)."""
        try:
            return await preparing
        except InputError as exc:
            exc.message = f"leg {number}: {exc.message}"
            raise

    async def _basket_margin_or_none(self, account: str, broker: Broker,
                                     requests: list[OrderRequest]) -> BasketMargin | None:
        if self.operation_mode(account, "basket_margins") != "native":
            return None
        return await broker.basket_margins(requests)

    @only_ours
    async def place_sliced(self, account: str, request: OrderRequest, *, client: str | None = None,
                           dry_run: bool = False, reducing: bool = False) -> list[LegResult]:
        """Place an order above the freeze quantity as freeze-sized children, one after the other, each with
        its own client order id; a child that fails stops the rest (reported as skipped). A broker that
        slices natively (Kite's autoslice: its master has no freeze quantities) gets the order once, and its
        children share the order's client order id."""
        broker = await self._target(account, client)
        if self.operation_mode(account, "slice") == "native" and not parse_symbol(request.symbol).exchange.is_cash:
            return await self._autosliced(account, broker, request, dry_run, reducing)
        instrument = await self.instrument(account, request.symbol)
        sizes = slice_quantities(request.quantity, instrument.freeze_quantity, instrument.lot_size)
        if len(sizes) > 1 and request.client_order_id is not None:
            raise InputError("a sliced order gives each child its own client order id; do not set one")
        children = [await self._pipeline.prepare(account, broker, request.model_copy(update={"quantity": size}),
                                                 reducing=reducing) for size in sizes]
        if dry_run:
            return [planned(child, client=broker.client_code) for child in children]
        results: list[LegResult] = []
        for index, child in enumerate(children):
            results.append(await sent(child, self._pipeline.send(account, broker, child), client=broker.client_code))
            if not results[-1].ok:
                return results + skipped_after(results[-1], children[index + 1:], broker.client_code)
        return results

    async def _autosliced(self, account: str, broker: Broker, request: OrderRequest, dry_run: bool,
                          reducing: bool) -> list[LegResult]:
        prepared = await self._pipeline.prepare(account, broker, request, reducing=reducing)
        if dry_run:
            return [planned(prepared, message="the broker slices it at the freeze quantity",
                            client=broker.client_code)]
        acks: list[OrderAck] = []

        async def placing() -> OrderAck:
            acks.append(await self._pipeline.send(account, broker, prepared, autoslice=True))
            return acks[-1]

        parent = await sent(prepared, placing(), client=broker.client_code)
        children = acks[0].children if acks else []
        if len(children) < 2:  # the order fit in one slice: the child is the order (the parent id is no order)
            return [_slice_result(parent, child, parent.quantity) for child in children] or [parent]
        sizes = {order.order_id: order.quantity for order in await broker.orders()}  # the reply names ids only
        return [_slice_result(parent, child, sizes.get(child.order_id)) for child in children]

    @only_ours
    async def place_dry_run(self, account: str, request: OrderRequest, *, client: str | None = None) -> LegResult:
        """Validate ``request`` as placing would, and say what would be sent; nothing is sent."""
        broker = await self._target(account, client)
        return planned(await self._pipeline.prepare(account, broker, request), client=broker.client_code)

    # -- margins ---------------------------------------------------------------------
    @only_ours
    async def margins(self, account: str, requests: Sequence[OrderRequest], *,
                      client: str | None = None) -> list[Margin]:
        """The margin each order would block (validated first; nothing is placed)."""
        broker = await self._native(account, "margins", client)
        return await broker.order_margins([await self._validated(account, broker, r) for r in requests])

    @only_ours
    async def basket_margin(self, account: str, requests: Sequence[OrderRequest], *,
                            client: str | None = None) -> BasketMargin:
        broker = await self._native(account, "basket_margins", client)
        return await broker.basket_margins([await self._validated(account, broker, r) for r in requests])

    async def _validated(self, account: str, broker: Broker, request: OrderRequest) -> OrderRequest:
        return (await self._pipeline.validate(account, broker, request))[0]

    # -- conversions -----------------------------------------------------------------
    @only_ours
    async def convert_position(self, account: str, symbol: str, quantity: int, *, from_product: Product,
                               to_product: Product, client: str | None = None) -> list[Position]:
        """Move ``quantity`` of the ``from_product`` position in ``symbol`` to ``to_product``; the symbol's
        positions as they stand afterwards."""
        symbol = canonical(symbol)
        if from_product is to_product:
            raise InputError(f"the position is {from_product} already")
        if quantity <= 0:
            raise InputError("give a quantity above zero to convert")
        broker = await self._native(account, "convert", client)
        held = next((p for p in await broker.positions() if p.symbol == symbol and p.product is from_product
                     and p.quantity), None)
        if held is None:
            raise InputError(f"there is no open {from_product} position in {symbol}")
        if quantity > abs(held.quantity):
            raise InputError(f"the {from_product} position in {symbol} is {abs(held.quantity)}: "
                             f"{quantity} cannot be converted")
        if problem := quantity_problem(quantity, await self.instrument(account, symbol)):
            raise InputError(problem.replace("; slice the order", ""))
        await broker.convert_position(held, quantity, to_product)
        return [p for p in await broker.positions() if p.symbol == symbol]

    # -- GTT -------------------------------------------------------------------------
    @only_ours
    async def gtts(self, account: str) -> list[Gtt]:
        return await (await self._native(account, "gtt", None)).gtts()

    @only_ours
    async def place_gtt(self, account: str, request: GttRequest) -> str:
        """Create a good-till-triggered order; its id. Its prices and quantities are checked first."""
        broker = await self._native(account, "gtt", None)
        return await broker.place_gtt(await self._gtt_checked(account, request))

    @only_ours
    async def modify_gtt(self, account: str, gtt_id: str, request: GttRequest) -> None:
        broker = await self._native(account, "gtt", None)
        await broker.modify_gtt(gtt_id, await self._gtt_checked(account, request))

    @only_ours
    async def delete_gtt(self, account: str, gtt_id: str) -> None:
        await (await self._native(account, "gtt", None)).delete_gtt(gtt_id)

    async def _gtt_checked(self, account: str, request: GttRequest) -> GttRequest:
        request = request.model_copy(update={"symbol": canonical(request.symbol)})
        instrument = await self.instrument(account, request.symbol)
        for price in (request.last_price, *request.trigger_prices):
            if problem := prices_problem(None, price, instrument):
                raise InputError(problem)
        for leg in request.orders:
            if problem := quantity_problem(leg.quantity, instrument) or prices_problem(leg.price, None, instrument):
                raise InputError(problem)
        return request

    # -- what the broker offers -------------------------------------------------------
    def operation_mode(self, account: str, operation: str) -> str:
        """How ``account``'s broker does ``operation``: native, emulated or unsupported."""
        return modes(self._capabilities[account]).get(operation, "unsupported")

    async def _native(self, account: str, operation: str, client: str | None) -> Broker:
        """The session, if its broker offers ``operation`` natively; NotSupportedError (nothing sent) if not."""
        broker = await self._target(account, client)
        if operation not in self._capabilities[account].operations:
            raise NotSupportedError(f"{broker.context.broker} does not offer {operation.replace('_', ' ')} "
                                    f"(account {account})")
        return broker


def _as_request(order: Order) -> OrderRequest:
    """A stand-in request naming an order's symbol, side and open quantity (for its leg result)."""
    return OrderRequest.model_construct(symbol=order.symbol, side=order.side, quantity=order.pending_quantity
                                        or order.quantity, client_order_id=order.client_order_id)


def _slice_result(parent: LegResult, child: OrderAck, quantity: int | None) -> LegResult:
    """One slice of a natively sliced order: placed, or refused with the broker's reason."""
    refused = child.status is OrderStatus.REJECTED
    return parent.model_copy(update={"order_id": None if refused else child.order_id, "quantity": quantity,
                                     "outcome": LegOutcome.REFUSED if refused else LegOutcome.DONE,
                                     "message": child.status_message})


def _cancelled(order: Order, after: Order | None, error: Exception | None, client: str | None) -> LegResult:
    """One order's fate after a native cancel-all."""
    outcome, message = LegOutcome.DONE, None
    if error is not None:
        outcome, message = outcome_of_error(error), str(error)
    elif after is None or after.status in OPEN:
        outcome, message = LegOutcome.UNKNOWN, "cancel requested; the book still shows it open"
    elif after.status is not OrderStatus.CANCELLED:
        outcome, message = LegOutcome.REFUSED, f"it was {after.status.value} before it could be cancelled"
    return LegResult(symbol=order.symbol, outcome=outcome, side=order.side, quantity=order.pending_quantity
                     or order.quantity, order_id=order.order_id, client_order_id=order.client_order_id,
                     message=message, client_code=client)
