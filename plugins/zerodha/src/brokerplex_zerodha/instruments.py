"""Kite's instrument dump (CSV) → light rows → the core InstrumentStore.

The full dump has about 100k rows and is read once per trading day, so the parser
splits lines by hand (the csv module only for the rare line with a quoted comma)
and keeps every column but the two integers as text; Decimals and dates are made
only when an :class:`~brokerplex.models.Instrument` is built for a symbol asked for.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from decimal import Decimal
from typing import NamedTuple

from brokerplex import wire
from brokerplex.errors import ProtocolError
from brokerplex.instruments import InstrumentStore
from brokerplex.models import Exchange, Instrument, InstrumentType
from brokerplex_zerodha.errors import BROKER

HEADER = ("instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,"
          "instrument_type,segment,exchange")
_COLUMNS = HEADER.count(",") + 1
_EXCHANGES = frozenset(e.value for e in Exchange)
_TYPES = {"EQ": InstrumentType.EQ, "FUT": InstrumentType.FUT, "CE": InstrumentType.CE, "PE": InstrumentType.PE}


class KiteInstrument(NamedTuple):
    """One row of the dump: the columns every row needs for indexing, the rest kept as read.

    ``rest`` is the row from ``name`` on (name, last_price, expiry, strike, tick_size, lot_size,
    instrument_type, segment, exchange), split only when an instrument is built.
    """

    instrument_token: int
    exchange_token: str
    tradingsymbol: str
    exchange: str
    rest: str

    @property
    def symbol(self) -> str:
        """The canonical symbol: Kite's own ``EXCHANGE:TRADINGSYMBOL`` (``NSE:NIFTY 50`` for indices)."""
        return f"{self.exchange}:{self.tradingsymbol}"

    def columns(self) -> list[str]:
        """``rest`` split into its nine columns (made only when an instrument is built)."""
        return next(csv.reader([self.rest])) if '"' in self.rest else self.rest.split(",")


KiteStore = InstrumentStore[KiteInstrument, int]


def _fail(line_number: int, reason: str) -> ProtocolError:
    return ProtocolError(f"malformed Kite instrument dump, line {line_number}: {reason}", broker=BROKER)


def _decode(data: bytes) -> list[str]:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise _fail(0, f"broken gzip ({exc})") from None
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise _fail(0, f"not UTF-8 ({exc.reason})") from None
    if not lines or lines[0].strip().lstrip("\ufeff") != HEADER:
        raise _fail(1, "the header is not Kite's instrument columns")
    return lines


def _csv_text(fields: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue()


def parse_instruments(data: bytes) -> list[KiteInstrument]:
    """Parse the CSV of ``/instruments`` (gzip accepted); ProtocolError if any line is malformed.

    Each line is cut only at its first three commas (token, exchange token, tradingsymbol) and
    its last (exchange): 100k full splits would cost more than the rest of loading together.
    """
    rows: list[KiteInstrument] = []
    append = rows.append
    number = 1
    try:
        for number, line in enumerate(_decode(data)[1:], start=2):  # noqa: B007 - number names a failing line
            head = line.split(",", 3)
            if len(head) != 4 or head[3].count(",") != _COLUMNS - 4:
                if not line:
                    continue
                fields = next(csv.reader([line]))  # a quoted field with a comma in it
                if len(fields) != _COLUMNS:
                    raise ValueError(f"{len(fields)} columns, expected {_COLUMNS}")
                head = [*fields[:3], _csv_text(fields[3:])]
            rest = head[3]
            append(KiteInstrument(int(head[0]), head[1], head[2], rest[rest.rindex(",") + 1:], rest))
    except ValueError as exc:
        raise _fail(number, str(exc)) from None
    return rows


def build_instrument(row: KiteInstrument) -> Instrument:
    """The full Instrument of one row (made on demand; see the module docstring)."""
    with wire.reading(BROKER, f"instrument {row.symbol} from Kite", row.rest):
        return _instrument(row)


def _instrument(row: KiteInstrument) -> Instrument:
    name, _, expiry, strike_text, tick_text, lot_text, type_text, segment = row.columns()[:8]
    kind = InstrumentType.INDEX if segment == "INDICES" else _TYPES.get(type_text, InstrumentType.EQ)
    derivative = kind in (InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE)
    strike = Decimal(strike_text or "0")
    tick = Decimal(tick_text or "0")
    return Instrument(
        symbol=row.symbol,
        exchange=Exchange(row.exchange),
        tradingsymbol=row.tradingsymbol,
        name=name,
        instrument_type=kind,
        exchange_token=int(row.exchange_token) if row.exchange_token.isdigit() else None,
        underlying=(name or None) if derivative else None,
        expiry=dt.date.fromisoformat(expiry) if expiry else None,
        strike=strike if kind in (InstrumentType.CE, InstrumentType.PE) and strike > 0 else None,
        lot_size=max(int(lot_text), 1),  # indices list 0
        **({"tick_size": tick} if tick > 0 else {}),  # indices list 0: the model's default applies
    )


def _token(row: KiteInstrument) -> int:
    return row.instrument_token


def _symbol_of(row: KiteInstrument) -> str:
    return row.symbol


def build_store(rows: list[KiteInstrument]) -> KiteStore:
    """Rows of exchanges brokerplex knows (NCO, MF… are left out) as an InstrumentStore."""
    return InstrumentStore((row for row in rows if row.exchange in _EXCHANGES),
                           symbol=_symbol_of, key=_token, build=build_instrument)


def parse_store(data: bytes) -> KiteStore:
    return build_store(parse_instruments(data))
