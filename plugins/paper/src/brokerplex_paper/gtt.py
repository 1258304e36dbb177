"""Good-till-triggered orders (GTT) on the paper exchange, as Kite defines them.

A trigger watches one instrument's last price. A ``single`` trigger has one trigger value and one
order; a ``two-leg`` (OCO) trigger has a lower and an upper value with one order each, and the first
value hit fires its leg and ends the other. A single trigger fires when the price reaches its value
from the side it stood on when the trigger was made (the ``last_price`` of the condition). Firing
places the leg's order on the exchange and records the order id, or why it was refused; the
trigger is then ``triggered`` either way, as Kite shows it. A trigger not hit within its lifetime
(a year) expires.

Triggers are evaluated lazily, whenever the book is read or changed, and by :meth:`GttBook.check`,
which a simulator calls from its own loop. Each look sees the last price and the day's high and low:
a new high or low since the previous look is a trade that happened in between, so a move that
crosses a trigger value and comes back between two looks still fires it (unless it stayed inside
the day's range the trigger already saw).

The triggers live in the exchange's own file, so every :class:`GttBook` over one exchange (each CLI
process's, a simulator's) sees the same ones, and they survive a restart. Each look, and each change,
is one exchange transaction: two processes looking at once never fire a trigger twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from pydantic import TypeAdapter

from brokerplex.errors import BrokerplexError, InvalidOrderError, RefusedError, SymbolError
from brokerplex.models import OrderRequest, OrderType, Quote, Validity, Variety
from brokerplex.ops.models import GttStatus, GttType
from brokerplex_paper.checks import Placement
from brokerplex_paper.exchange import PaperExchange
from brokerplex_paper.hours import now_ist
from brokerplex_paper.ledger import Ledger

__all__ = ["Gtt", "GttBook", "GttLeg", "GttNotFoundError", "GttResult", "GttStatus", "GttType"]

#: How long a trigger waits before it expires (Kite: one year).
LIFETIME = dt.timedelta(days=365)
FIRST_ID = 100_001

#: Places one order for an account; the exchange's own ``place`` unless a simulator wraps it.
Place = Callable[[str, OrderRequest], Placement]


class GttNotFoundError(RefusedError):
    """No such trigger in the account's book."""


@dataclass(frozen=True, slots=True)
class GttResult:
    """What firing a leg did: the order placed (``order_id``) or why it was refused (``rejection``)."""

    at: dt.datetime
    triggered_at: Decimal  # the last price that fired the leg
    order_id: str | None
    rejection: str | None = None


@dataclass(frozen=True, slots=True)
class GttLeg:
    request: OrderRequest
    result: GttResult | None = None


@dataclass(frozen=True, slots=True)
class Gtt:
    """One trigger. ``trigger_values`` pair with ``legs`` by position (a two-leg's lower value first)."""

    id: int
    account: str
    type: GttType
    status: GttStatus
    symbol: str
    trigger_values: tuple[Decimal, ...]
    last_price: Decimal  # the price when the trigger was made (or last modified)
    legs: tuple[GttLeg, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    expires_at: dt.datetime

    def hit(self, price: Decimal) -> int | None:
        """The index of the leg ``price`` fires, or None."""
        if self.type is GttType.OCO:
            lower, upper = self.trigger_values
            return 0 if price <= lower else 1 if price >= upper else None
        value = self.trigger_values[0]
        rising = value > self.last_price
        return 0 if (price >= value if rising else price <= value) else None


@dataclass(frozen=True, slots=True)
class _Seen:
    """The day's range a trigger has already been checked against."""

    day: dt.date | None
    high: Decimal | None
    low: Decimal | None

    @classmethod
    def of(cls, quote: Quote) -> _Seen:
        return cls(quote.timestamp.date() if quote.timestamp else None, quote.high, quote.low)

    def reached(self, trigger: Gtt, quote: Quote) -> tuple[int, Decimal] | None:
        """The leg ``quote`` fires and the price that fired it: the last price, else a new extreme."""
        # A new day's range is all new (the exchange starts each day's high and low afresh).
        fresh = self.day is not None and quote.timestamp is not None and quote.timestamp.date() != self.day
        low = quote.low if quote.low is not None and (fresh or self.low is None or quote.low < self.low) else None
        high = quote.high if quote.high is not None and (fresh or self.high is None or quote.high > self.high) else None
        for price in (quote.last_price, low, high):
            if price is not None and (leg := trigger.hit(price)) is not None:
                return leg, price
        return None


_TRIGGER = TypeAdapter(Gtt)
_SEEN = TypeAdapter(_Seen)


class GttBook:
    """The GTT triggers of every account on one paper exchange, kept in its file. Thread-safe and safe
    across processes (each method is one exchange transaction).

    Every method raises InvalidOrderError for a trigger the rules refuse (nothing changes),
    GttNotFoundError for an id the account does not have, SymbolError for an unlisted symbol.
    """

    def __init__(self, exchange: PaperExchange, *, clock: Callable[[], dt.datetime] = now_ist,
                 place: Place | None = None, lifetime: dt.timedelta = LIFETIME) -> None:
        self.exchange, self._clock, self._lifetime = exchange, clock, lifetime
        self._place = place or exchange.place

    # -- reading -----------------------------------------------------------------------------------
    def triggers(self, account: str) -> list[Gtt]:
        """The account's triggers, newest first (as Kite lists them)."""
        with self.exchange.atomically() as ledger:
            self.check()
            return [_TRIGGER.validate_json(data) for data, _ in reversed(ledger.gtts(account=account))]

    def get(self, account: str, trigger_id: int) -> Gtt:
        with self.exchange.atomically() as ledger:
            self.check()
            return self._trigger(ledger, account, trigger_id)

    # -- changing ----------------------------------------------------------------------------------
    def place(self, account: str, kind: GttType, symbol: str, trigger_values: Sequence[Decimal],
              legs: Sequence[OrderRequest], *, last_price: Decimal | None = None) -> Gtt:
        """A new active trigger. ``last_price`` (the price the caller saw; the exchange's now when
        None) tells which way a single trigger's value is to be reached."""
        with self.exchange.atomically() as ledger:
            self.check()
            values, reference, quote = self._checked(kind, symbol, trigger_values, legs, last_price)
            now = self._now()
            trigger = Gtt(FIRST_ID - 1 + ledger.next_id("gtt"), account, kind, GttStatus.ACTIVE, symbol, values,
                          reference, tuple(GttLeg(leg) for leg in legs), now, now, now + self._lifetime)
            _save(ledger, trigger, _Seen.of(quote))
            return trigger

    def modify(self, account: str, trigger_id: int, kind: GttType, symbol: str, trigger_values: Sequence[Decimal],
               legs: Sequence[OrderRequest], *, last_price: Decimal | None = None) -> Gtt:
        """Restate an active trigger (its id, creation and expiry stay)."""
        with self.exchange.atomically() as ledger:
            self.check()
            trigger = self._trigger(ledger, account, trigger_id)
            if trigger.status is not GttStatus.ACTIVE:
                raise InvalidOrderError(f"trigger {trigger_id} is {trigger.status}; only an active trigger can be "
                                        "modified")
            values, reference, quote = self._checked(kind, symbol, trigger_values, legs, last_price)
            changed = replace(trigger, type=kind, symbol=symbol, trigger_values=values, last_price=reference,
                              legs=tuple(GttLeg(leg) for leg in legs), updated_at=self._now())
            _save(ledger, changed, _Seen.of(quote))
            return changed

    def delete(self, account: str, trigger_id: int) -> Gtt:
        """Delete a trigger: it stays in the book as ``deleted`` and never fires."""
        with self.exchange.atomically() as ledger:
            self.check()
            trigger = self._trigger(ledger, account, trigger_id)
            if trigger.status is GttStatus.DELETED:
                raise GttNotFoundError(f"trigger {trigger_id} is already deleted")
            deleted = replace(trigger, status=GttStatus.DELETED, updated_at=self._now())
            _save(ledger, deleted, None)
            return deleted

    def check(self) -> list[Gtt]:
        """Expire what is due and fire what the market reached since the last look; the triggers that fired."""
        fired = []
        with self.exchange.atomically() as ledger:
            active = [(_TRIGGER.validate_json(data), _SEEN.validate_json(seen) if seen else None)
                      for data, seen in ledger.gtts(status=GttStatus.ACTIVE.value)]
            if not active:
                return []
            now = self._now()
            prices = self.exchange.quotes(sorted({trigger.symbol for trigger, _ in active}))
            for trigger, seen in active:
                quote = prices.get(trigger.symbol)
                if now >= trigger.expires_at:
                    _save(ledger, replace(trigger, status=GttStatus.EXPIRED, updated_at=now), None)
                elif quote is not None:
                    reached = (seen or _Seen.of(quote)).reached(trigger, quote)
                    if reached is None:
                        _save(ledger, trigger, _Seen.of(quote))
                    else:
                        fired.append(self._fire(ledger, trigger, *reached, now))
        return fired

    # -- inside ------------------------------------------------------------------------------------
    def _now(self) -> dt.datetime:
        return self._clock()

    @staticmethod
    def _trigger(ledger: Ledger, account: str, trigger_id: int) -> Gtt:
        row = ledger.gtt(trigger_id)
        if row is None or row[0] != account:
            raise GttNotFoundError(f"no trigger {trigger_id} in this account")
        return _TRIGGER.validate_json(row[1])

    def _fire(self, ledger: Ledger, trigger: Gtt, index: int, price: Decimal, now: dt.datetime) -> Gtt:
        request = trigger.legs[index].request
        try:
            placement = self._place(trigger.account, request)
        except BrokerplexError as error:  # refused before it became an order (e.g. an unknown account)
            result = GttResult(now, price, None, error.message)
        else:
            order = placement.order
            if placement.reject is None:
                result = GttResult(now, price, order.order_id)
            else:
                result = GttResult(now, price, None, order.status_message or str(placement.reject))
        legs = list(trigger.legs)
        legs[index] = GttLeg(request, result)
        fired = replace(trigger, status=GttStatus.TRIGGERED, legs=tuple(legs), updated_at=now)
        _save(ledger, fired, None)
        return fired

    def _checked(self, kind: GttType, symbol: str, trigger_values: Sequence[Decimal], legs: Sequence[OrderRequest],
                 last_price: Decimal | None) -> tuple[tuple[Decimal, ...], Decimal, Quote]:
        """The trigger values and reference price of a trigger the rules allow, and the quote now."""
        values = tuple(trigger_values)
        wanted = 1 if kind is GttType.SINGLE else 2
        if len(values) != wanted:
            raise InvalidOrderError(f"a {kind} trigger has {wanted} trigger value{'s' if wanted > 1 else ''}, "
                                    f"not {len(values)}")
        if len(legs) != wanted:
            raise InvalidOrderError(f"a {kind} trigger has {wanted} order{'s' if wanted > 1 else ''}, not {len(legs)}")
        if any(value <= 0 for value in values):
            raise InvalidOrderError("trigger values must be positive")
        for leg in legs:
            _check_leg(leg, symbol)
        quote = self.exchange.quotes([symbol]).get(symbol)
        if quote is None:
            raise SymbolError(f"{symbol} is not listed on the paper exchange")
        reference = quote.last_price if last_price is None else last_price
        if reference <= 0:
            raise InvalidOrderError("last price must be positive")
        if kind is GttType.OCO:
            lower, upper = values
            if not lower < reference < upper:
                raise InvalidOrderError(f"a two-leg trigger's values must be below and above the last price "
                                        f"{reference}, not {lower} and {upper}")
        elif values[0] == reference:
            raise InvalidOrderError(f"the trigger value must differ from the last price {reference}")
        return values, reference, quote


def _save(ledger: Ledger, trigger: Gtt, seen: _Seen | None) -> None:
    """Store ``trigger`` and the day's range it was last checked against (None once it can no longer fire)."""
    ledger.save_gtt(trigger.id, trigger.account, trigger.status.value, _TRIGGER.dump_json(trigger).decode(),
                    _SEEN.dump_json(seen).decode() if seen is not None else None)


def _check_leg(leg: OrderRequest, symbol: str) -> None:
    if leg.symbol != symbol:
        raise InvalidOrderError(f"a trigger's orders are for its own instrument {symbol}, not {leg.symbol}")
    if leg.order_type is not OrderType.LIMIT or leg.price is None:
        raise InvalidOrderError(f"a trigger's orders are LIMIT orders with a price, not {leg.order_type}")
    if leg.variety is not Variety.REGULAR or leg.validity is not Validity.DAY:
        raise InvalidOrderError("a trigger's orders are regular DAY orders")
