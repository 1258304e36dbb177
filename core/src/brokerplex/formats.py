"""One written form of money and time for every broker, used by JSON output, tables and the later REST API.

Money is a plain decimal string (never an exponent) with at least the instrument's places (two; four
on the currency exchanges CDS and BCD, quoted to 0.0025 rupee) and every digit the value really has:
``1.5E+3`` is ``"1500.00"``, ``1412.3333`` stays ``"1412.3333"``. Times are ISO 8601 in IST with
the offset. The pydantic serialisers here apply in JSON mode only, so validation and Python-mode
dumps are unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Context, Decimal

from pydantic import PlainSerializer

__all__ = ["IST", "AsIst", "AsMoney", "AsPlain", "as_ist", "decimal_text", "money_at_places_of", "money_places",
           "money_text"]

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
CURRENCY_EXCHANGES = frozenset({"CDS", "BCD"})


def decimal_text(value: Decimal) -> str:
    """``value`` without an exponent and without trailing zeros: ``1E+3`` is ``"1000"``."""
    if not value.is_finite():
        return str(value)
    exact = Context(prec=max(len(value.as_tuple().digits), 1))  # normalising never rounds
    return format(value.normalize(exact) if value else Decimal(0), "f")  # no "-0"


def money_text(value: Decimal, places: int = 2) -> str:
    """Money as text: at least ``places`` decimals, never dropping a digit the value has."""
    text = decimal_text(value)
    if not value.is_finite():
        return text
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(places, '0')}"


def money_places(symbol: str) -> int:
    """Decimal places money of ``symbol`` is written with: 4 on the currency exchanges, else 2."""
    return 4 if symbol.partition(":")[0] in CURRENCY_EXCHANGES else 2


def as_ist(moment: dt.datetime) -> dt.datetime:
    """``moment`` in IST; a naive time is taken to be IST already (Indian brokers send local times)."""
    return moment.replace(tzinfo=IST) if moment.tzinfo is None else moment.astimezone(IST)


# The places of the record being written: set by a record of one instrument, read by its money fields
# and by nested ones (a quote's depth levels), which do not know the instrument themselves.
_places: ContextVar[int] = ContextVar("money_places", default=2)


@contextmanager
def money_at_places_of(symbol: str) -> Iterator[None]:
    """Within this block, money fields are written at ``symbol``'s places."""
    token = _places.set(money_places(symbol))
    try:
        yield
    finally:
        _places.reset(token)


AsMoney = PlainSerializer(lambda value: money_text(value, _places.get()), return_type=str, when_used="json")
AsPlain = PlainSerializer(decimal_text, return_type=str, when_used="json")
AsIst = PlainSerializer(lambda moment: as_ist(moment).isoformat(), return_type=str, when_used="json")
