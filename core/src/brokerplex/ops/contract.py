"""The trader operations a broker may do on its own wire, as optional :class:`~brokerplex.Broker` methods.

A plugin overrides the ones its protocol offers and lists them in ``Capabilities.operations``; the
conformance kit checks that the two agree. The manager (:mod:`brokerplex.ops.trading`) uses a native
operation when declared and emulates the rest from the primitives where it can (``brokerplex.ops.modes``):

=================  ==============================================  =======================================
operation          native method                                   emulated from
=================  ==============================================  =======================================
exit               ``square_off(position)``                        cancel + a market order (journalled)
slice              ``place_autosliced(request)``                   freeze-sized children (when the master
                                                                   gives the freeze quantity)
cancel_all         ``cancel_all(symbol)``                          ``cancel_order`` for each open order
convert            ``convert_position(position, quantity, to)``    —
margins            ``order_margins(requests)``                     —
basket_margins     ``basket_margins(requests)``                    —
gtt                ``gtts``, ``place_gtt``, ``modify_gtt``, …      —
candles            ``candles(symbol, interval, start, end)``       —
=================  ==============================================  =======================================

The rules of :mod:`brokerplex.broker` hold here too: only brokerplex errors leave a method, a write is
sent once, and a lost reply to a write is an OutcomeUnknownError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from brokerplex.errors import NotSupportedError
from brokerplex.models import OrderAck, OrderRequest, Position, Product
from brokerplex.ops.models import BasketMargin, Candle, Gtt, GttRequest, Interval, Margin

if TYPE_CHECKING:
    from brokerplex.broker import AccountContext


class BrokerOperations:
    """Optional native operations; each one not overridden says clearly that the broker lacks it."""

    context: AccountContext
    #: The longest range one candle request may cover, per interval; the manager pages longer ones.
    candle_ranges: ClassVar[Mapping[Interval, dt.timedelta]] = {}

    def _lacks(self, what: str) -> NotSupportedError:
        return NotSupportedError(f"{self.context.broker} does not offer {what}")

    async def square_off(self, position: Position) -> OrderAck:
        """Flatten ``position`` at market through the broker's own square-off route."""
        raise self._lacks("a square-off route")

    async def place_autosliced(self, request: OrderRequest) -> OrderAck:
        """Place ``request`` for the broker to slice at the freeze quantity (Kite's ``autoslice``), once; the
        ack's ``children`` are the slices, a refused slice as a REJECTED child with the broker's reason."""
        raise self._lacks("sliced orders")

    async def cancel_all(self, symbol: str) -> None:
        """Cancel every open order of ``symbol`` in one request."""
        raise self._lacks("cancel-all")

    async def convert_position(self, position: Position, quantity: int, to: Product) -> None:
        """Move ``quantity`` of ``position`` (as the manager just read it) to product ``to``."""
        raise self._lacks("position conversion")

    async def order_margins(self, requests: Sequence[OrderRequest]) -> list[Margin]:
        """The margin (and charges, where known) each order would block, one per request, in order."""
        raise self._lacks("order margins")

    async def basket_margins(self, requests: Sequence[OrderRequest]) -> BasketMargin:
        """The margin the orders would block together (with the hedge benefit, where the broker gives one)."""
        raise self._lacks("basket margins")

    async def candles(self, symbol: str, interval: Interval, start: dt.datetime, end: dt.datetime) -> list[Candle]:
        """Candles from ``start`` to ``end`` (aware datetimes), oldest first, within ``candle_ranges``."""
        raise self._lacks("historical candles")

    async def gtts(self) -> list[Gtt]:
        """Every GTT trigger of the account, newest first."""
        raise self._lacks("GTT triggers")

    async def place_gtt(self, request: GttRequest) -> str:
        """Create a trigger; its id."""
        raise self._lacks("GTT triggers")

    async def modify_gtt(self, gtt_id: str, request: GttRequest) -> None:
        raise self._lacks("GTT triggers")

    async def delete_gtt(self, gtt_id: str) -> None:
        raise self._lacks("GTT triggers")
