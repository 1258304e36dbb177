"""The XTS instrument master: pipe-separated text → light rows → canonical symbols.

``POST /instruments/master`` answers one string, one instrument per line, columns
joined by ``|`` (spec section 7). The kind of line is told by its column count: 22
for cash, 21 for futures and spreads, 23 for options. A full master has ~100k
lines and is parsed on every cold start, so rows stay plain tuples (symbol, segment
number, exchangeInstrumentID, the line itself), each line is split only as far as
its symbol needs, and :class:`~brokerplex.models.Instrument` models are built (from
the line) only when someone asks for one.

Canonical symbols follow the core grammar (``NSE:INFY``, ``NFO:NIFTY26DECFUT``,
``NFO:NIFTY26DEC24000CE``, weekly ``NFO:NIFTY26D2924000CE``). Whether an option is a
monthly or a weekly contract is not a column: the master's own trading symbol
(Description) decides when it spells one of the two forms, else the rule exchanges
use: the last expiry of the month is the monthly one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from brokerplex.errors import ProtocolError
from brokerplex.instruments import InstrumentStore
from brokerplex.models import Exchange, Instrument, InstrumentType
from brokerplex.symbols import MONTHS, WEEKLY_MONTH_CODES

#: (canonical symbol, segment number, exchangeInstrumentID, the master line)
Row = tuple[str, int, int, str]
Key = tuple[int, int]
Store = InstrumentStore[Row, Key]

CASH_COLUMNS, FUTURE_COLUMNS, OPTION_COLUMNS = 22, 21, 23
_SEGMENTS = {"NSECM": 1, "NSEFO": 2, "NSECD": 3, "BSECM": 11, "BSEFO": 12, "BSECD": 13, "MCXFO": 51}
_EXCHANGES = {"NSECM": "NSE", "NSEFO": "NFO", "NSECD": "CDS", "BSECM": "BSE", "BSEFO": "BFO", "BSECD": "BCD",
              "MCXFO": "MCX"}
_MONTH_OF = {f"{number:02d}": name for number, name in enumerate(MONTHS, 1)}
_WEEKLY_OF = {f"{number:02d}": code for number, code in enumerate(WEEKLY_MONTH_CODES, 1)}
_RIGHTS = {"3": "CE", "4": "PE", "CE": "CE", "PE": "PE"}
FUTURE, OPTION, SPREAD, EQUITY, INDEX = "1", "2", "4", "8", "16"


def plain_strike(value: str) -> str:
    """``24000`` / ``24000.0`` / ``83.50`` → ``24000`` / ``24000`` / ``83.5``."""
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value


def parse_master(text: str) -> list[Row]:
    """Rows of a master; ProtocolError for a line that fits no layout (a truncated download)."""
    try:
        return _parse(text)
    except (ValueError, KeyError, IndexError) as exc:
        raise ProtocolError(f"instrument master is unreadable ({type(exc).__name__}: {exc})",
                            broker="xts_client") from None


def _parse(text: str) -> list[Row]:
    rows: list[Row] = []
    unlisted: list[tuple[str, list[str], str, str]] = []  # options whose own symbol spells neither form
    monthly: dict[tuple[str, str, str], str] = {}  # (segment, name, YYYY-MM) → last expiry of that month
    chains: dict[tuple[str, str, str], tuple[str, str]] = {}  # (segment, name, expiry) → symbol prefixes
    append, segments, exchanges, months, rights = rows.append, _SEGMENTS, _EXCHANGES, _MONTH_OF, _RIGHTS
    # Count the pipes first (C speed) and split only as far as the columns a symbol needs.
    for line in text.split("\n"):
        pipes = line.count("|")
        if pipes == OPTION_COLUMNS - 1:
            columns = line.split("|", 19)
            segment, name, expiry = columns[0], columns[3], columns[16]
            if segment not in segments:
                continue
            month = (segment, name, expiry[:7])
            if monthly.get(month, "") < expiry:
                monthly[month] = expiry
            chain = (segment, name, expiry)
            forms = chains.get(chain)
            if forms is None:  # a chain shares its prefix (NIFTY26DEC / NIFTY26D01): built once
                forms = chains[chain] = _forms(name, expiry)
            strike = columns[17]
            if "." in strike:
                strike = plain_strike(strike)
            tail = strike + rights.get(columns[18], columns[18])
            listed = columns[4]
            if listed == forms[0] + tail or listed == forms[1] + tail:
                append((f"{exchanges[segment]}:{listed}", segments[segment], int(columns[1]), line))
            else:
                unlisted.append((line, columns, segment, tail))
        elif pipes == CASH_COLUMNS - 1:
            columns = line.split("|", 6)
            segment, name = columns[0], columns[3].upper()
            if segment not in segments:
                continue  # a segment without a canonical exchange (NCDEX, MSE)
            if columns[2] == INDEX:
                symbol = f"{exchanges[segment]}:{name}"
            elif segment == "NSECM" and columns[5] not in ("EQ", ""):
                symbol = f"NSE:{name}-{columns[5]}"  # non-EQ series trade as NAME-SERIES (e.g. MKPL-BE)
            else:
                symbol = f"{exchanges[segment]}:{name}"
            append((symbol, segments[segment], int(columns[1]), line))
        elif pipes == FUTURE_COLUMNS - 1:
            columns = line.split("|", 17)
            segment, expiry = columns[0], columns[16]
            if columns[2] == SPREAD or segment not in segments:
                continue  # calendar spreads have no canonical symbol
            symbol = f"{exchanges[segment]}:{columns[3].upper()}{expiry[2:4]}{months[expiry[5:7]]}FUT"
            append((symbol, segments[segment], int(columns[1]), line))
        elif line.strip():
            number = text.split("\n").index(line) + 1
            raise ProtocolError(f"instrument master line {number} has {pipes + 1} columns (expected 21, 22 or 23)",
                                broker="xts_client")
    for line, columns, segment, tail in unlisted:
        name, expiry = columns[3], columns[16]
        month_form, week_form = chains[(segment, name, expiry)]
        listed = columns[4].upper()
        if listed not in (month_form + tail, week_form + tail):  # the exchanges' rule: the month's last expiry
            listed = (month_form if expiry == monthly[(segment, name, expiry[:7])] else week_form) + tail
        append((f"{exchanges[segment]}:{listed}", segments[segment], int(columns[1]), line))
    return rows


def _forms(name: str, expiry: str) -> tuple[str, str]:
    """The monthly (``NIFTY26DEC``) and weekly (``NIFTY26D01``) prefixes of a chain's symbols."""
    name = name.upper()
    return (f"{name}{expiry[2:4]}{_MONTH_OF[expiry[5:7]]}",
            f"{name}{expiry[2:4]}{_WEEKLY_OF[expiry[5:7]]}{expiry[8:10]}")


def index_rows(segment: str, names: Iterable[str]) -> list[Row]:
    """Rows for ``indexlist`` entries (``NIFTY 50_26000``): masters leave indices out."""
    seg, exchange = _SEGMENTS[segment], _EXCHANGES[segment]
    rows: list[Row] = []
    for entry in names:
        name, _, ident = str(entry).rpartition("_")
        if name and ident.isdigit():
            line = f"{segment}|{ident}|{INDEX}|{name}|{name}|INDEX|{name}||||0|0.05|1|1|{name}||1|1|{name}|0|-1|-1"
            rows.append((f"{exchange}:{name.upper()}", seg, int(ident), line))
    return rows


def row_symbol(row: Row) -> str:
    return row[0]


def row_key(row: Row) -> Key:
    return row[1], row[2]


def _positive(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except ArithmeticError:
        return None
    return number if number > 0 else None


def build_instrument(row: Row) -> Instrument:
    """The full model of one row (called lazily, one row at a time)."""
    symbol, _, ident, line = row
    columns = line.rstrip("\r").split("|")
    exchange, _, tradingsymbol = symbol.partition(":")
    freeze = int(_positive(columns[10]) or 0)
    common = {
        "symbol": symbol, "exchange": Exchange(exchange), "tradingsymbol": tradingsymbol, "exchange_token": ident,
        "tick_size": _positive(columns[11]) or Decimal("0.05"), "lot_size": int(_positive(columns[12]) or 1),
        "multiplier": _positive(columns[13]) or Decimal(1),
        # XTS lists the first refused quantity (NIFTY freeze 1800 is written 1801).
        "freeze_quantity": freeze - 1 if freeze > 1 else None,
    }
    try:
        if len(columns) == CASH_COLUMNS:
            kind = InstrumentType.INDEX if columns[2] == INDEX else InstrumentType.EQ
            return Instrument(instrument_type=kind, name=columns[18] or columns[3], isin=columns[15] or None,
                              **common)
        expiry = dt.date.fromisoformat(columns[16][:10])
        if len(columns) == FUTURE_COLUMNS:
            return Instrument(instrument_type=InstrumentType.FUT, name=columns[3], underlying=columns[3].upper(),
                              expiry=expiry, **common)
        right = _RIGHTS.get(columns[18], "CE")
        return Instrument(instrument_type=InstrumentType(right), name=columns[3], underlying=columns[3].upper(),
                          expiry=expiry, strike=Decimal(columns[17]), **common)
    except (ValueError, ArithmeticError) as exc:
        raise ProtocolError(f"instrument master row of {symbol} is unreadable ({exc})", broker="xts_client") from None


def build_store(rows: Iterable[Row]) -> Store:
    return InstrumentStore(rows, symbol=row_symbol, key=row_key, build=build_instrument)
