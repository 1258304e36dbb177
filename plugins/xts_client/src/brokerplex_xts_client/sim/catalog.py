"""The paper universe as XTS lists it: segments, exchangeInstrumentIDs and the pipe-separated master.

Line layouts (spec section 7): 22 columns for cash, 21 for futures, 23 for options (strike and
option type inserted after the expiry). ``exchangeInstrumentID`` is the paper exchange token,
which is the real NSE token for cash and indices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from brokerplex.models import Exchange, Instrument, InstrumentType
from brokerplex_paper.market import band
from brokerplex_paper.universe import Listing, build_universe

SEGMENT_IDS = {
    "NSECM": 1, "NSEFO": 2, "NSECD": 3, "BSECM": 11, "BSEFO": 12, "BSECD": 13, "NCDEX": 21,
    "MSECM": 41, "MSEFO": 42, "MSECD": 43, "MCXFO": 51,
}
SEGMENT_NAMES = {number: name for name, number in SEGMENT_IDS.items()}
EXCHANGE_SEGMENTS = {
    Exchange.NSE: "NSECM", Exchange.NFO: "NSEFO", Exchange.CDS: "NSECD", Exchange.BSE: "BSECM",
    Exchange.BFO: "BSEFO", Exchange.BCD: "BSECD", Exchange.MCX: "MCXFO",
}
SEGMENT_EXCHANGES = {segment: exchange for exchange, segment in EXCHANGE_SEGMENTS.items()}
_INSTRUMENT_ID_BASE = {"NSECM": 1100100000000, "BSECM": 11100100000000, "NSEFO": 2100100000000,
                       "NSECD": 3100100000000, "BSEFO": 12100100000000, "BSECD": 13100100000000,
                       "MCXFO": 51100100000000}
_INDEX_NAMES = {"NIFTY": "Nifty 50", "BANKNIFTY": "Nifty Bank", "FINNIFTY": "Nifty Fin Service", "SENSEX": "SENSEX"}
_EXPIRY_TIME = {Exchange.NFO: "14:30:00", Exchange.CDS: "12:00:00", Exchange.MCX: "23:30:00"}
OPTION_TYPES = {InstrumentType.CE: 3, InstrumentType.PE: 4}
# InstrumentType numbers of the master and the search routes
FUTURES, OPTIONS, EQUITY, INDEX = 1, 2, 8, 16


def plain(value: Decimal | int) -> str:
    """A number as XTS writes it: ``1540``, ``88.25``, never ``1540.00`` or ``1.54E+3``."""
    return format(Decimal(value).normalize(), "f")


def segment_of(instrument: Instrument) -> str:
    return EXCHANGE_SEGMENTS[instrument.exchange]


def instrument_id(segment: str, token: int) -> int:
    """XTS's exchange-wide InstrumentID: a segment prefix plus the token (``1100100002885``)."""
    return _INSTRUMENT_ID_BASE.get(segment, 9100100000000) + token


def series(instrument: Instrument) -> str:
    kind, exchange = instrument.instrument_type, instrument.exchange
    if kind is InstrumentType.EQ:
        return "EQ" if exchange is Exchange.NSE else "A"
    if kind is InstrumentType.INDEX:
        return "INDEX" if exchange is Exchange.NSE else "SPOT"
    index = (instrument.underlying or "") in _INDEX_NAMES
    if exchange is Exchange.MCX:
        return "FUTCOM" if kind is InstrumentType.FUT else "OPTFUT"
    if exchange in (Exchange.CDS, Exchange.BCD):
        return "FUTCUR" if kind is InstrumentType.FUT else "OPTCUR"
    if exchange is Exchange.BFO:
        return "IF" if kind is InstrumentType.FUT else "IO"
    if kind is InstrumentType.FUT:
        return "FUTIDX" if index else "FUTSTK"
    return "OPTIDX" if index else "OPTSTK"


def price_band(listing: Listing) -> tuple[Decimal, Decimal]:
    """(high, low): the day's circuit; bandless contracts get a wide one, as real masters do."""
    limits = band(listing, listing.reference_price)
    if limits is not None:
        return limits[1], limits[0]
    return listing.reference_price * 5, listing.instrument.tick_size


def _freeze(listing: Listing) -> int:
    instrument = listing.instrument
    if instrument.freeze_quantity is not None:
        return instrument.freeze_quantity + 1  # XTS lists the first refused quantity (NIFTY 1800 → 1801)
    return max(int(Decimal(25_000_000) / listing.reference_price), 1)


def _company(name: str) -> str:
    return name.upper()


def _expiry_text(instrument: Instrument) -> str:
    assert instrument.expiry is not None
    return f"{instrument.expiry.isoformat()}T{_EXPIRY_TIME.get(instrument.exchange, '00:00:00')}"


def display_name(instrument: Instrument) -> str:
    if instrument.expiry is None:
        return instrument.tradingsymbol
    date = instrument.expiry.strftime("%d%b%Y").upper()
    if instrument.strike is None:
        return f"{instrument.name} {date}"
    return f"{instrument.name} {date} {instrument.instrument_type.value} {plain(instrument.strike)}"


def master_line(listing: Listing, underlying_ids: dict[str, int] | None = None) -> str:
    """One instrument as a line of ``POST /instruments/master``'s text."""
    instrument = listing.instrument
    segment, token = segment_of(instrument), instrument.exchange_token or 0
    high, low = price_band(listing)
    head = [
        segment, str(token), "", instrument.tradingsymbol, instrument.tradingsymbol, series(instrument),
        "", str(instrument_id(segment, token)), plain(high), plain(low), str(_freeze(listing)),
        plain(instrument.tick_size), str(instrument.lot_size), plain(instrument.multiplier),
    ]
    head[6] = f"{instrument.tradingsymbol if instrument.expiry is None else instrument.name}-{head[5]}"
    if instrument.instrument_type is InstrumentType.EQ:
        head[2] = str(EQUITY)
        head[4] = f"{instrument.tradingsymbol}-{head[5]}"
        return "|".join([*head, instrument.tradingsymbol, instrument.isin or "", "1", "1",
                         f"{_company(instrument.name)}-{head[5]}", "0", "-1", "-1"])
    name = instrument.name
    head[3] = name
    underlying = instrument.underlying or name
    underlying_id = -1 if underlying in _INDEX_NAMES else (underlying_ids or {}).get(underlying, -1)
    tail = [str(underlying_id), _INDEX_NAMES.get(underlying, underlying), _expiry_text(instrument)]
    if instrument.instrument_type is InstrumentType.FUT:
        head[2] = str(FUTURES)
    else:
        head[2] = str(OPTIONS)
        assert instrument.strike is not None
        tail += [plain(instrument.strike), str(OPTION_TYPES[instrument.instrument_type])]
    return "|".join([*head, *tail, display_name(instrument), "1", "1", instrument.tradingsymbol])


@dataclass(frozen=True, slots=True)
class Entry:
    """One listing with its XTS coordinates."""

    listing: Listing
    segment: str
    token: int

    @property
    def symbol(self) -> str:
        return self.listing.instrument.symbol

    @property
    def segment_id(self) -> int:
        return SEGMENT_IDS[self.segment]


class Catalog:
    """The day's universe indexed both ways: canonical symbol ↔ (segment, exchangeInstrumentID)."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.entries: list[Entry] = []
        self._by_key: dict[tuple[str, int], Entry] = {}
        self._by_symbol: dict[str, Entry] = {}
        for listing in build_universe(day):
            instrument = listing.instrument
            entry = Entry(listing, segment_of(instrument), instrument.exchange_token or 0)
            self.entries.append(entry)
            self._by_key[(entry.segment, entry.token)] = entry
            self._by_symbol[instrument.symbol] = entry
        self._underlying_ids = {
            entry.listing.instrument.tradingsymbol: instrument_id(entry.segment, entry.token)
            for entry in self.entries
            if entry.segment == "NSECM" and entry.listing.instrument.instrument_type is InstrumentType.EQ
        }

    def find(self, segment: str | int, token: object) -> Entry | None:
        name = SEGMENT_NAMES.get(segment) if isinstance(segment, int) else str(segment).upper()
        if name is None and isinstance(segment, str) and segment.isdigit():
            name = SEGMENT_NAMES.get(int(segment))
        try:
            number = int(str(token))
        except ValueError:
            return None
        return self._by_key.get((name or "", number))

    def by_symbol(self, symbol: str) -> Entry | None:
        return self._by_symbol.get(symbol)

    def master(self, segments: list[str]) -> str:
        """The master text of ``segments`` (names), indices left out as real masters do."""
        wanted = {segment.upper() for segment in segments}
        lines = [
            master_line(entry.listing, self._underlying_ids)
            for entry in self.entries
            if entry.segment in wanted and entry.listing.instrument.instrument_type is not InstrumentType.INDEX
        ]
        return "\n".join(lines)

    def indices(self, segment: str) -> list[Entry]:
        return [entry for entry in self.entries
                if entry.segment == segment and entry.listing.instrument.instrument_type is InstrumentType.INDEX]
