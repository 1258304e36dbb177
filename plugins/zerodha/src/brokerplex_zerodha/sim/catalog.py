"""Kite's view of the paper universe: instrument tokens, segments and the instruments CSV.

Kite numbers every instrument ``exchange_token * 256 + segment code``; the low byte tells the
ticker which price divisor to use. Indices live in segment 9 under Kite's own index numbers
(NIFTY 50 is 256265 = 1001 * 256 + 9), not under the exchange's index codes, so the paper
indices are mapped to Kite's real numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from brokerplex.models import Instrument, InstrumentType
from brokerplex_paper.universe import Listing, build_universe

SEGMENT_CODES = {"NSE": 1, "NFO": 2, "CDS": 3, "BSE": 4, "BFO": 5, "BCD": 6, "MCX": 7}
INDEX_SEGMENT = 9
# Ticker prices are integers: rupees times this divisor (currency segments carry more decimals).
DIVISORS = {3: 10_000_000, 6: 10_000}
# Kite's exchange tokens of the paper indices (instrument_token = token * 256 + 9).
INDEX_TOKENS = {
    "NSE:NIFTY 50": 1001,
    "NSE:NIFTY FIN SERVICE": 1007,
    "NSE:NIFTY BANK": 1016,
    "NSE:INDIA VIX": 1035,
    "BSE:SENSEX": 1,
}
CSV_HEADER = ("instrument_token", "exchange_token", "tradingsymbol", "name", "last_price", "expiry", "strike",
              "tick_size", "lot_size", "instrument_type", "segment", "exchange")


def divisor(instrument_token: int) -> int:
    """The ticker's price divisor for ``instrument_token``'s segment."""
    return DIVISORS.get(instrument_token & 0xFF, 100)


@dataclass(frozen=True, slots=True)
class Entry:
    """One instrument as Kite lists it."""

    listing: Listing
    instrument_token: int
    exchange_token: int
    segment: str  # the CSV's segment column: NSE, NFO-OPT, INDICES…

    @property
    def instrument(self) -> Instrument:
        return self.listing.instrument

    @property
    def key(self) -> str:
        """``EXCHANGE:TRADINGSYMBOL``, Kite's quote key (also our canonical symbol)."""
        return self.listing.instrument.symbol


def _entry(listing: Listing) -> Entry:
    instrument = listing.instrument
    exchange = instrument.exchange.value
    if instrument.instrument_type is InstrumentType.INDEX:
        exchange_token = INDEX_TOKENS.get(instrument.symbol, 2000 + (instrument.exchange_token or 0) % 1000)
        return Entry(listing, exchange_token * 256 + INDEX_SEGMENT, exchange_token, "INDICES")
    exchange_token = instrument.exchange_token or 0
    if instrument.instrument_type is InstrumentType.FUT:
        segment = f"{exchange}-FUT"
    elif instrument.instrument_type in (InstrumentType.CE, InstrumentType.PE):
        segment = f"{exchange}-OPT"
    else:
        segment = exchange
    return Entry(listing, exchange_token * 256 + SEGMENT_CODES[exchange], exchange_token, segment)


def _number(value: Decimal) -> str:
    """Kite writes CSV numbers as floats: 0.0, 1540.0, 0.05."""
    return repr(float(value))


class Catalog:
    """The instruments of one trading day, by Kite key and by instrument token."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.entries = [_entry(listing) for listing in build_universe(day)]
        self.by_key = {entry.key: entry for entry in self.entries}
        self.by_token = {entry.instrument_token: entry for entry in self.entries}

    def find(self, key: str) -> Entry | None:
        """An entry by ``EXCHANGE:TRADINGSYMBOL`` or by a bare instrument token."""
        if key.isdigit():
            return self.by_token.get(int(key))
        return self.by_key.get(key)

    def csv(self, exchange: str | None = None) -> bytes:
        """The instrument dump (all, or one exchange's), CRLF-terminated as Kite serves it."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_HEADER)
        for entry in self.entries:
            instrument = entry.instrument
            if exchange is not None and instrument.exchange.value != exchange:
                continue
            is_index = instrument.instrument_type is InstrumentType.INDEX
            writer.writerow((
                entry.instrument_token, entry.exchange_token, instrument.tradingsymbol,
                instrument.underlying or instrument.name.upper(), _number(entry.listing.reference_price),
                instrument.expiry.isoformat() if instrument.expiry else "",
                _number(instrument.strike or Decimal(0)), _number(instrument.tick_size), instrument.lot_size,
                "EQ" if is_index else instrument.instrument_type.value, entry.segment, instrument.exchange.value,
            ))
        return out.getvalue().encode()
