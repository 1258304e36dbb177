"""Cover and bracket orders (``/orders/cover``, ``/orders/bracket``): linked legs on the paper exchange.

The paper exchange knows regular orders only, so the legs are regular intraday (MIS) orders and the
links live here: the order book and the socket events show each leg with ProductType ``CO`` or ``BO``
and its entry's id in ``BoEntryOrderId``.

* Cover: an entry (MARKET or LIMIT) and, at once, its stop-loss exit leg (STOPMARKET on the other side).
  A stop on the wrong side of the entry is refused before anything is placed. Exiting the cover makes
  the stop leg a market order (or, while the entry has not filled, cancels both).
* Bracket: a LIMIT or MARKET entry (PY's example places a MARKET one); when it has filled, a target
  (LIMIT at fill ± ``squarOff``) and a stop (STOPMARKET at fill ∓ ``stopLossPrice``) are placed, one
  cancelling the other when it fills. The exchange has no fill callback, so the simulator does this when
  the client next reads its books (:meth:`LinkedOrders.settle`).
  ``trailingStoploss`` is accepted and not applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.responses import Response

from brokerplex.errors import BrokerplexError
from brokerplex.models import Order, OrderModify, OrderRequest, OrderStatus, OrderType, Product, Side, Variety
from brokerplex_xts_client.sim.accounts import User
from brokerplex_xts_client.sim.catalog import Entry
from brokerplex_xts_client.sim.fields import choice_field, decimal_field, integer_field, validation_messages
from brokerplex_xts_client.sim.http import Call, Refusal, bad_request, success

if TYPE_CHECKING:
    from brokerplex_xts_client.sim.interactive import Interactive

_SIDES = {"BUY": Side.BUY, "SELL": Side.SELL}
_ENTRY_TYPES = {"MARKET": OrderType.MARKET, "LIMIT": OrderType.LIMIT}
_OTHER = {Side.BUY: Side.SELL, Side.SELL: Side.BUY}


@dataclass(slots=True)
class Bracket:
    account: str
    entry: str  # AppOrderID of the entry, 15 digits as the exchange keeps it
    target_offset: Decimal
    stop_offset: Decimal
    target: str | None = None
    stop: str | None = None
    done: bool = False  # the bracket needs nothing more from the simulator


class LinkedOrders:
    """The cover and bracket routes, and which exchange orders are whose legs."""

    def __init__(self, interactive: Interactive) -> None:
        self.api = interactive
        self.state = interactive.state
        self.kinds: dict[str, str] = {}  # order id → "CO" or "BO"
        self.entries: dict[str, str] = {}  # leg order id → its entry's order id
        self.covers: dict[str, tuple[str, str]] = {}  # stop leg of a cover → (account, its entry)
        self.working_covers: set[str] = set()  # stop legs that may still need cancelling with their entry
        self.brackets: dict[str, Bracket] = {}  # entry order id → bracket
        self.state.decorate = self.decorate  # socket events show the legs as the books do

    def decorate(self, record: dict[str, Any]) -> dict[str, Any]:
        """An order or trade record (book or socket event) as XTS shows a leg: its ProductType, and its entry's
        id in ``BoEntryOrderId`` (the entry names itself; that cover legs carry it too is inferred, [I])."""
        order_id = str(record["AppOrderID"]).zfill(15)
        kind = self.kinds.get(order_id)
        if kind is not None:
            record["ProductType"] = kind
            entry = self.entries.get(order_id) or self.covers.get(order_id, ("", order_id))[1]
            record["BoEntryOrderId"] = str(int(entry))
        return record

    # -- placing -----------------------------------------------------------------------------------
    def _entry_request(self, call: Call, kinds: dict[str, OrderType], errors: list[str]) -> tuple[Entry, OrderRequest]:
        entry = self.api._instrument(call, errors)
        side = choice_field(call, "orderSide", _SIDES, errors)
        kind = choice_field(call, "orderType", kinds, errors)
        quantity = integer_field(call, "orderQuantity", errors, required=True)
        limit = decimal_field(call, "limitPrice", errors, required=kind is OrderType.LIMIT)
        disclosed = integer_field(call, "disclosedQuantity", errors) or 0
        unique = str(call.field("orderUniqueIdentifier") or "")
        if errors or entry is None:
            raise bad_request(*errors)
        try:
            request = OrderRequest(
                symbol=entry.symbol, side=side, quantity=quantity, order_type=kind, product=Product.MIS,
                price=limit if kind is OrderType.LIMIT else None, variety=Variety.CO,
                disclosed_quantity=disclosed,
                client_order_id=unique if unique.isalnum() and len(unique) <= 20 else None,
            )
        except ValidationError as error:
            raise bad_request(*validation_messages(error)) from None
        return entry, request

    def _place(self, account: str, request: OrderRequest, kind: str, unique: str = "") -> Order:
        order = self.state.exchange.place(account, request).order
        self.state.unique_ids[order.order_id] = unique
        self.kinds[order.order_id] = kind
        return order

    async def place_cover(self, call: Call) -> Response:
        user, code = self.api._client(call)
        errors: list[str] = []
        stop = decimal_field(call, "stopPrice", errors, required=True)
        entry, request = self._entry_request(call, _ENTRY_TYPES, errors)
        assert stop is not None
        reference = request.price or self.state.exchange.quotes([entry.symbol])[entry.symbol].last_price
        if (stop >= reference) if request.side is Side.BUY else (stop <= reference):
            side = "below" if request.side is Side.BUY else "above"
            raise bad_request(f"stopPrice of a {request.side.value} cover order must be {side} {reference}")
        account = user.account(code)
        placed = self._place(account, request, "CO", str(call.field("orderUniqueIdentifier") or ""))
        exit_request = OrderRequest(symbol=entry.symbol, side=_OTHER[request.side], quantity=request.quantity,
                                    order_type=OrderType.SL_M, trigger_price=stop, product=Product.MIS,
                                    variety=Variety.CO)
        exit_leg = self._place(account, exit_request, "CO")
        self.covers[exit_leg.order_id] = (account, placed.order_id)
        self.working_covers.add(exit_leg.order_id)
        self._settle_cover(account, exit_leg.order_id, placed.order_id)  # a rejected entry: nothing to protect
        self.state.on_interactive_change(user)
        return success("s-orders-0001", "Request sent",
                       {"EntryAppOrderID": int(placed.order_id), "ExitAppOrderID": int(exit_leg.order_id)})

    async def exit_cover(self, call: Call) -> Response:
        """The stop leg becomes a market exit; before the entry fills, both legs are cancelled."""
        user, code = self.api._client(call)
        order_id = self.api._order_id(call)
        account = user.account(code)
        stop = self.api._find(account, order_id)
        owner, entry_id = self.covers.get(order_id, ("", ""))
        if owner != account:
            raise Refusal("Order Not Found", code="e-orders-0005",
                          errors=[f"AppOrderID {int(order_id)} is not the exit leg of a cover order"])
        if stop.status.is_final:
            raise Refusal("Order is already complete", code="e-orders-0006",
                          errors=[f"the exit leg {int(order_id)} is {stop.status.value}"])
        entry = self.api._find(account, entry_id)
        try:
            if not entry.status.is_final:  # what has not traded is not entered any more
                self.state.exchange.cancel(account, entry_id)
            if not entry.filled_quantity:
                self.state.exchange.cancel(account, order_id)
            else:  # exit what the entry bought or sold, no more
                self.state.exchange.modify(account, order_id, OrderModify(
                    order_type=OrderType.MARKET, quantity=min(entry.filled_quantity, stop.quantity)))
        except BrokerplexError as error:
            raise Refusal(str(error), code="e-orders-0002", errors=[str(error)]) from None
        self.state.on_interactive_change(user)
        return success("s-orders-0002", "Request sent", {"AppOrderID": int(order_id)})

    async def place_bracket(self, call: Call) -> Response:
        user, code = self.api._client(call)
        errors: list[str] = []
        target = decimal_field(call, "squarOff", errors, required=True)
        stop = decimal_field(call, "stopLossPrice", errors, required=True)
        for name, value in (("squarOff", target), ("stopLossPrice", stop)):
            if value is not None and value <= 0:
                errors.append(f"{name} must be a positive distance from the entry price")
        _, request = self._entry_request(call, _ENTRY_TYPES, errors)
        assert target is not None
        assert stop is not None
        account = user.account(code)
        placed = self._place(account, request.model_copy(update={"variety": Variety.REGULAR}), "BO",
                             str(call.field("orderUniqueIdentifier") or ""))
        self.brackets[placed.order_id] = Bracket(account, placed.order_id, target, stop)
        self.state.on_interactive_change(user)
        return success("s-orders-0001", "Request sent", {"AppOrderID": int(placed.order_id)})

    async def modify_bracket(self, call: Call) -> Response:
        """Price, quantity and stop distance of a bracket whose entry has not filled yet."""
        user, code = self.api._client(call)
        bracket, entry = self._bracket(user, code, self.api._order_id(call))
        errors: list[str] = []
        price = decimal_field(call, "limitPrice", errors)
        quantity = integer_field(call, "orderQuantity", errors)
        stop = decimal_field(call, "stopLossPrice", errors)
        if stop is None:
            stop = decimal_field(call, "stopPrice", errors)  # PY's name for it
        if errors:
            raise bad_request(*errors)
        if entry.status.is_final or entry.filled_quantity:
            raise Refusal("Bracket entry already traded", code="e-orders-0002",
                          errors=[f"the entry {int(entry.order_id)} is {entry.status.value}: modify its legs"])
        try:
            if price or quantity:
                self.state.exchange.modify(bracket.account, entry.order_id,
                                           OrderModify(price=price or None, quantity=quantity or None))
        except (ValidationError, BrokerplexError) as error:
            raise Refusal(str(error), code="e-orders-0002", errors=[str(error)]) from None
        if stop:
            bracket.stop_offset = stop
        self.state.on_interactive_change(user)
        return success("s-orders-0002", "Request sent", {"AppOrderID": int(entry.order_id)})

    async def cancel_bracket(self, call: Call) -> Response:
        """Cancel a working entry; once it has traded, cancel the legs and exit at market."""
        user, code = self.api._client(call)
        errors: list[str] = []
        number = integer_field(call, "boEntryOrderId", errors, required=True)
        if errors or number is None:
            raise bad_request(*errors)
        bracket, entry = self._bracket(user, code, str(number).zfill(15))
        account = bracket.account
        legs = [self.api._find(account, leg) for leg in (bracket.target, bracket.stop) if leg is not None]
        working = [order for order in (entry, *legs) if not order.status.is_final]
        if not working:
            raise Refusal("Order is already complete", code="e-orders-0003",
                          errors=[f"bracket {number} has nothing working"])
        for order in working:
            self.state.exchange.cancel(account, order.order_id)
        exited = sum(leg.filled_quantity for leg in legs)
        if entry.filled_quantity > exited:
            request = OrderRequest(symbol=entry.symbol, side=_OTHER[entry.side],
                                   quantity=entry.filled_quantity - exited, product=Product.MIS)
            self.entries[self._place(account, request, "BO").order_id] = entry.order_id
        bracket.done = True
        self.state.on_interactive_change(user)
        return success("s-orders-0003", "Request sent", {"AppOrderID": int(entry.order_id)})

    def _bracket(self, user: User, code: str, order_id: str) -> tuple[Bracket, Order]:
        bracket = self.brackets.get(order_id)
        if bracket is None or bracket.account != user.account(code):
            raise Refusal("Order Not Found", code="e-orders-0005",
                          errors=[f"AppOrderID {int(order_id)} is not the entry of a bracket order"])
        self.settle(user, code)
        return bracket, self.api._find(bracket.account, order_id)

    # -- the legs' life ------------------------------------------------------------------------------
    def settle(self, user: User, code: str) -> None:
        """Place the legs of brackets whose entry has filled; cancel the other leg of one that filled;
        cancel the stop leg of a cover whose entry ended without trading."""
        account = user.account(code)
        for stop in list(self.working_covers):
            owner, entry = self.covers[stop]
            if owner == account:
                self._settle_cover(account, stop, entry)
        for bracket in self.brackets.values():
            if bracket.account == account and not bracket.done:
                self._settle(bracket)

    def _settle_cover(self, account: str, stop_id: str, entry_id: str) -> None:
        stop, entry = self.api._find(account, stop_id), self.api._find(account, entry_id)
        if not stop.status.is_final and entry.status.is_final and not entry.filled_quantity:
            stop = self.state.exchange.cancel(account, stop_id)
        if stop.status.is_final:
            self.working_covers.discard(stop_id)

    def _settle(self, bracket: Bracket) -> None:
        account = bracket.account
        entry = self.api._find(account, bracket.entry)
        if bracket.target is None or bracket.stop is None:
            if entry.status is not OrderStatus.COMPLETE:
                bracket.done = entry.status.is_final
                return
            assert entry.average_price is not None
            tick = self.api._entry(entry.symbol).listing.instrument.tick_size
            sign = 1 if entry.side is Side.BUY else -1
            side = _OTHER[entry.side]
            target = OrderRequest(symbol=entry.symbol, side=side, quantity=entry.quantity, order_type=OrderType.LIMIT,
                                  price=_on_tick(entry.average_price + sign * bracket.target_offset, tick),
                                  product=Product.MIS)
            stop = OrderRequest(symbol=entry.symbol, side=side, quantity=entry.quantity, order_type=OrderType.SL_M,
                                trigger_price=_on_tick(entry.average_price - sign * bracket.stop_offset, tick),
                                product=Product.MIS)
            bracket.target = self._place(account, target, "BO").order_id
            bracket.stop = self._place(account, stop, "BO").order_id
            self.entries[bracket.target] = self.entries[bracket.stop] = entry.order_id
        legs = [self.api._find(account, leg) for leg in (bracket.target, bracket.stop)]
        if any(leg.status is OrderStatus.COMPLETE for leg in legs):  # one cancels the other
            for leg in legs:
                if not leg.status.is_final:
                    self.state.exchange.cancel(account, leg.order_id)
        bracket.done = all(self.api._find(account, leg.order_id).status.is_final for leg in legs)


def _on_tick(price: Decimal, tick: Decimal) -> Decimal:
    return (price / tick).to_integral_value() * tick
