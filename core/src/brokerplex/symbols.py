"""The canonical symbol grammar shared by every broker: ``EXCHANGE:TRADINGSYMBOL``.

Trading symbols follow the exchange conventions that Kite popularised and most Indian
tools understand::

    NSE:INFY                cash equity (NSE, BSE)
    NSE:NIFTY 50            index (quote-only); a space marks an index name
    NFO:NIFTY25DECFUT       future: underlying, YY, MON, FUT
    NFO:NIFTY25DEC24000CE   monthly option: underlying, YY, MON, strike, CE|PE
    NFO:NIFTY25D0924000CE   weekly option: underlying, YY, M (1-9, O, N, D), DD, strike, CE|PE
    CDS:USDINR25DEC83.5CE   strikes may carry decimals

This module is pure and cheap to import: it is used on the CLI's hot path.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from brokerplex.errors import SymbolError


class Exchange(StrEnum):
    NSE = "NSE"
    BSE = "BSE"
    NFO = "NFO"
    BFO = "BFO"
    CDS = "CDS"
    BCD = "BCD"
    MCX = "MCX"

    @property
    def is_cash(self) -> bool:
        return self in (Exchange.NSE, Exchange.BSE)


class SymbolKind(StrEnum):
    EQUITY = "EQUITY"
    INDEX = "INDEX"
    FUTURE = "FUTURE"
    OPTION = "OPTION"


MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# Weekly contracts write the month as one character: 1-9, then O, N, D.
WEEKLY_MONTH_CODES = "123456789OND"
# Index names without a space (most index names have one, e.g. "NIFTY 50").
SPACELESS_INDICES = frozenset({"SENSEX", "BANKEX", "SENSEX50", "INDIAVIX"})

_EXAMPLE = "write it as EXCHANGE:SYMBOL, e.g. NSE:INFY or NFO:NIFTY25DEC24000CE"
_CASH_RE = re.compile(r"[A-Z0-9][A-Z0-9&_.\-]{0,29}")
_INDEX_RE = re.compile(r"[A-Z0-9][A-Z0-9 &.\-]{0,39}")
_MONTHLY_RE = re.compile(
    r"(?P<underlying>[A-Z0-9&\-]+?)(?P<yy>\d{2})(?P<mon>" + "|".join(MONTHS) + r")"
    r"(?:(?P<fut>FUT)|(?P<strike>\d+(?:\.\d+)?)(?P<right>CE|PE))"
)
_WEEKLY_RE = re.compile(
    r"(?P<underlying>[A-Z&\-]+?)(?P<yy>\d{2})(?P<m>[1-9OND])(?P<dd>\d{2})"
    r"(?P<strike>\d+(?:\.\d+)?)(?P<right>CE|PE)"
)


@dataclass(frozen=True, slots=True)
class Symbol:
    """A parsed canonical symbol. ``str(symbol)`` gives the canonical text back."""

    exchange: Exchange
    tradingsymbol: str
    kind: SymbolKind
    underlying: str | None = None
    expiry_year: int | None = None
    expiry_month: int | None = None
    expiry_day: int | None = None  # set for weekly options only
    strike: Decimal | None = None
    right: str | None = None  # "CE" or "PE"

    def __str__(self) -> str:
        return f"{self.exchange}:{self.tradingsymbol}"

    @property
    def tradable(self) -> bool:
        return self.kind is not SymbolKind.INDEX


def parse_symbol(text: str) -> Symbol:
    """Parse ``text`` into a :class:`Symbol`, raising :class:`SymbolError` with a clear reason."""
    if not isinstance(text, str) or not text.strip():
        raise SymbolError(f"empty symbol; {_EXAMPLE}")
    raw = text.strip()
    exchange_text, sep, body = raw.partition(":")
    if not sep:
        raise SymbolError(f"symbol {raw!r} has no exchange; {_EXAMPLE}")
    try:
        exchange = Exchange(exchange_text.strip().upper())
    except ValueError:
        known = ", ".join(e.value for e in Exchange)
        raise SymbolError(f"unknown exchange {exchange_text!r} in {raw!r}; expected one of {known}") from None
    body = " ".join(body.upper().split())
    if not body:
        raise SymbolError(f"symbol {raw!r} has an exchange but no trading symbol; {_EXAMPLE}")
    if exchange.is_cash:
        return _parse_cash(exchange, body, raw)
    return _parse_derivative(exchange, body, raw)


def _parse_cash(exchange: Exchange, body: str, raw: str) -> Symbol:
    if " " in body or body in SPACELESS_INDICES:
        if not _INDEX_RE.fullmatch(body):
            raise SymbolError(f"invalid index name in {raw!r}")
        return Symbol(exchange, body, SymbolKind.INDEX)
    if not _CASH_RE.fullmatch(body):
        bad = next((c for c in body if not (c.isalnum() or c in "&_.-")), None)
        reason = f"invalid character {bad!r}" if bad else "too long or malformed"
        raise SymbolError(f"{reason} in {raw!r}; cash symbols look like NSE:INFY or NSE:M&M")
    return Symbol(exchange, body, SymbolKind.EQUITY)


def _parse_derivative(exchange: Exchange, body: str, raw: str) -> Symbol:
    if match := _MONTHLY_RE.fullmatch(body):
        year, month = 2000 + int(match["yy"]), MONTHS.index(match["mon"]) + 1
        day = None
    elif match := _WEEKLY_RE.fullmatch(body):
        year, month = 2000 + int(match["yy"]), WEEKLY_MONTH_CODES.index(match["m"]) + 1
        day = int(match["dd"])
        try:
            dt.date(year, month, day)
        except ValueError:
            raise SymbolError(f"invalid weekly expiry date in {raw!r}") from None
    else:
        raise SymbolError(
            f"{raw!r} is not a {exchange} future or option; expected e.g. "
            f"{exchange}:NIFTY25DECFUT, {exchange}:NIFTY25DEC24000CE or {exchange}:NIFTY25D0924000CE"
        )
    if match["strike"] is None:
        return Symbol(exchange, body, SymbolKind.FUTURE, match["underlying"], year, month)
    strike = Decimal(match["strike"])
    if strike <= 0:
        raise SymbolError(f"strike must be positive in {raw!r}")
    return Symbol(exchange, body, SymbolKind.OPTION, match["underlying"], year, month, day, strike, match["right"])


def canonical(text: str) -> str:
    """Return the canonical spelling of ``text`` (``nse:infy`` → ``NSE:INFY``)."""
    return str(parse_symbol(text))
